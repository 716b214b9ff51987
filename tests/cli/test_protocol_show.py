"""`restride protocol show`: everything a runner needs to follow a protocol from paper.

Each item's exercises and how to do them, how to do each criterion test, the pain and flare
rules with the protocol's own numbers, where it departs from the seed, its evidence, and, for
one runner's injury, what is left out or done on one side only.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from restride.cli import app
from restride.domain.anatomy import SITE_IDS
from restride.loading import DATA, builtin_library, builtin_protocol, load_protocol

BUILTIN = DATA / "protocols" / "ten-steps.yaml"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
MINIMAL = EXAMPLES / "clinic-minimal.yaml"


def show(*args: str) -> str:
    """The printout as one line of words: the terminal wraps long lines wherever it must."""
    result = CliRunner().invoke(app, ["protocol", "show", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return words(result.stdout)


def words(text: str) -> str:
    return " ".join(text.split())


def between(text: str, start: str, end: str | None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else len(text)]


def restride(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "restride"
    command = str(beside) if beside.exists() else shutil.which("restride")
    assert command, "the restride console script is not installed (pip install -e .)"
    env = None if columns is None else {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [command, *args], capture_output=True, text=True, timeout=120, check=False, env=env
    )


def builtin_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BUILTIN.read_text("utf-8"))
    return copy.deepcopy(data)


def number_of(page: str, name: str) -> str:
    """The number the plan gives an exercise (`#16 Golf ball: sole of the foot: 0.5 min.`)."""
    found = re.search(rf"#(\d+) {re.escape(name)}:", page)
    assert found, name
    return found.group(1)


def massage_item(page: str, phase_heading: str, next_heading: str) -> str:
    phase = between(page, phase_heading, next_heading)
    return between(phase, "- Full-body self-massage", "- Mobility")


# -- how to do it -------------------------------------------------------------------------------


def test_show_prints_each_exercise_with_its_numbered_steps_cues_and_when_not_to_do_it() -> None:
    page = show()
    library = builtin_library()

    how_to = between(page, "How to do each exercise", "Evidence")
    for exercise_id in ("smr-golf-ball-sole", "cx-calf-lower-eccentric", "fn-pogo-hops"):
        exercise = library.exercises[exercise_id]
        number = number_of(page, exercise.name)
        following = f"#{int(number) + 1} "
        entry = between(
            how_to, f"#{number} {exercise.name}", following if following in how_to else None
        )
        steps = [entry.index(f"{n}. {words(step)}") for n, step in enumerate(exercise.steps, 1)]
        assert steps == sorted(steps), exercise_id
        assert f"You need: {'; '.join(exercise.equipment)}." in entry
        for cue in exercise.cues:
            assert words(cue) in entry
        for reason in exercise.contraindications:
            assert f"- {words(reason)}" in between(entry, "When not to do it:", None)


def test_show_prints_each_items_instructions_doses_and_intervals() -> None:
    page = show()

    corrective = between(page, "Phase 3: Corrective exercise", "Phase 4:")
    level_1 = between(corrective, "- Corrective level 1 (days 1, 2, 3, 5, 6, 25 min)", "Week 2")
    assert "Slow and controlled. Rest 30-60 s between sets. Nothing should hurt." in level_1
    assert f"#{number_of(page, 'Glute bridge')} Glute bridge: 3 sets × 12 reps." in level_1
    # A week that repeats another's plan points back to it instead of printing it again.
    assert "- Corrective level 1 (days 1, 2, 3, 5, 6, 25 min): as in phase 3, week 1." in (
        between(corrective, "Week 2, level 1", "Week 3")
    )


def test_show_explains_how_to_do_each_criterion_test_where_the_phase_asks_for_it() -> None:
    protocol = builtin_protocol("ten-steps")
    page = show()

    tests = [
        (number, phase, c)
        for number, phase in enumerate(protocol.phases, 1)
        for c in phase.exit
        if c.kind == "test_passed"
    ]
    assert {c.test for _, _, c in tests} == {
        "test-calf-raise-20",
        "test-brisk-walk-30",
        "test-hop-10",
    }
    for number, phase, criterion in tests:
        section = between(page, f"Phase {number}: {phase.title}", f"Phase {number + 1}:")
        test = protocol.library.exercises[criterion.test]
        how = between(section, f"How to do the test ({test.name}):", "When not to do it:")
        assert words(criterion.text) in section
        assert f"offered from week {criterion.offer_from_week}" in section
        for n, step in enumerate(test.steps, 1):
            assert f"{n}. {words(step)}" in how, (criterion.test, n)


# -- the pain and flare rules -------------------------------------------------------------------


def test_show_prints_the_pain_bands_the_bone_limit_and_what_a_flare_does() -> None:
    page = show()

    pain = between(page, "How to read pain", "Phase 1:")
    assert "0-3, green: fine. The session counts." in pain
    assert (
        "4-5, amber: acceptable during a session only if it has settled by the next morning."
        in pain
    )
    assert "6-10, red: too much. Stop the session: 2 days off, then one week back." in pain
    assert "At a bone injury the limit is 0: no pain at all at the bone" in pain
    assert "Soreness in the warm-up that goes away: repeat this week" in pain
    assert "Soreness afterwards (above 3) or the next morning: 1 day off, then repeat" in pain
    assert "is a flare: one week back and 1 day of rest. (TS-FLARE-BONE; RTR-5, PAIN-4)" in pain
    assert (
        "A severe flare (pain of 6 or more during or after, pain that is still there walking the "
        "next day, 3 or more on waking, or a second flare within 28 days): no impact loading for "
        "5 days, 2 weeks back, and see a sports-medicine doctor" in pain
    )
    assert "nothing steps up without 3 check-ins in a row" in pain


def test_show_prints_a_clinics_own_pain_and_flare_numbers(tmp_path: Path) -> None:
    data = builtin_data()
    data["pain"].update(green_max=2, amber_max=4)
    data["flare"].update(severe_rest_days=7, persisted_rest_days=3)
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    pain = between(show(str(path)), "How to read pain", "Phase 1:")

    assert "0-2, green" in pain
    assert "3-4, amber" in pain
    assert "5-10, red: too much. Stop the session: 3 days off" in pain
    assert "no impact loading for 7 days" in pain


# -- what the protocol is and rests on ----------------------------------------------------------


def test_show_prints_each_departure_from_the_seed_and_why() -> None:
    protocol = builtin_protocol("ten-steps")
    page = show()

    section = between(page, "Where this protocol departs from the seed, and why", "Red flags:")
    assert protocol.departures
    for departure in protocol.departures:
        assert f"Step {departure.step}:" in section
        assert f"The seed: {words(departure.seed)}" in section
        assert f"Here: {words(departure.here)}" in section
        assert f"Why: {words(departure.why)} ({', '.join(departure.evidence)})" in section


def test_show_prints_the_return_to_run_range() -> None:
    page = show()

    back = between(page, "Return to running", "Where this protocol departs")
    assert "Running starts on the first day of phase 5, Walk-run program." in back
    assert "Published range: 6-27 weeks from the program start." in back


def test_show_prints_the_protocols_own_evidence_with_its_grade() -> None:
    protocol = load_protocol(MINIMAL)

    evidence = between(show(str(MINIMAL)), "Evidence", "The ten steps")

    entry = protocol.evidence[0]
    assert f"{entry.id} [I: an inference, not a finding] {words(entry.citation)}" in evidence
    assert words(entry.text) in evidence


def test_show_says_when_a_clinician_may_shorten_a_minimum() -> None:
    page = show()

    corrective = between(page, "Phase 3: Corrective exercise", "Phase 4:")
    assert "At least eight weeks of corrective work. (a clinician may shorten it to 28 days" in (
        corrective
    )
    rest = between(page, "Phase 2: Rest", "Phase 3:")
    assert "At least 14 days since the program began. (a clinician cannot shorten it)" in rest


# -- what is spared for the runner's injury -----------------------------------------------------


def test_show_for_a_left_metatarsal_keeps_the_sole_rolling_to_the_right_foot() -> None:
    page = show("--site", "metatarsal_4_shaft", "--side", "left")

    assert "For your injury: 4th metatarsal shaft, left side" in page
    offload = massage_item(page, "Phase 1: Offload", "Phase 2:")
    assert "For your injury: Golf ball: sole of the foot: done on the right side only." in offload
    assert "For your injury: 15.5 min in all." in offload
    assert "For your injury: Foam roller: calves" not in offload


def test_show_for_both_feet_leaves_the_sole_rolling_out() -> None:
    page = show("--site", "metatarsal_4_shaft", "--side", "both")

    offload = massage_item(page, "Phase 1: Offload", "Phase 2:")
    assert (
        "For your injury: left out: Golf ball: sole of the foot: works or loads the injured "
        "4th metatarsal shaft." in offload
    )


def test_show_for_a_knee_leaves_out_kneeling_only_in_the_phases_that_spare_it() -> None:
    page = show("--site", "knee", "--side", "right")

    offload = between(page, "Phase 1: Offload", "Phase 2:")
    assert "For your injury: left out: Cat-camel: works or loads the injured knee." in offload
    corrective = between(page, "Phase 3: Corrective exercise", "Week 1")
    assert "left out: Cat-camel" not in corrective


def test_show_without_an_injury_says_nothing_is_spared() -> None:
    page = show()

    assert "For your injury" not in page


def test_show_refuses_an_unknown_site_in_one_line_that_lists_the_known_sites() -> None:
    result = restride("protocol", "show", "--site", "kneecap", "--side", "left")

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --site: unknown injury site 'kneecap'; known sites: ")
    assert lines[0].endswith(", ".join(SITE_IDS))


def test_show_refuses_a_side_that_is_not_left_right_or_both() -> None:
    result = restride("protocol", "show", "--site", "calf", "--side", "none")

    assert result.returncode == 2
    assert result.stderr.strip() == "error: --side: 'none' is not one of left, right, both"


def test_show_asks_for_the_side_with_the_site() -> None:
    result = restride("protocol", "show", "--site", "calf")

    assert result.returncode == 2
    assert "--site and --side go together" in result.stderr


# -- readable at any width ----------------------------------------------------------------------


def test_show_wraps_to_a_narrow_terminal_without_losing_a_word() -> None:
    wide = restride("protocol", "show", "--site", "metatarsal_4_shaft", "--side", "left")
    narrow = restride(
        "protocol", "show", "--site", "metatarsal_4_shaft", "--side", "left", columns=60
    )

    assert narrow.returncode == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert not [line for line in lines if line != line.rstrip()]
    assert words(narrow.stdout) == words(wide.stdout)
