"""Decisions and protocols in words, for a person at a terminal or on paper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from restride.domain.anatomy import SITES
from restride.domain.case import PAIN_FIELDS
from restride.domain.evidence import DISCLAIMER, SEED_STEPS
from restride.domain.pain import is_bone_injury
from restride.domain.prescription import render as render_items
from restride.domain.protocol import (
    CheckinStreak,
    ClinicianClearance,
    Condition,
    ExerciseDose,
    Intervals,
    MinDaysFromStart,
    MinDaysInPhase,
    Phase,
    Prescription,
    Protocol,
    RedFlag,
    TestPassed,
)

if TYPE_CHECKING:
    from rich.console import Console

    from restride.domain.case import Case, CheckIn, ClinicianEvent, Injury, Session
    from restride.domain.decision import Decision, ExerciseItem, TodayItem
    from restride.domain.library import Exercise
    from restride.domain.protocol import Criterion, ReturnToRun
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
        parts.append(f"{sets} set{'s' if sets != 1 else ''}")
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


def print_protocol(out: Console, protocol: Protocol, injury: Injury | None = None) -> None:
    """The whole program, phase by phase and week by week, so it can be followed from paper:
    every item's exercises and how to do them, the pain and flare rules, how to do each test,
    where it departs from the seed and its evidence; for an `injury`, what is spared for it."""
    p = out.print
    _para(
        out,
        0,
        f"[bold]{escape(protocol.title)}[/] (protocol {protocol.id}, version {protocol.version})",
    )
    _para(out, 0, escape(protocol.summary))
    _para(out, 0, f"Written for {TISSUE_WORDS[protocol.tissue]}.")
    if injury is not None:
        p()
        _print_injury(out, protocol, injury)
    if protocol.return_to_run is not None:
        p()
        _print_return_to_run(out, protocol, protocol.return_to_run)
    if protocol.departures:
        p()
        _print_departures(out, protocol)
    p()
    _para(out, 0, "[bold]Red flags: stop and see a doctor[/]")
    for flag in protocol.red_flags:
        rule = protocol.rule(flag.rule)
        when = " or ".join(_condition_text(c) for c in flag.when_any) or _standing_text(flag)
        repeat = f" on {flag.for_checkins} check-ins in a row" if flag.for_checkins > 1 else ""
        _bullet(
            out,
            " -",
            f"{flag.referral.upper()}: {escape(when)}{repeat}. {escape(rule.text)} "
            f"{_cite(rule.id, rule.evidence)}",
        )
    if protocol.setbacks:
        p()
        _para(out, 0, "[bold]Setbacks: back to an earlier phase[/]")
        for setback in protocol.setbacks:
            rule = protocol.rule(setback.rule)
            when = " or ".join(_condition_text(c) for c in setback.when_any)
            repeat = (
                f" on {setback.for_checkins} check-ins in a row" if setback.for_checkins > 1 else ""
            )
            where = ", ".join(_phase_title(protocol, f) for f in setback.from_phases)
            _bullet(
                out,
                " -",
                f"{escape(when)}{repeat}, in {escape(where)}: back to "
                f"{escape(_phase_title(protocol, setback.to_phase))}. {escape(rule.text)} "
                f"{_cite(rule.id, rule.evidence)}",
            )
    p()
    _print_pain_rules(out, protocol)
    numbers = _exercise_numbers(protocol)
    shown = _Shown()
    for number, phase in enumerate(protocol.phases, 1):
        p()
        _print_phase(out, protocol, number, phase, numbers=numbers, injury=injury, shown=shown)
    if numbers:
        p()
        _print_exercises(out, protocol, numbers)
    p()
    _print_evidence(out, protocol)
    p()
    _para(out, 0, "[bold]The ten steps[/]")
    for step, text in SEED_STEPS.items():
        rules = [r.id for r in protocol.rules if r.step == step]
        _bullet(out, f" {step}.", f"{text} [dim]({', '.join(rules) or 'no rule'})[/]")
    p()
    _para(out, 0, f"[dim]{escape(DISCLAIMER)}[/]")


TISSUE_WORDS = {
    "bone": "bone stress injuries",
    "tendon": "tendon injuries",
    "fascia": "plantar fascia injuries",
    "muscle": "muscle strains",
    "back": "low-back pain",
}
GRADE_WORDS = {
    "P": "read in the primary source",
    "S": "seen only in a secondary source",
    "I": "an inference, not a finding",
}
CONDITION_WORDS = {
    "pain_rest": "pain at rest",
    "pain_walking": "pain walking",
    "pain_activity": "pain during exercise",
    "pain_after": "pain after exercise",
    "pain_next_morning": "pain on waking",
}


@dataclass
class _Shown:
    """What the printout has already said in full, so a repeat can point back to it."""

    items: dict[str, str] = field(default_factory=dict)
    tests: set[str] = field(default_factory=set)


def _para(out: Console, indent: int, markup: str) -> None:
    """A paragraph whose wrapped lines keep its indent."""
    _wrap(out, " " * indent, markup)


def _bullet(out: Console, marker: str, markup: str) -> None:
    """A marker, then text whose wrapped lines line up under its first word."""
    _wrap(out, f"{marker} " if marker else "", markup)


def _wrap(out: Console, prefix: str, markup: str) -> None:
    """Wrap to the terminal's width, each line after the first under the first's text, with
    no padding after the text: the printout reads the same on any width and on paper."""
    text = Text.from_markup(markup)
    width = max(out.width - len(prefix), 24)
    for index, line in enumerate(text.wrap(out, width)):
        line.rstrip()
        lead = prefix if index == 0 else " " * len(prefix)
        out.print(Text(lead) + line, soft_wrap=True, highlight=False)


def _cite(rule_id: str, evidence: list[str]) -> str:
    return f"[dim]({escape(rule_id)}; {escape(', '.join(evidence))})[/]"


def _engine_cite(protocol: Protocol, key: str) -> str:
    rule = protocol.engine_rule(key)
    return _cite(rule.id, rule.evidence)


def _phase_title(protocol: Protocol, phase_id: str) -> str:
    return protocol.phases[protocol.phase_index(phase_id)].title


def _print_injury(out: Console, protocol: Protocol, injury: Injury) -> None:
    site = SITES[injury.site]
    side = "both sides" if injury.side == "both" else f"{injury.side} side"
    _para(out, 0, f"[bold]For your injury: {escape(site.name)}, {side}[/]")
    if is_bone_injury(injury, tenderness_seen=False):
        _para(out, 1, "A bone site: the bone limit applies (no pain at all at the bone).")
    else:
        _para(out, 1, "Not a bone site: the pain bands and the soreness rules apply.")
    if injury.site in protocol.high_risk_sites:
        _para(
            out,
            1,
            "A high-risk site: a clinician must clear you before each phase that loads it.",
        )
    _para(
        out,
        1,
        "Under each item below: what is left out for this injury, and what is done on one "
        "side only.",
    )


def _print_return_to_run(out: Console, protocol: Protocol, back: ReturnToRun) -> None:
    number = protocol.phase_index(back.phase) + 1
    _para(out, 0, "[bold]Return to running[/]")
    _para(
        out,
        1,
        f"Running starts on the first day of phase {number}, "
        f"{escape(_phase_title(protocol, back.phase))}. Published range: {back.weeks[0]}-"
        f"{back.weeks[1]} weeks from the program start. {escape(back.text)} "
        f"[dim]({escape(', '.join(back.evidence))})[/]",
    )


def _print_departures(out: Console, protocol: Protocol) -> None:
    _para(out, 0, "[bold]Where this protocol departs from the seed, and why[/]")
    for departure in protocol.departures:
        _bullet(out, " -", f"[bold]Step {departure.step}[/]: {escape(SEED_STEPS[departure.step])}")
        _para(out, 3, f"The seed: {escape(departure.seed)}")
        _para(out, 3, f"Here: {escape(departure.here)}")
        _para(
            out,
            3,
            f"Why: {escape(departure.why)} [dim]({escape(', '.join(departure.evidence))})[/]",
        )


def _print_pain_rules(out: Console, protocol: Protocol) -> None:
    """The pain-monitoring model, the bone limit, the soreness rules and the flares, with the
    protocol's own numbers and the rule each comes from."""
    pain, flare = protocol.pain, protocol.flare
    cite = partial(_engine_cite, protocol)

    def line(markup: str) -> None:
        _bullet(out, " -", markup)

    _para(out, 0, "[bold]How to read pain[/]")
    _para(
        out,
        1,
        "Score pain from 0 (none) to 10 (the worst you can imagine): at rest, walking, during "
        "and after exercise, and on waking.",
    )
    line(
        f"{_band(0, pain.green_max)}, green: fine. The session counts. {cite('pain_above_ceiling')}"
    )
    if pain.amber_max > pain.green_max:
        line(
            f"{_band(pain.green_max + 1, pain.amber_max)}, amber: acceptable during a session "
            f"only if it has settled by the next morning. {cite('amber_pain')}"
        )
    if pain.amber_max < 10:
        line(
            f"{_band(pain.amber_max + 1, 10)}, red: too much. Stop the session: "
            f"{_days(flare.persisted_rest_days)} off, then one week back. "
            f"{cite('soreness_warmup_persisted')}"
        )
    line(
        f"At a bone injury the limit is {pain.bone_ceiling}: no pain at all at the bone, "
        f"during, after or the next morning. {cite('bone_ceiling')}"
    )
    line(f"{escape(protocol.engine_rule('pain_today').text)} {cite('pain_today')}")
    line(
        f"Pain that rises by {pain.meaningful_change} points or more is a real change, not "
        f"noise: nothing moves on until it settles. {cite('rising_pain')}"
    )
    line(
        "A day without a check-in never counts as a pain-free day, and nothing steps up "
        f"without {protocol.checkins_to_progress} check-ins in a row. {cite('missing_checkin')}"
    )
    _para(out, 1, "[bold]Soreness[/] (away from a bone injury)")
    line(
        "Soreness in the warm-up that goes away: repeat this week before moving on. "
        f"{cite('soreness_warmup_settled')}"
    )
    line(
        f"Soreness that stays through the session: stop; {_days(flare.persisted_rest_days)} "
        f"off, then one week back. {cite('soreness_warmup_persisted')}"
    )
    line(
        f"Soreness afterwards (above {pain.green_max}) or the next morning: "
        f"{_days(flare.after_soreness_rest_days)} off, then repeat the same week. "
        f"{cite('soreness_after')}"
    )
    _para(out, 1, "[bold]Flares[/] (at a bone injury)")
    line(
        "Any pain at the bone during, after or the morning after a session is a flare: one "
        f"week back and {_days(flare.bone_rest_days)} of rest. {cite('flare_bone')}"
    )
    line(
        f"A severe flare (pain of {flare.severe_pain} or more during or after, pain that is "
        f"still there walking the next day, {flare.severe_next_morning} or more on waking, or a "
        f"second flare within {flare.repeat_within_days} days): no impact loading for "
        f"{_days(flare.severe_rest_days)}, {flare.severe_stages_back} weeks back, and see a "
        f"sports-medicine doctor within the next few days. {cite('flare_severe')}"
    )
    line(f"{escape(protocol.engine_rule('rest_days').text)} {cite('rest_days')}")


