"""`restride protocol show` and `restride protocol check`: a clinic reading and editing its plan."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from restride.cli import app
from restride.loading import DATA

BUILTIN = DATA / "protocols" / "ten-steps.yaml"


# -- helpers ------------------------------------------------------------------------------------


def restride_command() -> str:
    beside = Path(sys.executable).parent / "restride"
    found = str(beside) if beside.exists() else shutil.which("restride")
    assert found, "the restride console script is not installed (pip install -e .)"
    return found


def run_restride(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [restride_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def words(text: str) -> str:
    """The text with every run of whitespace as one space: the terminal wraps long lines."""
    return " ".join(text.split())


def builtin_data() -> dict[str, Any]:
    """The built-in protocol file as plain data (anchors resolved)."""
    data: dict[str, Any] = yaml.safe_load(BUILTIN.read_text("utf-8"))
    return copy.deepcopy(data)


def phase_index(data: dict[str, Any], phase_id: str) -> int:
    return next(i for i, p in enumerate(data["phases"]) if p["id"] == phase_id)


def write_protocol(folder: Path, data: dict[str, Any], name: str = "clinic.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}" if secs else f"{minutes} min"


def intervals_sentence(intervals: dict[str, Any]) -> str:
    """How a printout spells a week's intervals: "Walk 5 min to warm up; 12 × (run 1 min, ..."."""
    blocks = []
    for block in intervals["blocks"]:
        walk = f", walk {clock(block['walk_s'])}" if block["walk_s"] else ""
        blocks.append(f"{block['repeats']} × (run {clock(block['run_s'])}{walk})")
    return (
        f"Walk {intervals['warmup_walk_min']:g} min to warm up; "
        + "; then ".join(blocks)
        + f"; walk {intervals['cooldown_walk_min']:g} min to cool down."
    )


def between(text: str, start: str, end: str | None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else len(text)]


