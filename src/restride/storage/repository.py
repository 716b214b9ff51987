"""Rows to domain objects and back: the only place that knows both the tables and the core."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from restride.domain import case as domain
from restride.domain.activity import EARLIEST_START, LATEST_START, Activity
from restride.domain.tailoring import in_force
from restride.storage import day_cache  # noqa: F401 - registers the listener that marks days stale
from restride.storage import tables as t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession

CHECKIN_FIELDS = tuple(f for f in domain.CheckIn.model_fields if f != "date")
SESSION_FIELDS = tuple(domain.Session.model_fields)


def account_by_email(db: DbSession, email: str) -> t.Account | None:
    return db.scalar(select(t.Account).where(t.Account.email == email.strip().lower()))


def active_episode(db: DbSession, athlete_id: str) -> t.Episode | None:
    return db.scalar(
        select(t.Episode).where(t.Episode.athlete_id == athlete_id, t.Episode.active.is_(True))
    )


# Dates before this are no onset anyone can date (year 1 from a bad import or a typo); read
# as this, so that the weeks before the onset are still days of the calendar.
EARLIEST_ONSET = dt.date(1900, 1, 1)


def injury_of(db: DbSession, episode: t.Episode) -> domain.Injury:
    imaging = db.scalars(
        select(t.Imaging).where(t.Imaging.episode_id == episode.id).order_by(t.Imaging.date)
    )
    return domain.Injury(
        site=episode.site,
        side=episode.side,  # type: ignore[arg-type]
        kind=episode.kind,  # type: ignore[arg-type]
        onset=max(episode.onset, EARLIEST_ONSET),
        prior_bone_stress_injury=episode.prior_bone_stress_injury,
        imaging=[
            domain.Imaging(date=i.date, modality=i.modality, result=i.result)  # type: ignore[arg-type]
            for i in imaging
        ],
    )


def checkin_rows(db: DbSession, episode_id: str) -> list[t.CheckIn]:
    """Every version of every check-in, oldest first."""
    return list(
        db.scalars(
            select(t.CheckIn)
            .where(t.CheckIn.episode_id == episode_id)
            .order_by(t.CheckIn.date, t.CheckIn.version)
        )
    )


def current_checkin_rows(
    db: DbSession, episode_id: str, *, since: dt.date | None = None
) -> list[t.CheckIn]:
    """The latest version of each day's check-in, oldest day first; earlier versions are not
    read at all (a runner who edits a lot should not pay for every edit on every read)."""
    recent = [t.CheckIn.date >= since] if since is not None else []
    latest = (
        select(t.CheckIn.date, func.max(t.CheckIn.version).label("version"))
        .where(t.CheckIn.episode_id == episode_id, *recent)
        .group_by(t.CheckIn.date)
        .subquery()
    )
    return list(
        db.scalars(
            select(t.CheckIn)
            .join(
                latest,
                (t.CheckIn.date == latest.c.date) & (t.CheckIn.version == latest.c.version),
            )
            .where(t.CheckIn.episode_id == episode_id)
            .order_by(t.CheckIn.date)
        )
    )


def checkin_on(db: DbSession, episode_id: str, date: dt.date) -> t.CheckIn | None:
    return db.scalar(
        select(t.CheckIn)
        .where(t.CheckIn.episode_id == episode_id, t.CheckIn.date == date)
        .order_by(t.CheckIn.version.desc())
        .limit(1)
    )


def to_checkin(row: t.CheckIn) -> domain.CheckIn:
    return domain.CheckIn(date=row.date, **{f: getattr(row, f) for f in CHECKIN_FIELDS})


def checkin_row(episode_id: str, checkin: domain.CheckIn, version: int) -> t.CheckIn:
    fields: dict[str, Any] = {f: getattr(checkin, f) for f in CHECKIN_FIELDS}
    return t.CheckIn(episode_id=episode_id, date=checkin.date, version=version, **fields)


def session_rows(
    db: DbSession, episode_id: str, *, since: dt.date | None = None
) -> list[t.SessionLog]:
    recent = [t.SessionLog.date >= since] if since is not None else []
    return list(
        db.scalars(
            select(t.SessionLog)
            .where(t.SessionLog.episode_id == episode_id, *recent)
            .order_by(t.SessionLog.date, t.SessionLog.recorded_at, t.SessionLog.id)
        )
    )


def to_session(row: t.SessionLog) -> domain.Session:
    return domain.Session(**{f: getattr(row, f) for f in SESSION_FIELDS})


def session_row(episode_id: str, session: domain.Session) -> t.SessionLog:
    return t.SessionLog(episode_id=episode_id, **{f: getattr(session, f) for f in SESSION_FIELDS})


def event_rows(
    db: DbSession, episode_id: str, *, since: dt.date | None = None
) -> list[t.ClinicianEvent]:
    recent = [t.ClinicianEvent.date >= since] if since is not None else []
    return list(
        db.scalars(
            select(t.ClinicianEvent)
            .where(t.ClinicianEvent.episode_id == episode_id, *recent)
            .order_by(t.ClinicianEvent.date, t.ClinicianEvent.recorded_at, t.ClinicianEvent.id)
        )
    )


def to_event(db: DbSession, row: t.ClinicianEvent) -> domain.ClinicianEvent:
    clinician = db.get(t.Account, row.clinician_id) if row.clinician_id else None
    return domain.ClinicianEvent(
        id=row.id,
        date=row.date,
        kind=row.kind,  # type: ignore[arg-type]
        reason=row.reason,
        clinician=clinician.name if clinician else None,
        scope=row.scope,  # type: ignore[arg-type]
        flag=row.flag,
        gate=row.gate,
        withdraws=row.withdraws,
        phase=row.phase,
        days=row.days,
        week=row.week,
        protocol=row.protocol,
    )


def event_row(
    episode_id: str, event: domain.ClinicianEvent, clinician_id: str | None = None
) -> t.ClinicianEvent:
    return t.ClinicianEvent(
        episode_id=episode_id,
        clinician_id=clinician_id,
        date=event.date,
        kind=event.kind,
        reason=event.reason,
        scope=event.scope,
        flag=event.flag,
        gate=event.gate,
        withdraws=event.withdraws,
        phase=event.phase,
        days=event.days,
        week=event.week,
        protocol=event.protocol,
    )


def shared_with(db: DbSession, athlete_id: str) -> list[str]:
    """The names of the clinicians the athlete shares their record with now."""
    return list(
        db.scalars(
            select(t.Account.name)
            .join(t.Share, t.Share.clinician_id == t.Account.id)
            .where(t.Share.athlete_id == athlete_id, t.Share.revoked_at.is_(None))
            .order_by(t.Account.name)
        )
    )


def episode_case(
    db: DbSession, episode: t.Episode, today: dt.date, *, since: dt.date | None = None
) -> domain.Case:
    """The stored history of an episode as the engine reads it, up to `today`; with `since`,
    only the records from that day on (enough for a replay that resumes from a checkpoint)."""
    first = since or dt.date.min
    case = domain.Case(
        today=today,
        program_start=episode.program_start,
        protocol=episode.protocol,
        injury=injury_of(db, episode),
        checkins=[
            to_checkin(r)
            for r in current_checkin_rows(db, episode.id, since=since)
            if first <= r.date <= today
        ],
        sessions=[
            to_session(r) for r in session_rows(db, episode.id, since=since) if r.date <= today
        ],
        # Every event, however old: a few a month, and a resumed replay needs the ones that
        # reach back (a withdrawal of an old event, the protocol a clinician chose).
        clinician_events=[to_event(db, r) for r in event_rows(db, episode.id) if r.date <= today],
        shared_with=shared_with(db, episode.athlete_id),
    )
    return in_force(case)


def keep_days(db: DbSession, rows: list[dict[str, Any]]) -> None:
    """Keep computed athletes' days, each unless one computed from a later revision is kept
    already (two sessions may compute the same day at once: the one that saw more wins)."""
    if not rows:
        return
    days = t.AthleteDayRow
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else postgresql_insert
    now = t.utcnow()
    statement = insert(days)
    changed = {k: statement.excluded[k] for k in (*rows[0], "updated_at") if k != "athlete_id"}
    db.execute(
        statement.on_conflict_do_update(
            index_elements=[days.athlete_id],
            set_=changed,
            where=days.revision <= statement.excluded.revision,
        ),
        [{**row, "updated_at": now} for row in rows],
    )


def open_share(db: DbSession, athlete_id: str, clinician_id: str) -> t.Share | None:
    return db.scalar(
        select(t.Share).where(
            t.Share.athlete_id == athlete_id,
            t.Share.clinician_id == clinician_id,
            t.Share.revoked_at.is_(None),
        )
    )


# --- Activities -----------------------------------------------------------------------------------


def activity_key(activity: Activity) -> str:
    """The stored content hash: the file's, told apart by part for files of several activities."""
    if activity.part == 0:
        return activity.content_sha256
    return hashlib.sha256(f"{activity.content_sha256}:part{activity.part}".encode()).hexdigest()


