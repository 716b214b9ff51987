"""The job queue: huey, on the database restride already has (a SQLite file beside the
restride database, or tables in the same PostgreSQL database), so no broker is needed.

Why huey: it is maintained, small, has no dependencies of its own, stores its queue in SQLite
or PostgreSQL (with LISTEN/NOTIFY there), and runs periodic tasks (the nightly refresh). It
deletes a message when a worker takes it, so a worker that dies loses the message; restride's
own job records (services/jobs.py) notice the missing heartbeat and queue the job again.
procrastinate would keep its jobs across a crash by itself, but it needs PostgreSQL, and
restride's default is SQLite on one machine.

The web and the CLI call `submit`; `restride worker` (started by `restride serve` unless told
not to) runs the consumer.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from restride.settings import Settings, load_settings

if TYPE_CHECKING:
    from huey import Huey

    from restride.services.jobs import JobInfo
    from restride.storage.database import Database

log = logging.getLogger(__name__)


def queue_location(settings: Settings) -> str:
    """Where the queue lives, in words (for `restride worker` and the docs)."""
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "sqlite":
        return str(_sqlite_file(settings))
    return f"tables restride_jobs_* in {url.render_as_string(hide_password=True)}"


def _sqlite_file(settings: Settings) -> Path:
    url = make_url(settings.resolved_database_url())
    database = Path(url.database or str(settings.data_dir / "restride.db")).expanduser()
    return database.with_name(database.stem + "-jobs.db")


@dataclass(frozen=True)
class Queue:
    huey: Any  # huey.Huey, imported only where jobs are used
    run_job: Any  # huey's task wrapper: calling it puts a message on the queue


def queue(settings: Settings | None = None) -> Huey:
    """The huey for these settings, with restride's tasks on it (one per process)."""
    return _queue(settings or load_settings()).huey


@cache
def _queue(settings: Settings) -> Queue:
    from huey import PostgresHuey, SqliteHuey, crontab

    url = make_url(settings.resolved_database_url())
    huey: Huey
    if url.get_backend_name() == "sqlite":
        huey = SqliteHuey("restride", filename=str(_sqlite_file(settings)))
    else:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        huey = PostgresHuey("restride", dsn=dsn, table_prefix="restride_jobs")

    @huey.task(name="run_job")
    def run_job(job_id: str) -> None:
        _run(settings, job_id)

    @huey.periodic_task(crontab(minute="5", hour="0"), name="nightly_refresh")
    def nightly_refresh() -> None:
        # Just after midnight: every athlete's day composed for the new day, so the board is
        # current before anyone opens it.
        submit(_database(settings), "refresh", athlete_id=None, settings=settings)

    @huey.periodic_task(crontab(minute="*"), name="requeue_stale")
    def requeue_stale() -> None:
        for job_id in take_up_abandoned(settings):
            log.warning("job %s lost its worker; queued again", job_id)

    return Queue(huey, run_job)


@cache
def _database(settings: Settings) -> Database:
    from restride.storage.database import Database

    return Database(settings.resolved_database_url())


def _today(settings: Settings) -> dt.date:
    return settings.today or dt.date.today()  # noqa: DTZ011 - the install's calendar day


def _run(settings: Settings, job_id: str) -> None:
    from restride.services import jobs

    jobs.run(
        _database(settings),
        job_id,
        folder=settings.data_dir / "jobs",
        today=_today(settings),
    )


def take_up_abandoned(settings: Settings) -> list[str]:
    """Queue again the jobs a dead worker left (a worker does this as it starts, then every
    minute)."""
    from restride.services import jobs

    found = jobs.stale(_database(settings), after=dt.timedelta(seconds=settings.job_stale_after_s))
    for job_id in found:
        _queue(settings).run_job(job_id)
    return found


def submit(
    db: Database,
    kind: str,
    *,
    athlete_id: str | None,
    params: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> JobInfo:
    """Record a job and put it on the queue for a worker."""
    from restride.services import jobs

    job = jobs.create(db, kind, athlete_id=athlete_id, params=params)
    enqueue(db, job.id, settings)
    return job


def enqueue(db: Database, job_id: str, settings: Settings | None = None) -> None:
    """Put a recorded job on the queue of `db`'s workers (the queue lives with the database)."""
    settings = (settings or load_settings()).model_copy(update={"database_url": db.url})
    _queue(settings).run_job(job_id)


def job_folder(settings: Settings, job_id: str) -> Path:
    """Where a job keeps its files (an upload to import, a report it wrote)."""
    return settings.data_dir / "jobs" / job_id


def job_file(settings: Settings, job_id: str, name: str) -> Path:
    """A file a finished job wrote (a report's PDF)."""
    return settings.data_dir / "jobs" / job_id / Path(name).name
