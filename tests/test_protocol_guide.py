"""docs/protocols.md, the clinic's authoring guide, and its examples: what it shows works.

A clinic copies an example, changes it and checks it; the examples must load, pass every check
and run, and the guide must say what the code does (every field, every engine-rule key, every
kind of exit criterion) and hold no protocol that does not load.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from restride.cli import app
from restride.domain.case import Injury
from restride.domain.protocol import ENGINE_RULE_KEYS, Protocol, check_protocol
from restride.loading import CRITERION_KINDS, builtin_protocol, load_protocol
from restride.simulation import seed_injury, simulate

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDE = DOCS / "protocols.md"
MINIMAL = DOCS / "examples" / "clinic-minimal.yaml"
SLOWER = DOCS / "examples" / "clinic-ten-steps-slower.yaml"
MINIMAL_CASE = DOCS / "examples" / "clinic-minimal-case.json"
START = dt.date(2026, 3, 2)


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", guide_text(), flags=re.M | re.S)


def whole_protocols() -> list[str]:
    """The guide's YAML blocks that are a protocol of their own (they start with `id:`)."""
    return [b for b in code_blocks("yaml") if b.lstrip().startswith("id:")]


def restride(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "restride"
    command = str(beside) if beside.exists() else shutil.which("restride")
    assert command, "the restride console script is not installed (pip install -e .)"
    return subprocess.run(
        [command, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def own_rule_ids(path: Path) -> set[str]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {r["id"] for r in data["rules"]}


def phases_in_order(protocol: Protocol, days: int) -> list[str]:
    injury = Injury(site="calf", side="left", onset=START - dt.timedelta(days=2))
    run = simulate(protocol, injury, START, days)
    visited: list[str] = []
    for decision in run.decisions:
        if not visited or visited[-1] != decision.phase:
            visited.append(decision.phase)
    return visited


# -- the examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [MINIMAL, SLOWER], ids=["minimal", "ten-steps-slower"])
def test_each_example_protocol_loads_and_passes_every_check(example: Path) -> None:
    protocol = load_protocol(example)

    assert check_protocol(protocol) == []
    assert protocol.id == example.stem


def test_the_minimal_example_gets_the_red_flags_and_engine_rules_it_leaves_out() -> None:
    raw: dict[str, Any] = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    assert not {"engine_rules", "red_flags", "high_risk_sites", "pain", "flare"} & set(raw)

    protocol = load_protocol(MINIMAL)
    ten_steps = builtin_protocol("ten-steps")

    assert protocol.red_flags == ten_steps.red_flags
    assert protocol.high_risk_sites == ten_steps.high_risk_sites
    assert set(protocol.engine_rules) == set(ENGINE_RULE_KEYS)
    assert protocol.rule(protocol.engine_rules["rest_days"]) == ten_steps.rule("TS-REST-DAYS")
    assert [e.id for e in protocol.evidence] == ["CLINIC-1"]


def test_a_pain_free_runner_moves_through_the_minimal_protocol_on_its_own_rules() -> None:
    protocol = load_protocol(MINIMAL)
    injury = Injury(site="calf", side="left", onset=START - dt.timedelta(days=2))

    run = simulate(protocol, injury, START, 40)

    assert phases_in_order(protocol, 40) == ["settle", "strengthen", "return"]
    own = own_rule_ids(MINIMAL)
    for decision in run.decisions:
        phase_rule = protocol.phases[protocol.phase_index(decision.phase)].rule
        assert phase_rule in own
        assert phase_rule in [r.rule for r in decision.reasons], decision.date
    moved = [r.text for d in run.decisions for r in d.reasons if r.rule == "TS-PHASE-UP"]
    assert any("CM-SETTLE-EXIT" in text for text in moved)
    assert any("CM-STRENGTH-EXIT" in text for text in moved)
    cited = {e for d in run.decisions for r in d.reasons for e in r.evidence}
    assert "CLINIC-1" in cited
    tests = [s.test for s in run.case.sessions if s.kind == "test"]
    assert tests == ["test-calf-raise-20"]


def test_the_minimal_example_never_rolls_the_injured_calf() -> None:
    protocol = load_protocol(MINIMAL)
    injury = Injury(site="calf", side="left", onset=START - dt.timedelta(days=2))

    run = simulate(protocol, injury, START, 10)

    for decision in run.decisions:
        massage = next(i for i in decision.today if i.kind == "self_massage")
        calves = next(e for e in massage.exercises if e.id == "smr-roller-calves")
        assert calves.sides == ["right"]
        assert "Foam roller: calves on the left side" in massage.spared


def test_the_based_example_keeps_the_runner_in_rest_a_week_longer_than_ten_steps() -> None:
    slower = load_protocol(SLOWER)
    ten_steps = builtin_protocol("ten-steps")

    base_run = simulate(ten_steps, seed_injury(), START, 30)
    slow_run = simulate(slower, seed_injury(), START, 30)

    assert base_run.first_day_of("corrective") == 14
    assert slow_run.first_day_of("corrective") == 21
    assert [p.id for p in slower.phases] == [p.id for p in ten_steps.phases]
    # What the based file leaves out stays the base's: the minimalist departure among them.
    assert slower.departures == ten_steps.departures
    assert slower.return_to_run == ten_steps.return_to_run


def test_the_example_case_is_decided_on_the_minimal_protocol() -> None:
    result = CliRunner().invoke(
        app, ["evaluate", str(MINIMAL_CASE), "--protocol", str(MINIMAL)], catch_exceptions=False
    )

    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["phase"] == "settle"
    assert "CM-SETTLE" in [r["rule"] for r in decision["reasons"]]
    assert decision["next"]["phase"] == "strengthen"


# -- protocol check on a clinic's mistakes -------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "right", "expected"),
    [
        (
            "{id: cx-glute-bridge,",
            "{id: cx-glute-brige,",
            "clinic.yaml: phases[1].weeks[0].items[0].exercises[1].id: "
            "no exercise 'cx-glute-brige' in the exercise library",
        ),
        (
            "evidence: [EX-5]",
            "evidence: [EX-55]",
            "clinic.yaml: rules[1].evidence: unknown CLINICAL.md ID(s) EX-55",
        ),
        (
            "    title: Walk-run\n    rule: CM-RETURN\n",
            "    title: Walk-run\n    rule: CM-RETRUN\n",
            "clinic.yaml: phases[2].rule: no rule 'CM-RETRUN' in rules",
        ),
        (
            "    spare_injured_region: true",
            "    spare_injured_regions: true",
            "clinic.yaml: phases[0].spare_injured_regions: unknown field (check the spelling)",
        ),
        (
            "days: 5, floor: 3,",
            "days: 5, floor: 7,",
            "clinic.yaml: phases[0].exit[0]: floor 7 is above the minimum of 5 days",
        ),
    ],
    ids=["misspelt-exercise", "unknown-evidence", "misspelt-rule", "misspelt-field", "floor"],
)
def test_protocol_check_names_the_field_path_of_a_mistake_in_a_copy_of_the_minimal_example(
    tmp_path: Path, wrong: str, right: str, expected: str
) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    assert text.count(wrong) == 1
    (tmp_path / "clinic.yaml").write_text(text.replace(wrong, right), encoding="utf-8")

    result = restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("error: clinic.yaml: ")
    assert expected in message


# -- the guide ----------------------------------------------------------------------------------


def test_every_whole_protocol_in_the_guide_loads_and_passes_every_check(tmp_path: Path) -> None:
    blocks = whole_protocols()
    assert blocks, "the guide shows the smallest protocol in full"
    for index, block in enumerate(blocks):
        path = tmp_path / f"guide-{index}.yaml"
        path.write_text(block, encoding="utf-8")
        assert check_protocol(load_protocol(path)) == []


def test_every_yaml_fragment_in_the_guide_is_valid_yaml() -> None:
    for block in code_blocks("yaml"):
        assert yaml.safe_load(block) is not None, block


def test_the_guide_points_to_both_examples_instead_of_repeating_them() -> None:
    text = guide_text()
    for example in (MINIMAL, SLOWER, MINIMAL_CASE):
        assert f"(examples/{example.name})" in text
    for block in whole_protocols():
        assert len(block.splitlines()) < 40


def test_the_guide_documents_every_top_level_field() -> None:
    text = guide_text()
    fields = [f for f in Protocol.model_fields if f != "library"]
    for field in [*fields, "base", "phase_overrides", "exercises"]:
        assert f"| `{field}` |" in text, field


def test_the_guide_documents_every_engine_rule_key_and_its_ten_steps_rule() -> None:
    text = guide_text()
    ten_steps = builtin_protocol("ten-steps")
    for key in ENGINE_RULE_KEYS:
        row = re.search(rf"^\| `{key}` \|.*\| `([A-Z-]+)` \|$", text, flags=re.M)
        assert row is not None, key
        assert row.group(1) == ten_steps.engine_rules[key], key


def test_the_guide_documents_every_kind_of_exit_criterion() -> None:
    text = guide_text()
    for kind in CRITERION_KINDS:
        assert f"| `{kind}` |" in text, kind


def test_the_commands_the_guide_gives_for_the_examples_run() -> None:
    commands = [
        line
        for block in code_blocks("sh")
        for line in block.splitlines()
        if line.startswith("restride ") and "examples/" in line
    ]
    assert commands
    for line in commands:
        result = restride(*shlex.split(line)[1:], cwd=DOCS)
        assert result.returncode == 0, (line, result.stderr)


def test_the_guides_own_exercise_can_be_added_to_the_minimal_example(tmp_path: Path) -> None:
    fragment = next(b for b in code_blocks("yaml") if b.startswith("exercises:"))
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "{id: cx-dead-bug, sets: 3, reps: 8}", "{id: cm-heel-walk, sets: 2}"
    )
    path = tmp_path / "clinic.yaml"
    path.write_text(text + "\n" + fragment, encoding="utf-8")

    protocol = load_protocol(path)

    assert protocol.library.exercises["cm-heel-walk"].name == "Heel walk"
    week_1 = protocol.phases[1].weeks[0].items[0]
    assert "cm-heel-walk" in [d.id for d in week_1.exercises]
