"""Sharing with a clinician, and the clinician's events (clear, hold, release, note)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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
) -> None:
    """A clinician's clear, hold, release or note. A clinician needs the athlete's share;
    without a clinician the athlete records what their clinician told them."""
    if event.date > today:
        raise InvalidInputError(f"date: {event.date} is in the future (today is {today})")
    if len(event.reason) > MAX_REASON:
        raise InvalidInputError(
            f"reason: at most {MAX_REASON} characters (got {len(event.reason)})"
        )
    with db.transaction() as tx:
        if clinician_id is not None and repo.open_share(tx, athlete_id, clinician_id) is None:
            raise ForbiddenError("this athlete has not shared their record with you")
        episode = require_active_episode(tx, athlete_id)
        if event.date < episode.program_start:
            raise InvalidInputError(
                f"date: {event.date} is before the program began ({episode.program_start})"
            )
        tx.add(
            t.ClinicianEvent(
                episode_id=episode.id,
                clinician_id=clinician_id,
                date=event.date,
                kind=event.kind,
                reason=event.reason,
            )
        )
