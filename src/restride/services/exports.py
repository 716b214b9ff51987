"""Exports of one athlete's plan and record: the calendar, watch workouts, CSV tables and the
clinician report. Each reads what it needs in one transaction and returns bytes (or text) made
by `restride.exports`; writing files, or serving them, is the caller's business.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from restride.exports import csv_export, fit_workout, ics, report
from restride.services import day, insights
from restride.services.athletes import AccountInfo
from restride.services.decisions import plan_ahead
from restride.services.errors import InvalidInputError, NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

    from restride.domain.findings import Finding
    from restride.storage.database import Database

MAX_WEEKS = 52


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes


def plan_calendar(
    db: Database,
    athlete_id: str,
    *,
    today: dt.date,
    weeks: int = 12,
    remind_at: dt.time | None = ics.REMINDER_AT,
) -> bytes:
    """The plan for the coming `weeks` as an iCalendar file, with a daily check-in reminder at
    `remind_at` (local time; None for none)."""
    _check_weeks(weeks)
    athlete = account(db, athlete_id)
    plan = plan_ahead(db, athlete_id, today=today, weeks=weeks)
    return ics.plan_calendar(plan, athlete, remind_at=remind_at)


def plan_workouts(
    db: Database, athlete_id: str, *, today: dt.date, weeks: int = 12
) -> list[ExportFile]:
    """A FIT workout file for each distinct walk-run or run session of today and the coming
    `weeks`; none when the plan has no running in it yet."""
    _check_weeks(weeks)
    plan = plan_ahead(db, athlete_id, today=today, weeks=weeks)
    # From the plan's day, not the clock: the same plan gives the same files.
    created = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    serial = _serial_number(athlete_id)
    return [
        ExportFile(
            workout.file_name,
            fit_workout.encode_workout(workout, created=created, serial_number=serial),
        )
        for workout in fit_workout.plan_workouts(plan)
    ]


def record_tables(db: Database, athlete_id: str) -> list[ExportFile]:
    """Check-ins (every version), sessions, clinician events and activities as CSV files,
    every injury episode included (numbered from 1, oldest first)."""
    with db.transaction() as tx:
        if tx.get(t.Account, athlete_id) is None:
            raise NotFoundError("no such athlete")
        episodes = tx.scalars(
            select(t.Episode)
            .where(t.Episode.athlete_id == athlete_id)
            .order_by(t.Episode.program_start, t.Episode.created_at)
        ).all()
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in csv_export.TABLES}
        for number, episode in enumerate(episodes, 1):
            for checkin in repo.checkin_rows(tx, episode.id):
                rows["checkins"].append(_fields(checkin, csv_export.CHECKIN_COLUMNS, number))
            for session in repo.session_rows(tx, episode.id):
                rows["sessions"].append(_fields(session, csv_export.SESSION_COLUMNS, number))
            for event in repo.event_rows(tx, episode.id):
                fields = _fields(event, csv_export.EVENT_COLUMNS, number)
                clinician = tx.get(t.Account, event.clinician_id) if event.clinician_id else None
                fields["clinician"] = clinician.name if clinician else None
                rows["clinician-events"].append(fields)
        rows["activities"] = _activities(tx, athlete_id)
    return [
        ExportFile(f"{name}.csv", csv_export.table_csv(columns, rows[name]))
        for name, columns in csv_export.TABLES.items()
    ]


def clinician_report(db: Database, athlete_id: str, *, today: dt.date) -> report.Report:
    athlete = account(db, athlete_id)
    composed = day.athlete_day(db, athlete_id, today=today)
    case = composed.case
    with db.transaction() as tx:
        activities = tx.scalar(
            select(func.count()).select_from(t.Activity).where(t.Activity.athlete_id == athlete_id)
        )
    protocol = composed.protocol
    findings: tuple[Finding, ...] = ()
    if activities:
        findings = insights.injury_post_mortem(db, athlete_id, today=today).post_mortem.findings
    return report.build_report(
        protocol, athlete, case, composed.decision, activities=activities or 0, findings=findings
    )


def report_html(db: Database, athlete_id: str, *, today: dt.date) -> str:
    """The clinician report as one self-contained HTML page."""
    return report.render_html(clinician_report(db, athlete_id, today=today))


def report_pdf(db: Database, athlete_id: str, *, today: dt.date) -> bytes:
    """The clinician report as PDF: the same page as `report_html`."""
    return report.render_pdf(report_html(db, athlete_id, today=today))


def account(db: Database, athlete_id: str) -> AccountInfo:
    with db.transaction() as tx:
        row = tx.get(t.Account, athlete_id)
        if row is None or row.role != "athlete":
            raise NotFoundError("no such athlete")
        return AccountInfo(id=row.id, email=row.email, name=row.name, role=row.role)


def _check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInputError(f"weeks: must be 1-{MAX_WEEKS} (got {weeks})")


def _serial_number(athlete_id: str) -> int:
    """A stable 32-bit serial for the athlete's workout files (FIT's all-ones means invalid)."""
    digest = hashlib.sha256(athlete_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1


def _fields(row: object, columns: tuple[str, ...], episode: int) -> dict[str, Any]:
    fields = {column: getattr(row, column, None) for column in columns}
    fields["episode"] = episode
    return fields


def _activities(tx: DbSession, athlete_id: str) -> list[dict[str, Any]]:
    found = tx.scalars(
        select(t.Activity)
        .where(t.Activity.athlete_id == athlete_id)
        .order_by(t.Activity.start_time, t.Activity.id)
    )
    rows = []
    for activity in found:
        fields = {c: getattr(activity, c, None) for c in csv_export.ACTIVITY_COLUMNS}
        shoe = tx.get(t.Shoe, activity.shoe_id) if activity.shoe_id else None
        fields["shoe"] = shoe.name if shoe else None
        rows.append(fields)
    return rows
