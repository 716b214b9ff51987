"""Red-flag triage (RF-1..RF-4, RTR-3): every check-in, and it always wins."""

from __future__ import annotations

import pytest

from restride.domain.decide import decide
from restride.domain.protocol import LOADING_KINDS, Protocol
from tests.builders import (
    day,
    make_case,
    make_checkin,
    make_event,
    make_injury,
    pain_free_checkins,
)


def rules_of(decision: object) -> list[str]:
    return [r.rule for r in decision.reasons]  # type: ignore[attr-defined]


def test_bone_tenderness_sends_the_runner_to_a_doctor_soon_and_stops_loading(
    protocol: Protocol,
) -> None:
    case = make_case(0, checkins=[make_checkin(0, bone_tenderness=True)])
    decision = decide(protocol, case)
    assert decision.referral == "soon"
    assert decision.action == "stop"
    assert rules_of(decision)[0] == "TS-RF-BONE-TENDER"
    assert decision.today[0].kind == "referral"
    assert not [i for i in decision.today if i.kind in LOADING_KINDS]


def test_a_negative_xray_is_cited_and_never_downgrades_a_suspected_stress_fracture(
    protocol: Protocol,
) -> None:
    injury = make_injury(
        kind="unknown", imaging=[{"date": "2026-02-16", "modality": "xray", "result": "negative"}]
    )
    case = make_case(0, injury=injury, checkins=[make_checkin(0, bone_tenderness=True)])
    decision = decide(protocol, case)
    assert decision.referral == "soon"
    xray = next(r for r in decision.reasons if r.rule == "TS-XRAY-NEGATIVE")
    assert "RF-2" in xray.evidence
    assert "2026-02-16" in xray.text


@pytest.mark.parametrize(
    "sign",
    [
        {"can_bear_weight": False},
        {"fever": True},
        {"numbness": True},
        {"foot_pale_or_cold": True},
        {"redness_spreading": True},
        {"pain_rest": 8},
    ],
)
def test_emergency_signs_mean_urgent_and_nothing_but_getting_help(
    protocol: Protocol, sign: dict[str, object]
) -> None:
    case = make_case(0, checkins=[make_checkin(0, **sign)])
    decision = decide(protocol, case)
    assert decision.referral == "urgent"
    assert decision.action == "stop"
    assert [i.kind for i in decision.today] == ["referral"]
    assert "today" in decision.today[0].title


@pytest.mark.parametrize("sign", [{"night_pain": True}, {"redness": True}])
def test_night_pain_and_redness_need_a_prompt_visit(
    protocol: Protocol, sign: dict[str, object]
) -> None:
    decision = decide(protocol, make_case(0, checkins=[make_checkin(0, **sign)]))
    assert decision.referral == "soon"
    assert decision.action == "stop"


def test_pain_at_rest_counts_as_constant_only_on_three_check_ins_in_a_row(
    protocol: Protocol,
) -> None:
    two = make_case(1, checkins=pain_free_checkins(0, 1, pain_rest=3))
    assert decide(protocol, two).referral != "soon"
    three = make_case(2, checkins=pain_free_checkins(0, 2, pain_rest=3))
    decision = decide(protocol, three)
    assert decision.referral == "soon"
    assert "TS-RF-REST-PAIN" in rules_of(decision)


def test_a_flag_stands_on_days_without_a_check_in(protocol: Protocol) -> None:
    case = make_case(3, checkins=[make_checkin(0, fever=True)])
    decision = decide(protocol, case)
    assert decision.referral == "urgent"


def test_a_flag_stands_until_answered_even_when_the_next_check_in_no_longer_shows_it(
    protocol: Protocol,
) -> None:
    """RF-6: a sign that is gone is not a sign that was seen."""
    checkins = [make_checkin(0, bone_tenderness=True), make_checkin(1), make_checkin(2)]
    decision = decide(protocol, make_case(2, checkins=checkins))
    assert (decision.action, decision.referral) == ("stop", "soon")
    assert {"TS-RF-BONE-TENDER", "TS-FLAG-STANDS"} <= set(rules_of(decision))
    tender = next(r for r in decision.reasons if r.rule == "TS-RF-BONE-TENDER")
    assert "on 2026-03-02" in tender.text and "until a clinician has seen you" in tender.text


