"""Two processes recording check-ins and sessions at the same moment lose nothing.

Real worker processes (tests/storage/concurrency_worker.py) write through the services to a
SQLite file and to PostgreSQL; file gates make them start, and for the same-day tests try each
day, at the same moment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from restride.domain.decide import decide
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import athletes, checkins, sharing
from restride.services import day as athlete_day
from restride.services.errors import ConflictError
from restride.simulation import seed_injury
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import Database
from tests.conftest import drop_postgres, make_database
from tests.storage import concurrency_worker as worker

if TYPE_CHECKING:
    from collections.abc import Iterator

WORKER = Path(worker.__file__)
WORKERS = 2
DAYS_EACH = 40
SAME_DAYS = 40
EDIT_ROUNDS = 10
RIVAL_ROUNDS = 5
TIMEOUT_S = 60
CONFLICTS = ("there is already a check-in for", "was saved at the same moment by another")


@dataclass
class Shared:
    db: Database
    athlete: str
    folder: Path


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shared]:
    """A database of its own (the workers connect to it by URL) with one athlete in a program."""
    db = make_database(request.param, tmp_path, f"restride_concurrency_{os.getpid()}")
    db.migrate()
    alice = athletes.create_account(db, email="alice@example.org", name="Alice")
    athletes.start_episode(
        db, alice.id, seed_injury(), program_start=worker.START, today=worker.START
    )
    yield Shared(db, alice.id, tmp_path)
    db.dispose()
    if db.dialect == "postgresql":
        drop_postgres(make_url(db.url).database or "")


def run_workers(shared: Shared, mode: str, days: list[list[int]]) -> list[list[dict[str, Any]]]:
    """Start one process per list of days, wait for all, fail on any crash; their results."""
    gate = shared.folder / f"gate-{mode}"
    gate.mkdir()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                json.dumps(
                    {
                        "url": shared.db.url,
                        "athlete": shared.athlete,
                        "mode": mode,
                        "worker": index,
                        "workers": len(days),
                        "days": worker_days,
                        "gate": str(gate),
                    }
                ),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, worker_days in enumerate(days)
    ]
    outputs = []
    for index, process in enumerate(processes):
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail(f"worker {index} did not finish in {TIMEOUT_S} s")
        assert process.returncode == 0, f"worker {index} crashed:\n{stderr}"
        assert "Traceback" not in stderr, stderr
        outputs.append(json.loads(stdout))
    return outputs


def assert_overlapped(results: list[list[dict[str, Any]]]) -> None:
    """Every worker was still writing when the last one began: they really ran at once."""
    last_to_begin = max(r[0]["began"] for r in results)
    first_to_end = min(r[-1]["ended"] for r in results)
    assert last_to_begin < first_to_end


def stored_checkins(db: Database, athlete: str) -> list[Any]:
    with db.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        return repo.checkin_rows(tx, episode.id)


def stored_sessions(db: Database, athlete: str) -> list[Any]:
    with db.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        return repo.session_rows(tx, episode.id)


def day(n: int) -> dt.date:
    return worker.START + dt.timedelta(days=n)


def test_workers_recording_different_days_at_once_lose_nothing(shared: Shared) -> None:
    own_days = [list(range(w, WORKERS * DAYS_EACH, WORKERS)) for w in range(WORKERS)]
    results = run_workers(shared, "distinct", own_days)

    assert_overlapped(results)
    assert all(len(r) == DAYS_EACH for r in results)
    assert all(entry["version"] == 1 for r in results for entry in r)

    expected = {day(n): w for w, days in enumerate(own_days) for n in days}
    rows = stored_checkins(shared.db, shared.athlete)
    assert len(rows) == WORKERS * DAYS_EACH
    assert {r.date: r.notes for r in rows} == {d: f"worker {w}" for d, w in expected.items()}
    assert {r.version for r in rows} == {1}

    logged = stored_sessions(shared.db, shared.athlete)
    assert len(logged) == WORKERS * DAYS_EACH
    assert {s.date: s.notes for s in logged} == {d: f"worker {w}" for d, w in expected.items()}
    assert {s.id for s in logged} == {entry["session"] for r in results for entry in r}
    # The athlete's day was kept current by the writes themselves, racing or not: what the
    # board reads is what the whole stored history gives.
    with shared.db.transaction() as tx:
        current = athlete_day._current(tx, shared.athlete, worker.TODAY)
        _episode, case = athlete_day.stored_case(tx, shared.athlete, worker.TODAY)
    assert current is not None
    assert Decision.model_validate_json(current.decision) == decide(builtin_protocol(), case)


def test_workers_recording_the_same_day_at_once_save_it_exactly_once(shared: Shared) -> None:
    same_days = list(range(SAME_DAYS))
    results = run_workers(shared, "same", [same_days] * WORKERS)

    rows = stored_checkins(shared.db, shared.athlete)
    assert sorted(r.date for r in rows) == [day(n) for n in same_days]
    stored = {r.date: r for r in rows}
    for n in same_days:
        outcomes = [(w, r[n]) for w, r in enumerate(results)]
        saved = [w for w, o in outcomes if o["outcome"] == "saved"]
        refused = [o for _, o in outcomes if o["outcome"] == "conflict"]
        assert len(saved) == 1, outcomes
        assert len(refused) == WORKERS - 1, outcomes
        assert all(any(c in o["message"] for c in CONFLICTS) for o in refused), refused
        row = stored[day(n)]
        winner = worker.checkin_by(saved[0], day(n))
        assert repo.to_checkin(row) == winner
        assert row.version == 1
    assert_overlapped(results)


def test_workers_editing_todays_check_in_at_once_lose_no_saved_edit(shared: Shared) -> None:
    first = worker.checkin_by(99, worker.TODAY)
    checkins.record_checkin(shared.db, shared.athlete, first, today=worker.TODAY)
    results = run_workers(shared, "edit", [list(range(EDIT_ROUNDS))] * WORKERS)

    saved = {
        entry["version"]: w
        for w, r in enumerate(results)
        for entry in r
        if entry["outcome"] == "saved"
    }
    outcomes = Counter(entry["outcome"] for r in results for entry in r)
    assert outcomes["saved"] == len(saved)  # no version was reported twice
    assert outcomes["saved"] + outcomes["conflict"] == WORKERS * EDIT_ROUNDS
    for n in range(EDIT_ROUNDS):  # SQLite queues the edits; PostgreSQL may refuse all but one
        assert any(r[n]["outcome"] == "saved" for r in results)
    refused = [e for r in results for e in r if e["outcome"] == "conflict"]
    assert all(CONFLICTS[1] in e["message"] for e in refused), refused

    rows = stored_checkins(shared.db, shared.athlete)
    assert [r.version for r in rows] == list(range(1, len(saved) + 2))
    assert repo.to_checkin(rows[0]) == first
    for row in rows[1:]:
        assert repo.to_checkin(row) == worker.checkin_by(saved[row.version], worker.TODAY)


def test_workers_making_the_same_account_episode_and_share_at_once_make_each_once(
    shared: Shared,
) -> None:
    """Each check-then-insert has a unique index behind it; the loser gets a ConflictError."""
    athletes.create_account(shared.db, email=worker.CLINICIAN, name="Bob", role="clinician")
    results = run_workers(shared, "rivals", [list(range(RIVAL_ROUNDS))] * WORKERS)

    for step in ("account", "episode", "share"):
        for n in range(RIVAL_ROUNDS):
            outcomes = [o for r in results for o in r if o["step"] == step and o["day"] == n]
            assert len(outcomes) == WORKERS
            assert [o["outcome"] for o in outcomes].count("saved") == 1, outcomes
    runners = [a for a in athletes.list_accounts(shared.db, "athlete") if a.id != shared.athlete]
    assert sorted(a.email for a in runners) == [
        f"runner{n}@example.org" for n in range(RIVAL_ROUNDS)
    ]
    bob = athletes.find_account(shared.db, worker.CLINICIAN)
    assert len(sharing.shared_athletes(shared.db, bob.id)) == RIVAL_ROUNDS
    with shared.db.transaction() as tx:
        episodes = Counter(tx.scalars(select(t.Episode.athlete_id)))
    assert episodes == Counter([shared.athlete, *(r.id for r in runners)])


def test_a_check_in_committed_between_our_check_and_our_write_is_a_conflict_not_an_edit(
    tmp_path: Path,
) -> None:
    """The race the same-day workers hit now and then, made to happen every time.

    PostgreSQL only: on SQLite the write lock taken at BEGIN keeps the rival out until we are
    done, so this interleaving cannot happen there.
    """
    db = make_database("postgresql", tmp_path, f"restride_interleave_{os.getpid()}")
    rival = Database(db.url)
    try:
        db.migrate()
        alice = athletes.create_account(db, email="alice@example.org", name="Alice").id
        athletes.start_episode(
            db, alice, seed_injury(), program_start=worker.START, today=worker.START
        )
        fired: list[str] = []

        def rival_commits(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if not fired and statement.startswith("SELECT") and "FROM checkins" in statement:
                fired.append(statement)
                checkins.record_checkin(rival, alice, worker.checkin_by(1, day(3)), today=day(3))

        event.listen(db.engine, "after_cursor_execute", rival_commits)
        with pytest.raises(ConflictError, match="saved at the same moment by another session"):
            checkins.record_checkin(db, alice, worker.checkin_by(0, day(3)), today=day(3))
        event.remove(db.engine, "after_cursor_execute", rival_commits)

        assert fired
        rows = stored_checkins(db, alice)
        assert [(r.version, r.notes) for r in rows] == [(1, "worker 1")]
    finally:
        rival.dispose()
        db.dispose()
        drop_postgres(make_url(db.url).database or "")
