"""Today's decision and the plan ahead from the stored history: the same answers the engine
gives for the same case, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from restride.domain.case import Case, Injury
from restride.domain.decide import decide
from restride.services import athletes, checkins, decisions, sessions, sharing
from restride.services.errors import NotFoundError
from restride.simulation import (
    SEED_DOCTOR_VISIT,
    SEED_START,
    Simulation,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from restride.storage.database import Database
from tests.builders import (
    START,
    day,
    make_case,
    make_checkin,
    make_event,
    make_injury,
    make_session,
    pain_free_checkins,
)

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol


def alice(db: Database, injury: Injury, program_start: dt.date) -> str:
    account = athletes.create_account(db, email="alice@example.org", name="Alice")
    athletes.start_episode(db, account.id, injury, program_start=program_start, today=program_start)
    return account.id


def store(db: Database, athlete: str, case: Case) -> None:
    """Write a case's history through the services, each day's entries on that day."""
    for checkin in case.checkins:
        checkins.record_checkin(db, athlete, checkin, today=checkin.date)
    for session in case.sessions:
        sessions.log_session(db, athlete, session, today=session.date)
    for event in case.clinician_events:
        sharing.record_clinician_event(db, athlete, event, today=event.date)


def without_ids(case: Case) -> Case:
    """The case as written: storage gives each clinician event its row's ID (for withdraws)."""
    events = [e.model_copy(update={"id": None}) for e in case.clinician_events]
    assert all(len(e.id or "") == 32 for e in case.clinician_events)
    return case.model_copy(update={"clinician_events": events})


def seed_runner(protocol: Protocol, days: int) -> Simulation:
    return simulate(
        protocol,
        seed_injury(),
        SEED_START,
        days,
        symptoms=seed_runner_symptoms,
        events=SEED_DOCTOR_VISIT,
    )


def test_todays_decision_is_the_engines_decision_for_the_stored_case(
    database: Database, protocol: Protocol
) -> None:
    case = make_case(
        30,
        checkins=[
            *pain_free_checkins(0, 9, pain_walking=2),
            *pain_free_checkins(10, 28),
            make_checkin(30, pain_next_morning=1),
        ],
        sessions=[make_session(n, "corrective", phase="corrective") for n in range(18, 30)],
        events=[make_event(4, "clear"), make_event(12, "note", "keep going")],
    )
    athlete = alice(database, case.injury, START)
    store(database, athlete, case)
    assert without_ids(decisions.stored_case(database, athlete, case.today)) == case
    assert decisions.todays_decision(database, athlete, today=case.today) == decide(protocol, case)


def test_history_after_today_is_left_out(database: Database, protocol: Protocol) -> None:
    case = make_case(20, checkins=pain_free_checkins(0, 20))
    athlete = alice(database, case.injury, START)
    store(database, athlete, case)
    earlier = make_case(12, checkins=pain_free_checkins(0, 12))
    assert decisions.todays_decision(database, athlete, today=day(12)) == decide(protocol, earlier)


@pytest.mark.parametrize("days", [80, 125])
def test_a_simulated_runner_living_through_the_services_gets_the_simulations_decisions(
    database: Database, protocol: Protocol, days: int
) -> None:
    simulation = seed_runner(protocol, days)
    history = simulation.case
    athlete = alice(database, history.injury, history.program_start)
    for index, expected in enumerate(simulation.decisions):
        today = SEED_START + dt.timedelta(days=index)
        # The runner's day: check in, note what the clinician said, ask, then train.
        for checkin in (c for c in history.checkins if c.date == today):
            checkins.record_checkin(database, athlete, checkin, today=today)
        for event in (e for e in history.clinician_events if e.date == today):
            sharing.record_clinician_event(database, athlete, event, today=today)
        if index % 10 == 0 or index == days - 1:
            assert decisions.todays_decision(database, athlete, today=today) == expected, index
        for session in (s for s in history.sessions if s.date == today):
            sessions.log_session(database, athlete, session, today=today)
    assert without_ids(decisions.stored_case(database, athlete, history.today)) == history


def test_a_stored_simulated_history_gives_the_simulations_last_decision(
    database: Database, protocol: Protocol
) -> None:
    simulation = seed_runner(protocol, 80)
    history = simulation.case
    athlete = alice(database, history.injury, history.program_start)
    store(database, athlete, history)
    today = decisions.todays_decision(database, athlete, today=history.today)
    assert today == simulation.decisions[-1]
    assert today.phase == "walk"


