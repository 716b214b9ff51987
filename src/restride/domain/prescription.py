"""Today's items: a phase's daily and weekly prescriptions, made safe for this injury.

Self-massage works both sides of the body but never the injured region on the injured side
(seed step 4; EX-5's safety rule: never roll over a suspected bone stress injury). Phases that
spare the injured region leave out anything that puts weight through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from restride.domain.anatomy import SITES
from restride.domain.decision import ExerciseItem, IntervalPlan, Side, TodayItem
from restride.domain.protocol import LOADING_KINDS, Phase, Prescription

if TYPE_CHECKING:
    from collections.abc import Iterable

    from restride.domain.case import Injury
    from restride.domain.library import Exercise, Library

BOTH: list[Side] = ["left", "right"]


def scheduled(phase: Phase, week_index: int, day_of_week: int) -> list[Prescription]:
    """The phase's prescriptions for one day of its program week (1-7)."""
    items = [p for p in phase.daily if day_of_week in p.days]
    if phase.weeks:
        week = phase.weeks[min(week_index, len(phase.weeks) - 1)]
        items += [p for p in week.items if day_of_week in p.days]
    return items


def without_loading(items: Iterable[Prescription]) -> list[Prescription]:
    return without(items, LOADING_KINDS)


def without(items: Iterable[Prescription], kinds: Iterable[str]) -> list[Prescription]:
    leave_out = set(kinds)
    return [p for p in items if p.kind not in leave_out]


def render(
    items: Iterable[Prescription],
    library: Library,
    injury: Injury,
    *,
    spare_injured_region: bool,
    bone: bool,
    massage_injured_site: bool = False,
) -> list[TodayItem]:
    """Today's items for this injury: what is spared is left out, and said. Self-massage works
    the injured region only where the phase allows it and the injury is not a bone."""
    massage_site = massage_injured_site and not bone
    rendered: list[TodayItem] = []
    for item in items:
        exercises: list[ExerciseItem] = []
        spared: list[str] = []
        for dose in item.exercises:
            exercise = library.exercises[dose.id]
            sides = _safe_sides(
                exercise,
                injury,
                item.kind,
                spare_injured_region=spare_injured_region,
                massage_site=massage_site,
            )
            if sides is None:
                spared.append(f"{exercise.name}: works or loads the injured {_site_name(injury)}")
                continue
            note = dose.note
            if bone and _touches_site(exercise, injury) and item.kind in LOADING_KINDS:
                note = (note + " " if note else "") + "Stop at the first pain at the injured bone."
            if sides != BOTH and exercise.per_side:
                spared.append(f"{exercise.name} on the {injury.side} side")
            exercises.append(
                ExerciseItem(
                    id=exercise.id,
                    name=exercise.name,
                    summary=exercise.summary,
                    sets=dose.sets,
                    reps=dose.reps,
                    hold_s=dose.hold_s,
                    minutes=dose.minutes,
                    sides=sides if exercise.per_side else [],
                    note=note,
                )
            )
        if item.exercises and not exercises:
            continue  # every exercise of it was spared: nothing left to do
        intervals = None
        if item.intervals is not None:
            intervals = IntervalPlan(
                warmup_walk_min=item.intervals.warmup_walk_min,
                blocks=item.intervals.blocks,
                cooldown_walk_min=item.intervals.cooldown_walk_min,
                run_min=round(item.intervals.run_min, 2),
                total_min=round(item.intervals.total_min, 2),
            )
        minutes = item.minutes if intervals is None else intervals.total_min
        if spared and all(dose.minutes for dose in item.exercises):
            # The minutes say what is left to do once the spared areas are left out.
            minutes = sum((e.minutes or 0) * max(1, len(e.sides)) for e in exercises)
        rendered.append(
            TodayItem(
                kind=item.kind,
                title=item.title,
                rule=item.rule,
                instructions=item.instructions,
                minutes=minutes,
                exercises=exercises,
                intervals=intervals,
                minimalist_min=item.minimalist_min,
                test=item.test,
                spared=spared,
            )
        )
    return rendered


def dosed_minutes(item: Prescription, library: Library) -> float | None:
    """What an item's exercises add up to, when each gives its minutes (a minute a side for
    an exercise done on each side), else None."""
    if not item.exercises or not all(dose.minutes for dose in item.exercises):
        return None
    return sum(
        (dose.minutes or 0) * (2 if library.exercises[dose.id].per_side else 1)
        for dose in item.exercises
        if dose.id in library.exercises
    )


def _touches_site(exercise: Exercise, injury: Injury) -> bool:
    regions = set(SITES[injury.site].regions)
    return bool(regions & set(exercise.works)) or bool(regions & set(exercise.loads))


def _safe_sides(
    exercise: Exercise,
    injury: Injury,
    kind: str,
    *,
    spare_injured_region: bool,
    massage_site: bool = False,
) -> list[Side] | None:
    """Which sides the exercise may be done on here; None when it must be left out."""
    regions = set(SITES[injury.site].regions)
    if spare_injured_region and regions & set(exercise.loads):
        return None
    massages_site = exercise.kind == "self_massage" or kind == "self_massage"
    if massages_site and regions & set(exercise.works) and not massage_site:
        if injury.side in ("left", "right") and exercise.per_side:
            return ["right"] if injury.side == "left" else ["left"]
        return None
    return list(BOTH)


def _site_name(injury: Injury) -> str:
    return SITES[injury.site].name