def _band(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _exercise_numbers(protocol: Protocol) -> dict[str, int]:
    """Each library entry the phases name, numbered in the order the printout meets it."""
    numbers: dict[str, int] = {}
    for phase in protocol.phases:
        for item in [*phase.daily, *(i for w in phase.weeks for i in w.items)]:
            for entry in [*(d.id for d in item.exercises), *([item.test] if item.test else [])]:
                numbers.setdefault(entry, len(numbers) + 1)
    return numbers


def _print_phase(
    out: Console,
    protocol: Protocol,
    number: int,
    phase: Phase,
    *,
    numbers: dict[str, int],
    injury: Injury | None,
    shown: _Shown,
) -> None:
    rule = protocol.rule(phase.rule)
    step = "" if rule.step is None else f"step {rule.step}; "
    _para(
        out,
        0,
        f"[bold]Phase {number}: {escape(phase.title)}[/] "
        f"[dim]({phase.id}; {step}{', '.join(rule.evidence)})[/]",
    )
    _para(out, 1, escape(phase.purpose))
    show = partial(
        _print_prescription, out, protocol, phase, numbers=numbers, injury=injury, shown=shown
    )
    if phase.daily:
        _para(out, 1, "Every day:")
        for item in phase.daily:
            show(item, where=f"phase {number}, every day")
    for week in phase.weeks:
        level = f", level {week.level}" if week.level else ""
        _para(out, 1, f"[bold]Week {week.week}{level}[/]: {escape(week.focus)}")
        for item in week.items:
            show(item, where=f"phase {number}, week {week.week}")
        if week.min_sessions:
            _para(
                out,
                3,
                f"[dim]Moves on after 7 days with {week.min_sessions} sessions done without "
                "soreness.[/]",
            )
    if phase.cross_training:
        options = "; ".join(
            f"{c.activity}: {'yes' if c.allowed else 'no'}" for c in phase.cross_training
        )
        _para(out, 1, f"Cross-training: {escape(options)}.")
    if phase.gap_days is not None:
        _para(
            out,
            1,
            f"A break of {phase.gap_days} days or more without the phase's sessions steps back "
            f"about a week for each week missed. {_engine_cite(protocol, 'gap')}",
        )
    if not phase.exit:
        _para(out, 1, "Ongoing: this phase has no end; restride keeps watching.")
        return
    _para(out, 1, "Leaves this phase when all of these hold:")
    for criterion in phase.exit:
        extra = _criterion_detail(protocol, criterion, injury)
        _bullet(
            out,
            "   -",
            f"{escape(criterion.text)}{extra} [dim]({criterion.rule})[/]",
        )
        if isinstance(criterion, TestPassed):
            _print_test(out, protocol, criterion.test, shown)


def _criterion_detail(protocol: Protocol, criterion: Criterion, injury: Injury | None) -> str:
    if isinstance(criterion, CheckinStreak):
        return " [dim](" + ", ".join(_condition_text(c) for c in criterion.require) + ")[/]"
    if isinstance(criterion, MinDaysInPhase | MinDaysFromStart):
        if criterion.hard_floor < criterion.days:
            return (
                f" [dim](a clinician may shorten it to {criterion.hard_floor} days, never less)[/]"
            )
        return " [dim](a clinician cannot shorten it)[/]"
    if isinstance(criterion, TestPassed):
        return (
            f" [dim](offered from week {criterion.offer_from_week}; passed within the last "
            f"{criterion.within_days} days)[/]"
        )
    if isinstance(criterion, ClinicianClearance) and criterion.when != "always":
        which = "a high-risk site" if criterion.when == "high_risk_site" else "a bone injury"
        if injury is None:
            return f" [dim](only for {which})[/]"
        applies = (
            injury.site in protocol.high_risk_sites
            if criterion.when == "high_risk_site"
            else is_bone_injury(injury, tenderness_seen=False)
        )
        verdict = "so yours needs it" if applies else "not needed for yours"
        return f" [dim](only for {which}: {verdict})[/]"
    return ""


def _print_test(out: Console, protocol: Protocol, test_id: str, shown: _Shown) -> None:
    test = protocol.library.exercises[test_id]
    if test_id in shown.tests:
        _para(out, 5, f"How to do the test: as above ({escape(test.name)}).")
        return
    shown.tests.add(test_id)
    _para(out, 5, f"How to do the test ({escape(test.name)}):")
    _print_how_to(out, test, indent=7)


def _print_prescription(
    out: Console,
    protocol: Protocol,
    phase: Phase,
    item: Prescription,
    *,
    where: str,
    numbers: dict[str, int],
    injury: Injury | None,
    shown: _Shown,
) -> None:
    days = "every day" if len(item.days) == 7 else "days " + ", ".join(str(d) for d in item.days)
    if len(item.days) == 1:
        days = f"day {item.days[0]}"
    minutes = f", {item.minutes:g} min" if item.minutes else ""
    heading = f"{escape(item.title)} ({days}{minutes})"
    # The same item under the same sparing rules is printed in full once; a repeat points back.
    key = f"{phase.spare_injured_region}:{item.model_dump_json(exclude={'days'})}"
    if key in shown.items:
        _bullet(out, "   -", f"{heading}: as in {shown.items[key]}.")
        return
    shown.items[key] = where
    _bullet(out, "   -", heading)
    if item.instructions:
        _para(out, 5, escape(item.instructions))
    if item.intervals is not None:
        _para(out, 5, escape(_intervals_line(item.intervals)))
    if item.minimalist_min:
        _para(out, 5, f"Minimalist shoes: the last {item.minimalist_min:g} min only.")
    for dose in item.exercises:
        _bullet(out, "     ·", escape(_dose_line(protocol, dose, numbers)))
    if item.test is not None:
        _bullet(
            out,
            "     ·",
            escape(f"#{numbers[item.test]} {protocol.library.exercises[item.test].name}"),
        )
    if injury is not None and item.exercises:
        _print_spared(out, protocol, phase, item, injury)


def _print_spared(
    out: Console, protocol: Protocol, phase: Phase, item: Prescription, injury: Injury
) -> None:
    """What the prescription builder leaves out of this item for `injury`, or keeps to the
    other side: the same sparing as on the runner's day."""
    bone = is_bone_injury(injury, tenderness_seen=False)
    made = render_items(
        [item],
        protocol.library,
        injury,
        spare_injured_region=phase.spare_injured_region,
        bone=bone,
        massage_injured_site=phase.massage_injured_site,
    )
    site = SITES[injury.site].name
    if not made:
        _bullet(
            out,
            "     !",
            f"For your injury: leave this item out: all of it works or loads the injured "
            f"{escape(site)}.",
        )
        return
    today = made[0]
    kept = {e.id: e for e in today.exercises}
    lines: list[str] = []
    for dose in item.exercises:
        name = protocol.library.exercises[dose.id].name
        done = kept.get(dose.id)
        if done is None:
            why = next((s for s in today.spared if s.startswith(f"{name}: ")), name)
            lines.append(f"left out: {why}")
        elif len(done.sides) == 1:
            lines.append(f"{name}: done on the {done.sides[0]} side only")
    careful = [e.name for e in today.exercises if e.note != _dose_note(item, e.id)]
    if careful:
        lines.append(f"stop at the first pain at the injured bone: {', '.join(careful)}")
    if lines and today.minutes is not None and today.minutes != item.minutes:
        lines.append(f"{today.minutes:g} min in all")
    for text in lines:
        _bullet(out, "     !", f"For your injury: {escape(text)}.")


def _dose_note(item: Prescription, exercise_id: str) -> str:
    return next((d.note for d in item.exercises if d.id == exercise_id), "")


def _intervals_line(intervals: Intervals) -> str:
    return (
        _intervals_text(intervals.warmup_walk_min, intervals.blocks, intervals.cooldown_walk_min)
        + f" Running: {intervals.run_min:g} min."
    )


def _dose_line(protocol: Protocol, dose: ExerciseDose, numbers: dict[str, int]) -> str:
    exercise = protocol.library.exercises[dose.id]
    note = f" {dose.note}" if dose.note else ""
    amount = _dose(dose.sets, dose.reps, dose.hold_s, dose.minutes)
    return f"#{numbers[dose.id]} {exercise.name}: {amount}.{note}"


def _print_exercises(out: Console, protocol: Protocol, numbers: dict[str, int]) -> None:
    _para(out, 0, "[bold]How to do each exercise[/] (numbered as in the plan above)")
    for exercise_id, number in numbers.items():
        exercise = protocol.library.exercises[exercise_id]
        sides = " Each side." if exercise.per_side else ""
        _bullet(out, f" #{number}", f"[bold]{escape(exercise.name)}[/]")
        _para(out, 5, escape(exercise.summary + sides))
        _print_how_to(out, exercise, indent=5)


def _print_how_to(out: Console, exercise: Exercise, *, indent: int) -> None:
    pad = " " * indent
    _para(out, indent, f"You need: {escape('; '.join(exercise.equipment))}.")
    for step, text in enumerate(exercise.steps, 1):
        _bullet(out, f"{pad}{step}.", escape(text))
    _para(out, indent, f"Think about: {escape(' '.join(_sentence(c) for c in exercise.cues))}")
    _para(out, indent, f"Avoid: {escape(' '.join(_sentence(a) for a in exercise.avoid))}")
    _para(out, indent, "When not to do it:")
    for text in exercise.contraindications:
        _bullet(out, f"{pad} -", escape(text))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _print_evidence(out: Console, protocol: Protocol) -> None:
    _para(out, 0, "[bold]Evidence[/]")
    _para(
        out,
        1,
        "IDs such as PAIN-3, RTR-2 or RF-4 are restride's clinical rule spec (CLINICAL.md), "
        "each graded there." + (" This protocol's own sources:" if protocol.evidence else ""),
    )
    for entry in protocol.evidence:
        _bullet(
            out,
            " -",
            f"[bold]{escape(entry.id)}[/] [{entry.grade}: {GRADE_WORDS[entry.grade]}] "
            f"{escape(entry.citation)} {escape(entry.text)}",
        )


def _standing_text(flag: RedFlag) -> str:
    """A flag that is a condition of the injury itself, not a sign on a check-in."""
    if flag.sites:
        where = " or ".join(SITES[s].name for s in flag.sites)
        kind = "a bone injury" if flag.bone_only else "an injury"
        return f"{kind} at the {where}"
    return "a bone injury at a high-risk site"


def _condition_text(condition: Condition) -> str:
    if condition.field == "can_bear_weight" and condition.is_ is not None:
        return "full weight on the foot" if condition.is_ else "cannot bear weight"
    name = CONDITION_WORDS.get(condition.field, condition.field.replace("_", " "))
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
