"""Simulated runners who follow the plan, shared by the engine tests (built once per run)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from restride.domain.case import Case, CheckIn, Session
from restride.domain.decide import as_of
from restride.simulation import Simulation, simulate
from tests.builders import START, day, make_checkin, make_injury

if TYPE_CHECKING:
    from collections.abc import Callable

    from restride.domain.protocol import Protocol


@pytest.fixture(scope="session")
def bone_runner(protocol: Protocol) -> Simulation:
    """A 4th-metatarsal bone injury, pain-free from day 0: in maintenance by day ~196."""
    return simulate(protocol, make_injury(), START, 215)


@pytest.fixture(scope="session")
def tendon_runner(protocol: Protocol) -> Simulation:
    """An Achilles tendinopathy, pain-free from day 0, followed into the run program."""
    injury = make_injury(site="achilles", kind="tendon")
    return simulate(protocol, injury, START, 130)


def first_day(sim: Simulation, phase: str, week: int = 1) -> int:
    for index, decision in enumerate(sim.decisions):
        if decision.phase == phase and decision.week == week:
            return index
    raise AssertionError(f"the runner never reached {phase} week {week}")


def next_day(
    sim: Simulation,
    last: int,
    *,
    checkin: dict[str, Any] | None = None,
    change_sessions: Callable[[Session], Session] | None = None,
    add_sessions: list[Session] | None = None,
    extra_checkins: list[CheckIn] | None = None,
    events: list[Any] | None = None,
    today: int | None = None,
) -> Case:
    """The simulated case up to day `last`, then day `last + 1` as the test describes it."""
    base = as_of(sim.case, day(last))
    sessions = list(base.sessions)
    if change_sessions is not None:
        sessions = [change_sessions(s) if s.date == day(last) else s for s in sessions]
    checkins = list(base.checkins)
    if checkin is not None:
        checkins.append(make_checkin(last + 1, **checkin))
    checkins += extra_checkins or []
    return Case(
        today=day(today if today is not None else last + 1),
        program_start=base.program_start,
        protocol=base.protocol,
        injury=base.injury,
        checkins=checkins,
        sessions=sessions + (add_sessions or []),
        clinician_events=list(base.clinician_events) + (events or []),
    )


def with_fields(**changes: Any) -> Callable[[Session], Session]:
    def change(session: Session) -> Session:
        return session.model_copy(update=changes)

    return change
