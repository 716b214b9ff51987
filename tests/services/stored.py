"""A runner with a whole history in the database at once, for tests that need one months in:
the rows go in as the services would write them, in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from restride.services import athletes
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.storage.database import Database


def athlete_with_history(db: Database, case: Case, *, name: str = "Alice") -> str:
    account = athletes.create_account(db, email=f"{name.lower()}@example.org", name=name)
    athletes.start_episode(
        db, account.id, case.injury, program_start=case.program_start, today=case.program_start
    )
    with db.transaction() as tx:
        episode = repo.active_episode(tx, account.id)
        assert episode is not None
        for checkin in case.checkins:
            tx.add(repo.checkin_row(episode.id, checkin, 1))
        for session in case.sessions:
            tx.add(repo.session_row(episode.id, session))
        for event in case.clinician_events:
            tx.add(
                t.ClinicianEvent(
                    episode_id=episode.id, date=event.date, kind=event.kind, reason=event.reason
                )
            )
    return account.id
