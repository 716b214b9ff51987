"""Walk-run and run sessions as FIT workout files that a Garmin (or other FIT) watch loads.

One file per distinct prescription in the plan: a warm-up walk, the run and walk intervals (a
repeat step loops back over them), a cool-down walk, every step by time. Pure: bytes out.
See https://developer.garmin.com/fit/file-types/workout/ and the FIT cookbook's "Encoding
Workout Files" for the repeat step: its duration value is the index of the step to go back to,
its target value how many times the steps run in all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fit_tool.fit_file_builder import FitFileBuilder  # type: ignore[import-untyped]
from fit_tool.profile.messages.file_id_message import FileIdMessage  # type: ignore[import-untyped]
from fit_tool.profile.messages.workout_message import WorkoutMessage  # type: ignore[import-untyped]
from fit_tool.profile.messages.workout_step_message import (  # type: ignore[import-untyped]
    WorkoutStepMessage,
)
from fit_tool.profile.profile_type import (  # type: ignore[import-untyped]
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

if TYPE_CHECKING:
    from restride.domain.decision import TodayItem
    from restride.services.decisions import Plan

WORKOUT_KINDS = ("walk_run", "run")
StepIntensity = Literal["warmup", "active", "recovery", "cooldown"]
INTENSITIES = {
    "warmup": Intensity.WARMUP,
    "active": Intensity.ACTIVE,
    "recovery": Intensity.RECOVERY,
    "cooldown": Intensity.COOLDOWN,
}
# FIT strings are at most 255 bytes; watches show far fewer characters anyway.
MAX_NAME_BYTES = 100


@dataclass(frozen=True)
class TimedStep:
    name: str
    intensity: StepIntensity
    duration_s: int
    notes: str = ""


@dataclass(frozen=True)
class RepeatStep:
    """Go back to step `back_to` (its index) until the steps from there have run `times` times."""

    back_to: int
    times: int


Step = TimedStep | RepeatStep


@dataclass(frozen=True)
class Workout:
    file_name: str
    name: str
    phase: str
    week: int
    first_date: dt.date
    steps: tuple[Step, ...]


def plan_workouts(plan: Plan) -> list[Workout]:
    """Each distinct walk-run or run prescription of the plan, today's included, in date order.

    A file is named after the phase and week it first appears in: `run-week-01.fit`.
    """
    found: dict[tuple[object, ...], Workout] = {}
    taken: set[str] = set()
    for decision in plan.days or [plan.today]:
        for item in decision.today:
            if item.kind not in WORKOUT_KINDS:
                continue
            key = _prescription_key(item)
            if key in found:
                continue
            steps = workout_steps(item)
            if not steps:
                continue
            base = f"{decision.phase}-week-{decision.week:02d}"
            file_name, number = f"{base}.fit", 1
            while file_name in taken:
                number += 1
                file_name = f"{base}-{number}.fit"
            taken.add(file_name)
            found[key] = Workout(
                file_name=file_name,
                name=_short(item.title),
                phase=decision.phase,
                week=decision.week,
                first_date=decision.date,
                steps=tuple(steps),
            )
    return list(found.values())


def _prescription_key(item: TodayItem) -> tuple[object, ...]:
    intervals = item.intervals.model_dump_json() if item.intervals else None
    return (item.kind, item.title, intervals, item.minutes, item.minimalist_min)


def workout_steps(item: TodayItem) -> list[Step]:
    """The watch's steps for a walk-run or run item; empty when it has no duration."""
    steps: list[Step] = []
    plan = item.intervals
    if plan is None:
        if not item.minutes:
            return []
        total_s = round(item.minutes * 60)
        minimalist_s = min(round((item.minimalist_min or 0) * 60), total_s)
        if total_s > minimalist_s:
            steps.append(TimedStep("Run", "active", total_s - minimalist_s))
        if minimalist_s:
            steps.append(
                TimedStep("Run, minimalist shoes", "active", minimalist_s, "Change shoes now.")
            )
        return steps
    if plan.warmup_walk_min:
        steps.append(TimedStep("Warm-up walk", "warmup", round(plan.warmup_walk_min * 60)))
    for block in plan.blocks:
        first = len(steps)
        if block.run_s:
            steps.append(TimedStep("Run", "active", block.run_s))
        if block.walk_s:
            steps.append(TimedStep("Walk", "recovery", block.walk_s))
        if block.repeats > 1 and len(steps) > first:
            steps.append(RepeatStep(back_to=first, times=block.repeats))
    if plan.cooldown_walk_min:
        steps.append(TimedStep("Cool-down walk", "cooldown", round(plan.cooldown_walk_min * 60)))
    return steps


def _short(name: str) -> str:
    data = name.encode("utf-8")
    if len(data) <= MAX_NAME_BYTES:
        return name
    return data[: MAX_NAME_BYTES - 3].decode("utf-8", errors="ignore").rstrip() + "..."


def encode_workout(workout: Workout, *, created: dt.datetime, serial_number: int) -> bytes:
    """The workout as a FIT file: file_id (type workout), workout, then its workout_steps."""
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = serial_number
    file_id.time_created = round(created.timestamp() * 1000)  # fit-tool takes Unix ms

    header = WorkoutMessage()
    header.workout_name = workout.name
    header.sport = Sport.RUNNING
    header.num_valid_steps = len(workout.steps)

    messages = []
    for index, step in enumerate(workout.steps):
        message = WorkoutStepMessage()
        message.message_index = index
        if isinstance(step, RepeatStep):
            message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            message.duration_step = step.back_to
            message.target_repeat_steps = step.times
        else:
            message.workout_step_name = step.name
            message.intensity = INTENSITIES[step.intensity]
            message.duration_type = WorkoutStepDuration.TIME
            message.duration_time = float(step.duration_s)  # seconds; stored as ms
            message.target_type = WorkoutStepTarget.OPEN
            message.target_value = 0
            if step.notes:
                message.notes = step.notes
        messages.append(message)

    builder = FitFileBuilder(auto_define=True, min_string_size=16)
    builder.add(file_id)
    builder.add(header)
    builder.add_all(messages)
    data: bytes = builder.build().to_bytes()
    return data
