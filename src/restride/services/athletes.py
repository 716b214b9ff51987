"""Accounts and injury episodes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from restride.domain.case import Imaging, Injury
from restride.loading import builtin_protocol_names
from restride.services.errors import ConflictError, InvalidInputError, NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    from restride.storage.database import Database


@dataclass(frozen=True)
class AccountInfo:
    id: str
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class EpisodeInfo:
    id: str
    athlete_id: str
    protocol: str
    injury: Injury
    program_start: dt.date
    active: bool
    closed_on: dt.date | None


def _account_info(row: t.Account) -> AccountInfo:
    return AccountInfo(id=row.id, email=row.email, name=row.name, role=row.role)


def create_account(db: Database, *, email: str, name: str, role: str = "athlete") -> AccountInfo:
    email = email.strip().lower()
    if "@" not in email or len(email) < 3:
        raise InvalidInputError(f"email: {email!r} is not an email address")
    if role not in ("athlete", "clinician"):
        raise InvalidInputError(f"role: {role!r} is neither athlete nor clinician")
    if not name.strip():
        raise InvalidInputError("name: must not be empty")
    try:
        with db.transaction() as tx:
            if repo.account_by_email(tx, email) is not None:
                raise ConflictError(f"email: an account for {email} already exists")
            row = t.Account(email=email, name=name.strip(), role=role)
            tx.add(row)
            tx.flush()
            return _account_info(row)
    except IntegrityError:
        # Another process made the same account a moment before this one (PostgreSQL; on
        # SQLite the write lock taken at BEGIN makes the check above enough).
        raise ConflictError(f"email: an account for {email} already exists") from None


def find_account(db: Database, email: str) -> AccountInfo:
    with db.transaction() as tx:
        row = repo.account_by_email(tx, email)
        if row is None:
            raise NotFoundError(f"no account for {email.strip().lower()}")
        return _account_info(row)


def list_accounts(db: Database, role: str | None = None) -> list[AccountInfo]:
    with db.transaction() as tx:
        query = select(t.Account).order_by(t.Account.created_at, t.Account.email)
        if role is not None:
            query = query.where(t.Account.role == role)
        return [_account_info(r) for r in tx.scalars(query)]


def start_episode(
    db: Database,
    athlete_id: str,
    injury: Injury,
    *,
    program_start: dt.date,
    today: dt.date,
    protocol: str = "ten-steps",
) -> EpisodeInfo:
    """Begin a recovery program for a new injury; the athlete's previous one must be closed."""
    if program_start > today:
        raise InvalidInputError(f"program start: {program_start} is in the future")
    if injury.onset > today:
        raise InvalidInputError(f"onset: {injury.onset} is in the future")
    if injury.onset < repo.EARLIEST_ONSET:
        raise InvalidInputError(f"onset: {injury.onset} is before 1900: check the year")
    for image in injury.imaging:
        if not repo.EARLIEST_ONSET <= image.date <= today:
            raise InvalidInputError(
                f"imaging date: {image.date} is not a day between 1900 and today ({today})"
            )
    if protocol not in builtin_protocol_names():
        raise InvalidInputError(f"protocol: no protocol {protocol!r}")
    try:
        with db.transaction() as tx:
            athlete = tx.get(t.Account, athlete_id)
            if athlete is None or athlete.role != "athlete":
                raise NotFoundError("no such athlete")
            current = repo.active_episode(tx, athlete_id)
            if current is not None:
                raise ConflictError(
                    f"an episode ({current.site}, started {current.program_start}) is still "
                    "active: close it first"
                )
            row = t.Episode(
                athlete_id=athlete_id,
                protocol=protocol,
                site=injury.site,
                side=injury.side,
                kind=injury.kind,
                onset=injury.onset,
                prior_bone_stress_injury=injury.prior_bone_stress_injury,
                program_start=program_start,
                active=True,
            )
            tx.add(row)
            tx.flush()
            for image in injury.imaging:
                tx.add(imaging_row(row.id, image))
            info = EpisodeInfo(row.id, athlete_id, protocol, injury, program_start, True, None)
    except IntegrityError:
        # Another process started an episode for this athlete at the same moment.
        raise ConflictError(
            "another episode was started at the same moment by another session; "
            "nothing was written",
            hint="see_today",
        ) from None
    return info


def add_imaging(db: Database, athlete_id: str, image: Imaging, *, today: dt.date) -> None:
    if image.date > today:
        raise InvalidInputError(f"imaging date: {image.date} is in the future")
    with db.transaction() as tx:
        episode = require_active_episode(tx, athlete_id)
        tx.add(imaging_row(episode.id, image))
        from restride.services import day  # the day module needs this one: import when used

        day.keep_current(tx, athlete_id, today=today)


def imaging_row(episode_id: str, image: Imaging) -> t.Imaging:
    return t.Imaging(
        episode_id=episode_id, date=image.date, modality=image.modality, result=image.result
    )


def close_episode(db: Database, athlete_id: str, *, today: dt.date) -> None:
    with db.transaction() as tx:
        episode = require_active_episode(tx, athlete_id)
        episode.active = False
        episode.closed_on = today


def active_episode_info(db: Database, athlete_id: str) -> EpisodeInfo:
    with db.transaction() as tx:
        episode = require_active_episode(tx, athlete_id)
        return EpisodeInfo(
            episode.id,
            athlete_id,
            episode.protocol,
            repo.injury_of(tx, episode),
            episode.program_start,
            episode.active,
            episode.closed_on,
        )


def require_active_episode(tx: object, athlete_id: str) -> t.Episode:
    episode = repo.active_episode(tx, athlete_id)  # type: ignore[arg-type]
    if episode is None:
        raise NotFoundError("no active injury episode", hint="start_episode")
    return episode
