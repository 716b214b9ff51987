"""Logging a session (or a criterion test) the runner did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from restride.services import day
from restride.services.athletes import require_active_episode
from restride.services.errors import InvalidInputError
from restride.storage import repository as repo

if TYPE_CHECKING:
    import datetime as dt

    from restride.domain.case import Session
    from restride.storage.database import Database


def log_session(db: Database, athlete_id: str, session: Session, *, today: dt.date) -> str:
    if session.date > today:
        raise InvalidInputError(f"date: {session.date} is in the future (today is {today})")
    with db.transaction() as tx:
        episode = require_active_episode(tx, athlete_id)
        if session.date < episode.program_start:
            raise InvalidInputError(
                f"date: {session.date} is before the program began ({episode.program_start})"
            )
        row = repo.session_row(episode.id, session)
        tx.add(row)
        tx.flush()
        day.keep_current(tx, athlete_id, today=today)
        return row.id
