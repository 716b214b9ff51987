"""Turn the replayed state on `case.today` into the published decision, with its reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.case import Case
from restride.domain.decision import (
    CrossTrainingAnswer,
    Decision,
    FlagRecord,
    NextPhase,
    Reason,
    TodayItem,
    Unmet,
)
from restride.domain.engine import IMPACT_KINDS, DayState, Replay
from restride.domain.evidence import DISCLAIMER
from restride.domain.memory import Checkpoint, Note
from restride.domain.prescription import render, scheduled, without, without_loading
from restride.domain.protocol import Phase, Prescription, Protocol

if TYPE_CHECKING:
    from restride.domain.library import Library

TIME_KINDS = ("min_days_in_phase", "min_days_from_start", "program_complete")


def decide(protocol: Protocol, case: Case, today: dt.date | None = None) -> Decision:
    """What the runner does on `today` (by default `case.today`), and why.

    History dated after `today` is ignored, so a case can be replayed as of any earlier day.
    """
    if today is not None and today != case.today:
        case = as_of(case, today)
    return decide_day(protocol, case).decision


@dataclass(frozen=True)
class DecidedDay:
    decision: Decision
    checkpoint: Checkpoint | None  # the memory at the end of `checkpoint_on`, when asked for
    resumed_from: dt.date | None  # the checkpoint's day, when the replay resumed from one


def decide_day(
    protocol: Protocol,
    case: Case,
    *,
    resume: Checkpoint | None = None,
    checkpoint_on: dt.date | None = None,
) -> DecidedDay:
    """`decide`, resuming from a checkpoint of the same history when one is given (a new day
    costs one day's work), and keeping a checkpoint of `checkpoint_on` for next time."""
    replay = Replay(protocol, case, resume=resume)
    day = replay.run(checkpoint_on=checkpoint_on)
    return DecidedDay(_decision(protocol, case, replay, day), replay.saved, replay.resumed_from)


def decide_each_day(protocol: Protocol, case: Case, first: dt.date) -> list[Decision]:
    """The decision of every day from `first` to `case.today`, each as it was given that day,
    from one replay (what `decide(protocol, case, day)` gives for each day, without replaying
    the history once per day)."""
    replay = Replay(protocol, case)
    decisions: list[Decision] = []
    for day in replay.days():
        if day.date >= first:
            decisions.append(_decision(protocol, as_of(case, day.date), replay, day))
    return decisions


def _decision(protocol: Protocol, case: Case, replay: Replay, day: DayState) -> Decision:
    library = protocol.library
    phase = protocol.phases[day.phase_index]
    notes = list(day.notes)
    next_phase = _next_phase(protocol, replay, day)
    if next_phase is not None and _only_time_stands(next_phase, day):
        notes.append(Note(protocol.engine_rules["no_hurry"], _earliest_text(next_phase)))
    reasons, warnings = _reasons(protocol, phase, notes)
    items = _today_items(protocol, library, case, replay, day, phase)
    return Decision(
        date=day.date,
        protocol=protocol.id,
        phase=phase.id,
        phase_title=phase.title,
        week=_week_number(day, phase),
        day_in_phase=(day.date - day.phase_start).days + 1,
        level=phase.weeks[day.week_index].level if phase.weeks else None,
        action=day.action,  # type: ignore[arg-type]
        referral=day.referral,  # type: ignore[arg-type]
        summary=_summary(protocol, day, phase, next_phase),
        reasons=reasons,
        today=items,
        next=next_phase,
        cross_training=_cross_training(phase, day),
        warnings=warnings,
        phase_history=list(replay.state.spans),
        flag_history=[
            FlagRecord(
                rule=f.rule,
                referral=f.referral,  # type: ignore[arg-type]
                since=f.since,
                last_shown=f.last_shown,
                answered_on=f.answered_on,
                ended_on=f.ended_on,
            )
            for f in replay.flags.history
        ],
        disclaimer=DISCLAIMER,
    )


def as_of(case: Case, today: dt.date) -> Case:
    """The case as it stood on `today`: nothing recorded later."""
    return Case.model_construct(
        **{
            **dict(case),
            "today": today,
            "checkins": [c for c in case.checkins if c.date <= today],
            "sessions": [s for s in case.sessions if s.date <= today],
            "clinician_events": [e for e in case.clinician_events if e.date <= today],
        }
    )


def _week_number(day: DayState, phase: Phase) -> int:
    if phase.weeks:
        return day.week_index + 1
    return (day.date - day.phase_start).days // 7 + 1


def _reasons(
    protocol: Protocol, phase: Phase, notes: list[Note]
) -> tuple[list[Reason], list[Reason]]:
    """One reason per rule, its facts joined: what stands every day is said once."""
    # Red flags first: they win, so the runner reads them first.
    flag_rules = {f.rule for f in protocol.red_flags} | {
        protocol.engine_rules[k] for k in ("flare_severe", "failure_to_progress", "flag_stands")
    }
    ordered = [n for n in notes if n.rule_id in flag_rules] + [
        n for n in notes if n.rule_id not in flag_rules
    ]
    ordered.append(Note(phase.rule))
    ordered += [Note(rule_id) for rule_id in phase.cite]
    merged: dict[tuple[str, bool], list[str]] = {}
    for note in ordered:
        details = merged.setdefault((note.rule_id, note.warning), [])
        if note.detail and note.detail not in details:
            details.append(note.detail)
    reasons: list[Reason] = []
    warnings: list[Reason] = []
    for (rule_id, warning), details in merged.items():
        rule = protocol.rule(rule_id)
        facts = " ".join(_sentence(d) for d in details)
        text = f"{facts} {rule.text}" if facts else rule.text
        reason = Reason(rule=rule.id, step=rule.step, text=text, evidence=list(rule.evidence))
        (warnings if warning else reasons).append(reason)
    return reasons, warnings


def _sentence(detail: str) -> str:
    detail = detail.strip()
    detail = detail[0].upper() + detail[1:]
    return detail if detail.endswith((".", "!", "?")) else detail + "."


def _today_items(
    protocol: Protocol, library: Library, case: Case, replay: Replay, day: DayState, phase: Phase
) -> list[TodayItem]:
    if day.referral == "urgent" and day.stopped:
        first = [_referral_item(protocol, day)]
        if day.non_weight_bearing:
            first.append(_non_weight_bearing_item(protocol))
        return first
    day_of_week = (day.date - day.week_start).days % 7 + 1
    items: list[Prescription] = scheduled(phase, day.week_index, day_of_week)
    if day.stopped or day.resting:
        items = without_loading(items)
    elif day.action != "regress":
        for test in replay.criteria.tests_due(day.date):
            items.append(
                Prescription(
                    kind="test",
                    rule=test.rule,
                    title=library.exercises[test.test].name,
                    instructions=test.text,
                    minutes=test.minutes,
                    test=test.test,
                )
            )
    if day.no_impact:
        items = without(items, IMPACT_KINDS)
    if day.non_weight_bearing:
        items = without(items, {"offload", "walk"})
    rendered = render(
        items,
        library,
        case.injury,
        spare_injured_region=phase.spare_injured_region,
        bone=day.bone,
        massage_injured_site=phase.massage_injured_site,
    )
    if day.resting and not day.stopped:
        rest_rule = protocol.engine_rule("rest_days")
        rendered.insert(
            0,
            TodayItem(
                kind="rest",
                title="Rest day: no walking or running for exercise",
                rule=rest_rule.id,
                instructions=rest_rule.text,
            ),
        )
    if day.non_weight_bearing:
        rendered.insert(0, _non_weight_bearing_item(protocol))
    if day.stopped:
        rendered.insert(0, _referral_item(protocol, day))
    return rendered


def _non_weight_bearing_item(protocol: Protocol) -> TodayItem:
    rule = protocol.engine_rule("non_weight_bearing")
    return TodayItem(
        kind="offload",
        title="No weight at all on the leg: crutches for every step",
        rule=rule.id,
        instructions=rule.text,
    )


def _referral_item(protocol: Protocol, day: DayState) -> TodayItem:
    flags = [f for f in day.standing_flags if not f.answered and f.referral == day.referral]
    rule = protocol.rule(flags[0].rule) if flags else protocol.engine_rule("therapist")
    when = {
        "urgent": "today: go to an emergency department or urgent care",
        "soon": "within the next few days: book a sports-medicine doctor",
    }.get(day.referral, "book a qualified therapist")
    return TodayItem(
        kind="referral", title=f"See a doctor {when}", rule=rule.id, instructions=rule.text
    )


def _cross_training(phase: Phase, day: DayState) -> list[CrossTrainingAnswer]:
    answers: list[CrossTrainingAnswer] = []
    for option in phase.cross_training:
        allowed = option.allowed and not (day.stopped or day.resting)
        note = option.note
        if option.allowed and not allowed:
            note = "Not today: " + (
                "stop until you have seen a doctor." if day.stopped else "it is a rest day."
            )
        answers.append(
            CrossTrainingAnswer(
                activity=option.activity, allowed=allowed, note=note, rule=option.rule
            )
        )
    return answers


def _next_phase(protocol: Protocol, replay: Replay, day: DayState) -> NextPhase | None:
    if day.phase_index + 1 >= len(protocol.phases):
        return None
    target = protocol.phases[day.phase_index + 1]
    unmet = [
        Unmet(rule=c.rule, kind=c.kind, text=c.text, status=status, earliest=earliest)
        for c, status, earliest in replay.criteria.unmet(day.date, bone=day.bone)
    ]
    if day.stopped or day.referral == "urgent":
        earliest: dt.date | None = None
    elif any(u.earliest is None for u in unmet):
        earliest = None
    else:
        earliest = max(
            (u.earliest for u in unmet if u.earliest), default=day.date + dt.timedelta(days=1)
        )
    return NextPhase(phase=target.id, title=target.title, earliest_date=earliest, unmet=unmet)


def _only_time_stands(next_phase: NextPhase, day: DayState) -> bool:
    return (
        day.action in ("continue", "hold")
        and not day.stopped
        and bool(next_phase.unmet)
        and all(u.kind in TIME_KINDS for u in next_phase.unmet)
    )


def _earliest_text(next_phase: NextPhase) -> str:
    if next_phase.earliest_date is None:
        return f"{next_phase.title} waits"
    return f"{next_phase.title} can start on {next_phase.earliest_date.isoformat()} at the earliest"


def _summary(protocol: Protocol, day: DayState, phase: Phase, next_phase: NextPhase | None) -> str:
    week = _week_number(day, phase)
    where = f"{phase.title}, week {week}"
    if day.stopped and day.referral == "urgent":
        return "Stop and get medical help today: you reported a sign that needs a doctor now."
    if day.stopped:
        return (
            f"Stop exercising and see a sports-medicine doctor within the next few days. "
            f"Until then: {phase.purpose}"
        )
    if day.action == "regress" and phase.weeks:
        return f"Step back: {where}. Rest first, then repeat the easier level."
    if day.action == "regress":
        return f"Step back to {phase.title}: {phase.purpose}"
    if day.action == "progress" and day.progressed == "phase":
        return f"Today you start {phase.title}: {phase.purpose}"
    if day.action == "progress":
        return f"Today you start week {week} of {phase.title}."
    if day.action == "hold":
        return (
            f"Hold: {where}. Do today's plan, but nothing moves on until the reasons below clear."
        )
    return f"Carry on: {where}. {phase.purpose}"
