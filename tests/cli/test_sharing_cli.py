"""Sharing with a clinician, clinician events, closing an episode and adding imaging.

Every test drives the real CLI against a real database: a SQLite file, and (through the
`database` fixture) PostgreSQL too for the share and event flows and their refusals.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from typer.main import get_command

from restride.cli import app
from restride.cli import sharing as sharing_cli
from restride.services import athletes, sharing
from restride.storage import tables as t
from restride.storage.database import Database
from tests.cli.test_daily import TODAY, init, ok, pain_free, refused, restride, rows, sqlite_url

if TYPE_CHECKING:
    from pathlib import Path

THERAPIST = "therapist@clinic.example"
NEW_COMMANDS = [
    ["share"],
    ["unshare"],
    ["clinician", "add"],
    ["event"],
    ["episode", "close"],
    ["imaging", "add"],
]


def started(url: str) -> None:
    """Alice's episode, a pain-free check-in today and a clinician account."""
    ok(init(url))
    ok(restride(url, *pain_free()))
    made = ok(restride(url, "clinician", "add", "--name", "Dr Bea", "--email", THERAPIST))
    assert f"Created the clinician account Dr Bea <{THERAPIST}>" in made


def shared_with_therapist(db: Database) -> list[str]:
    clinician = athletes.find_account(db, THERAPIST)
    return [a.email for a in sharing.shared_athletes(db, clinician.id)]


def decision(url: str) -> dict[str, Any]:
    result = restride(url, "today", "--format", "json")
    ok(result)
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def reason_texts(found: dict[str, Any]) -> str:
    return " ".join(r["text"] for r in found["reasons"])


# -- share, unshare, clinician add ---------------------------------------------------------------


def test_share_then_unshare_shows_then_hides_the_athlete_to_the_clinician(
    database: Database,
) -> None:
    url = database.url
    started(url)
    shared = ok(restride(url, "share", THERAPIST.upper()))
    assert f"Shared Alice's record with Dr Bea <{THERAPIST}>" in shared
    assert shared_with_therapist(database) == ["alice@example.org"]

    refused(restride(url, "share", THERAPIST), "already shared", THERAPIST)
    assert rows(url, t.Share) == 1

    assert f"{THERAPIST} no longer sees Alice's record" in ok(restride(url, "unshare", THERAPIST))
    assert shared_with_therapist(database) == []
    refused(restride(url, "unshare", THERAPIST), "not shared with", THERAPIST)


def test_sharing_with_an_unknown_or_athlete_email_is_refused_and_writes_nothing(
    database: Database,
) -> None:
    url = database.url
    started(url)
    refused(restride(url, "share", "nobody@clinic.example"), "no clinician account for nobody@")
    refused(restride(url, "share", "alice@example.org"), "no clinician account for alice@")
    assert rows(url, t.Share) == 0


def test_clinician_add_refuses_an_existing_email_or_a_bad_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    started(url)
    refused(
        restride(url, "clinician", "add", "--name", "Bea", "--email", THERAPIST), "already exists"
    )
    refused(restride(url, "clinician", "add", "--name", "Bea", "--email", "bea"), "email:")
    refused(restride(url, "clinician", "add", "--name", " ", "--email", "b@x.org"), "name:")
    assert rows(url, t.Account) == 2


def test_share_needs_the_database_to_exist(tmp_path: Path) -> None:
    refused(restride(sqlite_url(tmp_path), "share", THERAPIST), "restride init")


# -- event ---------------------------------------------------------------------------------------


def test_a_hold_shows_in_today_with_its_reason_and_a_release_lets_progress_resume(
    database: Database,
) -> None:
    url = database.url
    started(url)
    before = decision(url)
    assert before["action"] == "continue"

    held = ok(restride(url, "event", "hold", "--reason", "wait for the MRI"))
    assert f"on {TODAY} your clinician put a hold on your progress: wait for the MRI" in held
    assert "Offload, week 1: hold" in held
    after_hold = decision(url)
    assert after_hold["action"] == "hold"
    assert "wait for the MRI" in reason_texts(after_hold)

    released = ok(restride(url, "event", "release", "--reason", "MRI is clean"))
    assert "released the hold: MRI is clean" in released
    after_release = decision(url)
    assert after_release["action"] == before["action"]
    assert "released" in reason_texts(after_release).lower()
    assert "MRI is clean" in reason_texts(after_release)
    assert rows(url, t.ClinicianEvent) == 2

    with database.transaction() as tx:
        kinds = sorted(e.kind for e in tx.query(t.ClinicianEvent))
    assert kinds == ["hold", "release_hold"]


