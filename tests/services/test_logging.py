"""Logging from today's items: one tap records the plan's minutes, no pain and a typical effort;
a test records its result; anything else is one form. On both databases."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from restride.domain.case import Case, CheckIn
from restride.domain.decide import as_of
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import checkins, decisions, sessions
from restride.services.errors import InvalidInputError, NotFoundError
from restride.services.sessions import ItemResult, OtherSession
from restride.simulation import PAIN_FREE, Simulation, pain_free, simulate
from restride.storage.database import Database
from tests.builders import START, make_injury
from tests.services.stored import athlete_with_history


@cache
def pain_free_runner(days: int) -> Simulation:
    return simulate(
        builtin_protocol(), make_injury(kind="unknown"), START, days, symptoms=pain_free
    )


def first_day(sim: Simulation, wanted: object) -> int:
    return next(i for i, d in enumerate(sim.decisions) if wanted(d))  # type: ignore[operator]


def runner_on(db: Database, sim: Simulation, index: int) -> tuple[str, dt.date]:
    """The simulated runner stored up to day `index`: that morning's check-in, nothing after."""
    day = START + dt.timedelta(days=index)
    case = Case.model_validate(as_of(sim.case, day).model_dump())
    case = case.model_copy(update={"sessions": [s for s in case.sessions if s.date < day]})
    return athlete_with_history(db, case), day


def walking_day(sim: Simulation) -> int:
    return first_day(sim, lambda d: d.phase == "walk" and any(i.kind == "walk" for i in d.today))


def keys(decision: Decision) -> list[str]:
    return [sessions.item_key(i) for i in decision.today]


def test_one_tap_done_logs_the_plans_minutes_no_pain_and_a_typical_effort(
    database: Database,
) -> None:
    sim = pain_free_runner(90)
    athlete, today = runner_on(database, sim, walking_day(sim))
    record = decisions.todays_record(database, athlete, today=today)
    walk = next(x for x in sessions.loggable_items(record) if x.key == "walk")
    assert not walk.done

    logged = sessions.log_item(database, athlete, "walk", ItemResult(), today=today)

    assert logged.session.kind == "walk" and logged.session.phase == "walk"
    assert logged.session.done_min == walk.item.minutes == logged.session.planned_min
    assert (logged.session.pain_during, logged.session.pain_after) == (0, 0)
    assert logged.session.rpe == sessions.TYPICAL_RPE["walk"]
    after = decisions.todays_record(database, athlete, today=today)
    assert next(x for x in sessions.loggable_items(after) if x.key == "walk").done
    assert logged.decision == after.decision


def test_how_it_went_is_kept_and_notes_travel_with_the_session(database: Database) -> None:
    sim = pain_free_runner(90)
    athlete, today = runner_on(database, sim, walking_day(sim))
    result = ItemResult(done_min=15, pain_during=2, pain_after=1, rpe=5, notes=" sore arch ")
    logged = sessions.log_item(database, athlete, "walk", result, today=today)
    stored = decisions.stored_case(database, athlete, today).sessions[-1]
    assert stored == logged.session
    assert (stored.done_min, stored.pain_during, stored.pain_after, stored.rpe) == (15, 2, 1, 5)
    assert stored.notes == "sore arch"


def test_a_due_test_records_its_result_and_counts_once_the_morning_after_is_pain_free(
    database: Database,
) -> None:
    sim = pain_free_runner(120)
    test_day = first_day(sim, lambda d: any(i.test == "test-brisk-walk-30" for i in d.today))
    athlete, today = runner_on(database, sim, test_day)
    key = "test:test-brisk-walk-30"
    assert key in keys(decisions.todays_decision(database, athlete, today=today))

    logged = sessions.log_item(database, athlete, key, ItemResult(), today=today)

    assert logged.session.kind == "test" and logged.session.test == "test-brisk-walk-30"
    assert logged.session.done_min == 30
    # The next morning's pain-free check-in makes it count: the test is no longer offered.
    tomorrow = today + dt.timedelta(days=1)
    checkins.record_checkin(database, athlete, CheckIn(date=tomorrow, **PAIN_FREE), today=tomorrow)
    next_day = decisions.todays_decision(database, athlete, today=tomorrow)
    assert key not in keys(next_day)
    assert next_day.next is not None
    assert not any("brisk walking" in u.text for u in next_day.next.unmet)


def test_a_walk_run_logs_its_running_minutes_from_the_intervals(database: Database) -> None:
    sim = pain_free_runner(130)
    run_day = first_day(sim, lambda d: any(i.kind == "walk_run" for i in d.today))
    athlete, today = runner_on(database, sim, run_day)
    item = next(i for i in sim.decisions[run_day].today if i.kind == "walk_run")
    assert item.intervals is not None

    logged = sessions.log_item(database, athlete, "walk_run", ItemResult(), today=today)

    assert logged.session.done_min == item.intervals.total_min
    assert logged.session.run_min == item.intervals.run_min
    # Stopped early: the running minutes cannot exceed what was done.
    again = ItemResult(done_min=5, run_min=12)
    short = sessions.log_item(database, athlete, "walk_run", again, today=today)
    assert short.session.run_min == 5


def test_an_item_not_on_todays_plan_is_refused_and_nothing_written(database: Database) -> None:
    sim = pain_free_runner(2)
    athlete, today = runner_on(database, sim, 1)
    with pytest.raises(NotFoundError, match="not on today's plan"):
        sessions.log_item(database, athlete, "walk_run", ItemResult(), today=today)
    assert decisions.stored_case(database, athlete, today).sessions == []


def test_something_else_is_logged_in_todays_phase_and_shown_apart(database: Database) -> None:
    sim = pain_free_runner(90)
    athlete, today = runner_on(database, sim, walking_day(sim))
    swim = OtherSession(
        kind="cross_training", done_min=30, pain_during=0, pain_after=0, notes="pool"
    )
    logged = sessions.log_other(database, athlete, swim, today=today)
    assert logged.session.phase == "walk" and logged.session.kind == "cross_training"
    record = decisions.todays_record(database, athlete, today=today)
    assert sessions.unplanned_today(record) == [logged.session]
    assert not any(x.done for x in sessions.loggable_items(record))


def test_something_else_cannot_be_a_test_or_a_copy_of_todays_care(database: Database) -> None:
    sim = pain_free_runner(2)
    athlete, today = runner_on(database, sim, 1)
    with pytest.raises(InvalidInputError, match="logged from today's plan"):
        sessions.log_other(
            database, athlete, OtherSession(kind="self_massage", done_min=10), today=today
        )
