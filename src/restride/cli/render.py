"""Decisions and protocols in words, for a person at a terminal or on paper."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from restride.domain.anatomy import SITES
from restride.domain.case import PAIN_FIELDS
from restride.domain.evidence import DISCLAIMER, SEED_STEPS
from restride.domain.protocol import (
    CheckinStreak,
    ClinicianClearance,
    Condition,
    ExerciseDose,
    Intervals,
    Phase,
    Prescription,
    Protocol,
    RedFlag,
)

if TYPE_CHECKING:
    from rich.console import Console

    from restride.domain.case import Case, CheckIn, ClinicianEvent, Session
    from restride.domain.decision import Decision, ExerciseItem, TodayItem
    from restride.services.decisions import Plan

ACTION_WORDS = {
    "continue": "carry on",
    "progress": "step up",
    "hold": "hold",
    "regress": "step back",
    "stop": "STOP",
}
REFERRAL_WORDS = {
    "none": "no referral",
    "routine": "routine: find a qualified therapist",
    "soon": "SOON: see a sports-medicine doctor within days",
    "urgent": "URGENT: get medical help today",
}
DAY_NAMES = {1: "day 1", 2: "day 2", 3: "day 3", 4: "day 4", 5: "day 5", 6: "day 6", 7: "day 7"}


def print_decision(out: Console, decision: Decision, protocol: Protocol | None = None) -> None:
    p = out.print
    level = f", level {decision.level}" if decision.level else ""
    p(
        f"[bold]{decision.date.isoformat()} · {escape(decision.phase_title)}[/] "
        f"(phase {decision.phase}, week {decision.week}{level}, day {decision.day_in_phase})"
    )
    colour = {"stop": "red", "regress": "yellow", "hold": "yellow", "progress": "green"}.get(
        decision.action, "default"
    )
    p(
        f"Action: [bold {colour}]{ACTION_WORDS[decision.action]}[/]   "
        f"Referral: [bold]{REFERRAL_WORDS[decision.referral]}[/]"
    )
    p()
    p(escape(decision.summary))
    p()
    p("[bold]Why[/]")
    for index, reason in enumerate(decision.reasons, 1):
        cites = ", ".join(reason.evidence)
        _hang(
            out,
            f" {index}.",
            f"{escape(reason.text)} [dim]({reason.rule}; step {reason.step}; {cites})[/]",
        )
    for warning in decision.warnings:
        cites = ", ".join(warning.evidence)
        _hang(out, " !", f"{escape(warning.text)} [dim]({warning.rule}; {cites})[/]")
    p()
    p("[bold]Today[/]")
    for item in decision.today:
        _print_item(out, item)
    if decision.cross_training:
        p()
        p("[bold]Cross-training[/]")
        for option in decision.cross_training:
            verdict = "yes" if option.allowed else "no"
            p(f" - {escape(option.activity)}: {verdict}. {escape(option.note)}")
    if decision.next is not None:
        p()
        if decision.next.earliest_date is not None:
            when = f"at the earliest {decision.next.earliest_date.isoformat()}"
        elif decision.action == "stop":
            when = "once a doctor has seen you and the criteria below are met"
        else:
            when = "once the criteria below are met"
        p(f"[bold]Next: {escape(decision.next.title)}[/], {when}")
        for unmet in decision.next.unmet:
            _hang(out, " -", f"{escape(unmet.text)} [dim]now: {escape(unmet.status)}[/]")
    p()
    p(f"[dim]{escape(decision.disclaimer)}[/]")
    del protocol


def _print_item(out: Console, item: TodayItem) -> None:
    minutes = f" — {item.minutes:g} min" if item.minutes else ""
    _hang(out, " [ ]", f"[bold]{escape(item.title)}[/]{minutes}")
    if item.instructions:
        _hang(out, "    ", escape(item.instructions))
    if item.intervals is not None:
        plan = item.intervals
        text = _intervals_text(plan.warmup_walk_min, plan.blocks, plan.cooldown_walk_min)
        _hang(out, "    ", escape(text))
    if item.minimalist_min:
        _hang(out, "    ", f"Minimalist shoes: the last {item.minimalist_min:g} min only.")
    for exercise in item.exercises:
        _hang(out, "     -", escape(_exercise_text(exercise)))
    for spared in item.spared:
        _hang(out, "     -", f"[dim]spared: {escape(spared)}[/]")


def _hang(out: Console, marker: str, markup: str) -> None:
    """A marker, then text whose wrapped lines line up under its first word."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, width=len(escape(marker)))
    grid.add_column()
    grid.add_row(Text(marker), Text.from_markup(markup))
    out.print(grid)


