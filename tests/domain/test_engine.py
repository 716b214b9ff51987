"""The engine's rules, one behaviour at a time (PAIN-2..5, RTR-1..5, LOAD-1, steps 1-10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from restride.domain.decide import decide
from tests.builders import (
    day,
    make_case,
    make_checkin,
    make_event,
    make_injury,
    make_session,
    pain_free_checkins,
)
from tests.domain.conftest import first_day, next_day, with_fields

if TYPE_CHECKING:
    from restride.domain.decision import Decision
    from restride.domain.protocol import Protocol
    from restride.simulation import Simulation


def rules_of(decision: Decision) -> list[str]:
    return [r.rule for r in decision.reasons]


def kinds_today(decision: Decision) -> list[str]:
    return [item.kind for item in decision.today]


# --- Step 1: offload ---------------------------------------------------------------------------


def test_offload_ends_after_three_pain_free_check_ins_without_a_limp(protocol: Protocol) -> None:
    decision = decide(protocol, make_case(2, checkins=pain_free_checkins(0, 2)))
    assert decision.phase == "rest"
    assert decision.action == "progress"
    assert "TS-PHASE-UP" in rules_of(decision)


def test_a_limp_keeps_the_runner_on_crutches(protocol: Protocol) -> None:
    checkins = [make_checkin(0), make_checkin(1, limp=True), make_checkin(2)]
    decision = decide(protocol, make_case(2, checkins=checkins))
    assert decision.phase == "offload"
    assert decision.next is not None
    assert decision.next.unmet[0].status == "1 of 3 days in a row"


def test_walking_pain_that_was_not_asked_never_counts_as_pain_free(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 2, pain_walking=None)
    assert decide(protocol, make_case(2, checkins=checkins)).phase == "offload"


# --- Steps 2, 6, 10: rest, and no hurry ------------------------------------------------------


def test_rest_lasts_at_least_fourteen_days_from_the_program_start(protocol: Protocol) -> None:
    day13 = decide(protocol, make_case(13, checkins=pain_free_checkins(0, 13)))
    assert day13.phase == "rest"
    assert day13.next is not None and day13.next.phase == "corrective"
    assert day13.next.earliest_date == day(14)
    assert [u.rule for u in day13.next.unmet] == ["TS-REST-MIN"]
    assert "TS-NO-HURRY" in rules_of(day13)
    day14 = decide(protocol, make_case(14, checkins=pain_free_checkins(0, 14)))
    assert (day14.phase, day14.action) == ("corrective", "progress")


def test_rest_goes_on_until_movement_has_been_pain_free_for_ten_days(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 20)
    checkins[12] = make_checkin(12, pain_walking=1)
    decision = decide(protocol, make_case(20, checkins=checkins))
    assert decision.phase == "rest"
    assert decision.next is not None
    assert decision.next.earliest_date == day(22)


def test_no_exercise_and_no_cross_training_during_the_two_weeks_off(protocol: Protocol) -> None:
    decision = decide(protocol, make_case(5, checkins=pain_free_checkins(0, 5)))
    assert decision.phase == "rest"
    assert {c.activity for c in decision.cross_training} == {"swimming", "elliptical", "cycling"}
    assert not any(c.allowed for c in decision.cross_training)
    assert "rest" in kinds_today(decision)


# --- Missing check-ins --------------------------------------------------------------------------


def test_a_missing_check_in_holds_and_says_so(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 9)
    decision = decide(protocol, make_case(10, checkins=checkins))
    assert decision.action == "hold"
    missing = next(r for r in decision.reasons if r.rule == "TS-MISSING-CHECKIN")
    assert "2026-03-12" in missing.text


def test_a_missing_day_restarts_every_pain_free_streak(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 9) + pain_free_checkins(11, 14)
    decision = decide(protocol, make_case(14, checkins=checkins))
    assert decision.phase == "rest"
    streak = next(u for u in decision.next.unmet if u.rule == "TS-REST-EXIT")  # type: ignore[union-attr]
    assert streak.status == "4 of 10 days in a row"


# --- Pain: ceilings, rising pain, soreness rules ------------------------------------------------


def test_any_pain_at_a_bone_injury_holds_a_loading_phase(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    start = first_day(bone_runner, "corrective", 2)
    case = next_day(bone_runner, start + 2, checkin={"pain_walking": 1})
    decision = decide(protocol, case)
    assert decision.action == "hold"
    assert {"TS-PAIN-CEILING", "TS-BONE-CEILING"} <= set(rules_of(decision))


def test_rising_pain_holds_the_week_that_was_due_to_advance(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    advance = first_day(tendon_runner, "walk", 3)
    case = next_day(tendon_runner, advance - 1, checkin={"pain_walking": 3})
    decision = decide(protocol, case)
    assert decision.week == 2
    assert decision.action == "hold"
    rising = next(r for r in decision.reasons if r.rule == "TS-RISING-PAIN")
    assert "Walking pain went from 0 to 3" in rising.text


def test_pain_changes_under_two_points_are_noise_for_soft_tissue(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    advance = first_day(tendon_runner, "walk", 3)
    case = next_day(tendon_runner, advance - 1, checkin={"pain_walking": 1})
    decision = decide(protocol, case)
    assert (decision.week, decision.action) == (3, "progress")


def test_warm_up_soreness_that_settles_means_repeat_not_advance(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    advance = first_day(tendon_runner, "walk", 3)
    last_walk = advance - 2  # day 6 of the week; day 7 is a rest day
    base = next_day(
        tendon_runner, last_walk, checkin={}, change_sessions=with_fields(warmup_soreness="settled")
    )
    decision = decide(protocol, base)
    assert "TS-SORE-SETTLED" in rules_of(decision)
    on_due_day = base.model_copy(
        update={"today": day(advance), "checkins": [*base.checkins, make_checkin(advance)]}
    )
    assert decide(protocol, on_due_day).week == 2


def test_soreness_that_persists_means_two_days_off_and_one_level_down(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    walk = first_day(tendon_runner, "walk", 3) + 1
    case = next_day(
        tendon_runner, walk, checkin={}, change_sessions=with_fields(warmup_soreness="persisted")
    )
    decision = decide(protocol, case)
    assert (decision.action, decision.week) == ("regress", 2)
    assert "TS-SORE-PERSISTED" in rules_of(decision)
    assert "walk" not in kinds_today(decision)
    second = case.model_copy(
        update={"today": day(walk + 2), "checkins": [*case.checkins, make_checkin(walk + 2)]}
    )
    assert "walk" not in kinds_today(decide(protocol, second))
    assert "rest" in kinds_today(decide(protocol, second))


def test_soreness_afterwards_means_a_day_off_then_repeat(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    walk = first_day(tendon_runner, "walk", 3) + 1
    case = next_day(tendon_runner, walk, checkin={}, change_sessions=with_fields(pain_after=5))
    decision = decide(protocol, case)
    assert decision.action == "hold"
    assert decision.week == 3
    assert "TS-SORE-AFTER" in rules_of(decision)
    assert "walk" not in kinds_today(decision)


def test_next_morning_pain_above_the_day_before_counts_as_soreness(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    walk = first_day(tendon_runner, "walk", 3) + 1
    decision = decide(protocol, next_day(tendon_runner, walk, checkin={"pain_next_morning": 1}))
    assert "TS-SORE-AFTER" in rules_of(decision)


def test_amber_pain_that_settles_by_morning_still_counts(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    walk = first_day(tendon_runner, "walk", 3) + 1
    case = next_day(tendon_runner, walk, checkin={}, change_sessions=with_fields(pain_during=4))
    decision = decide(protocol, case)
    assert "TS-AMBER" in rules_of(decision)
    assert decision.action in ("continue", "progress")


def test_red_band_pain_during_a_session_steps_back(
    protocol: Protocol, tendon_runner: Simulation
) -> None:
    walk = first_day(tendon_runner, "walk", 3) + 1
    case = next_day(tendon_runner, walk, checkin={}, change_sessions=with_fields(pain_during=6))
    assert decide(protocol, case).action == "regress"


def test_bone_pain_during_a_run_steps_back_one_week_with_a_rest_day(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    run = first_day(bone_runner, "run", 4)
    case = next_day(bone_runner, run, checkin={}, change_sessions=with_fields(pain_during=1))
    decision = decide(protocol, case)
    assert (decision.phase, decision.week, decision.action) == ("run", 3, "regress")
    assert "TS-FLARE-BONE" in rules_of(decision)
    assert not {"walk_run", "run"} & set(kinds_today(decision))


def test_bone_pain_the_morning_after_a_run_steps_back_too(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    run = first_day(bone_runner, "run", 4)
    decision = decide(protocol, next_day(bone_runner, run, checkin={"pain_next_morning": 1}))
    assert (decision.week, decision.action) == (3, "regress")


def test_activity_pain_in_the_check_in_alone_is_enough_to_step_back_at_a_bone(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    run = first_day(bone_runner, "run", 4) + 1
    decision = decide(protocol, next_day(bone_runner, run, checkin={"pain_activity": 1}))
    assert decision.action == "regress"


# --- LOAD-1: single-run spikes ------------------------------------------------------------------


def test_a_run_over_thirty_percent_longer_than_the_longest_in_thirty_days_blocks(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    rest_day = first_day(bone_runner, "run", 2) + 1  # program-week day 2: no run planned
    extra = make_session(rest_day, "run", phase="run", done_min=20, run_min=20)
    case = next_day(bone_runner, rest_day, checkin={}, add_sessions=[extra])
    decision = decide(protocol, case)
    block = next(r for r in decision.reasons if r.rule == "TS-SPIKE-BLOCK")
    assert "20 min of running vs 13 min" in block.text


def test_a_run_ten_to_thirty_percent_longer_is_a_warning_only(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    rest_day = first_day(bone_runner, "run", 2) + 1
    extra = make_session(rest_day, "run", phase="run", done_min=15, run_min=14.5)
    decision = decide(protocol, next_day(bone_runner, rest_day, checkin={}, add_sessions=[extra]))
    assert [w.rule for w in decision.warnings] == ["TS-SPIKE-WARN"]
    assert "TS-SPIKE-BLOCK" not in rules_of(decision)


# --- Clinician events ---------------------------------------------------------------------------


def test_a_clinician_hold_stops_progress_until_released(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    advance = first_day(bone_runner, "corrective", 2)
    hold = make_event(advance - 3, "hold", "wait for the follow-up MRI")
    held = decide(protocol, next_day(bone_runner, advance - 1, checkin={}, events=[hold]))
    assert (held.week, held.action) == (1, "hold")
    reason = next(r for r in held.reasons if r.rule == "TS-CLINICIAN-HOLD")
    assert "wait for the follow-up MRI" in reason.text
    release = make_event(advance, "release_hold", "MRI shows healing")
    case = next_day(bone_runner, advance - 1, checkin={}, events=[hold, release])
    assert decide(protocol, case).action == "progress"


def test_a_high_risk_site_waits_for_clearance_before_each_loading_phase(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="navicular", kind="bone")
    seen = make_event(0, "clear", "MRI: navicular stress reaction; offload")
    waiting = decide(
        protocol, make_case(20, injury=injury, checkins=pain_free_checkins(0, 20), events=[seen])
    )
    assert waiting.phase == "rest"
    assert waiting.next is not None and waiting.next.earliest_date is None
    assert "TS-CLEARANCE" in [u.rule for u in waiting.next.unmet]
    cleared = make_event(18, "clear", "cleared for corrective work")
    case = make_case(20, injury=injury, checkins=pain_free_checkins(0, 20), events=[seen, cleared])
    assert decide(protocol, case).phase == "corrective"


def test_a_recent_clinician_note_is_shown(protocol: Protocol) -> None:
    note = make_event(1, "note", "Keep the boot on outdoors")
    decision = decide(protocol, make_case(2, checkins=pain_free_checkins(0, 2), events=[note]))
    assert any("Keep the boot on outdoors" in r.text for r in decision.reasons)
    assert decision.referral == "none"


# --- Setbacks -----------------------------------------------------------------------------------


def test_a_limp_on_two_check_ins_sends_the_runner_back_to_crutches(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    start = first_day(bone_runner, "corrective", 3)
    once = decide(protocol, next_day(bone_runner, start, checkin={"limp": True}))
    assert once.phase == "corrective"
    twice = next_day(
        bone_runner,
        start,
        checkin={"limp": True},
        extra_checkins=[make_checkin(start + 2, limp=True)],
        today=start + 2,
    )
    decision = decide(protocol, twice)
    assert (decision.phase, decision.action) == ("offload", "regress")
    assert "TS-LIMP-SETBACK" in rules_of(decision)


# --- What each phase prescribes -----------------------------------------------------------------


def test_corrective_allows_swimming_but_not_the_elliptical(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    decision = bone_runner.decisions[first_day(bone_runner, "corrective", 2)]
    allowed = {c.activity: c.allowed for c in decision.cross_training}
    assert allowed == {"swimming": True, "cycling": True, "elliptical": False}


def test_the_walk_run_program_starts_with_twelve_one_minute_runs(bone_runner: Simulation) -> None:
    decision = bone_runner.decisions[first_day(bone_runner, "run", 1)]
    run = next(item for item in decision.today if item.kind == "walk_run")
    assert run.intervals is not None
    assert (run.intervals.run_min, run.intervals.total_min) == (12, 46)


def test_minimalist_minutes_begin_only_in_maintenance_week_three(bone_runner: Simulation) -> None:
    for decision in bone_runner.decisions:
        for item in decision.today:
            if item.minimalist_min:
                assert (decision.phase, decision.week >= 3) == ("maintain", True)
    third = bone_runner.decisions[first_day(bone_runner, "maintain", 3)]
    assert [i.minimalist_min for i in third.today if i.kind == "run"] == [5]


def test_criterion_tests_are_offered_when_due(bone_runner: Simulation) -> None:
    week4 = bone_runner.decisions[first_day(bone_runner, "walk", 4)]
    assert "test-brisk-walk-30" in [i.test for i in week4.today]
    week6 = bone_runner.decisions[first_day(bone_runner, "walk", 6)]
    assert {"test-hop-10"} <= {i.test for i in week6.today}


def test_a_decision_as_of_an_earlier_day_ignores_what_came_later(protocol: Protocol) -> None:
    checkins = [*pain_free_checkins(0, 2), make_checkin(3, fever=True)]
    case = make_case(3, checkins=checkins)
    assert decide(protocol, case, day(2)) == decide(protocol, make_case(2, checkins=checkins[:3]))
    assert decide(protocol, case).referral == "urgent"
