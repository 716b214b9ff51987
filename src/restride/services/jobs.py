"""Background jobs: their records, progress and results, and the work each kind does.

A job is a row in `jobs` (what to do, how far it has got, what came of it) and a message on
huey's queue (restride/jobs.py) that says "run job X". Running is claimed with a conditional
update, so a job runs once however often its message is delivered; a running job beats its
heartbeat as it goes, and one whose worker died (no heartbeat for a while) is put back on the
queue and carries on: every kind of job is safe to run again (an import skips what it stored,
a refresh skips what is current, a report is written anew).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update

from restride.services.errors import InvalidInputError, NotFoundError
from restride.storage import tables as t
from restride.storage.database import Database

if TYPE_CHECKING:
    from collections.abc import Callable


KINDS = ("refresh", "report", "import")
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class JobInfo:
    id: str
    kind: str
    status: str  # queued | running | done | failed
    done: int
    total: int | None
    message: str
    result: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


@dataclass(frozen=True)
class JobContext:
    """What a running job may use: the database, its folder, and a way to say how far it is."""

    db: Database
    job_id: str
    folder: Path
    params: dict[str, Any]
    athlete_id: str | None
    today: dt.date

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        with self.db.transaction() as tx:
            tx.execute(
                update(t.Job)
                .where(t.Job.id == self.job_id)
                .values(done=done, total=total, message=message, heartbeat_at=t.utcnow())
            )


def _info(row: t.Job) -> JobInfo:
    return JobInfo(
        row.id, row.kind, row.status, row.done, row.total, row.message, json.loads(row.result)
    )


def create(
    db: Database, kind: str, *, athlete_id: str | None, params: dict[str, Any] | None = None
) -> JobInfo:
    """Record a job, queued; the caller puts its message on the queue."""
    if kind not in KINDS:
        raise InvalidInputError(f"kind: {kind!r} is not a kind of job ({', '.join(KINDS)})")
    with db.transaction() as tx:
        row = t.Job(kind=kind, athlete_id=athlete_id, params=json.dumps(params or {}))
        tx.add(row)
        tx.flush()
        return _info(row)


def status(db: Database, job_id: str, *, athlete_id: str | None) -> JobInfo:
    """A job as its owner sees it (`athlete_id` None: the install's own jobs)."""
    with db.transaction() as tx:
        row = tx.get(t.Job, job_id)
        if row is None or row.athlete_id != athlete_id:
            raise NotFoundError("no such job")
        return _info(row)


def claim(db: Database, job_id: str) -> t.Job | None:
    """Take a queued job to run it; None if it is not queued (running elsewhere, or done)."""
    with db.transaction() as tx:
        taken = tx.execute(
            update(t.Job)
            .where(t.Job.id == job_id, t.Job.status == "queued")
            .values(status="running", attempts=t.Job.attempts + 1, heartbeat_at=t.utcnow())
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return tx.get(t.Job, job_id)


def finish(db: Database, job_id: str, result: dict[str, Any], message: str = "") -> None:
    with db.transaction() as tx:
        tx.execute(
            update(t.Job)
            .where(t.Job.id == job_id)
            .values(
                status="done", result=json.dumps(result), message=message, finished_at=t.utcnow()
            )
        )


def fail(db: Database, job_id: str, message: str) -> None:
    with db.transaction() as tx:
        tx.execute(
            update(t.Job)
            .where(t.Job.id == job_id)
            .values(status="failed", message=message, finished_at=t.utcnow())
        )


def stale(db: Database, *, after: dt.timedelta) -> list[str]:
    """Jobs to put back on the queue: running without a heartbeat for `after` (their worker
    died), or queued that long without being taken (their message was lost). A job that has
    been tried too often is failed instead."""
    cutoff = t.utcnow() - after
    with db.transaction() as tx:
        rows = list(
            tx.scalars(
                select(t.Job).where(
                    or_(
                        (t.Job.status == "running") & (t.Job.heartbeat_at < cutoff),
                        (t.Job.status == "queued") & (t.Job.created_at < cutoff),
                    )
                )
            )
        )
        again = []
        for row in rows:
            if row.attempts >= MAX_ATTEMPTS:
                row.status, row.finished_at = "failed", t.utcnow()
                row.message = f"stopped after {row.attempts} attempts; the last one never finished"
                continue
            row.status, row.heartbeat_at, row.created_at = "queued", None, t.utcnow()
            again.append(row.id)
        return again


def run(db: Database, job_id: str, *, folder: Path, today: dt.date) -> JobInfo | None:
    """Run a job if it is queued; returns how it ended (None: not this worker's to run)."""
    row = claim(db, job_id)
    if row is None:
        return None
    context = JobContext(
        db=db,
        job_id=job_id,
        folder=folder / job_id,
        params=json.loads(row.params),
        athlete_id=row.athlete_id,
        today=today,
    )
    context.folder.mkdir(parents=True, exist_ok=True)
    try:
        result = RUNNERS[row.kind](context)
    except Exception as exc:
        fail(db, job_id, f"{type(exc).__name__}: {exc}")
        raise
    finish(db, job_id, result)
    return status(db, job_id, athlete_id=row.athlete_id)


# --- The kinds of job ------------------------------------------------------------------------


def _refresh(job: JobContext) -> dict[str, Any]:
    """The nightly refresh: every active athlete's day composed for the new day."""
    from restride.services import refresh

    def said(done: int, total: int) -> None:
        job.progress(done, total, f"{done} of {total} athletes")

    return {"athletes": refresh.refresh_all(job.db, today=job.today, progress=said)}


def _report(job: JobContext) -> dict[str, Any]:
    """A clinician report as PDF, written to the job's folder."""
    from restride.services import exports

    if job.athlete_id is None:
        raise InvalidInputError("a report is for one athlete")
    job.progress(0, 2, "composing the report")
    pdf = exports.report_pdf(job.db, job.athlete_id, today=job.today)
    path = job.folder / "report.pdf"
    path.write_bytes(pdf)
    job.progress(2, 2, "done")
    return {"file": path.name, "bytes": len(pdf)}


def _import(job: JobContext) -> dict[str, Any]:
    """Activity files the web received (a big upload, an export zip), imported in the background.
    Safe to run again after a crash: files already stored are recognised by their content."""
    from restride.services import imports

    if job.athlete_id is None:
        raise InvalidInputError("an import is for one athlete")
    paths = [str(job.folder / Path(name).name) for name in job.params.get("files", [])]
    prefix = str(job.folder).rstrip("/") + "/"

    def said(outcome: imports.FileOutcome, done: int, total: int) -> None:
        job.progress(done, total, outcome.source.removeprefix(prefix))

    report = imports.import_paths(
        job.db,
        job.athlete_id,
        paths,
        workers=1,
        progress=said,
        shown_source=lambda source: source.removeprefix(prefix),
    )
    files = [
        {
            "source": f.source.removeprefix(prefix),
            "status": f.status,
            "reason": f.reason,
            "activities": f.activities,
            "partial": f.partial,
            "warnings": list(f.warnings),
        }
        for f in report.files
    ]
    for path in paths:  # the upload's copies: the activities are stored now
        Path(path).unlink(missing_ok=True)
    return {"files": files, "new_activity_ids": list(report.new_activity_ids)}


RUNNERS: dict[str, Callable[[JobContext], dict[str, Any]]] = {
    "refresh": _refresh,
    "report": _report,
    "import": _import,
}