def _exercise_text(exercise: ExerciseItem) -> str:
    dose = _dose(exercise.sets, exercise.reps, exercise.hold_s, exercise.minutes)
    sides = ""
    if exercise.sides == ["left"] or exercise.sides == ["right"]:
        sides = f" ({exercise.sides[0]} side only)"
    elif exercise.sides:
        sides = " (each side)"
    note = f" {exercise.note}" if exercise.note else ""
    return f"{exercise.name}: {dose}{sides}. {exercise.summary}{note}"


def _dose(sets: int | None, reps: int | None, hold_s: int | None, minutes: float | None) -> str:
    parts = []
    if sets:
        parts.append(f"{sets} sets")
    if reps:
        parts.append(f"{reps} reps")
    if hold_s:
        parts.append(f"hold {hold_s} s")
    if minutes:
        parts.append(f"{minutes:g} min")
    return " × ".join(parts) if parts else "once"


def _intervals_text(warmup: float, blocks: object, cooldown: float) -> str:
    steps = []
    for block in blocks:  # type: ignore[attr-defined]
        run = _clock(block.run_s)
        walk = f", walk {_clock(block.walk_s)}" if block.walk_s else ""
        steps.append(f"{block.repeats} × (run {run}{walk})")
    return (
        f"Walk {warmup:g} min to warm up; "
        + "; then ".join(steps)
        + f"; walk {cooldown:g} min to cool down."
    )


def _clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}" if secs else f"{minutes} min"


def print_protocol(out: Console, protocol: Protocol) -> None:
    """The whole program, phase by phase and week by week."""
    p = out.print
    p(f"[bold]{escape(protocol.title)}[/] (protocol {protocol.id}, version {protocol.version})")
    p(escape(protocol.summary))
    p()
    p("[bold]Red flags: stop and see a doctor[/]")
    for flag in protocol.red_flags:
        rule = protocol.rule(flag.rule)
        when = " or ".join(_condition_text(c) for c in flag.when_any) or _standing_text(flag)
        repeat = f" on {flag.for_checkins} check-ins in a row" if flag.for_checkins > 1 else ""
        p(
            f" - {flag.referral.upper()}: {escape(when)}{repeat}. {escape(rule.text)} "
            f"[dim]({rule.id}; {', '.join(rule.evidence)})[/]"
        )
    for number, phase in enumerate(protocol.phases, 1):
        p()
        _print_phase(out, protocol, number, phase)
    p()
    p("[bold]The ten steps[/]")
    for step, text in SEED_STEPS.items():
        rules = [r.id for r in protocol.rules if r.step == step]
        p(f" {step}. {text} [dim]({', '.join(rules) or 'no rule'})[/]")
    p()
    p(f"[dim]{escape(DISCLAIMER)}[/]")


def _standing_text(flag: RedFlag) -> str:
    """A flag that is a condition of the injury itself, not a sign on a check-in."""
    if flag.sites:
        where = " or ".join(SITES[s].name for s in flag.sites)
        kind = "a bone injury" if flag.bone_only else "an injury"
        return f"{kind} at the {where}"
    return "a bone injury at a high-risk site"


def _print_phase(out: Console, protocol: Protocol, number: int, phase: Phase) -> None:
    p = out.print
    rule = protocol.rule(phase.rule)
    p(
        f"[bold]Phase {number}: {escape(phase.title)}[/] "
        f"[dim]({phase.id}; step {rule.step}; {', '.join(rule.evidence)})[/]"
    )
    p(f" {escape(phase.purpose)}")
    if phase.daily:
        p(" Every day:")
        for item in phase.daily:
            _print_prescription(out, protocol, item, indent="   ")
    for week in phase.weeks:
        level = f", level {week.level}" if week.level else ""
        p(f" [bold]Week {week.week}{level}[/]: {escape(week.focus)}")
        for item in week.items:
            _print_prescription(out, protocol, item, indent="   ")
        if week.min_sessions:
            p(
                f"   [dim]Moves on after 7 days with {week.min_sessions} sessions "
                "done without soreness.[/]"
            )
    if phase.cross_training:
        options = "; ".join(
            f"{c.activity}: {'yes' if c.allowed else 'no'}" for c in phase.cross_training
        )
        p(f" Cross-training: {escape(options)}.")
    if phase.exit:
        p(" Leaves this phase when all of these hold:")
        for criterion in phase.exit:
            extra = ""
            if isinstance(criterion, CheckinStreak):
                extra = (
                    " [dim](" + ", ".join(_condition_text(c) for c in criterion.require) + ")[/]"
                )
            p(f"   - {escape(criterion.text)}{extra} [dim]({criterion.rule})[/]")
    else:
        p(" Ongoing: this phase has no end; restride keeps watching.")


