"""Background jobs with a real `restride worker` process on SQLite and PostgreSQL: a job runs
once and says how far it got; a job a dead worker left half-done is taken up by the next."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from restride import jobs as job_queue
from restride.services import athletes, jobs
from restride.settings import Settings
from restride.simulation import seed_injury
from restride.storage import tables as t
from tests.builders import START
from tests.workers import worker

if TYPE_CHECKING:
    from pathlib import Path

    from restride.storage.database import Database

TODAY = START + dt.timedelta(days=3)
WAIT_S = 60.0


def settings_for(db: Database, folder: Path, **extra: str) -> tuple[Settings, dict[str, str]]:
    env = {
        "RESTRIDE_DATABASE_URL": db.url,
        "RESTRIDE_DATA_DIR": str(folder),
        "RESTRIDE_TODAY": TODAY.isoformat(),
        **extra,
    }
    return Settings(**{k.removeprefix("RESTRIDE_").lower(): v for k, v in env.items()}), env


def wait_until_finished(db: Database, job_id: str, athlete_id: str | None) -> jobs.JobInfo:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = jobs.status(db, job_id, athlete_id=athlete_id)
        if found.finished:
            return found
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {WAIT_S} s")


def runner(db: Database) -> str:
    account = athletes.create_account(db, email="alice@example.org", name="Alice")
    athletes.start_episode(db, account.id, seed_injury(), program_start=START, today=START)
    return account.id


def test_a_worker_runs_a_report_job_and_the_pdf_is_there(
    database: Database, tmp_path: Path
) -> None:
    alice = runner(database)
    config, env = settings_for(database, tmp_path)
    with worker(env):
        job = job_queue.submit(database, "report", athlete_id=alice, settings=config)
        done = wait_until_finished(database, job.id, alice)
    assert (done.status, done.done, done.total) == ("done", 2, 2)
    pdf = job_queue.job_file(config, job.id, done.result["file"])
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(jobs.NotFoundError):  # another athlete cannot see it
        jobs.status(database, job.id, athlete_id="someone-else")


def test_a_job_a_dead_worker_left_running_is_taken_up_by_the_next(
    database: Database, tmp_path: Path
) -> None:
    alice = runner(database)
    _config, env = settings_for(database, tmp_path, RESTRIDE_JOB_STALE_AFTER_S="1")
    job = jobs.create(database, "refresh", athlete_id=None)
    # What a worker killed mid-job leaves: the job taken, and its heartbeat stopped.
    taken = jobs.claim(database, job.id)
    assert taken is not None
    with database.transaction() as tx:
        old = t.utcnow() - dt.timedelta(minutes=10)
        tx.execute(update(t.Job).where(t.Job.id == job.id).values(heartbeat_at=old))
    with worker(env):
        done = wait_until_finished(database, job.id, None)
    assert done.status == "done" and done.result == {"athletes": 1}
    with database.transaction() as tx:
        row = tx.get(t.Job, job.id)
        assert row is not None and row.attempts == 2
        assert tx.get(t.AthleteDayRow, alice) is not None  # the refresh did its work


def test_a_job_runs_once_however_often_its_message_comes(
    database: Database, tmp_path: Path
) -> None:
    runner(database)
    job = jobs.create(database, "refresh", athlete_id=None)
    first = jobs.run(database, job.id, folder=tmp_path, today=TODAY)
    second = jobs.run(database, job.id, folder=tmp_path, today=TODAY)
    assert first is not None and first.status == "done"
    assert second is None
