"""`restride evaluate`: what a runner, a clinician or a tool sees on the terminal."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from restride.cli import app
from restride.loading import DATA

SEED_START = dt.date(2026, 3, 2)


# -- helpers ------------------------------------------------------------------------------------


def restride_command() -> str:
    beside = Path(sys.executable).parent / "restride"
    found = str(beside) if beside.exists() else shutil.which("restride")
    assert found, "the restride console script is not installed (pip install -e .)"
    return found


def run_restride(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [restride_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=60,
        check=False,
    )


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=stdin)


def words(text: str) -> str:
    """The text with every run of whitespace as one space: the terminal wraps long lines."""
    return " ".join(text.split())


def seed_case() -> dict[str, Any]:
    """The bundled seed runner: 4th metatarsal, walking pain, a limp, a tender red spot."""
    data: dict[str, Any] = json.loads((DATA / "demo" / "seed-runner.json").read_text("utf-8"))
    return copy.deepcopy(data)


def checkin(day: dt.date, **signs: Any) -> dict[str, Any]:
    pain_free = {
        "pain_rest": 0,
        "pain_walking": 0,
        "pain_activity": 0,
        "pain_after": 0,
        "pain_next_morning": 0,
    }
    return {"date": day.isoformat(), **pain_free, **signs}


def case_with(checkins: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    data = seed_case()
    data["today"] = today.isoformat()
    data["checkins"] = checkins
    return data


def write_case(folder: Path, data: dict[str, Any], name: str = "case.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def exit_code(result: Any) -> int:
    """A subprocess's return code, or a Typer test run's exit code."""
    code = result.returncode if hasattr(result, "returncode") else result.exit_code
    return int(code)


def assert_one_clear_error(result: Any, *fragments: str) -> None:
    """Exit 2, nothing on stdout, one `error:` line on stderr, no traceback anywhere."""
    output = (result.stdout or "") + (result.stderr or "")
    assert "Traceback" not in output, output
    assert exit_code(result) == 2, output
    assert result.stdout == "", result.stdout
    message = words(result.stderr)
    assert message.startswith("error: "), message
    assert message.count("error:") == 1, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# -- the decision -------------------------------------------------------------------------------


def test_evaluate_demo_tells_the_seed_runner_to_stop_offload_and_see_a_doctor_soon() -> None:
    result = run_restride("evaluate", "--demo", "seed-runner")

    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["phase"] == "offload"
    assert decision["referral"] == "soon"
    assert decision["action"] == "stop"
    evidence = {r["rule"]: r["evidence"] for r in decision["reasons"]}
    assert evidence["TS-RF-BONE-TENDER"] == ["RF-1", "RF-2"]
    assert evidence["TS-XRAY-NEGATIVE"] == ["RF-2"]
    assert decision["today"][0]["kind"] == "referral"


def test_evaluate_text_prints_a_page_a_runner_can_follow() -> None:
    result = run_restride("evaluate", "--demo", "seed-runner", "--format", "text")

    assert result.returncode == 0, result.stderr
    page = words(result.stdout)
    assert "Offload" in page
    assert "Action: STOP" in page
    assert "SOON: see a sports-medicine doctor within days" in page
    assert "Why" in result.stdout.splitlines()
    assert "Today" in result.stdout.splitlines()
    assert "Crutches for every painful step" in page
    assert "does not diagnose" in page
    assert not result.stdout.lstrip().startswith("{")


def test_evaluate_text_cites_rule_step_and_evidence_for_every_reason() -> None:
    as_json = json.loads(invoke("evaluate", "--demo", "seed-runner").stdout)

    result = invoke("evaluate", "--demo", "seed-runner", "--format", "text")

    assert result.exit_code == 0, result.output
    page = words(result.stdout)
    assert len(as_json["reasons"]) >= 2
    for reason in as_json["reasons"]:
        cite = f"({reason['rule']}; step {reason['step']}; {', '.join(reason['evidence'])})"
        assert cite in page
    assert "(TS-RF-BONE-TENDER; step 5; RF-1, RF-2)" in page


def test_evaluate_reads_the_case_from_stdin_with_a_dash(tmp_path: Path) -> None:
    path = write_case(tmp_path, seed_case())

    from_file = run_restride("evaluate", str(path))
    from_stdin = run_restride("evaluate", "-", stdin=path.read_text("utf-8"))

    assert from_file.returncode == 0, from_file.stderr
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout
    assert json.loads(from_stdin.stdout)["action"] == "stop"


def test_evaluate_of_the_demo_file_matches_evaluate_demo() -> None:
    from_demo = invoke("evaluate", "--demo", "seed-runner")
    from_file = invoke("evaluate", str(DATA / "demo" / "seed-runner.json"))

    assert from_demo.exit_code == 0, from_demo.output
    assert from_file.stdout == from_demo.stdout


# -- bad input: exit 2, one message naming the place, no traceback ------------------------------


def test_evaluate_exits_2_and_names_the_field_when_pain_is_out_of_range(tmp_path: Path) -> None:
    data = seed_case()
    data["checkins"][0]["pain_walking"] = 12
    write_case(tmp_path, data)

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(
        result, "case.json", "checkins[0].pain_walking", "less than or equal to 10", "(got 12)"
    )


def test_evaluate_refuses_a_misspelt_field_instead_of_reading_it_as_no_pain(
    tmp_path: Path,
) -> None:
    data = seed_case()
    data["checkins"][0]["pain_walkng"] = data["checkins"][0].pop("pain_walking")
    write_case(tmp_path, data)

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(result, "checkins[0].pain_walkng", "unknown field")


def test_evaluate_lists_the_known_sites_when_the_injury_site_is_unknown(tmp_path: Path) -> None:
    data = seed_case()
    data["injury"]["site"] = "metatarsal_9"
    write_case(tmp_path, data)

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(
        result,
        "injury.site",
        "unknown injury site 'metatarsal_9'",
        "metatarsal_4_shaft",
        "navicular",
    )


def test_evaluate_refuses_a_checkin_dated_after_today(tmp_path: Path) -> None:
    data = seed_case()
    data["checkins"].append(checkin(SEED_START + dt.timedelta(days=3)))
    write_case(tmp_path, data)

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(result, "checkins[1].date", "2026-03-05", "after today (2026-03-02)")


def test_evaluate_refuses_two_checkins_on_the_same_day(tmp_path: Path) -> None:
    data = seed_case()
    data["checkins"].append(checkin(SEED_START))
    write_case(tmp_path, data)

    result = invoke("evaluate", str(tmp_path / "case.json"))

    assert_one_clear_error(result, "checkins[1].date", "a second check-in for that day")


def test_evaluate_names_line_and_column_of_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "case.json").write_text('{"today": "2026-03-02",\n "injury": }\n', "utf-8")

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(result, "case.json", "line 2, column 12", "not valid JSON")


def test_evaluate_says_so_when_the_case_file_does_not_exist(tmp_path: Path) -> None:
    result = run_restride("evaluate", "missing.json", cwd=tmp_path)

    assert_one_clear_error(result, "missing.json", "no such file")


def test_evaluate_refuses_a_today_that_is_not_a_date() -> None:
    result = run_restride("evaluate", "--demo", "seed-runner", "--today", "2026-13-01")

    assert_one_clear_error(result, "--today", "'2026-13-01'", "is not a date (use YYYY-MM-DD)")


def test_evaluate_refuses_a_today_before_the_program_start() -> None:
    result = invoke("evaluate", "--demo", "seed-runner", "--today", "2026-03-01")

    assert_one_clear_error(result, "--today", "2026-03-01 is before the program start (2026-03-02)")


def test_evaluate_without_a_case_says_what_to_give_and_lists_the_demos() -> None:
    result = run_restride("evaluate")

    assert_one_clear_error(result, "CASE.json", "- for stdin", "--demo NAME", "seed-runner")


def test_evaluate_refuses_both_a_case_file_and_a_demo(tmp_path: Path) -> None:
    path = write_case(tmp_path, seed_case())

    result = invoke("evaluate", str(path), "--demo", "seed-runner")

    assert_one_clear_error(result, "CASE.json", "--demo NAME")


@pytest.mark.parametrize("placeholder", ["[date]", "[/date]"])
def test_evaluate_quotes_an_unfilled_template_placeholder_exactly_as_written(
    tmp_path: Path, placeholder: str
) -> None:
    # A tool that fills a case template and misses a field leaves its placeholder in the file;
    # the message must show it as written, not swallow it as terminal markup (or crash on it).
    data = seed_case()
    data["checkins"][0]["date"] = placeholder
    write_case(tmp_path, data)

    result = run_restride("evaluate", "case.json", cwd=tmp_path)

    assert_one_clear_error(result, "checkins[0].date", f"(got '{placeholder}')")


# -- as of an earlier day, and with a clinic's own protocol -------------------------------------


def test_evaluate_today_option_ignores_history_recorded_after_that_day(tmp_path: Path) -> None:
    days = [SEED_START + dt.timedelta(days=i) for i in range(10)]
    checkins = [checkin(day, fever=i >= 7) for i, day in enumerate(days)]
    write_case(tmp_path, case_with(checkins, today=days[-1]))

    on_the_last_day = run_restride("evaluate", "case.json", cwd=tmp_path)
    before_the_fever = run_restride("evaluate", "case.json", "--today", "2026-03-07", cwd=tmp_path)

    assert on_the_last_day.returncode == 0, on_the_last_day.stderr
    assert json.loads(on_the_last_day.stdout)["referral"] == "urgent"
    assert before_the_fever.returncode == 0, before_the_fever.stderr
    earlier = json.loads(before_the_fever.stdout)
    assert earlier["date"] == "2026-03-07"
    assert earlier["referral"] != "urgent"
    assert earlier["action"] != "stop"
    assert "TS-RF-EMERGENCY" not in {r["rule"] for r in earlier["reasons"]}


def test_evaluate_today_option_works_on_a_case_read_from_stdin(tmp_path: Path) -> None:
    days = [SEED_START + dt.timedelta(days=i) for i in range(10)]
    checkins = [checkin(day, fever=i >= 7) for i, day in enumerate(days)]
    text = json.dumps(case_with(checkins, today=days[-1]))

    result = invoke("evaluate", "-", "--today", "2026-03-08", stdin=text)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["referral"] != "urgent"


def custom_protocol(folder: Path, *edits: tuple[str, str]) -> Path:
    """A copy of the built-in protocol file with some lines changed, as a clinic would."""
    text = (DATA / "protocols" / "ten-steps.yaml").read_text("utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} should appear once in ten-steps.yaml"
        text = text.replace(old, new)
    path = folder / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_evaluate_follows_a_protocol_file_given_with_the_protocol_option(tmp_path: Path) -> None:
    custom_protocol(
        tmp_path,
        ("    title: Offload\n", "    title: Crutches first\n"),
        ("negative_xray_window_days: 42", "negative_xray_window_days: 7"),
    )

    builtin = run_restride("evaluate", "--demo", "seed-runner")
    custom = run_restride(
        "evaluate", "--demo", "seed-runner", "--protocol", "clinic.yaml", cwd=tmp_path
    )

    assert custom.returncode == 0, custom.stderr
    decision = json.loads(custom.stdout)
    assert decision["phase_title"] == "Crutches first"
    assert json.loads(builtin.stdout)["phase_title"] == "Offload"
    # The X-ray was 14 days ago: outside this clinic's 7-day window, so it is not cited.
    rules = {r["rule"] for r in decision["reasons"]}
    assert "TS-XRAY-NEGATIVE" not in rules
    assert "TS-XRAY-NEGATIVE" in {r["rule"] for r in json.loads(builtin.stdout)["reasons"]}
    assert decision["referral"] == "soon"


def test_evaluate_text_shows_the_custom_protocol_phase_title(tmp_path: Path) -> None:
    path = custom_protocol(tmp_path, ("    title: Offload\n", "    title: Crutches first\n"))

    result = invoke(
        "evaluate", "--demo", "seed-runner", "--format", "text", "--protocol", str(path)
    )

    assert result.exit_code == 0, result.output
    assert "Crutches first" in result.stdout


def test_evaluate_names_the_protocol_file_and_field_when_the_protocol_is_broken(
    tmp_path: Path,
) -> None:
    custom_protocol(tmp_path, ("negative_xray_window_days: 42", "negative_xray_window_days: 0"))

    result = run_restride(
        "evaluate", "--demo", "seed-runner", "--protocol", "clinic.yaml", cwd=tmp_path
    )

    assert_one_clear_error(result, "clinic.yaml", "negative_xray_window_days", "(got 0)")