def _print_prescription(
    out: Console, protocol: Protocol, item: Prescription, *, indent: str
) -> None:
    days = "every day" if len(item.days) == 7 else "days " + ", ".join(str(d) for d in item.days)
    minutes = f", {item.minutes:g} min" if item.minutes else ""
    out.print(f"{indent}- {escape(item.title)} ({days}{minutes})")
    if item.intervals is not None:
        out.print(f"{indent}  {_intervals_line(item.intervals)}")
    for dose in item.exercises:
        out.print(f"{indent}  · {escape(_dose_line(protocol, dose))}")


def _intervals_line(intervals: Intervals) -> str:
    return (
        _intervals_text(intervals.warmup_walk_min, intervals.blocks, intervals.cooldown_walk_min)
        + f" Running: {intervals.run_min:g} min."
    )


def _dose_line(protocol: Protocol, dose: ExerciseDose) -> str:
    exercise = protocol.library.exercises[dose.id]
    note = f" {dose.note}" if dose.note else ""
    return f"{exercise.name}: {_dose(dose.sets, dose.reps, dose.hold_s, dose.minutes)}.{note}"


def _condition_text(condition: Condition) -> str:
    name = condition.field.replace("_", " ")
    if condition.is_ is not None:
        return name if condition.is_ else f"no {name}"
    if condition.at_most is not None:
        return f"{name} ≤ {condition.at_most}"
    return f"{name} ≥ {condition.at_least}"


# --- The daily workflow: check-in feedback, the plan ahead, the history -------------------------

SIGN_WORDS = {
    "limp": "limp",
    "swelling": "swelling",
    "redness": "redness",
    "night_pain": "night pain",
    "bone_tenderness": "bone tender",
    "fever": "fever",
    "numbness": "numbness",
    "redness_spreading": "redness spreading",
    "foot_pale_or_cold": "foot pale/cold",
}


def print_red_flags(out: Console, flags: list[RedFlag], protocol: Protocol) -> None:
    """The red flags a check-in raised, first and loud: they override the plan."""
    for flag in flags:
        rule = protocol.rule(flag.rule)
        colour = "red" if flag.referral == "urgent" else "yellow"
        _hang(
            out,
            "!!",
            f"[bold {colour}]RED FLAG ({flag.referral.upper()}):[/] {escape(rule.text)} "
            f"[dim]({rule.id}; {', '.join(rule.evidence)})[/]",
        )


def print_decision_brief(out: Console, decision: Decision) -> None:
    """Today's decision in three lines: where, what, and the summary."""
    colour = "red" if decision.action == "stop" or decision.referral == "urgent" else "bold"
    out.print(
        f"[bold]{decision.date.isoformat()} · {escape(decision.phase_title)}, "
        f"week {decision.week}[/]: [{colour}]{ACTION_WORDS[decision.action]}[/] · "
        f"{REFERRAL_WORDS[decision.referral]}",
        highlight=False,
    )
    out.print(escape(decision.summary), highlight=False)


def print_plan(out: Console, plan: Plan, protocol: Protocol, weeks: int) -> None:
    """The weeks ahead if all goes well, the earliest start of each phase and what gates it."""
    p = out.print
    now = plan.today
    p(f"[bold]The plan from {now.date.isoformat()}, {weeks} weeks ahead[/]", highlight=False)
    p(
        "These dates assume every day from tomorrow goes pain-free, with a check-in every day "
        "and every session done as planned. Pain, a missed check-in or a flare moves them "
        "later: the criteria decide, not the calendar.",
        highlight=False,
    )
    if now.action == "stop" or now.referral in ("soon", "urgent"):
        p(
            f"[bold red]First: {REFERRAL_WORDS[now.referral]}.[/] Today's decision is "
            f"{ACTION_WORDS[now.action]}; this plan assumes the doctor finds nothing that "
            "changes it.",
            highlight=False,
        )
    p()
    p("[bold]Phases[/]: the earliest each can start, and what must hold first")
    current = protocol.phase_index(now.phase)
    since = now.phase_history[-1].start if now.phase_history else now.date
    for index in range(current, len(protocol.phases)):
        phase = protocol.phases[index]
        if index == current:
            p(f" {escape(phase.title)}: now, since {since.isoformat()}", highlight=False)
            continue
        start = plan.phase_starts.get(phase.id)
        when = f"{start.isoformat()} at the earliest" if start else f"beyond these {weeks} weeks"
        p(f" {escape(phase.title)}: {when}, once", highlight=False)
        for gate in _gates(plan, protocol, index):
            _hang(out, "   -", gate)
    p()
    p("[bold]Week by week[/]")
    focus = ""
    for week in plan.weeks:
        p(
            f" [bold]{week.start:%a} {week.start.isoformat()}[/]  "
            f"{escape(week.phase_title)}, week {week.week}",
            highlight=False,
        )
        if week.focus != focus:
            _hang(out, "   ", escape(week.focus))
            focus = week.focus
        _hang(out, "   ", "Sessions: " + escape(_sessions_summary(week.sessions)))


