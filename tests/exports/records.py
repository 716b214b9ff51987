"""A runner's stored history for the export tests: the seed's runner C, written day by day
through the services, up to the last week of the walking program (running starts within the
four weeks ahead)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from restride.domain.case import Case
from restride.services import athletes, checkins, sessions, sharing
from restride.services.athletes import AccountInfo
from restride.simulation import (
    SEED_DOCTOR_VISIT,
    SEED_START,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from restride.storage import tables as t
from restride.storage.database import Database

if TYPE_CHECKING:
    from restride.domain.decision import TodayItem
    from restride.domain.protocol import Protocol

DAYS = 112  # day 111 is 2026-06-21, in the sixth and last week of walking
SKIPPED_DAYS = (100, 104)  # the walks left out on these days: adherence falls short
NOTE_DAY = 90
NOTE = "Gait looks even; keep going."
CLINICIAN = "Bob Therapist"


@dataclass(frozen=True)
class Stored:
    db: Database
    athlete: AccountInfo
    case: Case

    @property
    def today(self) -> dt.date:
        return self.case.today


def _sessions(day: int, item: TodayItem) -> dict[str, Any] | None:
    return None if day in SKIPPED_DAYS and item.kind == "walk" else {}


def runner_history(protocol: Protocol, days: int = DAYS) -> Case:
    events = {**SEED_DOCTOR_VISIT, NOTE_DAY: [("note", NOTE)]}
    simulation = simulate(
        protocol,
        seed_injury(),
        SEED_START,
        days,
        symptoms=seed_runner_symptoms,
        sessions=_sessions,
        events=events,
    )
    return simulation.case


def store_runner(
    db: Database, case: Case, *, name: str = "Alice", email: str = "alice@example.org"
) -> Stored:
    """Write the case through the services, each entry on its own day. The last day's check-in
    is answered twice (an edit), so it has a version 1 and a version 2; the notes come from
    the runner's therapist Bob, who has their share."""
    account = athletes.create_account(db, email=email, name=name)
    bob = athletes.create_account(db, email="bob@example.org", name=CLINICIAN, role="clinician")
    sharing.share_with(db, account.id, bob.email)
    athletes.start_episode(
        db, account.id, case.injury, program_start=case.program_start, today=case.program_start
    )
    for checkin in case.checkins:
        if checkin.date == case.today:
            first = checkin.model_copy(update={"pain_next_morning": 1, "notes": "sore?"})
            checkins.record_checkin(db, account.id, first, today=checkin.date)
            checkins.record_checkin(db, account.id, checkin, today=checkin.date, edit=True)
        else:
            checkins.record_checkin(db, account.id, checkin, today=checkin.date)
    for session in case.sessions:
        sessions.log_session(db, account.id, session, today=session.date)
    for event in case.clinician_events:
        by = bob.id if event.kind == "note" else None
        sharing.record_clinician_event(db, account.id, event, today=event.date, clinician_id=by)
    return Stored(db, account, case)


def add_activity(db: Database, athlete_id: str, *, shoe: str | None = None) -> None:
    """An imported run, written straight into its table (the import service is not ours)."""
    with db.transaction() as tx:
        shoe_id = None
        if shoe is not None:
            row = t.Shoe(athlete_id=athlete_id, name=shoe)
            tx.add(row)
            tx.flush()
            shoe_id = row.id
        tx.add(
            t.Activity(
                athlete_id=athlete_id,
                shoe_id=shoe_id,
                content_hash="0" * 64,
                source="garmin/2026-06-20.fit",
                sport="running",
                start_time=dt.datetime(2026, 6, 20, 7, 30, tzinfo=dt.UTC),
                duration_s=1800.0,
                distance_m=5012.5,
                avg_hr=141.0,
            )
        )