def assert_check_fails(result: Any, *fragments: str) -> str:
    """Exit 2, no traceback, and every fragment in the (unwrapped) message on stderr."""
    output = (result.stdout or "") + (result.stderr or "")
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    assert "OK" not in result.stdout
    message = words(result.stderr)
    assert message.startswith("error: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# -- protocol show ------------------------------------------------------------------------------


def test_protocol_show_prints_every_phase_in_order_with_its_title() -> None:
    result = run_restride("protocol", "show")

    assert result.returncode == 0, result.stderr
    page = words(result.stdout)
    positions = []
    for number, phase in enumerate(builtin_data()["phases"], 1):
        heading = f"Phase {number}: {phase['title']} ({phase['id']};"
        assert heading in page
        positions.append(page.index(heading))
    assert positions == sorted(positions)
    assert "does not diagnose" in page


def test_protocol_show_prints_every_run_week_with_its_intervals() -> None:
    data = builtin_data()
    run = data["phases"][phase_index(data, "run")]
    following = data["phases"][phase_index(data, "run") + 1]["title"]

    result = run_restride("protocol", "show")

    assert result.returncode == 0, result.stderr
    page = words(result.stdout)
    run_section = between(page, f": {run['title']} (run;", f": {following} (")
    assert "12 × (run 1 min, walk 2 min)" in run_section
    assert "2 × (run 11:30, walk 1:30)" in run_section
    assert "1 × (run 30 min)" in run_section
    assert len(run["weeks"]) == 12
    for week in run["weeks"]:
        heading = f"Week {week['week']}: {week['focus']}"
        following_week = f"Week {week['week'] + 1}:" if week["week"] < 12 else "Leaves this"
        week_section = between(run_section, heading, following_week)
        plan = next(i for i in week["items"] if i["kind"] in ("walk_run", "run"))
        assert intervals_sentence(plan["intervals"]) in week_section, week["week"]


def test_protocol_show_lists_every_red_flag_with_its_referral_and_rule() -> None:
    data = builtin_data()

    result = invoke("protocol", "show")

    assert result.exit_code == 0, result.output
    page = words(result.stdout)
    flags = between(page, "Red flags: stop and see a doctor", "Phase 1:")
    for flag in data["red_flags"]:
        assert f"({flag['rule']};" in flags
    assert "URGENT: fever or numbness" in flags
    assert "SOON: bone tenderness." in flags
    assert "ROUTINE: swelling on 3 check-ins in a row." in flags


def test_protocol_show_maps_each_of_the_ten_steps_to_its_rules() -> None:
    data = builtin_data()

    result = run_restride("protocol", "show")

    assert result.returncode == 0, result.stderr
    page = words(result.stdout)
    steps = between(page, "The ten steps", "restride does not diagnose")
    listed = {
        int(number): rules.split(", ")
        for number, rules in re.findall(r"(?<!\d)(\d+)\. [^()]*\(([^()]*)\)", steps)
    }
    assert sorted(listed) == list(range(1, 11))
    for step in range(1, 11):
        expected = [r["id"] for r in data["rules"] if r["step"] == step]
        assert expected, f"step {step} has no rule in the protocol"
        assert listed[step] == expected
    assert "no rule" not in steps
    assert "1. Get on crutches ASAP (TS-OFFLOAD," in steps


def test_protocol_show_prints_a_clinics_own_file(tmp_path: Path) -> None:
    data = builtin_data()
    data["title"] = "Clinic North: ten steps"
    data["phases"][0]["title"] = "Crutches first"
    path = write_protocol(tmp_path, data)

    result = invoke("protocol", "show", str(path))

    assert result.exit_code == 0, result.output
    page = words(result.stdout)
    assert page.startswith("Clinic North: ten steps (protocol ten-steps, version 2)")
    assert "Phase 1: Crutches first" in page


def test_protocol_show_names_the_built_in_protocols_when_the_name_is_unknown() -> None:
    result = run_restride("protocol", "show", "eleven-steps")

    assert_check_fails(result, "no built-in protocol 'eleven-steps'", "ten-steps")


# -- protocol check -----------------------------------------------------------------------------


def test_protocol_check_passes_the_built_in_protocol() -> None:
    result = run_restride("protocol", "check", str(BUILTIN))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    line = words(result.stdout)
    assert "OK" in line
    assert "protocol 'ten-steps' v2, 6 phases" in line


def test_protocol_check_passes_a_faithful_copy_of_the_built_in_protocol(tmp_path: Path) -> None:
    write_protocol(tmp_path, builtin_data())

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert words(result.stdout).startswith("clinic.yaml: OK")


def test_protocol_check_names_a_rule_that_cites_an_unknown_clinical_id(tmp_path: Path) -> None:
    data = builtin_data()
    data["rules"][3]["evidence"] = ["RF-99"]
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(result, "clinic.yaml: rules[3].evidence:", "unknown CLINICAL.md ID(s) RF-99")


def test_protocol_check_refuses_an_exit_criterion_of_zero_days(tmp_path: Path) -> None:
    data = builtin_data()
    assert "days" in data["phases"][1]["exit"][0]
    data["phases"][1]["exit"][0]["days"] = 0
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(
        result,
        "clinic.yaml: phases[1].exit[0].days:",
        "greater than or equal to 1",
        "(got 0)",
    )


def test_protocol_check_names_an_exercise_the_library_does_not_have(tmp_path: Path) -> None:
    data = builtin_data()
    p, phase = next((i, ph) for i, ph in enumerate(data["phases"]) if ph.get("weeks"))
    i, item = next((i, it) for i, it in enumerate(phase["weeks"][0]["items"]) if it["exercises"])
    item["exercises"][0]["id"] = "cx-moonwalk"
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(
        result,
        f"clinic.yaml: phases[{p}].weeks[0].items[{i}].exercises[0].id:",
        "no exercise 'cx-moonwalk' in the exercise library",
    )


def test_protocol_check_blocks_a_run_week_that_jumps_more_than_load_1_allows(
    tmp_path: Path,
) -> None:
    data = builtin_data()
    r = phase_index(data, "run")
    week_9 = data["phases"][r]["weeks"][8]
    plan = next(i for i in week_9["items"] if i["kind"] in ("walk_run", "run"))
    # Week 8 runs 21 minutes in all; 30 minutes in week 9 is a 43 % jump.
    plan["intervals"]["blocks"] = [{"repeats": 1, "run_s": 1800, "walk_s": 0}]
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(
        result,
        f"clinic.yaml: phases[{r}].weeks[8]:",
        "longest run 30 min is 43% over",
        "LOAD-1 blocks more than 30%",
    )


def test_protocol_check_names_line_and_column_of_invalid_yaml(tmp_path: Path) -> None:
    text = BUILTIN.read_text("utf-8")
    line = text.splitlines().index("version: 2") + 1
    (tmp_path / "clinic.yaml").write_text(
        text.replace("\nversion: 2\n", "\n\tversion: 2\n", 1), encoding="utf-8"
    )

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(result, f"clinic.yaml: line {line}, column 1:", "not valid YAML")


def test_protocol_check_refuses_a_red_flag_on_a_field_check_ins_do_not_have(
    tmp_path: Path,
) -> None:
    data = builtin_data()
    flag = next(i for i, f in enumerate(data["red_flags"]) if f.get("when_any"))
    data["red_flags"][flag]["when_any"][0]["field"] = "temperature"
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(
        result,
        f"clinic.yaml: red_flags[{flag}].when_any[0]",
        "unknown check-in field 'temperature'",
    )


def test_protocol_check_says_so_when_the_file_does_not_exist(tmp_path: Path) -> None:
    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(result, "clinic.yaml: no such file")


# -- a protocol cannot be authored unsafe ---------------------------------------------------------


def test_protocol_check_refuses_a_protocol_without_red_flags(tmp_path: Path) -> None:
    data = builtin_data()
    data["red_flags"] = []
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(result, "clinic.yaml: red_flags:", "a protocol needs red-flag rules")


def test_protocol_check_refuses_an_emergency_sign_below_urgent(tmp_path: Path) -> None:
    data = builtin_data()
    flag = next(
        i
        for i, f in enumerate(data["red_flags"])
        if any(c.get("field") == "fever" for c in f.get("when_any", []))
    )
    data["red_flags"][flag]["referral"] = "soon"
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    message = assert_check_fails(
        result,
        f"clinic.yaml: red_flags[{flag}].when_any[0]:",
        "fever is an emergency sign (RF-4): its flag must refer 'urgent', not 'soon'",
    )
    assert "no flag sends the emergency sign fever (yes) to 'urgent'" in message


def test_protocol_check_refuses_a_bone_ceiling_above_zero(tmp_path: Path) -> None:
    data = builtin_data()
    data["pain"]["bone_ceiling"] = 2
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(result, "clinic.yaml: pain.bone_ceiling:", "must be 0", "PAIN-4")


def test_protocol_check_refuses_a_phase_with_no_exit_criterion(tmp_path: Path) -> None:
    data = builtin_data()
    walk = phase_index(data, "walk")
    data["phases"][walk]["exit"] = []
    write_protocol(tmp_path, data)

    result = run_restride("protocol", "check", "clinic.yaml", cwd=tmp_path)

    assert_check_fails(
        result, f"clinic.yaml: phases[{walk}].exit:", "needs at least one exit criterion"
    )
