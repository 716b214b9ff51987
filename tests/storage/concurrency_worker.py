"""One writer process for tests/storage/test_concurrency.py: writes through the services, in
step with the other workers, and prints what happened as JSON.

    python concurrency_worker.py '{"url": ..., "athlete": ..., "mode": ..., ...}'

Modes: `distinct` (this worker's own days: a check-in and a session each), `same` (every worker
records each day's check-in; a gate per day makes them try at the same moment), `edit` (every
worker edits today's check-in at the same moment) and `rivals` (every worker makes the same
account, then its episode, then its share, each at the same moment). A refusal is an outcome;
anything else is a crash: the traceback goes to stderr, the exit status is 1, and the other
workers stop waiting at the gates.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from restride.domain.case import CheckIn, Injury, Session
from restride.services import athletes, checkins, sessions, sharing
from restride.services.errors import ConflictError
from restride.storage.database import Database

if TYPE_CHECKING:
    from collections.abc import Callable

START = dt.date(2026, 3, 2)
TODAY = START + dt.timedelta(days=200)
CLINICIAN = "bob@example.org"
GATE_TIMEOUT_S = 30.0


def wait_at(gate: Path, name: str, workers: int, index: int) -> None:
    """A barrier between processes: say we are here, then wait until everyone is."""
    (gate / f"{name}.{index}").touch()
    deadline = time.monotonic() + GATE_TIMEOUT_S
    while sum(1 for _ in gate.glob(f"{name}.*")) < workers:
        if (gate / "abort").exists():
            raise RuntimeError(f"gate {name}: another worker crashed")
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate {name}: the other workers never came")
        time.sleep(0.0005)


def checkin_by(worker: int, date: dt.date) -> CheckIn:
    return CheckIn(
        date=date,
        pain_rest=0,
        pain_walking=worker % 11,
        pain_next_morning=0,
        notes=f"worker {worker}",
    )


def session_by(worker: int, date: dt.date) -> Session:
    return Session(
        date=date,
        phase="walk",
        kind="walk",
        planned_min=20,
        done_min=20 + worker,
        pain_during=0,
        pain_after=0,
        rpe=3,
        notes=f"worker {worker}",
    )


def attempt(action: Callable[[], dict[str, Any]], **about: Any) -> dict[str, Any]:
    """Run one write; a ConflictError is an outcome like success, anything else propagates."""
    result: dict[str, Any] = {**about, "began": time.time()}
    try:
        result.update(action(), outcome="saved")
    except ConflictError as refused:
        result.update(outcome="conflict", message=refused.message)
    result["ended"] = time.time()
    return result


def distinct_days(db: Database, job: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    for day in job["days"]:
        date = START + dt.timedelta(days=day)
        began = time.time()
        recorded = checkins.record_checkin(
            db, job["athlete"], checkin_by(job["worker"], date), today=TODAY
        )
        session_id = sessions.log_session(
            db, job["athlete"], session_by(job["worker"], date), today=TODAY
        )
        results.append(
            {
                "day": day,
                "version": recorded.version,
                "session": session_id,
                "began": began,
                "ended": time.time(),
            }
        )
    return results


def same_day(db: Database, job: dict[str, Any], gate: Path) -> list[dict[str, Any]]:
    edit = job["mode"] == "edit"
    worker, results = job["worker"], []
    for day in job["days"]:
        date = TODAY if edit else START + dt.timedelta(days=day)

        def record(date: dt.date = date) -> dict[str, Any]:
            recorded = checkins.record_checkin(
                db, job["athlete"], checkin_by(worker, date), today=TODAY, edit=edit
            )
            return {"version": recorded.version}

        wait_at(gate, f"day-{day}", job["workers"], worker)
        results.append(attempt(record, day=day))
    return results


def rivals(db: Database, job: dict[str, Any], gate: Path) -> list[dict[str, Any]]:
    worker, results = job["worker"], []
    for day in job["days"]:
        email = f"runner{day}@example.org"

        def make_account(email: str = email) -> dict[str, Any]:
            return {"id": athletes.create_account(db, email=email, name=f"Runner {worker}").id}

        def start_episode(email: str = email) -> dict[str, Any]:
            injury = Injury(site="metatarsal_4_shaft", side="right", onset=START)
            athlete = athletes.find_account(db, email).id
            episode = athletes.start_episode(db, athlete, injury, program_start=START, today=TODAY)
            return {"id": episode.id}

        def share(email: str = email) -> dict[str, Any]:
            sharing.share_with(db, athletes.find_account(db, email).id, CLINICIAN)
            return {}

        for step, action in (
            ("account", make_account),
            ("episode", start_episode),
            ("share", share),
        ):
            wait_at(gate, f"{step}-{day}", job["workers"], worker)
            results.append(attempt(action, day=day, step=step))
    return results


def run(job: dict[str, Any]) -> list[dict[str, Any]]:
    db = Database(job["url"])
    gate = Path(job["gate"])
    try:
        with db.transaction() as tx:  # connect before the start, so the start is the writing
            tx.execute(select(1))
        wait_at(gate, "start", job["workers"], job["worker"])
        if job["mode"] == "distinct":
            return distinct_days(db, job)
        if job["mode"] == "rivals":
            return rivals(db, job, gate)
        return same_day(db, job, gate)
    except BaseException:
        (gate / "abort").touch()
        raise
    finally:
        db.dispose()


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
