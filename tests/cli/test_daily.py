"""The daily workflow at the terminal: init, checkin, today, plan, log, history, demo.

Every test drives the real CLI against a real database: a SQLite file, and (through the
`database` fixture) PostgreSQL too for the core flow and the refusals that must write nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.main import get_command
from typer.testing import CliRunner, Result

from restride.cli import app
from restride.services.demo import DEMO_EMAIL
from restride.storage import tables as t
from restride.storage.database import Database

TODAY = "2026-03-02"
DAILY_COMMANDS = ["init", "checkin", "today", "plan", "log", "history", "demo"]


# -- helpers ------------------------------------------------------------------------------------


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'r.db'}"


def restride(url: str, *args: str, today: str = TODAY, stdin: str | None = None) -> Result:
    env = {"RESTRIDE_DATABASE_URL": url, "RESTRIDE_TODAY": today}
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return words(result.stdout)


def refused(result: Result, *fragments: str) -> str:
    """Exit 2, one `error:` line on stderr naming what and where, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    message = result.stderr.strip()
    assert message.startswith("error: "), message
    assert len(message.splitlines()) == 1, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def words(text: str) -> str:
    """The text with every run of whitespace as one space: the terminal wraps long lines."""
    return " ".join(text.split())


def rows(url: str, table: type[t.Base]) -> int:
    db = Database(url)
    try:
        with db.transaction() as tx:
            return int(tx.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        db.dispose()


def init(url: str, email: str = "alice@example.org", *extra: str) -> Result:
    return restride(
        url,
        "init",
        "--name",
        "Alice",
        "--email",
        email,
        "--site",
        "metatarsal_4_shaft",
        "--side",
        "right",
        "--onset",
        "2026-02-09",
        *extra,
    )


def pain_free(*extra: str) -> list[str]:
    fields = ["--pain-rest", "--pain-walking", "--pain-activity", "--pain-after", "--pain-morning"]
    return ["checkin", *(a for f in fields for a in (f, "0")), "--no-limp", *extra]


def installed_restride() -> str:
    beside = Path(sys.executable).parent / "restride"
    found = str(beside) if beside.exists() else shutil.which("restride")
    assert found, "the restride console script is not installed (pip install -e .)"
    return found


def run_installed(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RESTRIDE_DATABASE_URL": url, "RESTRIDE_TODAY": TODAY}
    return subprocess.run(
        [installed_restride(), *args],
        capture_output=True,
        text=True,
        input="",
        env=env,
        timeout=60,
        check=False,
    )


# -- init, checkin, today -----------------------------------------------------------------------


def test_init_then_checkin_then_today_gives_the_decision(database: Database) -> None:
    url = database.url
    started = ok(init(url, "alice@example.org", "--xray-negative", "2026-02-16"))
    assert "Created the account Alice <alice@example.org>" in started
    assert "4th metatarsal shaft" in started
    assert "restride checkin" in started

    saved = ok(restride(url, *pain_free("--notes", "sore after the stairs")))
    assert f"Saved the check-in for {TODAY}" in saved
    assert "Offload, week 1" in saved

    today = ok(restride(url, "today"))
    assert f"{TODAY} · Offload (phase offload, week 1, day 1)" in today
    assert "Why" in today and "(TS-OFFLOAD; step 1; RTR-1)" in today
    decision = json.loads(restride(url, "today", "--format", "json").stdout)
    assert (decision["phase"], decision["date"]) == ("offload", TODAY)
    assert rows(url, t.CheckIn) == 1


def test_init_prints_where_the_database_is(tmp_path: Path) -> None:
    assert f"Database: SQLite file {tmp_path / 'r.db'}" in ok(init(sqlite_url(tmp_path)))


def test_init_records_imaging_given_as_date_modality_result(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url, "a@example.org", "--imaging", "2026-02-20:mri:positive", "--kind", "bone"))
    assert rows(url, t.Imaging) == 1
    decision = json.loads(restride(url, "today", "--format", "json").stdout)
    assert decision["phase"] == "offload"


def test_init_refuses_an_unknown_site_listing_the_known_ones(database: Database) -> None:
    result = restride(
        database.url,
        *("init", "--name", "A", "--email", "a@example.org", "--site", "big_toe_nail"),
        *("--side", "left", "--onset", "2026-02-01"),
    )
    refused(result, "--site", "unknown injury site 'big_toe_nail'", "known sites:", "navicular")
    assert rows(database.url, t.Account) == 0


def test_init_refuses_an_onset_in_the_future(tmp_path: Path) -> None:
    result = restride(
        sqlite_url(tmp_path),
        *("init", "--name", "A", "--email", "a@example.org", "--site", "achilles"),
        *("--side", "left", "--onset", "2026-03-09"),
    )
    refused(result, "--onset", "2026-03-09 is in the future (today is 2026-03-02)")


def test_init_without_a_terminal_names_the_missing_options(tmp_path: Path) -> None:
    result = restride(sqlite_url(tmp_path), "init", "--name", "A")
    refused(result, "missing --email, --site, --side, --onset", "restride init --help")


def test_init_asks_for_what_is_missing_and_asks_again_after_a_wrong_answer(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    answers = "Alice\nalice@example.org\nbig toe\nnavicular\nleft\n2026-02-20\n"
    result = restride(url, "init", "--interactive", stdin=answers)
    assert result.exit_code == 0, result.output
    assert "unknown injury site 'big toe'" in result.stderr
    assert "Started the bone-high-risk program on 2026-03-02 for the navicular (left)" in words(
        result.stdout
    )


def test_a_second_init_for_the_same_athlete_is_refused_while_the_episode_is_active(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    refused(init(url), "still active")
    assert rows(url, t.Episode) == 1


# -- checkin: refusals write nothing --------------------------------------------------------------


def test_checkin_refuses_a_pain_score_of_12_and_writes_nothing(database: Database) -> None:
    ok(init(database.url))
    result = restride(database.url, "checkin", "--pain-walking", "12", "--no-limp")
    refused(result, "pain_walking: must be 0-10 (got 12)")
    assert rows(database.url, t.CheckIn) == 0


def test_checkin_refuses_a_date_in_the_future_and_writes_nothing(database: Database) -> None:
    ok(init(database.url))
    result = restride(database.url, *pain_free("--date", "2026-03-03"))
    refused(result, "--date: 2026-03-03 is in the future (today is 2026-03-02)")
    assert rows(database.url, t.CheckIn) == 0


def test_a_second_checkin_for_the_same_day_is_refused_without_edit(database: Database) -> None:
    ok(init(database.url))
    ok(restride(database.url, *pain_free()))
    result = restride(database.url, "checkin", "--pain-walking", "3", "--limp")
    refused(result, "already a check-in for 2026-03-02", "--edit")
    assert rows(database.url, t.CheckIn) == 1


def test_checkin_with_edit_is_stored_as_version_2_and_history_shows_it(
    database: Database,
) -> None:
    url = database.url
    ok(init(url))
    ok(restride(url, *pain_free()))
    edited = ok(restride(url, "checkin", "--edit", "--pain-walking", "3", "--limp"))
    assert "Saved the check-in for 2026-03-02 (version 2)" in edited
    with database.transaction() as tx:
        versions = [(r.version, r.pain_walking, r.limp) for r in tx.scalars(select(t.CheckIn))]
    assert sorted(versions) == [(1, 0, False), (2, 3, True)]
    history = ok(restride(url, "history"))
    assert "2026-03-02 offload 0/3/0/0/0 limp" in history  # what --edit left out stays


def test_checkin_edit_can_take_a_sign_back(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    ok(restride(url, *pain_free("--swelling", "--notes", "puffy")))
    ok(restride(url, "checkin", "--edit", "--no-swelling"))
    assert "2026-03-02 offload 0/0/0/0/0 none" in ok(restride(url, "history"))


def test_checkin_without_answers_and_without_a_terminal_says_how_to_give_them(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    refused(restride(url, "checkin"), "no answers given", "--pain-walking")
    assert rows(url, t.CheckIn) == 0


def test_checkin_asks_every_question_with_defaults_so_enter_answers_pain_free(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    result = restride(url, "checkin", "--interactive", stdin="\n" * 20)
    assert result.exit_code == 0, result.output
    assert "Pain walking, 0-10 [0]" in result.stdout
    assert "Does the bone hurt when you press on it? [y/N]" in result.stdout
    decision = json.loads(restride(url, "today", "--format", "json").stdout)
    assert decision["next"]["unmet"][0]["status"] == "1 of 3 days in a row"  # pain-free today


def test_checkin_asks_again_when_a_pain_score_is_out_of_range(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    answers = "0\n12\n4\n" + "\n" * 20
    result = restride(url, "checkin", "--interactive", stdin=answers)
    assert result.exit_code == 0, result.output
    assert "0 to 10, please (got 12)" in result.stderr
    assert "2026-03-02 offload 0/4/0/0/0" in ok(restride(url, "history"))


def test_checkin_shows_the_red_flags_it_raised_before_the_decision(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    saved = ok(restride(url, *pain_free("--bone-tenderness")))
    assert "RED FLAG (SOON): Pain when you press on the bone" in saved
    assert saved.index("RED FLAG") < saved.index("Offload, week 1: STOP")


def test_a_pain_score_left_out_is_said_not_to_count_as_pain_free(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    saved = ok(restride(url, "checkin", "--pain-walking", "0"))
    assert "not counted as pain-free: at rest, during exercise" in saved


# -- demo -----------------------------------------------------------------------------------------


def test_demo_then_today_tells_the_seed_runner_to_stop_offload_and_see_a_doctor_soon(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    loaded = ok(restride(url, "demo"))
    assert f"Loaded the seed's runner: Runner C <{DEMO_EMAIL}>" in loaded
    today = ok(restride(url, "today"))
    assert "Offload (phase offload, week 1, day 1)" in today
    assert "Action: STOP" in today
    assert "Referral: SOON: see a sports-medicine doctor within days" in today
    decision = json.loads(restride(url, "today", "--format", "json").stdout)
    assert (decision["phase"], decision["action"], decision["referral"]) == (
        "offload",
        "stop",
        "soon",
    )


def test_demo_moves_the_seed_runner_so_that_today_is_day_1(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo", today="2026-09-14"))
    history = ok(restride(url, "history", today="2026-09-14"))
    assert "since 2026-08-24; program started 2026-09-14" in history
    assert "2026-09-14 offload 1/4/0/0/2 limp, redness, bone tender" in history
    today = ok(restride(url, "today", today="2026-09-14"))
    assert "Negative X-ray on 2026-08-31" in today
    assert rows(url, t.Imaging) == 1


def test_demo_twice_is_idempotent(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))
    again = ok(restride(url, "demo"))
    assert "already loaded" in again and "nothing changed" in again
    assert (rows(url, t.Account), rows(url, t.Episode), rows(url, t.CheckIn)) == (1, 1, 1)


def test_demo_force_replaces_the_runner_and_everything_recorded_for_it(
    database: Database,
) -> None:
    url = database.url
    ok(restride(url, "demo"))
    ok(restride(url, "log", "--kind", "mobility", "--minutes", "10"))
    reloaded = ok(restride(url, "demo", "--force", today="2026-04-01"))
    assert "Reloaded the seed's runner" in reloaded
    assert (rows(url, t.Account), rows(url, t.Episode), rows(url, t.CheckIn)) == (1, 1, 1)
    assert (rows(url, t.SessionLog), rows(url, t.Imaging)) == (0, 1)
    decision = json.loads(restride(url, "today", "--format", "json", today="2026-04-01").stdout)
    assert (decision["day_in_phase"], decision["referral"]) == (1, "soon")


def test_several_athletes_without_athlete_are_asked_which(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))
    ok(init(url))
    refused(restride(url, "today"), "several athletes", DEMO_EMAIL, "--athlete EMAIL")
    assert "Runner C" not in ok(restride(url, "today", "--athlete", "alice@example.org"))
    assert "--athlete runner.c@example.org" in ok(restride(url, "demo", "--force"))


# -- plan, log, history -------------------------------------------------------------------------


def test_plan_shows_each_phase_with_its_earliest_date_and_what_gates_it(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))
    plan = ok(restride(url, "plan"))
    assert "assume every day from tomorrow goes pain-free" in plan
    assert "First: SOON: see a sports-medicine doctor" in plan
    assert "Offload: now, since 2026-03-02" in plan
    assert "Rest: 2026-03-05 at the earliest, once - Three check-ins in a row" in plan
    assert "(now: 0 of 3 days in a row)" in plan
    assert "Corrective exercise: 2026-03-16 at the earliest" in plan
    assert "Walk-run program: beyond these 12 weeks" in plan
    assert "Mon 2026-03-16 Corrective exercise, week 1" in plan
    assert "Sessions: Corrective level 1 × 5" in plan


def test_plan_refuses_a_horizon_it_cannot_show(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))
    refused(restride(url, "plan", "--weeks", "0"), "--weeks: must be 1-52 (got 0)")


def test_log_records_a_session_in_the_phase_of_that_day(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    logged = ok(restride(url, "log", "--kind", "walk", "--minutes", "15", "--pain-during", "1"))
    assert "Logged walk, 15 min on 2026-03-02 (phase offload)" in logged
    assert "walk 15 min (pain 1)" in ok(restride(url, "history"))


def test_log_refuses_a_future_date_and_writes_nothing(database: Database) -> None:
    ok(init(database.url))
    result = restride(
        database.url, "log", "--kind", "walk", "--minutes", "20", "--date", "2026-03-05"
    )
    refused(result, "--date: 2026-03-05 is in the future (today is 2026-03-02)")
    assert rows(database.url, t.SessionLog) == 0


def test_log_refuses_an_unknown_kind_or_test(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    refused(restride(url, "log", "--kind", "swim", "--minutes", "20"), "--kind: 'swim'")
    refused(restride(url, "log", "--kind", "test", "--test", "hop-99"), "--test: 'hop-99'")
    refused(restride(url, "log", "--kind", "walk"), "--minutes")
    assert rows(url, t.SessionLog) == 0


def test_history_lists_each_day_with_its_checkin_or_its_absence(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(restride(url, "demo"))
    ok(restride(url, *pain_free("--swelling"), today="2026-03-04"))
    history = ok(restride(url, "history", today="2026-03-04"))
    assert "2026-03-02 offload 1/4/0/0/2 limp, redness, bone tender" in history
    assert "2026-03-03 offload no check-in" in history
    assert "2026-03-04 offload 0/0/0/0/0 swelling" in history
    assert "2026-03-01" not in history  # nothing before the program began


# -- every command: help, and refusals from the installed script ---------------------------------


@pytest.mark.parametrize("command", DAILY_COMMANDS)
def test_every_daily_command_and_option_has_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    click_command = get_command(app).commands[command]  # type: ignore[attr-defined]
    assert click_command.help
    for param in click_command.params:
        assert getattr(param, "help", None), f"{command} {param.name} has no help"


def test_today_before_any_database_says_to_run_init(tmp_path: Path) -> None:
    refused(restride(sqlite_url(tmp_path), "today"), "restride init")


def test_the_installed_command_refuses_bad_input_with_exit_2_and_no_traceback(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    unknown = run_installed(
        url,
        *("init", "--name", "A", "--email", "a@example.org", "--site", "toe"),
        *("--side", "left", "--onset", "2026-02-01"),
    )
    assert unknown.returncode == 2, unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert unknown.stderr.startswith("error: --site: unknown injury site 'toe'")

    assert run_installed(url, "demo").returncode == 0
    too_much = run_installed(url, "checkin", "--pain-rest", "11")
    assert (too_much.returncode, too_much.stdout) == (2, "")
    assert too_much.stderr.strip() == "error: pain_rest: must be 0-10 (got 11)"
    assert rows(url, t.CheckIn) == 1
