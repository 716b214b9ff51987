"""Sharing with a clinician, and the clinician's events (clear, hold, release, note, withdraw)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from restride.domain.case import TAILORING_KINDS, standing_events
from restride.services import day
from restride.services.athletes import AccountInfo, require_active_episode
from restride.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.tables import utcnow

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session as DbSession

    from restride.domain.case import ClinicianEvent
    from restride.storage.database import Database


def share_with(db: Database, athlete_id: str, clinician_email: str) -> None:
    try:
        with db.transaction() as tx:
            athlete = tx.get(t.Account, athlete_id)
            if athlete is None or athlete.role != "athlete":
                raise NotFoundError("no such athlete")
            clinician = repo.account_by_email(tx, clinician_email)
            if clinician is None or clinician.role != "clinician":
                raise NotFoundError(f"no clinician account for {clinician_email.strip().lower()}")
            if repo.open_share(tx, athlete_id, clinician.id) is not None:
                raise ConflictError(f"already shared with {clinician.email}")
            tx.add(t.Share(athlete_id=athlete_id, clinician_id=clinician.id))
    except IntegrityError:
        # The same share was given a moment before by another session (PostgreSQL).
        raise ConflictError(f"already shared with {clinician_email.strip().lower()}") from None


def revoke_share(db: Database, athlete_id: str, clinician_email: str) -> None:
    with db.transaction() as tx:
        clinician = repo.account_by_email(tx, clinician_email)
        share = repo.open_share(tx, athlete_id, clinician.id) if clinician else None
        if share is None:
            raise NotFoundError(f"not shared with {clinician_email.strip().lower()}")
        share.revoked_at = utcnow()


def shared_athletes(db: Database, clinician_id: str) -> list[AccountInfo]:
    with db.transaction() as tx:
        rows = tx.scalars(
            select(t.Account)
            .join(t.Share, t.Share.athlete_id == t.Account.id)
            .where(t.Share.clinician_id == clinician_id, t.Share.revoked_at.is_(None))
            .order_by(t.Account.name)
        )
        return [AccountInfo(r.id, r.email, r.name, r.role) for r in rows]


# A reason is a few sentences; a cap keeps one event from holding megabytes.
MAX_REASON = 2000


def record_clinician_event(
    db: Database,
    athlete_id: str,
    event: ClinicianEvent,
    *,
    today: dt.date,
    clinician_id: str | None = None,
) -> str:
    """A clinician's clear, hold, release, note or withdraw; returns its ID. A clinician needs
    the athlete's share; without a clinician the athlete records what their clinician told
    them. Only whoever recorded an event can withdraw it, and only once."""
    if event.date > today:
        raise InvalidInputError(f"date: {event.date} is in the future (today is {today})")
    if len(event.reason) > MAX_REASON:
        raise InvalidInputError(
            f"reason: at most {MAX_REASON} characters (got {len(event.reason)})"
        )
    try:
        return _record_event(db, athlete_id, event, clinician_id, today)
    except IntegrityError:
        # Another session withdrew the same event a moment before (the unique index says so).
        raise ConflictError("withdraws: that event is already withdrawn") from None


def _record_event(
    db: Database,
    athlete_id: str,
    event: ClinicianEvent,
    clinician_id: str | None,
    today: dt.date,
) -> str:
    with db.transaction() as tx:
        if clinician_id is not None and repo.open_share(tx, athlete_id, clinician_id) is None:
            raise ForbiddenError("this athlete has not shared their record with you")
        episode = require_active_episode(tx, athlete_id)
        if event.date < episode.program_start:
            raise InvalidInputError(
                f"date: {event.date} is before the program began ({episode.program_start})"
            )
        if event.withdraws is not None:
            _check_withdrawable(tx, episode.id, event.withdraws, clinician_id)
        if event.kind in TAILORING_KINDS:
            _check_tailoring(tx, episode, event, today)
        row = repo.event_row(episode.id, event, clinician_id)
        tx.add(row)
        tx.flush()
        day.keep_current(tx, athlete_id, today=today)
        return row.id


def _check_tailoring(
    tx: DbSession, episode: t.Episode, event: ClinicianEvent, today: dt.date
) -> None:
    """RTR-7: a tailoring must fit the protocol in force and keep its floors; a bone injury
    stays on a protocol written for bone (RF-8)."""
    from restride.domain.pain import is_bone_injury
    from restride.domain.tailoring import problem
    from restride.loading import builtin_protocol, builtin_protocol_names

    # The protocol in force and the events are all a tailoring is checked against: the
    # check-ins and sessions of a window of one day are enough (events are read whole).
    case = repo.episode_case(tx, episode, today, since=today)
    if event.kind == "change_protocol":
        names = builtin_protocol_names()
        if event.protocol not in names:
            raise InvalidInputError(
                f"protocol: no protocol {event.protocol!r}; built in: {', '.join(names)}"
            )
        chosen = builtin_protocol(event.protocol)
        if is_bone_injury(case.injury, tenderness_seen=False) and chosen.tissue != "bone":
            raise InvalidInputError(
                f"protocol: {chosen.id} is written for {chosen.tissue}, and this injury is at a "
                "bone or was imaged as one (RF-8): choose a bone protocol, or correct the injury "
                "first"
            )
        return
    protocol = builtin_protocol(case.protocol)
    earlier = [
        e
        for e in standing_events(case.clinician_events)
        if e.kind in ("set_minimum", "skip_week", "add_gate")
    ]
    why = problem(protocol, event, earlier)
    if why is not None:
        field = "gate" if event.kind == "add_gate" else "phase"
        if "floor" in why:
            field = "days"
        elif "week" in why and event.kind == "skip_week":
            field = "week"
        raise InvalidInputError(f"{field}: {why}")


def _check_withdrawable(
    tx: DbSession, episode_id: str, event_id: str, clinician_id: str | None
) -> None:
    target = tx.get(t.ClinicianEvent, event_id) if len(event_id) <= 32 else None
    if target is None or target.episode_id != episode_id:
        raise NotFoundError("withdraws: no such event in this injury episode")
    if target.kind == "withdraw":
        raise InvalidInputError("withdraws: a withdrawal cannot itself be withdrawn")
    if target.clinician_id != clinician_id:
        raise ForbiddenError("withdraws: only whoever recorded an event can withdraw it")
    already = tx.scalar(
        select(t.ClinicianEvent.id).where(
            t.ClinicianEvent.episode_id == episode_id, t.ClinicianEvent.withdraws == event_id
        )
    )
    if already is not None:
        raise ConflictError("withdraws: that event is already withdrawn")
