"""Rows to domain objects and back: the only place that knows both the tables and the core."""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from restride.domain import case as domain
from restride.domain.activity import Activity
from restride.storage import tables as t

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session as DbSession

CHECKIN_FIELDS = tuple(f for f in domain.CheckIn.model_fields if f != "date")
SESSION_FIELDS = tuple(domain.Session.model_fields)


def account_by_email(db: DbSession, email: str) -> t.Account | None:
    return db.scalar(select(t.Account).where(t.Account.email == email.strip().lower()))


def active_episode(db: DbSession, athlete_id: str) -> t.Episode | None:
    return db.scalar(
        select(t.Episode).where(t.Episode.athlete_id == athlete_id, t.Episode.active.is_(True))
    )


def injury_of(db: DbSession, episode: t.Episode) -> domain.Injury:
    imaging = db.scalars(
        select(t.Imaging).where(t.Imaging.episode_id == episode.id).order_by(t.Imaging.date)
    )
    return domain.Injury(
        site=episode.site,
        side=episode.side,  # type: ignore[arg-type]
        kind=episode.kind,  # type: ignore[arg-type]
        onset=episode.onset,
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


def current_checkin_rows(db: DbSession, episode_id: str) -> list[t.CheckIn]:
    """The latest version of each day's check-in."""
    latest: dict[dt.date, t.CheckIn] = {}
    for row in checkin_rows(db, episode_id):
        latest[row.date] = row
    return list(latest.values())


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


def session_rows(db: DbSession, episode_id: str) -> list[t.SessionLog]:
    return list(
        db.scalars(
            select(t.SessionLog)
            .where(t.SessionLog.episode_id == episode_id)
            .order_by(t.SessionLog.date, t.SessionLog.recorded_at, t.SessionLog.id)
        )
    )


def to_session(row: t.SessionLog) -> domain.Session:
    return domain.Session(**{f: getattr(row, f) for f in SESSION_FIELDS})


def session_row(episode_id: str, session: domain.Session) -> t.SessionLog:
    return t.SessionLog(episode_id=episode_id, **{f: getattr(session, f) for f in SESSION_FIELDS})


def event_rows(db: DbSession, episode_id: str) -> list[t.ClinicianEvent]:
    return list(
        db.scalars(
            select(t.ClinicianEvent)
            .where(t.ClinicianEvent.episode_id == episode_id)
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
        withdraws=row.withdraws,
    )


def episode_case(db: DbSession, episode: t.Episode, today: dt.date) -> domain.Case:
    """The stored history of an episode as the engine reads it, up to `today`."""
    return domain.Case(
        today=today,
        program_start=episode.program_start,
        protocol=episode.protocol,
        injury=injury_of(db, episode),
        checkins=[to_checkin(r) for r in current_checkin_rows(db, episode.id) if r.date <= today],
        sessions=[to_session(r) for r in session_rows(db, episode.id) if r.date <= today],
        clinician_events=[to_event(db, r) for r in event_rows(db, episode.id) if r.date <= today],
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
    """A stored activity as the analytics read it; its gear is the name of its shoe."""
    return Activity(
        start=row.start_time,
        sport=row.sport,  # type: ignore[arg-type]
        source=row.source,
        content_sha256=row.content_hash,
        sub_sport=row.sub_sport,
        part=row.part,
        name=row.name,
        duration_s=row.duration_s,
        moving_s=row.moving_s,
        distance_m=row.distance_m,
        elevation_gain_m=row.elevation_gain_m,
        avg_hr=row.avg_hr,
        max_hr=row.max_hr,
        avg_cadence_spm=row.avg_cadence,
        device=row.device,
        gear=shoe_names.get(row.shoe_id or "") or row.gear_name,
        gct_ms_avg=row.gct_ms_avg,
        stance_balance_left_pct_avg=row.stance_balance_left_pct_avg,
        vertical_oscillation_mm_avg=row.vertical_oscillation_mm_avg,
        partial=row.partial,
        warnings=tuple(w for w in row.warnings.split("\n") if w),
    )
