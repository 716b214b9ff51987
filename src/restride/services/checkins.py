"""The daily check-in: one a day, editable that day, every earlier version kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from restride.domain.case import CheckIn
from restride.domain.pain import is_bone_injury
from restride.domain.protocol import RedFlag
from restride.domain.triage import assess_red_flags
from restride.loading import builtin_protocol
from restride.services import day
from restride.services.athletes import require_active_episode
from restride.services.errors import ConflictError, InvalidInputError
from restride.storage import repository as repo

if TYPE_CHECKING:
    import datetime as dt

    from restride.storage.database import Database


# A day's notes are a few sentences; a cap keeps one check-in (and each edit's stored copy)
# from holding megabytes.
MAX_NOTES = 2000


@dataclass(frozen=True)
class RecordedCheckIn:
    checkin: CheckIn
    version: int
    red_flags: list[RedFlag]


def record_checkin(
    db: Database, athlete_id: str, checkin: CheckIn, *, today: dt.date, edit: bool = False
) -> RecordedCheckIn:
    """Store a check-in. A second one for a day needs `edit`, and only today's can be edited."""
    if checkin.date > today:
        raise InvalidInputError(f"date: {checkin.date} is in the future (today is {today})")
    if len(checkin.notes) > MAX_NOTES:
        raise InvalidInputError(f"notes: at most {MAX_NOTES} characters (got {len(checkin.notes)})")
    try:
        with db.transaction() as tx:
            episode = require_active_episode(tx, athlete_id)
            if checkin.date < episode.program_start:
                raise InvalidInputError(
                    f"date: {checkin.date} is before the program began ({episode.program_start})"
                )
            existing = repo.checkin_on(tx, episode.id, checkin.date)
            if existing is not None and not edit:
                raise ConflictError(
                    f"date: there is already a check-in for {checkin.date}",
                    hint="edit_checkin",
                )
            if existing is not None and checkin.date != today:
                raise ConflictError(
                    f"date: the check-in for {checkin.date} can no longer be changed; "
                    "only today's can be edited"
                )
            if existing is None and edit:
                raise InvalidInputError(f"date: there is no check-in for {checkin.date} to edit")
            # The version comes from the same read as the checks above: counting again could
            # see a check-in another session committed meanwhile (PostgreSQL reads committed
            # rows statement by statement) and quietly save this one as its edit.
            version = existing.version + 1 if existing is not None else 1
            tx.add(repo.checkin_row(episode.id, checkin, version))
            day.keep_current(tx, athlete_id, today=today)
            injury = repo.injury_of(tx, episode)
            protocol = builtin_protocol(episode.protocol)
    except IntegrityError:
        # Another process saved the same day's check-in a moment before this one.
        raise ConflictError(
            f"date: a check-in for {checkin.date} was saved at the same moment by another "
            "session; nothing was written",
            hint="see_history",
        ) from None
    bone = is_bone_injury(injury, tenderness_seen=checkin.bone_tenderness)
    return RecordedCheckIn(checkin, version, assess_red_flags(protocol, injury, checkin, bone=bone))


def checked_in_on(db: Database, athlete_id: str, day: dt.date) -> bool:
    """Whether the athlete's active episode has a check-in for `day` (False without one)."""
    with db.read() as tx:
        episode = repo.active_episode(tx, athlete_id)
        return episode is not None and repo.checkin_on(tx, episode.id, day) is not None