def fit_text(value: str | None, size: int) -> str | None:
    """Text cut to fit its column, keeping the end (a path's file name) when it must be cut."""
    if value is None or len(value) <= size:
        return value
    return "…" + value[-(size - 1) :]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# Past these a stored figure is damage (or an old import's bug), not an activity: read as not
# recorded, so that no page or analysis meets an infinity or a duration no date can add.
PLAUSIBLE = {
    "duration_s": 366 * 86_400.0,
    "moving_s": 366 * 86_400.0,
    "distance_m": 1e8,
    "elevation_gain_m": 1e6,
    "avg_hr": 400.0,
    "max_hr": 400.0,
    "avg_cadence": 1000.0,
    "gct_ms_avg": 10_000.0,
    "stance_balance_left_pct_avg": 100.0,
    "vertical_oscillation_mm_avg": 10_000.0,
}


def _plausible(row: t.Activity, column: str) -> float | None:
    value: float | None = getattr(row, column)
    if value is None or not math.isfinite(value) or abs(value) > PLAUSIBLE[column]:
        return None
    return value


def plausible_start(column: Any) -> Any:
    """Where-clause: activities that started on a day the calendar can hold."""
    return column.between(EARLIEST_START, LATEST_START)


def activity_row(athlete_id: str, activity: Activity, shoe_id: str | None) -> t.Activity:
    return t.Activity(
        id=t.new_id(),
        athlete_id=athlete_id,
        shoe_id=shoe_id,
        content_hash=activity_key(activity),
        source=fit_text(activity.source, 200) or "",
        sport=activity.sport,
        start_time=activity.start,
        duration_s=_finite(activity.duration_s),
        moving_s=_finite(activity.moving_s),
        distance_m=_finite(activity.distance_m),
        elevation_gain_m=_finite(activity.elevation_gain_m),
        avg_hr=_finite(activity.avg_hr),
        max_hr=_finite(activity.max_hr),
        avg_cadence=_finite(activity.avg_cadence_spm),
        device=fit_text(activity.device, 200),
        gear_name=fit_text(activity.gear, 200),
        part=activity.part,
        sub_sport=fit_text(activity.sub_sport, 50),
        name=fit_text(activity.name, 200),
        partial=activity.partial,
        warnings="\n".join(activity.warnings),
        gct_ms_avg=_finite(activity.gct_ms_avg),
        stance_balance_left_pct_avg=_finite(activity.stance_balance_left_pct_avg),
        vertical_oscillation_mm_avg=_finite(activity.vertical_oscillation_mm_avg),
    )