def test_only_the_latest_version_of_an_edited_check_in_counts(
    database: Database, protocol: Protocol
) -> None:
    simulation = seed_runner(protocol, 40)
    history = simulation.case
    athlete = alice(database, history.injury, history.program_start)
    store(database, athlete, history.model_copy(update={"checkins": history.checkins[:-1]}))
    today = history.today
    flare = history.checkins[-1].model_copy(update={"pain_walking": 6, "limp": True})
    checkins.record_checkin(database, athlete, flare, today=today)
    with_flare = decisions.todays_decision(database, athlete, today=today)
    assert with_flare == decide(
        protocol, history.model_copy(update={"checkins": [*history.checkins[:-1], flare]})
    )

    checkins.record_checkin(database, athlete, history.checkins[-1], today=today, edit=True)
    edited = decisions.todays_decision(database, athlete, today=today)
    assert edited == decide(protocol, history)
    assert edited != with_flare
    assert decisions.stored_case(database, athlete, today).checkins == history.checkins


def test_the_plan_ahead_lists_phases_in_order_and_never_runs_before_walking(
    database: Database, protocol: Protocol
) -> None:
    simulation = seed_runner(protocol, 25)
    history = simulation.case
    athlete = alice(database, history.injury, history.program_start)
    store(database, athlete, history)
    today = history.today
    plan = decisions.plan_ahead(database, athlete, today=today, weeks=20)

    assert plan.today == decisions.todays_decision(database, athlete, today=today)
    order = [p.id for p in protocol.phases]
    phases = list(plan.phase_starts)
    assert phases[0] == plan.today.phase
    assert plan.phase_starts[phases[0]] == today
    assert "walk" in phases
    assert "run" in phases
    assert plan.phase_starts["walk"] < plan.phase_starts["run"]
    assert [order.index(p) for p in phases] == sorted(order.index(p) for p in phases)
    starts = list(plan.phase_starts.values())
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)

    week_starts = [w.start for w in plan.weeks]
    assert week_starts == sorted(week_starts)
    assert week_starts[0] == today
    week_phases = [order.index(w.phase) for w in plan.weeks]
    assert week_phases == sorted(week_phases)
    for week in plan.weeks:
        assert week.start >= plan.phase_starts[week.phase]


def test_the_plan_ahead_from_the_first_day_goes_through_every_phase_in_order(
    database: Database, protocol: Protocol
) -> None:
    athlete = alice(database, make_injury(), START)
    checkins.record_checkin(database, athlete, make_checkin(0), today=START)
    plan = decisions.plan_ahead(database, athlete, today=START, weeks=30)
    order = [p.id for p in protocol.phases]
    assert list(plan.phase_starts) == [p for p in order if p in plan.phase_starts]
    assert {"walk", "run"} <= set(plan.phase_starts)
    assert plan.phase_starts["walk"] < plan.phase_starts["run"]


def test_a_decision_needs_an_active_episode(database: Database) -> None:
    athlete = alice(database, make_injury(), START)
    athletes.close_episode(database, athlete, today=day(3))
    with pytest.raises(NotFoundError, match="no active injury episode"):
        decisions.todays_decision(database, athlete, today=day(3))


def test_the_plan_answers_when_running_can_start_and_what_gates_it(
    database: Database, protocol: Protocol
) -> None:
    athlete = alice(database, make_injury(kind="unknown"), START)
    checkins.record_checkin(database, athlete, make_checkin(0), today=day(0))
    plan = decisions.plan_ahead(database, athlete, today=day(0), weeks=4)
    outlook = plan.outlook
    assert outlook is not None and not outlook.running
    # Running is further off than the four weeks of the plan: the outlook looks further.
    assert "run" not in plan.phase_starts
    lived = simulate(protocol, make_injury(kind="unknown"), START, 160)
    first_run = lived.first_day_of("run")
    assert first_run is not None
    assert outlook.earliest == START + dt.timedelta(days=first_run)
    assert [s.phase for s in outlook.steps] == ["offload", "rest", "corrective", "walk"]
    now = outlook.steps[0]
    assert now.current and now.gates and all(g.status for g in now.gates)
    walk = outlook.steps[-1]
    assert walk.start == START + dt.timedelta(days=lived.first_day_of("walk") or 0)
    assert any("hops" in g.text for g in walk.gates) and not any(g.status for g in walk.gates)


def test_once_running_the_outlook_says_so(database: Database, protocol: Protocol) -> None:
    lived = simulate(protocol, make_injury(kind="unknown"), START, 130)
    run_day = lived.first_day_of("run")
    assert run_day is not None
    athlete = alice(database, make_injury(kind="unknown"), START)
    case = lived.case
    store(
        database,
        athlete,
        case.model_copy(
            update={
                "checkins": [c for c in case.checkins if c.date <= day(run_day)],
                "sessions": [s for s in case.sessions if s.date < day(run_day)],
            }
        ),
    )
    outlook = decisions.plan_ahead(database, athlete, today=day(run_day), weeks=1).outlook
    assert outlook is not None and outlook.running and outlook.steps == []
