"""Who needs the clinician's attention first, and why, in words (the clinician board).

In this order: red flags (a referral to a doctor, or a stop), then pain and a limp on the latest
check-in, rising pain or a step back, missed check-ins, a phase gate that waits on the
clinician's clearance, and a hold they put (shown, but it needs nothing). The thresholds are the
protocol's (`attention`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.pain import is_bone_injury, worst_pain

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.domain.decision import Decision
    from restride.domain.protocol import Protocol

# How much each kind weighs in the board's order: any red flag outranks everything else.
WEIGHTS = {
    "red_flag": 100,
    "pain": 40,
    "limp": 40,
    "rising_pain": 30,
    "setback": 30,
    "missed_checkins": 20,
    "clearance": 10,
    "hold": 0,
}
KINDS = tuple(WEIGHTS)
PAIN_WORDS = {
    "pain_rest": "at rest",
    "pain_walking": "walking",
    "pain_activity": "during exercise",
    "pain_after": "after exercise",
    "pain_next_morning": "on waking",
}
TREND_DAYS = 7  # the board's sparkline: the last week, today included


@dataclass(frozen=True)
class Attention:
    kind: str  # one of WEIGHTS
    text: str


@dataclass(frozen=True)
class PainSummary:
    last_checkin: dt.date | None
    worst_this_week: int | None
    trend: tuple[int | None, ...]  # the day's worst pain, oldest first, TREND_DAYS days


def attention(protocol: Protocol, case: Case, decision: Decision) -> list[Attention]:
    """What the board says about this athlete today, most pressing first."""
    settings = protocol.attention
    today = case.today
    found: list[Attention] = []
    if decision.referral in ("soon", "urgent") or decision.action == "stop":
        words = {
            "urgent": "needs medical help today",
            "soon": "should see a sports-medicine doctor within days",
        }
        text = words.get(decision.referral, "was told to stop activity")
        found.append(Attention("red_flag", f"Red flag: {text}."))
    latest = max(case.checkins, key=lambda c: c.date, default=None)
    if latest is not None and (today - latest.date).days < settings.missed_window_days:
        named = [(getattr(latest, f), w) for f, w in PAIN_WORDS.items() if getattr(latest, f)]
        bone = is_bone_injury(
            case.injury, tenderness_seen=any(c.bone_tenderness for c in case.checkins)
        )
        # At a bone site any pain is above the ceiling (PAIN-4); elsewhere from `pain_alert`.
        limit = protocol.pain.bone_ceiling if bone else settings.pain_alert - 1
        if named and max(named)[0] > limit:
            pain, where = max(named)
            found.append(Attention("pain", f"Pain {pain}/10 {where} on the latest check-in."))
        if latest.limp:
            found.append(Attention("limp", "Limping on the latest check-in."))
    recent: list[int] = []
    baseline: list[int] = []
    for checkin in case.checkins:
        pain = worst_pain(checkin)
        if pain is None:
            continue
        age = (today - checkin.date).days
        if age < settings.recent_days:
            recent.append(pain)
        elif age < settings.recent_days + settings.baseline_days:
            baseline.append(pain)
    if recent and baseline:
        before, now = sum(baseline) / len(baseline), sum(recent) / len(recent)
        if now - before >= settings.rising_by:
            found.append(
                Attention("rising_pain", f"Pain rising: worst of the day {before:.1f} → {now:.1f}.")
            )
    if decision.action == "regress":
        where = f"{decision.phase_title}, week {decision.week}"
        found.append(Attention("setback", f"Stepped back today, to {where}."))
    first = max(case.program_start, today - dt.timedelta(days=settings.missed_window_days))
    seen = {c.date for c in case.checkins}
    # Today is left out: the runner may simply not have checked in yet.
    missed = sum(1 for n in range((today - first).days) if first + dt.timedelta(days=n) not in seen)
    if missed >= settings.missed_alert:
        found.append(Attention("missed_checkins", f"{missed} missed check-ins in the last week."))
    if decision.next is not None:
        for unmet in decision.next.unmet:
            if unmet.kind == "clinician_clearance":
                found.append(Attention("clearance", f"Waiting on your clearance: {unmet.text}"))
    held = protocol.engine_rules["clinician_hold"]
    hold = next((r for r in decision.reasons if r.rule == held), None)
    if hold is not None:
        said = hold.text.removesuffix(_rule_text(protocol)).strip()
        found.append(Attention("hold", f"On hold: {said}"))
    return sorted(found, key=lambda a: -WEIGHTS[a.kind])


def _rule_text(protocol: Protocol) -> str:
    return protocol.engine_rule("clinician_hold").text


def rank(found: list[Attention]) -> int:
    """The board's sort key: higher first."""
    return sum(WEIGHTS[a.kind] for a in found)


def pain_summary(case: Case) -> PainSummary:
    by_day = {c.date: worst_pain(c) for c in case.checkins}
    last = max(by_day, default=None)
    week = [p for d, p in by_day.items() if p is not None and (case.today - d).days < 7]
    trend = tuple(
        by_day.get(case.today - dt.timedelta(days=TREND_DAYS - 1 - n)) for n in range(TREND_DAYS)
    )
    return PainSummary(last, max(week) if week else None, trend)