def to_activity(row: t.Activity, shoe_names: dict[str, str]) -> Activity:
    """A stored activity as the analytics read it; its gear is the name of its shoe. Figures
    past PLAUSIBLE are read as not recorded."""
    return Activity(
        start=row.start_time,
        sport=row.sport,  # type: ignore[arg-type]
        source=row.source,
        content_sha256=row.content_hash,
        sub_sport=row.sub_sport,
        part=row.part,
        name=row.name,
        duration_s=_plausible(row, "duration_s"),
        moving_s=_plausible(row, "moving_s"),
        distance_m=_plausible(row, "distance_m"),
        elevation_gain_m=_plausible(row, "elevation_gain_m"),
        avg_hr=_plausible(row, "avg_hr"),
        max_hr=_plausible(row, "max_hr"),
        avg_cadence_spm=_plausible(row, "avg_cadence"),
        device=row.device,
        gear=shoe_names.get(row.shoe_id or "") or row.gear_name,
        gct_ms_avg=_plausible(row, "gct_ms_avg"),
        stance_balance_left_pct_avg=_plausible(row, "stance_balance_left_pct_avg"),
        vertical_oscillation_mm_avg=_plausible(row, "vertical_oscillation_mm_avg"),
        partial=row.partial,
        warnings=tuple(w for w in row.warnings.split("\n") if w),
    )
