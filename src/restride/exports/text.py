"""Prescriptions in words, shared by the calendar, the workouts and the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from restride.domain.decision import IntervalPlan, TodayItem


def clock(seconds: int) -> str:
    """90 -> `1½ min`, 60 -> `1 min`, 75 -> `1:15`."""
    minutes, secs = divmod(seconds, 60)
    if secs == 0:
        return f"{minutes} min"
    if secs == 30:
        return f"{minutes}½ min" if minutes else "½ min"
    return f"{minutes}:{secs:02d}"


def minutes(value: float) -> str:
    return f"{value:g} min"


def intervals_text(plan: IntervalPlan) -> str:
    """`Walk 5 min to warm up; 12 × (run 1 min, walk 2 min); walk 5 min to cool down.`"""
    parts = []
    if plan.warmup_walk_min:
        parts.append(f"Walk {minutes(plan.warmup_walk_min)} to warm up")
    for block in plan.blocks:
        walk = f", walk {clock(block.walk_s)}" if block.walk_s else ""
        run = f"run {clock(block.run_s)}{walk}"
        parts.append(f"{block.repeats} × ({run})" if block.repeats > 1 else run)
    if plan.cooldown_walk_min:
        parts.append(f"walk {minutes(plan.cooldown_walk_min)} to cool down")
    text = "; then ".join(parts)
    return text[:1].upper() + text[1:] + "."


def item_lines(item: TodayItem) -> list[str]:
    """What to do, in a few plain lines: instructions, the intervals, the time, the shoes."""
    lines = [item.instructions] if item.instructions else []
    if item.intervals is not None:
        plan = item.intervals
        lines.append(intervals_text(plan))
        lines.append(f"{minutes(plan.total_min)} in all, {minutes(plan.run_min)} of it running.")
    elif item.minutes:
        lines.append(f"{minutes(item.minutes)}.")
    if item.minimalist_min:
        lines.append(f"Minimalist shoes: the last {minutes(item.minimalist_min)} only.")
    if item.exercises:
        lines.append("Exercises: " + "; ".join(e.name for e in item.exercises) + ".")
    return lines
