"""The engine's memory, day after day: each class of unsafe decision a careful clinician found
on the days after a sign or around clinician events (RF-6..RF-9, RTR-8, RTR-9, PAIN-6, PAIN-7).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from restride.domain.case import ClinicianEvent
from restride.domain.decide import decide
from restride.domain.decision import Decision
from restride.simulation import as_prescribed, simulate
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
from tests.domain.conftest import first_day, next_day

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol
    from restride.simulation import Simulation

IMPACT = {"walk", "walk_run", "run", "functional", "test"}
LOADING = IMPACT | {"corrective"}


def rules_of(decision: Decision) -> list[str]:
    return [r.rule for r in decision.reasons]


def kinds_today(decision: Decision) -> set[str]:
    return {item.kind for item in decision.today}


def clear(n: int, reason: str = "seen in clinic", **fields: Any) -> ClinicianEvent:
    return ClinicianEvent(date=day(n), kind="clear", reason=reason, **fields)


def carry_on(
    protocol: Protocol,
    sim: Simulation,
    last: int,
    days: int,
    *,
    symptoms: Any = None,
    sessions: Any = None,
    events: dict[int, list[tuple[str, str]]] | None = None,
) -> Simulation:
    """The simulated runner's history up to day `last`, then `days` more days as scripted
    (script days count from `last + 1`)."""
    from restride.domain.decide import as_of

    history = as_of(sim.case, day(last))
    return simulate(
        protocol,
        history.injury,
        day(last + 1),
        days,
        symptoms=symptoms or (lambda _d, _l: {}),
        sessions=sessions or as_prescribed,
        events=events,
        history=history,
    )


# --- 1. A flag stands until answered (RF-6); night pain steps back (PAIN-6) ------------------


def test_an_urgent_sign_keeps_loading_stopped_on_the_days_after_it_is_gone(
    protocol: Protocol,
) -> None:
    checkins = [make_checkin(0, fever=True), *pain_free_checkins(1, 6)]
    decision = decide(protocol, make_case(6, checkins=checkins))
    assert (decision.action, decision.referral) == ("stop", "urgent")
    assert kinds_today(decision) == {"referral"}
    assert {"TS-RF-EMERGENCY", "TS-FLAG-STANDS"} <= set(rules_of(decision))


def test_a_clear_dated_on_or_after_the_sign_answers_it(protocol: Protocol) -> None:
    checkins = [make_checkin(0, bone_tenderness=True), *pain_free_checkins(1, 4)]
    before = decide(protocol, make_case(2, checkins=checkins[:3]))
    assert before.referral == "soon"
    seen = decide(protocol, make_case(4, checkins=checkins, events=[clear(3, "MRI: healing")]))
    assert seen.referral != "soon" and seen.action != "stop"
    assert [(f.rule, f.answered_on) for f in seen.flag_history] == [("TS-RF-BONE-TENDER", day(3))]


def test_night_pain_in_a_loading_phase_steps_back_and_refers(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 3) + 1
    decision = decide(protocol, next_day(bone_runner, walk, checkin={"night_pain": True}))
    assert (decision.action, decision.referral) == ("stop", "soon")
    assert decision.week == 2  # a step back, not only a stop (PAIN-6)
    assert "TS-RF-NIGHT-PAIN" in rules_of(decision)
    assert not LOADING & kinds_today(decision)


# --- 2. Clearances have a scope (RTR-9) -------------------------------------------------------


def test_a_sign_that_starts_after_a_clear_is_a_new_flag_with_its_full_urgency(
    protocol: Protocol,
) -> None:
    checkins = [
        make_checkin(0, bone_tenderness=True),
        *pain_free_checkins(1, 3),
        make_checkin(4, numbness=True),
    ]
    decision = decide(protocol, make_case(4, checkins=checkins, events=[clear(2)]))
    assert (decision.action, decision.referral) == ("stop", "urgent")
    assert decision.summary.startswith("Stop and get medical help today")
    assert "TS-REFERRAL-ANSWERED" not in rules_of(decision)
    assert kinds_today(decision) == {"referral"}


def test_a_clear_for_one_flag_leaves_the_others_standing(protocol: Protocol) -> None:
    checkins = [make_checkin(0, bone_tenderness=True, redness=True), *pain_free_checkins(1, 2)]
    only = clear(1, "tenderness checked", scope="flag", flag="TS-RF-BONE-TENDER")
    decision = decide(protocol, make_case(2, checkins=checkins, events=[only]))
    assert decision.referral == "soon"
    answered = {f.rule: f.answered_on for f in decision.flag_history}
    assert answered == {"TS-RF-BONE-TENDER": day(1), "TS-RF-REDNESS": None}


def test_at_a_high_risk_site_each_gate_needs_a_clearance_given_at_that_gate(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="navicular", kind="bone")
    runner = simulate(
        protocol,
        injury,
        START,
        90,
        events={0: [("clear", "MRI: navicular stress reaction")], 18: [("clear", "cleared")]},
    )
    corrective = next(i for i, d in enumerate(runner.decisions) if d.phase == "corrective")
    assert corrective == 18  # the clear given in rest opens rest's gate, that day
    # Eight weeks later the same clear does not open the gate to walking.
    end = runner.decisions[-1]
    assert end.phase == "corrective" and end.next is not None
    waiting = [u for u in end.next.unmet if u.rule == "TS-CLEARANCE"]
    assert waiting and end.next.earliest_date is None


def test_a_gate_clear_for_a_later_gate_does_not_open_todays(protocol: Protocol) -> None:
    injury = make_injury(site="navicular", kind="bone")
    events = [
        clear(0, "MRI: stress reaction"),
        clear(18, "cleared to walk", scope="gate", gate="walk"),
    ]
    checkins = pain_free_checkins(0, 20)
    given = decide(protocol, make_case(18, injury=injury, checkins=checkins[:19], events=events))
    scope = next(r for r in given.reasons if r.rule == "TS-CLEARANCE-SCOPE")
    assert "'walk' counts only when it is given at that gate" in scope.text
    later = decide(protocol, make_case(20, injury=injury, checkins=checkins, events=events))
    assert later.phase == "rest"


def test_a_clear_after_a_hold_releases_it(protocol: Protocol, bone_runner: Simulation) -> None:
    advance = first_day(bone_runner, "corrective", 2)
    hold = make_event(advance - 3, "hold", "wait for the follow-up MRI")
    cleared = make_event(advance, "clear", "MRI shows healing")
    decision = decide(
        protocol, next_day(bone_runner, advance - 1, checkin={}, events=[hold, cleared])
    )
    assert decision.action == "progress"
    assert "TS-CLINICIAN-HOLD" not in rules_of(decision)
    clear_reason = next(r for r in decision.reasons if r.rule == "TS-CLINICIAN-CLEAR")
    assert "the hold" in clear_reason.text


# --- 3. Today's plan follows today's symptoms -------------------------------------------------


def test_bone_pain_today_means_no_impact_item_today(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 3)
    for field in ("pain_walking", "pain_rest", "pain_next_morning"):
        decision = decide(protocol, next_day(bone_runner, walk, checkin={field: 1}))
        assert not IMPACT & kinds_today(decision), field
        assert "TS-PAIN-TODAY" in rules_of(decision)
        assert decision.action in ("hold", "regress")


# --- 4. Flares are graded (PAIN-7) --------------------------------------------------------------


def test_a_severe_bone_flare_stops_impact_for_days_steps_back_two_weeks_and_refers(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 4)
    after = carry_on(
        protocol,
        bone_runner,
        walk,
        8,
        sessions=lambda d, item: {"pain_during": 6} if d == 0 else {},
        events={3: [("clear", "X-ray and exam: no fracture")]},
    )
    flared = after.decisions[1]
    assert (flared.action, flared.referral, flared.week) == ("stop", "soon", 2)
    assert "TS-FLARE-SEVERE" in rules_of(flared)
    for decision in after.decisions[1:6]:  # five days without impact, cleared or not
        assert not IMPACT & kinds_today(decision), decision.date
    assert after.decisions[4].referral != "soon"  # the visit on day 3 answered it


def test_a_second_flare_within_four_weeks_counts_as_severe(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 4)

    def twice(d: int, item: Any) -> dict[str, Any] | None:
        return {"pain_during": 1} if d in (0, 9) and item.kind == "walk" else {}

    after = carry_on(protocol, bone_runner, walk, 12, sessions=twice)
    first = after.decisions[1]
    assert first.action == "regress" and first.referral not in ("soon", "urgent")
    second = next(d for d in after.decisions[2:] if d.action in ("regress", "stop"))
    assert (second.action, second.referral) == ("stop", "soon")
    assert any("a second flare" in r.text for r in second.reasons if r.rule == "TS-FLARE-SEVERE")


# --- 5. Under-triage closed (RF-4, RF-7, RF-9) ------------------------------------------------


def test_a_femoral_neck_injury_is_urgent_and_strictly_non_weight_bearing(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="femoral_neck", kind="unknown")
    decision = decide(protocol, make_case(0, injury=injury, checkins=[make_checkin(0)]))
    assert (decision.action, decision.referral) == ("stop", "urgent")
    assert [i.rule for i in decision.today] == ["TS-RF-FEMORAL-NECK", "TS-NWB"]


def test_a_navicular_injury_is_non_weight_bearing_until_a_doctor_has_seen_it(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="navicular", kind="bone")
    before = decide(protocol, make_case(1, injury=injury, checkins=pain_free_checkins(0, 1)))
    assert before.referral == "soon"
    assert before.today[1].rule == "TS-NWB"
    assert not any(i.rule == "TS-OFFLOAD" for i in before.today)
    seen = decide(
        protocol,
        make_case(2, injury=injury, checkins=pain_free_checkins(0, 2), events=[clear(2)]),
    )
    assert "TS-NWB" not in {i.rule for i in seen.today}


def test_walking_pain_out_of_proportion_is_at_least_soon(protocol: Protocol) -> None:
    injury = make_injury(site="achilles", kind="tendon")
    decision = decide(
        protocol, make_case(0, injury=injury, checkins=[make_checkin(0, pain_walking=7)])
    )
    assert decision.referral == "soon"
    assert "TS-RF-PAIN-PROPORTION" in rules_of(decision)


def test_six_weeks_without_leaving_offload_or_rest_refers_again(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 44, pain_walking=1)
    day41 = decide(protocol, make_case(41, checkins=checkins[:42], events=[clear(0)]))
    assert day41.referral != "soon"
    day42 = decide(protocol, make_case(44, checkins=checkins, events=[clear(0)]))
    assert (day42.action, day42.referral) == ("stop", "soon")
    reason = next(r for r in day42.reasons if r.rule == "TS-FAILURE-TO-PROGRESS")
    assert "days without moving on to loading" in reason.text


# --- 6. Every session is judged ---------------------------------------------------------------


def test_cross_training_that_hurts_at_a_bone_site_is_a_flare(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    corrective = first_day(bone_runner, "corrective", 3) + 1
    swim = make_session(
        corrective, "cross_training", phase="corrective", activity="swimming", pain_during=2
    )
    decision = decide(protocol, next_day(bone_runner, corrective, checkin={}, add_sessions=[swim]))
    assert decision.action == "regress"
    assert "TS-FLARE-BONE" in rules_of(decision)


def test_a_session_the_phase_forbids_is_a_warning_with_its_reason(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 5)
    swim = make_session(5, "cross_training", phase="rest", activity="swimming")
    run = make_session(5, "run", phase="rest", run_min=10)
    decision = decide(protocol, make_case(5, checkins=checkins, sessions=[swim, run]))
    off_plan = [w for w in decision.warnings if w.rule == "TS-OFF-PLAN"]
    assert len(off_plan) == 1
    assert "swimming session logged on 2026-03-07: Not yet" in off_plan[0].text
    assert "run session logged on 2026-03-07: Rest does not include it" in off_plan[0].text


def test_the_same_item_logged_twice_on_one_day_counts_once(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 2)  # one walk logged on the week's first day

    def two_more_walks(d: int, item: Any) -> dict[str, Any] | None:
        return {} if item.kind != "walk" or d in (0, 1) else None

    after = carry_on(protocol, bone_runner, walk, 9, sessions=two_more_walks)
    again = [s for s in after.case.sessions if s.kind == "walk" and s.date > day(walk)]
    assert len(again) == 2
    case = after.case.model_copy(update={"sessions": after.case.sessions + again})
    decision = decide(protocol, case)
    assert decision.week == 2  # three walk days, two of them logged twice, are three
    assert any("3 of 4 sessions" in r.text for r in decision.reasons)


# --- 7. No record is dropped silently ---------------------------------------------------------


def test_a_red_flag_checked_in_before_the_program_start_stands(protocol: Protocol) -> None:
    early = make_checkin(-2, fever=True)
    decision = decide(protocol, make_case(1, checkins=[early, *pain_free_checkins(0, 1)]))
    assert decision.referral == "urgent"


def test_a_hold_given_before_the_program_start_stands(protocol: Protocol) -> None:
    hold = make_event(-1, "hold", "no progress until the MRI")
    decision = decide(protocol, make_case(2, checkins=pain_free_checkins(0, 2), events=[hold]))
    assert decision.phase == "offload" and decision.action == "hold"


def test_a_pre_start_check_in_never_counts_towards_a_streak(protocol: Protocol) -> None:
    checkins = [make_checkin(-1), *pain_free_checkins(0, 1)]
    assert decide(protocol, make_case(1, checkins=checkins)).phase == "offload"


def test_a_hold_after_a_release_on_the_same_day_stands(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 2)
    release = make_event(1, "release_hold", "fine")
    hold = make_event(1, "hold", "on second thoughts, wait for the MRI")
    held = decide(protocol, make_case(2, checkins=checkins, events=[release, hold]))
    assert held.action == "hold" and held.phase == "offload"
    released = decide(protocol, make_case(2, checkins=checkins, events=[hold, release]))
    assert released.phase == "rest"


def test_events_with_times_apply_in_time_order(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 2)
    hold = make_event(1, "hold", "wait").model_copy(update={"time": dt.time(15)})
    release = make_event(1, "release_hold", "fine").model_copy(update={"time": dt.time(9)})
    decision = decide(protocol, make_case(2, checkins=checkins, events=[hold, release]))
    assert decision.action == "hold"


# --- 8. Gaps step back (RTR-8) ----------------------------------------------------------------


def test_two_weeks_without_walks_step_back_a_week_per_week_missed(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    walk = first_day(bone_runner, "walk", 4)
    away = carry_on(
        protocol, bone_runner, walk, 24, sessions=lambda d, item: None if d < 20 else {}
    )
    at14 = away.decisions[13]  # the 14th day since the last walk (logged on day `walk`)
    assert (at14.action, at14.week) == ("regress", 2)
    gap = next(r for r in at14.reasons if r.rule == "TS-GAP")
    assert "(14 days)" in gap.text and "week 4 → week 2" in gap.text
    at21 = away.decisions[20]
    assert at21.week == 1  # another week missed, never past the start
    assert all(d.phase == "walk" for d in away.decisions)


# --- 9. The site decides the tissue (RF-8) ----------------------------------------------------


def test_a_bone_site_recorded_as_tendon_keeps_the_bone_rules(protocol: Protocol) -> None:
    injury = make_injury(site="metatarsal_2_shaft", kind="tendon")
    as_bone = make_injury(site="metatarsal_2_shaft", kind="bone")
    checkins = pain_free_checkins(0, 30)
    tendon = decide(protocol, make_case(30, injury=injury, checkins=checkins))
    bone = decide(protocol, make_case(30, injury=as_bone, checkins=checkins))
    assert "TS-SITE-IS-BONE" in rules_of(tendon)
    assert (tendon.phase, tendon.week, tendon.action) == (bone.phase, bone.week, bone.action)
    assert [i.kind for i in tendon.today] == [i.kind for i in bone.today]


# --- 10. Reasons a runner can read ------------------------------------------------------------


def test_an_answered_flag_says_seen_and_not_see_a_doctor(protocol: Protocol) -> None:
    checkins = pain_free_checkins(0, 3, bone_tenderness=True)
    decision = decide(protocol, make_case(3, checkins=checkins, events=[clear(2)]))
    assert "TS-RF-BONE-TENDER" not in rules_of(decision)
    seen = next(r for r in decision.reasons if r.rule == "TS-REFERRAL-ANSWERED")
    assert (
        "pain when pressing on the bone since 2026-03-02: seen on 2026-03-04" in seen.text.lower()
    )


def test_each_rule_is_said_once_a_day(protocol: Protocol, bone_runner: Simulation) -> None:
    for decision in bone_runner.decisions[::7]:
        rules = rules_of(decision)
        assert len(rules) == len(set(rules)), decision.date


def test_a_runner_who_shares_is_told_their_therapist_can_see_the_record(
    protocol: Protocol,
) -> None:
    case = make_case(2, checkins=pain_free_checkins(0, 2))
    alone = decide(protocol, case)
    assert alone.referral == "routine" and "TS-THERAPIST" in rules_of(alone)
    shared = decide(protocol, case.model_copy(update={"shared_with": ["Bob Physio"]}))
    assert shared.referral == "none"
    assert "TS-THERAPIST" not in rules_of(shared)
    told = next(r for r in shared.reasons if r.rule == "TS-THERAPIST-SHARED")
    assert "Bob Physio" in told.text


# --- The promise: a compliant runner starts each phase on the day `next` gave ---------------


def test_the_pain_free_runner_starts_each_phase_on_the_day_next_promised(
    bone_runner: Simulation,
) -> None:
    decisions = bone_runner.decisions
    starts = [i for i in range(1, len(decisions)) if decisions[i].phase != decisions[i - 1].phase]
    assert len(starts) == 5
    for start in starts:
        promised = decisions[start - 1].next
        assert promised is not None
        assert promised.earliest_date == decisions[start].date, decisions[start].phase


def test_a_blocked_run_spike_keeps_the_week_from_moving_on(
    protocol: Protocol, bone_runner: Simulation
) -> None:
    advance = first_day(bone_runner, "run", 3)
    spike = make_session(advance - 1, "run", phase="run", done_min=20, run_min=20)
    decision = decide(
        protocol, next_day(bone_runner, advance - 1, checkin={}, add_sessions=[spike])
    )
    assert (decision.week, decision.action) == (2, "continue")
    assert "TS-SPIKE-BLOCK" in rules_of(decision)