def test_a_hold_keeps_the_runner_in_the_phase_until_released_then_progress_resumes(
    database: Database,
) -> None:
    url = database.url
    days = [f"2026-02-{d}" for d in range(20, 29)] + ["2026-03-01"]
    ok(init(url, "alice@example.org", "--start", days[0]))
    ok(restride(url, "event", "hold", "--reason", "wait for the MRI", today=days[0]))
    for day in days:
        ok(restride(url, *pain_free("--no-bone-tenderness"), today=day))
    held = json.loads(restride(url, "today", "--format", "json", today=days[-1]).stdout)
    assert (held["phase"], held["action"]) == ("offload", "hold")

    released = ok(restride(url, "event", "release", "--reason", "MRI clean", today=days[-1]))
    assert "Today you start Rest" in released
    resumed = json.loads(restride(url, "today", "--format", "json", today=days[-1]).stdout)
    assert resumed["phase"] == "rest"


def test_an_event_in_the_future_or_of_an_unknown_kind_is_refused_and_writes_nothing(
    database: Database,
) -> None:
    url = database.url
    started(url)
    refused(
        restride(url, "event", "hold", "--reason", "x", "--date", "2026-03-03"),
        "--date",
        "in the future",
    )
    refused(restride(url, "event", "pause", "--reason", "x"), "'pause' is not one of")
    refused(restride(url, "event", "note", "--reason", "  "), "--reason")
    refused(
        restride(url, "event", "clear", "--reason", "x", "--date", "2026-02-01"),
        "before the program began",
    )
    assert rows(url, t.ClinicianEvent) == 0


def test_a_note_and_a_clear_are_shown_in_history(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    started(url)
    ok(restride(url, "event", "note", "--reason", "icing helps"))
    ok(restride(url, "event", "clear", "--reason", "seen, all fine"))
    shown = ok(restride(url, "history", "--days", "1"))
    assert "note: icing helps" in shown
    assert "clear: seen, all fine" in shown


# -- episode close -------------------------------------------------------------------------------


def test_episode_close_then_today_says_to_start_one_with_init(database: Database) -> None:
    url = database.url
    started(url)
    closed = ok(restride(url, "episode", "close", "--yes"))
    assert "Closed the episode for the 4th metatarsal shaft (right)" in closed
    refused(restride(url, "today"), "no active injury episode", "restride init")
    refused(restride(url, "episode", "close", "--yes"), "no active injury episode")


def test_episode_close_without_yes_and_without_a_terminal_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    started(url)
    refused(restride(url, "episode", "close"), "--yes")
    ok(restride(url, "today"))


def test_episode_close_asks_first_in_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path)
    started(url)
    monkeypatch.setattr(sharing_cli, "in_terminal", lambda: True)
    kept = ok(restride(url, "episode", "close", stdin="n\n"))
    assert "Nothing changed" in kept
    ok(restride(url, "today"))
    ok(restride(url, "episode", "close", stdin="y\n"))
    refused(restride(url, "today"), "restride init")


# -- imaging add ---------------------------------------------------------------------------------


def test_a_negative_xray_added_is_cited_when_the_bone_is_tender(database: Database) -> None:
    url = database.url
    ok(init(url))
    added = ok(restride(url, "imaging", "add", "2026-02-20:xray:negative"))
    assert "Added: X-ray on 2026-02-20, negative." in added
    ok(restride(url, *pain_free("--bone-tenderness")))
    found = decision(url)
    assert found["action"] == "stop"
    assert "Negative X-ray on 2026-02-20" in reason_texts(found)
    assert rows(url, t.Imaging) == 1


def test_imaging_add_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    ok(init(url))
    refused(restride(url, "imaging", "add", "2026-02-20:xray"), "DATE:MODALITY:RESULT")
    refused(restride(url, "imaging", "add", "2026-02-20:pet:negative"), "'pet' is not one of")
    refused(restride(url, "imaging", "add", "2026-03-09:mri:negative"), "in the future")
    assert rows(url, t.Imaging) == 0


# -- help ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", NEW_COMMANDS, ids=" ".join)
def test_every_new_command_and_option_has_help(command: list[str]) -> None:
    group: Any = get_command(app)
    for name in command:
        group = group.commands[name]
    assert group.help
    for param in group.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"{' '.join(command)} {param.name}"
