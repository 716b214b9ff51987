"""Invariants of the engine's memory over random histories (Hypothesis): what must hold on
every day after a sign, a clearance, a flare or a gap, not only on the day itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from restride.domain.anatomy import SITES
from restride.domain.case import Case, CheckIn, ClinicianEvent, Session
from restride.domain.decide import as_of, decide, decide_day, decide_each_day
from restride.domain.engine import Replay
from restride.domain.memory import dump_checkpoint, load_checkpoint
from restride.domain.protocol import LOADING_KINDS, ClinicianClearance
from restride.domain.triage import LEVELS
from restride.simulation import PAIN_FREE, simulate
from tests.builders import START, make_injury
from tests.domain.test_properties import PROTOCOL, Knobs, knobs, position, random_case

IMPACT = {"walk", "walk_run", "run", "functional", "test"}
STICKY_SIGNS: list[tuple[dict[str, Any], str]] = [
    ({"fever": True}, "urgent"),
    ({"numbness": True}, "urgent"),
    ({"can_bear_weight": False}, "urgent"),
    ({"redness_spreading": True}, "urgent"),
    ({"pain_rest": 9}, "urgent"),
    ({"bone_tenderness": True}, "soon"),
    ({"night_pain": True}, "soon"),
    ({"redness": True}, "soon"),
    ({"pain_walking": 7}, "soon"),
]
BONE_SITES = [s for s in SITES if SITES[s].bone]
ACTION_RANK = {"stop": 0, "regress": 1, "hold": 2, "continue": 3, "progress": 4}

# A compliant bone runner, built once: later histories branch off it.
RUNNER = simulate(PROTOCOL, make_injury(), START, 200)


def level(referral: str) -> int:
    return LEVELS.index(referral)


def with_days(case: Case, days: int, **sign: Any) -> Case:
    """The case with `days` more pain-free check-ins; the first of them shows `sign`."""
    added = [
        CheckIn(
            date=case.today + dt.timedelta(days=n + 1),
            **{**PAIN_FREE, **(sign if n == 0 else {})},
        )
        for n in range(days)
    ]
    return case.model_copy(
        update={"today": case.today + dt.timedelta(days=days), "checkins": [*case.checkins, *added]}
    )


def without_clears_after(case: Case, day: dt.date) -> Case:
    events = [e for e in case.clinician_events if not (e.kind == "clear" and e.date >= day)]
    return case.model_copy(update={"clinician_events": events})


def loading_kinds(decision: Any) -> set[str]:
    return {item.kind for item in decision.today} & LOADING_KINDS


# --- 1. After a soon or urgent sign: no loading until a clear dated on or after it ----------


@given(knobs, st.sampled_from(STICKY_SIGNS), st.integers(1, 20))
def test_after_a_sign_that_needs_a_doctor_nothing_loads_until_a_clear(
    k: Knobs, sign: tuple[dict[str, Any], str], later: int
) -> None:
    fields, referral = sign
    # A clean day first: a sign that never went away since an earlier clear is not new.
    case = with_days(with_days(random_case(k), 1), later, **fields)
    signed = case.today - dt.timedelta(days=later - 1)
    decision = decide(PROTOCOL, without_clears_after(case, signed))
    assert decision.action == "stop"
    assert level(decision.referral) >= level(referral) or decision.referral == "urgent"
    assert not loading_kinds(decision)


# --- 2. A clear never answers a sign that starts after it -----------------------------------


@given(knobs, st.sampled_from(STICKY_SIGNS), st.integers(1, 10))
def test_a_clear_never_answers_a_sign_that_starts_after_it(
    k: Knobs, sign: tuple[dict[str, Any], str], gap: int
) -> None:
    fields, referral = sign
    base = random_case(k)
    cleared = base.model_copy(
        update={
            "clinician_events": [
                *base.clinician_events,
                ClinicianEvent(date=base.today, kind="clear", reason="seen"),
            ]
        }
    )
    quiet = with_days(cleared, gap)  # pain-free days after the clear
    signed = with_days(quiet, 1, **fields)
    decision = decide(PROTOCOL, signed)
    assert level(decision.referral) >= level(referral)
    assert decision.action == "stop"


@given(knobs.filter(lambda k: k.p_pain == 0.0), st.sampled_from(["navicular", "femoral_neck"]))
def test_at_a_high_risk_site_every_loading_gate_was_cleared_at_that_gate(
    k: Knobs, site: str
) -> None:
    case = random_case(k)
    case = case.model_copy(update={"injury": make_injury(site=site, kind="bone")})
    decision = decide(PROTOCOL, case)
    clears = [e.date for e in case.clinician_events if e.kind == "clear"]
    for span in decision.phase_history:
        if span.how_it_ended != "progress":
            continue
        phase = PROTOCOL.phases[PROTOCOL.phase_index(span.phase)]
        if any(isinstance(c, ClinicianClearance) for c in phase.exit):
            assert span.end is not None
            assert any(span.start <= c <= span.end + dt.timedelta(days=1) for c in clears)


# --- 3. Today's plan follows today's symptoms -----------------------------------------------


@given(
    st.integers(40, 199),
    st.sampled_from(["pain_rest", "pain_walking", "pain_next_morning"]),
    st.integers(1, 5),
)
def test_bone_pain_on_todays_check_in_means_no_impact_today(
    index: int, field: str, pain: int
) -> None:
    case = as_of(RUNNER.case, RUNNER.decisions[index].date)
    decision = decide(PROTOCOL, with_days(case, 1, **{field: pain}))
    assert not {item.kind for item in decision.today} & IMPACT


# --- 4. Severe flares: no impact for days, two stages back, a doctor ------------------------


@given(st.integers(0, 199), st.integers(6, 10))
def test_a_severe_bone_flare_steps_back_two_weeks_and_refers(index: int, pain: int) -> None:
    day = RUNNER.decisions[index]
    phase = PROTOCOL.phases[PROTOCOL.phase_index(day.phase)]
    assume(phase.loading and bool(phase.weeks))
    case = as_of(RUNNER.case, day.date)
    hurt = Session(date=day.date, phase=day.phase, kind="corrective", pain_during=pain)
    case = case.model_copy(update={"sessions": [*case.sessions, hurt]})
    for later in range(1, PROTOCOL.flare.severe_rest_days + 1):
        decision = decide(PROTOCOL, with_days(case, later))
        assert not {item.kind for item in decision.today} & IMPACT
        assert decision.referral in ("soon", "urgent")
        if decision.phase == day.phase:
            assert decision.week <= max(1, day.week - 2) or decision.week < day.week


# --- 6. Every session is judged; a repeat counts once ---------------------------------------


@given(knobs)
def test_logging_every_session_twice_changes_nothing(k: Knobs) -> None:
    case = random_case(k)
    doubled = case.model_copy(update={"sessions": [*case.sessions, *case.sessions]})
    assert decide(PROTOCOL, doubled) == decide(PROTOCOL, case)


@given(knobs.filter(lambda k: k.kind == "bone"), st.integers(1, 10))
def test_cross_training_that_hurts_at_a_bone_site_never_progresses(k: Knobs, pain: int) -> None:
    case = random_case(k)
    swim = Session(
        date=case.today, phase="any", kind="cross_training", activity="swimming", pain_during=pain
    )
    case = case.model_copy(update={"sessions": [*case.sessions, swim]})
    before = decide(PROTOCOL, case)
    after = decide(PROTOCOL, with_days(case, 1))
    assert after.action != "progress"
    assert position(PROTOCOL, after) <= position(PROTOCOL, before)


# --- 7. Records before the program start are used -------------------------------------------


@given(knobs, st.integers(1, 30), st.sampled_from(STICKY_SIGNS))
def test_a_sign_before_the_program_start_stands_until_a_clear(
    k: Knobs, before: int, sign: tuple[dict[str, Any], str]
) -> None:
    fields, referral = sign
    case = random_case(k)
    early = CheckIn(date=case.program_start - dt.timedelta(days=before), **{**PAIN_FREE, **fields})
    case = case.model_copy(
        update={
            "checkins": [early, *case.checkins],
            "clinician_events": [e for e in case.clinician_events if e.kind != "clear"],
        }
    )
    assert level(decide(PROTOCOL, case).referral) >= level(referral)


@given(knobs)
def test_a_hold_given_after_a_release_on_the_same_day_stands(k: Knobs) -> None:
    case = random_case(k)
    release = ClinicianEvent(date=case.today, kind="release_hold", reason="fine")
    hold = ClinicianEvent(date=case.today, kind="hold", reason="wait")
    held = case.model_copy(update={"clinician_events": [*case.clinician_events, release, hold]})
    decision = decide(PROTOCOL, held)
    assert decision.action != "progress"
    assert "TS-CLINICIAN-HOLD" in [r.rule for r in decision.reasons]


# --- 8. Gaps step back, never past the phase start ------------------------------------------


@given(st.integers(0, 199), st.integers(14, 30))
def test_a_gap_in_walk_or_run_steps_back_a_week_per_week_missed(index: int, gap: int) -> None:
    day = RUNNER.decisions[index]
    assume(day.phase in ("walk", "run") and day.week >= 2)
    case = as_of(RUNNER.case, day.date)
    last_logged = max(
        (s.date for s in case.sessions if s.kind in ("walk", "walk_run", "run")), default=None
    )
    assume(last_logged == day.date)
    decision = decide(PROTOCOL, with_days(case, gap))
    if decision.phase != day.phase:
        # What was logged before the gap met every exit criterion: the next phase, from its
        # first week.
        assert decision.week == 1
        return
    # The week may still end during the gap on what was logged before it: one week at most.
    assert decision.week <= max(1, day.week + 1 - gap // 7)


# --- 9. The site decides the tissue; a prior BSI never lowers caution -----------------------


def caution(decision: Any) -> tuple[int, int, tuple[int, int]]:
    return (level(decision.referral), -ACTION_RANK[decision.action], position(PROTOCOL, decision))


@given(knobs.filter(lambda k: k.site in BONE_SITES))
def test_a_bone_site_keeps_the_bone_rules_whatever_kind_says(k: Knobs) -> None:
    case = random_case(k)
    as_bone = case.model_copy(update={"injury": case.injury.model_copy(update={"kind": "bone"})})
    told, bone = decide(PROTOCOL, case), decide(PROTOCOL, as_bone)
    assert (told.phase, told.week, told.action, told.referral) == (
        bone.phase,
        bone.week,
        bone.action,
        bone.referral,
    )
    assert [i.model_dump() for i in told.today] == [i.model_dump() for i in bone.today]


@given(knobs)
def test_a_prior_bone_stress_injury_never_makes_anything_less_cautious(k: Knobs) -> None:
    case = random_case(k)
    prior = case.model_copy(
        update={"injury": case.injury.model_copy(update={"prior_bone_stress_injury": True})}
    )
    without, with_prior = decide(PROTOCOL, case), decide(PROTOCOL, prior)
    assert level(with_prior.referral) >= level(without.referral)
    assert ACTION_RANK[with_prior.action] <= ACTION_RANK[without.action]
    assert position(PROTOCOL, with_prior) <= position(PROTOCOL, without)


# --- Resuming from a checkpoint gives the same answer as a full replay ----------------------


@given(knobs, st.floats(0.0, 1.0))
def test_a_decision_resumed_from_a_saved_checkpoint_equals_a_full_replay(
    k: Knobs, split: float
) -> None:
    case = random_case(k)
    assume(case.today > case.program_start)
    span = (case.today - case.program_start).days
    on = case.program_start + dt.timedelta(days=int(split * (span - 1)))
    made = decide_day(PROTOCOL, as_of(case, on), checkpoint_on=on - dt.timedelta(days=1))
    saved = Replay(PROTOCOL, as_of(case, on))
    saved.run()
    checkpoint = load_checkpoint(dump_checkpoint(saved.checkpoint()))  # through storage's JSON
    resumed = decide_day(PROTOCOL, case, resume=checkpoint)
    assert resumed.resumed_from == on
    assert resumed.decision == decide(PROTOCOL, case)
    if made.checkpoint is not None:  # a checkpoint kept on the way resumes just as well
        again = decide_day(PROTOCOL, case, resume=made.checkpoint)
        assert again.decision == resumed.decision


@given(knobs, st.integers(0, 40))
def test_each_day_from_one_replay_is_that_days_own_decision(k: Knobs, back: int) -> None:
    case = random_case(k)
    first = max(case.program_start, case.today - dt.timedelta(days=back))
    each = decide_each_day(PROTOCOL, case, first)
    assert [d.date for d in each] == [
        first + dt.timedelta(days=n) for n in range((case.today - first).days + 1)
    ]
    for decision in each[:: max(1, len(each) // 4)]:
        assert decision == decide(PROTOCOL, case, decision.date)


@given(knobs, st.floats(0.0, 1.0))
def test_a_withdrawal_reaching_back_past_a_checkpoint_replays_in_full(
    k: Knobs, split: float
) -> None:
    case = random_case(k)
    assume((case.today - case.program_start).days >= 2)
    span = (case.today - case.program_start).days
    on = case.program_start + dt.timedelta(days=int(split * (span - 1)))
    hold = ClinicianEvent(date=case.program_start, kind="hold", reason="wait", id="h1")
    held = case.model_copy(update={"clinician_events": [hold, *case.clinician_events]})
    saved = Replay(PROTOCOL, as_of(held, on))
    saved.run()
    taken_back = ClinicianEvent(
        date=case.today, kind="withdraw", reason="given in error", withdraws="h1"
    )
    later = held.model_copy(update={"clinician_events": [*held.clinician_events, taken_back]})
    resumed = decide_day(PROTOCOL, later, resume=saved.checkpoint())
    assert resumed.resumed_from is None
    assert resumed.decision == decide(PROTOCOL, later)
