"""Invariants of the engine over random histories (Hypothesis).

Histories come from a seeded generator driven by Hypothesis-drawn knobs: how often the runner
checks in, how often they hurt, what they log. Mostly-compliant runners reach the later phases,
so the invariants are exercised across the whole program, not just its first days.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from restride.domain.anatomy import SITE_IDS, SITES
from restride.domain.case import PAIN_FIELDS, Case, CheckIn, ClinicianEvent, Injury, Session
from restride.domain.decide import decide
from restride.domain.protocol import (
    LOADING_KINDS,
    MinDaysFromStart,
    MinDaysInPhase,
    Protocol,
)
from restride.loading import builtin_protocol
from restride.simulation import PAIN_FREE
from tests.builders import START

PROTOCOL = builtin_protocol()
LOGGED_KINDS = ["corrective", "walk", "walk_run", "run", "functional"]
TESTS = ["test-calf-raise-20", "test-brisk-walk-30", "test-hop-10"]
RED_FLAG_SIGNS: list[dict[str, Any]] = [
    {"fever": True},
    {"numbness": True},
    {"can_bear_weight": False},
    {"foot_pale_or_cold": True},
    {"redness_spreading": True},
    {"bone_tenderness": True},
    {"night_pain": True},
    {"redness": True},
    {"pain_rest": 9},
]


@dataclass(frozen=True)
class Knobs:
    seed: int
    days: int
    site: str
    side: str
    kind: str
    p_checkin: float
    p_pain: float
    p_log: float


knobs = st.builds(
    Knobs,
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(1, 260),
    site=st.sampled_from(SITE_IDS),
    side=st.sampled_from(["left", "right", "both", "none"]),
    kind=st.sampled_from(["bone", "tendon", "muscle", "fascia", "joint", "other", "unknown"]),
    p_checkin=st.sampled_from([1.0, 0.97, 0.85, 0.5]),
    p_pain=st.sampled_from([0.0, 0.02, 0.1, 0.4]),
    p_log=st.sampled_from([1.0, 0.9, 0.5]),
)


def random_case(k: Knobs) -> Case:
    rng = random.Random(k.seed)
    checkins: list[CheckIn] = []
    sessions: list[Session] = []
    events: list[ClinicianEvent] = []
    for n in range(k.days):
        date = START + dt.timedelta(days=n)
        if rng.random() < k.p_checkin:
            fields: dict[str, Any] = dict(PAIN_FREE)
            if rng.random() < k.p_pain:
                field = rng.choice(PAIN_FIELDS)
                fields[field] = rng.randint(1, 10)
                if rng.random() < 0.3:
                    fields.update(rng.choice(RED_FLAG_SIGNS))
                if rng.random() < 0.2:
                    fields["limp"] = True
            checkins.append(CheckIn(date=date, **fields))
        if rng.random() < k.p_log:
            for kind in LOGGED_KINDS:
                hurt = rng.random() < k.p_pain
                sessions.append(
                    Session(
                        date=date,
                        phase="any",
                        kind=kind,  # type: ignore[arg-type]
                        done_min=30,
                        run_min=20 if kind in ("walk_run", "run") else None,
                        pain_during=rng.randint(1, 8) if hurt else 0,
                        pain_after=0,
                    )
                )
        if n % 9 == 8:
            sessions.append(
                Session(date=date, phase="any", kind="test", test=rng.choice(TESTS), pain_during=0)
            )
        if rng.random() < 0.02:
            kind = rng.choice(["clear", "hold", "release_hold", "note"])
            events.append(ClinicianEvent(date=date, kind=kind, reason="random event"))  # type: ignore[arg-type]
    return Case(
        today=START + dt.timedelta(days=k.days - 1),
        program_start=START,
        injury=Injury(site=k.site, side=k.side, kind=k.kind, onset=START),  # type: ignore[arg-type]
        checkins=checkins,
        sessions=sessions,
        clinician_events=events,
    )


def with_last_checkin(case: Case, **fields: Any) -> Case:
    """The case with one more day, checked in with `fields` over a pain-free day."""
    today = case.today + dt.timedelta(days=1)
    checkin = CheckIn(date=today, **{**PAIN_FREE, **fields})
    return case.model_copy(update={"today": today, "checkins": [*case.checkins, checkin]})


def position(protocol: Protocol, decision: Any) -> tuple[int, int]:
    """Phase and program week; phases without a weekly program only count days."""
    index = protocol.phase_index(decision.phase)
    return index, decision.week if protocol.phases[index].weeks else 0


@given(knobs)
def test_the_same_history_always_gives_the_same_decision(k: Knobs) -> None:
    case = random_case(k)
    shuffled = case.model_copy(
        update={
            "checkins": list(reversed(case.checkins)),
            "sessions": list(reversed(case.sessions)),
        }
    )
    first = decide(PROTOCOL, case)
    assert decide(PROTOCOL, case) == first
    assert decide(PROTOCOL, shuffled).model_dump_json() == first.model_dump_json()


@given(knobs, st.sampled_from(RED_FLAG_SIGNS))
def test_nothing_progresses_while_a_red_flag_stands(k: Knobs, sign: dict[str, Any]) -> None:
    case = random_case(k)
    before = decide(PROTOCOL, case)
    after = decide(PROTOCOL, with_last_checkin(case, **sign))
    assert after.action != "progress"
    assert position(PROTOCOL, after) <= position(PROTOCOL, before)
    never_seen = not any(e.kind == "clear" for e in case.clinician_events)
    if never_seen and sign in ({"fever": True}, {"numbness": True}, {"can_bear_weight": False}):
        assert (after.action, after.referral) == ("stop", "urgent")
        # Get help today; where the site allows no weight at all (RF-9), say so too.
        kinds = [i.kind for i in after.today]
        assert kinds[0] == "referral" and set(kinds[1:]) <= {"offload"}
        assert all(i.rule == "TS-NWB" for i in after.today[1:])


@given(knobs, st.sampled_from(PAIN_FIELDS), st.integers(2, 10))
def test_nothing_progresses_when_pain_rises(k: Knobs, field: str, rise: int) -> None:
    case = random_case(k)
    previous = next((c for c in reversed(case.checkins) if c.date == case.today), None)
    base = getattr(previous, field) if previous is not None else None
    if base is None:
        case = with_last_checkin(case)
        base = 0
    assume(base + rise <= 10)
    before = decide(PROTOCOL, case)
    after = decide(PROTOCOL, with_last_checkin(case, **{field: base + rise}))
    assert after.action != "progress"
    assert position(PROTOCOL, after) <= position(PROTOCOL, before)


@given(knobs)
def test_no_running_is_ever_prescribed_before_the_run_phase(k: Knobs) -> None:
    decision = decide(PROTOCOL, random_case(k))
    kinds = {item.kind for item in decision.today}
    if decision.phase not in ("run", "maintain"):
        assert not kinds & {"run", "walk_run"}
    if decision.phase in ("offload", "rest"):
        assert not kinds & LOADING_KINDS


@given(knobs)
def test_no_phase_is_left_before_its_minimum_duration(k: Knobs) -> None:
    case = random_case(k)
    decision = decide(PROTOCOL, case)
    for span in decision.phase_history:
        if span.how_it_ended != "progress":
            continue
        assert span.end is not None
        phase = PROTOCOL.phases[PROTOCOL.phase_index(span.phase)]
        for criterion in phase.exit:
            if isinstance(criterion, MinDaysInPhase):
                assert (span.end - span.start).days + 1 >= criterion.days
            if isinstance(criterion, MinDaysFromStart):
                assert (span.end - case.program_start).days + 1 >= criterion.days


@given(knobs)
def test_no_prescription_works_the_injured_site(k: Knobs) -> None:
    case = random_case(k)
    decision = decide(PROTOCOL, case)
    injured = set(SITES[case.injury.site].regions)
    spare = PROTOCOL.phases[PROTOCOL.phase_index(decision.phase)].spare_injured_region
    library = PROTOCOL.library.exercises
    for item in decision.today:
        for done in item.exercises:
            exercise = library[done.id]
            massaged = item.kind == "self_massage" or exercise.kind == "self_massage"
            if massaged and injured & set(exercise.works):
                assert case.injury.side not in done.sides
                assert case.injury.side in ("left", "right")
            if spare:
                assert not injured & set(exercise.loads)


@given(knobs)
def test_every_reason_cites_a_rule_a_step_and_its_evidence(k: Knobs) -> None:
    decision = decide(PROTOCOL, random_case(k))
    for reason in decision.reasons + decision.warnings:
        rule = PROTOCOL.rule(reason.rule)
        assert (reason.step, reason.evidence) == (rule.step, rule.evidence)