def test_an_answered_flag_ends_when_a_check_in_no_longer_shows_it(protocol: Protocol) -> None:
    checkins = [make_checkin(0, bone_tenderness=True), make_checkin(1), make_checkin(2)]
    events = [make_event(1, "clear", "MRI: stress reaction, healing")]
    decision = decide(protocol, make_case(2, checkins=checkins, events=events))
    assert decision.referral != "soon"
    assert "TS-RF-BONE-TENDER" not in rules_of(decision)
    assert [(f.rule, f.answered_on) for f in decision.flag_history] == [
        ("TS-RF-BONE-TENDER", day(1))
    ]


def test_a_clinician_clear_answers_the_referral_but_the_sign_still_holds_progress(
    protocol: Protocol,
) -> None:
    checkins = pain_free_checkins(0, 3, bone_tenderness=True)
    case = make_case(3, checkins=checkins, events=[make_event(2, "clear", "MRI: stress reaction")])
    decision = decide(protocol, case)
    assert decision.referral == "none"
    assert decision.action == "hold"
    assert "TS-REFERRAL-ANSWERED" in rules_of(decision)


def test_a_sign_that_comes_back_after_the_clear_needs_a_new_visit(protocol: Protocol) -> None:
    checkins = [
        make_checkin(0, bone_tenderness=True),
        make_checkin(1, bone_tenderness=True),
        make_checkin(2),
        make_checkin(3, bone_tenderness=True),
    ]
    case = make_case(3, checkins=checkins, events=[make_event(1, "clear")])
    assert decide(protocol, case).referral == "soon"


def test_a_clear_never_answers_a_sign_that_began_after_it(protocol: Protocol) -> None:
    checkins = [make_checkin(0), make_checkin(1, fever=True)]
    case = make_case(1, checkins=checkins, events=[make_event(0, "clear")])
    assert decide(protocol, case).referral == "urgent"


def test_a_bone_injury_at_a_high_risk_site_needs_a_doctor_before_anything_else(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="navicular", kind="bone")
    decision = decide(protocol, make_case(0, injury=injury, checkins=[make_checkin(0)]))
    assert decision.referral == "soon"
    assert "TS-RF-HIGH-RISK" in rules_of(decision)
    cleared = make_case(
        1,
        injury=injury,
        checkins=pain_free_checkins(0, 1),
        events=[
            make_event(1, "clear", "MRI: navicular stress reaction, non-weight-bearing 6 weeks")
        ],
    )
    assert decide(protocol, cleared).referral == "none"


def test_ottawa_sites_cite_the_ottawa_rule_too(protocol: Protocol) -> None:
    injury = make_injury(site="metatarsal_5_base", kind="unknown")
    case = make_case(0, injury=injury, checkins=[make_checkin(0, bone_tenderness=True)])
    rules = rules_of(decide(protocol, case))
    assert "TS-RF-OTTAWA" in rules and "TS-RF-BONE-TENDER" in rules


def test_a_soft_tissue_injury_is_not_flagged_for_the_high_risk_bone_rule(
    protocol: Protocol,
) -> None:
    injury = make_injury(site="achilles", kind="tendon")
    decision = decide(protocol, make_case(0, injury=injury, checkins=[make_checkin(0)]))
    assert decision.referral == "routine"
    assert "TS-THERAPIST" in rules_of(decision)


def test_swelling_on_three_check_ins_holds_progress(protocol: Protocol) -> None:
    # Offload would end on day 2 (three pain-free, limp-free walks) but the swelling stands.
    case = make_case(2, checkins=pain_free_checkins(0, 2, swelling=True))
    decision = decide(protocol, case)
    assert decision.phase == "offload"
    assert decision.action == "hold"
    assert "TS-RF-SWELLING" in rules_of(decision)


def test_red_flags_are_listed_before_every_other_reason(protocol: Protocol) -> None:
    case = make_case(0, checkins=[make_checkin(0, bone_tenderness=True, redness=True)])
    rules = rules_of(decide(protocol, case))
    assert rules[:2] == ["TS-RF-BONE-TENDER", "TS-RF-REDNESS"]
