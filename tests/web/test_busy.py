"""Busy, not broken: while another process holds the write lock, reads go on, and a write
waits its bounded time then says "busy, try again" (DatabaseBusyError; 503 with Retry-After on
the web; exit 75 from the CLI), writing nothing; once the lock is gone, the same write works.
Real processes on a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from restride.cli.app import EXIT_BUSY
from restride.domain.case import CheckIn
from restride.services import checkins, decisions
from restride.storage import repository as repo
from restride.storage.database import Database, DatabaseBusyError
from restride.web.app import create_app
from restride.web.deps import SESSION_COOKIE
from tests.cli.test_daily import restride
from tests.web.conftest import ALL_CLEAR, FAST_HASHER, TODAY, People

if TYPE_CHECKING:
    from collections.abc import Iterator

HOLDER = Path(__file__).parents[1] / "storage" / "lock_holder.py"
WAIT_S = 0.5


@contextmanager
def lock_held(url: str) -> Iterator[None]:
    """Another process holds the write lock for the duration of the block."""
    holder = subprocess.Popen(
        [sys.executable, str(HOLDER), url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.write("go\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
    assert holder.returncode == 0


@pytest.fixture
def impatient(people: People) -> Iterator[Database]:
    """The same database, with writers that wait only WAIT_S for the lock."""
    db = Database(people.db.url, busy_timeout_s=WAIT_S)
    yield db
    db.dispose()


def stored_notes(db: Database, athlete_id: str) -> list[str]:
    with db.read() as tx:
        episode = repo.active_episode(tx, athlete_id)
        assert episode is not None
        return [row.notes for row in repo.checkin_rows(tx, episode.id)]


def a_checkin() -> CheckIn:
    return CheckIn(date=TODAY, pain_walking=1, limp=False, notes="while busy")


def test_a_write_under_anothers_lock_is_refused_as_busy_and_works_once_it_is_gone(
    people: People, impatient: Database
) -> None:
    with lock_held(impatient.url):
        case = decisions.stored_case(impatient, people.alice.id, TODAY)  # reads go on
        with pytest.raises(DatabaseBusyError, match="busy") as refused:
            checkins.record_checkin(impatient, people.alice.id, a_checkin(), today=TODAY)
        assert stored_notes(impatient, people.alice.id) == []  # nothing half-written

    assert case.injury.site == "metatarsal_4_shaft"
    assert refused.value.retry_after_s >= 1
    checkins.record_checkin(impatient, people.alice.id, a_checkin(), today=TODAY)
    assert stored_notes(impatient, people.alice.id) == ["while busy"]


def test_the_web_app_answers_busy_with_503_and_retry_after_while_pages_still_load(
    people: People, impatient: Database
) -> None:
    app = create_app(impatient, today=lambda: TODAY, password_hasher=FAST_HASHER)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, people.alice.client.cookies[SESSION_COOKIE])
    headers = {"X-CSRF-Token": people.alice.csrf}

    with lock_held(impatient.url):
        page = client.get("/today")
        decision = client.get("/api/today")
        write = client.post("/api/checkins", json={"pain_walking": 1}, headers=headers)
        answers = {**ALL_CLEAR, "pain_walking": "1"}
        form = client.post("/checkin", data={"csrf_token": people.alice.csrf, **answers})

    assert page.status_code == 200
    assert decision.status_code == 200
    assert write.status_code == 503
    assert write.headers["Retry-After"] == "1"
    assert "Try again in a moment" in write.json()["error"]
    assert form.status_code == 503
    assert "Try again in a moment" in form.text
    assert (
        client.post("/api/checkins", json={"pain_walking": 1}, headers=headers).status_code == 201
    )


def test_the_cli_says_busy_in_one_line_and_exits_75(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    init = restride(
        url,
        "init",
        "--name",
        "Alice",
        "--email",
        "alice@example.org",
        "--site",
        "metatarsal_4_shaft",
        "--side",
        "right",
        "--onset",
        str(TODAY - dt.timedelta(days=20)),
    )
    assert init.exit_code == 0, init.output
    monkeypatch.setenv("RESTRIDE_BUSY_TIMEOUT_S", str(WAIT_S))

    with lock_held(url):
        result = restride(url, "checkin", "--pain-walking", "1", "--no-limp")

    assert result.exit_code == EXIT_BUSY, result.output
    message = result.stderr.strip()
    assert message.startswith("busy: ") and "try again" in message
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    again = restride(url, "checkin", "--pain-walking", "1", "--no-limp")
    assert again.exit_code == 0, again.output