def _gates(plan: Plan, protocol: Protocol, index: int) -> list[str]:
    """What gates phase `index`: the engine's unmet criteria as the phase before it begins
    (today's for the next phase), else that phase's exit criteria from the protocol."""
    now = plan.today
    if protocol.phases[index - 1].id == now.phase and now.next is not None:
        unmet = now.next.unmet
        if not unmet:
            return ["all met: it starts as soon as today's rules allow"]
        return [f"{escape(u.text)} [dim](now: {escape(u.status)})[/]" for u in unmet]
    before = next((w for w in plan.weeks if w.phase == protocol.phases[index - 1].id), None)
    if before is not None:
        return [escape(g) for g in before.gates] or ["all met"]
    gates = []
    for criterion in protocol.phases[index - 1].exit:
        text = escape(criterion.text)
        if isinstance(criterion, ClinicianClearance) and criterion.when != "always":
            which = "a high-risk site" if criterion.when == "high_risk_site" else "a bone injury"
            text += f" [dim](for {which})[/]"
        gates.append(text)
    return gates


def _sessions_summary(labels: list[str]) -> str:
    """`Mon 16 Mar: Corrective level 1` × 5 → `Corrective level 1 × 5`; a one-off keeps its day."""
    days: dict[str, list[str]] = {}
    for label in labels:
        day, _, title = label.partition(": ")
        days.setdefault(title or day, []).append(day)
    lines = []
    for title, on in days.items():
        lines.append(f"{title} × {len(on)}" if len(on) > 1 else f"{title} ({on[0]})")
    return "; ".join(lines) or "none to log"


def print_history(out: Console, case: Case, decision: Decision, first: dt.date) -> None:
    """One row a day from `first` to today: pains, signs, sessions, clinician events, phase."""
    checkins = {c.date: c for c in case.checkins}
    table = Table(
        box=box.SIMPLE_HEAD,
        caption="Pain 0-10: at rest / walking / during activity / after it / on waking; "
        "- not asked.",
        caption_justify="left",
    )
    table.add_column("Date", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Pain", no_wrap=True)
    table.add_column("Signs")
    table.add_column("Sessions")
    table.add_column("Clinician")
    day = first
    while day <= case.today:
        checkin = checkins.get(day)
        if checkin is None:
            pains, signs = "", "[dim]no check-in[/]"
        else:
            pains = "/".join(_pain(getattr(checkin, f)) for f in PAIN_FIELDS)
            signs = escape(", ".join(_signs(checkin)) or "none")
        table.add_row(
            day.isoformat(),
            _phase_on(decision, day),
            pains,
            signs,
            escape("\n".join(_session_text(s) for s in case.sessions if s.date == day)),
            escape("\n".join(_event_text(e) for e in case.clinician_events if e.date == day)),
        )
        day += dt.timedelta(days=1)
    out.print(table)


def _pain(value: int | None) -> str:
    return "-" if value is None else str(value)


def _signs(checkin: CheckIn) -> list[str]:
    signs = [word for field, word in SIGN_WORDS.items() if getattr(checkin, field)]
    if not checkin.can_bear_weight:
        signs.append("cannot bear weight")
    return signs


def _session_text(session: Session) -> str:
    what = f"test {session.test}" if session.kind == "test" else session.kind.replace("_", " ")
    minutes = f" {session.done_min:g} min" if session.done_min is not None else ""
    pains = [
        f"{label} {value}"
        for label, value in (("pain", session.pain_during), ("after", session.pain_after))
        if value
    ]
    return what + minutes + (f" ({', '.join(pains)})" if pains else "")


def _event_text(event: ClinicianEvent) -> str:
    who = f" ({event.clinician})" if event.clinician else ""
    return f"{event.kind.replace('_', ' ')}{who}: {event.reason}"


def _phase_on(decision: Decision, day: dt.date) -> str:
    for span in decision.phase_history:
        if span.start <= day and (span.end is None or day <= span.end):
            return span.phase
    return ""
