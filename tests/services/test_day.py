"""The athlete's day, composed once and kept: current after every write, recomputed when
anything it was computed from changes, resumed from yesterday's checkpoint, and the same answer
as replaying the whole stored history, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from restride.domain.case import CheckIn, Session
from restride.domain.decide import decide
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import checkins, day, refresh, sessions, sharing
from restride.simulation import (
    PAIN_FREE,
    SEED_DOCTOR_VISIT,
    SEED_START,
    seed_injury,
    seed_runner_symptoms,
)
from restride.simulation import simulate as simulate_runner
from restride.storage import repository as repo
from restride.storage import tables as t
from tests.services.test_decisions import alice

if TYPE_CHECKING:
    from restride.storage.database import Database

PROTOCOL = builtin_protocol()


def replayed(db: Database, athlete: str, today: dt.date) -> Decision:
    """Today's decision from the whole stored history, the long way."""
    with db.transaction() as tx:
        _episode, case = day.stored_case(tx, athlete, today)
    return decide(PROTOCOL, case)


def kept(db: Database, athlete: str) -> t.AthleteDayRow | None:
    with db.transaction() as tx:
        return tx.get(t.AthleteDayRow, athlete)


def live(db: Database, athlete: str, days: int) -> list[Decision]:
    """The seed runner's first `days` days through the services, asking for today each day."""
    sim = simulate_runner(
        PROTOCOL,
        seed_injury(),
        SEED_START,
        days,
        symptoms=seed_runner_symptoms,
        events=SEED_DOCTOR_VISIT,
    )
    answers = []
    for n in range(days):
        today = SEED_START + dt.timedelta(days=n)
        for checkin in (c for c in sim.case.checkins if c.date == today):
            checkins.record_checkin(db, athlete, checkin, today=today)
        for event in (e for e in sim.case.clinician_events if e.date == today):
            sharing.record_clinician_event(db, athlete, event, today=today)
        answers.append(day.todays_decision(db, athlete, today=today))
        for session in (s for s in sim.case.sessions if s.date == today):
            sessions.log_session(db, athlete, session, today=today)
    return answers


def test_every_day_kept_and_resumed_is_the_decision_the_whole_history_gives(
    database: Database,
) -> None:
    athlete = alice(database, seed_injury(), SEED_START)
    answers = live(database, athlete, 40)
    for n in (0, 5, 12, 39):
        today = SEED_START + dt.timedelta(days=n)
        with database.transaction() as tx:
            _episode, case = day.stored_case(tx, athlete, today)
        assert answers[n] == decide(PROTOCOL, case), today
    row = kept(database, athlete)
    assert row is not None and row.checkpoint_day == SEED_START + dt.timedelta(days=38)


def test_a_write_keeps_the_day_current_in_its_own_transaction(database: Database) -> None:
    athlete = alice(database, seed_injury(), SEED_START)
    live(database, athlete, 3)
    today = SEED_START + dt.timedelta(days=3)
    checkins.record_checkin(database, athlete, checkins_for(today, fever=True), today=today)
    row = kept(database, athlete)
    assert row is not None and row.day == today
    assert (row.action, row.referral) == ("stop", "urgent")
    assert row.attention_rank >= 100 and ",red_flag," in row.signals
    with database.transaction() as tx:
        assert day._current(tx, athlete, today) is not None  # current without a read


def test_a_write_that_bypasses_the_services_still_makes_the_kept_day_stale(
    database: Database,
) -> None:
    athlete = alice(database, seed_injury(), SEED_START)
    live(database, athlete, 3)
    today = SEED_START + dt.timedelta(days=2)
    before = day.todays_decision(database, athlete, today=today)
    assert before.referral != "urgent"
    with database.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        row = tx.scalar(
            select(t.CheckIn).where(t.CheckIn.episode_id == episode.id, t.CheckIn.date == today)
        )
        assert row is not None
        row.fever = True  # straight into the table, no service involved
    after = day.todays_decision(database, athlete, today=today)
    assert after.referral == "urgent"
    assert after == replayed(database, athlete, today)


def test_a_backdated_session_drops_the_checkpoint_it_would_change(database: Database) -> None:
    athlete = alice(database, seed_injury(), SEED_START)
    live(database, athlete, 20)
    today = SEED_START + dt.timedelta(days=19)
    row = kept(database, athlete)
    assert row is not None and row.checkpoint_day == today - dt.timedelta(days=1)
    late = swim_that_hurt(today - dt.timedelta(days=5))
    sessions.log_session(database, athlete, late, today=today)
    row = kept(database, athlete)
    assert row is not None
    assert row.checkpoint_day == today - dt.timedelta(days=1)  # replayed in full, kept again
    assert day.todays_decision(database, athlete, today=today) == replayed(database, athlete, today)


def checkins_for(date: dt.date, **fields: object) -> CheckIn:
    return CheckIn(date=date, **{**PAIN_FREE, **fields})  # type: ignore[arg-type]


def swim_that_hurt(date: dt.date) -> Session:
    return Session(
        date=date, phase="rest", kind="cross_training", activity="swimming", pain_during=3
    )


def test_the_nightly_refresh_in_batches_gives_each_athlete_the_whole_historys_decision(
    database: Database,
) -> None:
    first = alice(database, seed_injury(), SEED_START)
    live(database, first, 15)
    tomorrow = SEED_START + dt.timedelta(days=15)
    assert refresh.refresh_all(database, today=tomorrow) == 1
    row = kept(database, first)
    assert row is not None and row.day == tomorrow
    assert row.checkpoint_day == tomorrow - dt.timedelta(days=1)  # resumed, and kept again
    assert Decision.model_validate_json(row.decision) == replayed(database, first, tomorrow)
    assert refresh.refresh_all(database, today=tomorrow) == 1  # current already: untouched
