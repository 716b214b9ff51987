"""Runners walked through the whole program day by day, as the seed's runner C would live it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from restride.simulation import (
    SEED_DOCTOR_VISIT,
    Simulation,
    as_prescribed,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from tests.builders import START
from tests.domain.conftest import first_day

if TYPE_CHECKING:
    from restride.domain.decision import Decision
    from restride.domain.protocol import Protocol

PHASES = ["offload", "rest", "corrective", "walk", "run", "maintain"]
SEEN_BY_DOCTOR = SEED_DOCTOR_VISIT
runner_c = seed_runner_symptoms


def phase_starts(sim: Simulation) -> dict[str, int]:
    starts: dict[str, int] = {}
    for index, decision in enumerate(sim.decisions):
        starts.setdefault(decision.phase, index)
    return starts


def assert_never_runs_before_the_run_phase(sim: Simulation) -> None:
    for decision in sim.decisions:
        if decision.phase not in ("run", "maintain"):
            assert not {"run", "walk_run"} & {i.kind for i in decision.today}, decision.date


@pytest.fixture(scope="module")
def full_recovery(protocol: Protocol) -> Simulation:
    return simulate(protocol, seed_injury(), START, 230, symptoms=runner_c, events=SEEN_BY_DOCTOR)


def test_runner_c_recovers_through_every_phase_in_order_in_no_less_than_28_weeks(
    full_recovery: Simulation,
) -> None:
    starts = phase_starts(full_recovery)
    assert list(starts) == PHASES
    assert starts["maintain"] >= 28 * 7
    assert starts["corrective"] >= 14
    assert starts["walk"] - starts["corrective"] >= 56
    assert starts["run"] - starts["walk"] >= 42
    assert starts["maintain"] - starts["run"] >= 84
    assert_never_runs_before_the_run_phase(full_recovery)


def test_runner_c_is_sent_to_a_doctor_on_day_one_and_the_visit_answers_it(
    full_recovery: Simulation,
) -> None:
    first = full_recovery.decisions[0]
    assert (first.phase, first.action, first.referral) == ("offload", "stop", "soon")
    after_visit = full_recovery.decisions[5]
    assert after_visit.referral == "none"
    assert after_visit.action == "hold"  # still tender: nothing moves on


def test_runner_c_stays_on_crutches_until_walking_is_pain_free_without_a_limp(
    full_recovery: Simulation,
) -> None:
    starts = phase_starts(full_recovery)
    assert starts["rest"] == 12  # three clean check-ins: days 10, 11 and 12


def test_every_decision_of_the_recovery_carries_reasons_with_sources(
    full_recovery: Simulation,
) -> None:
    for decision in full_recovery.decisions:
        assert decision.reasons
        for reason in decision.reasons:
            assert reason.rule and reason.step and reason.evidence and reason.text


def test_a_flare_in_the_run_program_steps_back_and_delays_maintenance(
    protocol: Protocol, full_recovery: Simulation
) -> None:
    flare_day = first_day(full_recovery, "run", 4) + 2  # run week 4, second run

    def sore_once(day: int, item: Any) -> dict[str, Any] | None:
        if day == flare_day and item.kind == "walk_run":
            return {"pain_during": 2, "pain_after": 1}
        return as_prescribed(day, item)

    sim = simulate(
        protocol,
        seed_injury(),
        START,
        245,
        symptoms=runner_c,
        sessions=sore_once,
        events=SEEN_BY_DOCTOR,
    )
    after = sim.decisions[flare_day + 1]
    assert (after.phase, after.week, after.action) == ("run", 3, "regress")
    assert "TS-FLARE-BONE" in [r.rule for r in after.reasons]
    starts = phase_starts(sim)
    # Back one week, a rest day, and no flare for four weeks before the phase can end.
    assert starts["maintain"] >= phase_starts(full_recovery)["maintain"] + 8
    assert_never_runs_before_the_run_phase(sim)


def test_a_red_flag_mid_way_stops_everything_until_it_is_seen_and_gone(
    protocol: Protocol, full_recovery: Simulation
) -> None:
    walk3 = first_day(full_recovery, "walk", 3) + 1  # the second day of walk week 3

    def tender_in_walk_week_3(day: int, last: Decision | None) -> dict[str, Any] | None:
        if walk3 <= day < walk3 + 6:
            return {"bone_tenderness": True, "pain_walking": 1}
        return runner_c(day, last)

    events = {**SEEN_BY_DOCTOR, walk3 + 3: [("clear", "X-ray and exam: no new fracture")]}
    sim = simulate(
        protocol, seed_injury(), START, 245, symptoms=tender_in_walk_week_3, events=events
    )
    for offset in range(3):
        decision = sim.decisions[walk3 + offset]
        assert (decision.action, decision.referral) == ("stop", "soon")
        assert not {"walk", "test"} & {i.kind for i in decision.today}
    seen = sim.decisions[walk3 + 4]
    assert (seen.referral, seen.action) == ("none", "hold")
    weeks = [d.week for d in sim.decisions[walk3 : walk3 + 6]]
    assert weeks == [3] * 6
    assert phase_starts(sim)["run"] > phase_starts(full_recovery)["run"]


def test_a_week_without_check_ins_holds_and_delays_the_next_phase(
    protocol: Protocol, full_recovery: Simulation
) -> None:
    gap = first_day(full_recovery, "corrective", 3) + 1

    def away_for_a_week(day: int, last: Decision | None) -> dict[str, Any] | None:
        if gap <= day < gap + 7:
            return None
        return runner_c(day, last)

    sim = simulate(
        protocol, seed_injury(), START, 230, symptoms=away_for_a_week, events=SEEN_BY_DOCTOR
    )
    for decision in sim.decisions[gap : gap + 7]:
        assert decision.action == "hold"
        assert "TS-MISSING-CHECKIN" in [r.rule for r in decision.reasons]
        assert decision.week == 3
    assert phase_starts(sim)["walk"] > phase_starts(full_recovery)["walk"]
