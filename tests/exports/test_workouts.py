"""Walk-run and run sessions as FIT workouts: decoded by fitdecode (not the encoder's library),
each gives the watch the plan's steps, intents and durations."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import fitdecode
import pytest

from restride.domain.decision import TodayItem
from restride.exports import fit_workout
from restride.services import decisions, exports

if TYPE_CHECKING:
    from tests.exports.records import Stored

WEEKS = 4
CREATED = dt.datetime(2026, 6, 21, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Decoded:
    file_type: str
    name: str
    sport: str
    num_valid_steps: int
    steps: list[dict[str, Any]]


def decode(data: bytes) -> Decoded:
    messages: dict[str, list[dict[str, Any]]] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                fields = {f.name: (f.value, f.raw_value) for f in frame.fields}
                messages.setdefault(frame.name, []).append(fields)
    (file_id,) = messages["file_id"]
    (workout,) = messages["workout"]
    return Decoded(
        file_type=file_id["type"][0],
        name=workout["wkt_name"][0],
        sport=workout["sport"][0],
        num_valid_steps=workout["num_valid_steps"][0],
        steps=messages["workout_step"],
    )


def unrolled(steps: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """The (intensity, milliseconds) a watch runs through, repeats followed as it would."""
    done: list[tuple[str, int]] = []
    passes: dict[int, int] = {}
    index = 0
    while index < len(steps):
        step = steps[index]
        if step["duration_type"][0] == "repeat_until_steps_cmplt":
            passes[index] = passes.get(index, 0) + 1
            if passes[index] < step["repeat_steps"][0]:
                index = step["duration_step"][0]
                continue
        else:
            assert step["duration_type"][0] == "time"
            done.append((step["intensity"][0], step["duration_time"][1]))  # raw: ms
        index += 1
    return done


@pytest.fixture(scope="module")
def workouts(runner: Stored) -> tuple[decisions.Plan, list[exports.ExportFile]]:
    plan = decisions.plan_ahead(runner.db, runner.athlete.id, today=runner.today, weeks=WEEKS)
    files = exports.plan_workouts(runner.db, runner.athlete.id, today=runner.today, weeks=WEEKS)
    return plan, files


def test_each_distinct_run_session_of_the_plan_gets_one_file_named_by_phase_and_week(
    workouts: tuple[decisions.Plan, list[exports.ExportFile]],
) -> None:
    plan, files = workouts
    titles: dict[str, tuple[str, int]] = {}
    for day in plan.days:
        for item in day.today:
            if item.kind in ("walk_run", "run"):
                titles.setdefault(item.title, (day.phase, day.week))
    assert len(titles) >= 2
    assert sorted(decode(f.data).name for f in files) == sorted(titles)
    for export in files:
        phase, week = titles[decode(export.data).name]
        assert export.name == f"{phase}-week-{week:02d}.fit"
    assert files[0].name == "run-week-01.fit"


def test_each_workout_decodes_to_the_prescribed_steps_and_durations(
    workouts: tuple[decisions.Plan, list[exports.ExportFile]],
) -> None:
    plan, files = workouts
    items = {i.title: i for day in plan.days for i in day.today if i.intervals is not None}
    for export in files:
        decoded = decode(export.data)
        assert decoded.file_type == "workout"
        assert decoded.sport == "running"
        assert decoded.num_valid_steps == len(decoded.steps)
        assert [s["message_index"][0] for s in decoded.steps] == list(range(len(decoded.steps)))
        intervals = items[decoded.name].intervals
        assert intervals is not None
        done = unrolled(decoded.steps)
        assert done[0] == ("warmup", round(intervals.warmup_walk_min * 60_000))
        assert done[-1] == ("cooldown", round(intervals.cooldown_walk_min * 60_000))
        expected_middle: list[tuple[str, int]] = []
        for block in intervals.blocks:
            for _ in range(block.repeats):
                expected_middle.append(("active", block.run_s * 1000))
                if block.walk_s:
                    expected_middle.append(("recovery", block.walk_s * 1000))
        assert done[1:-1] == expected_middle
        assert sum(ms for _, ms in done) == round(intervals.total_min * 60_000)
        assert sum(ms for kind, ms in done if kind == "active") == round(intervals.run_min * 60_000)


def test_the_first_run_week_is_a_warm_up_then_twelve_runs_and_walks_then_a_cool_down(
    workouts: tuple[decisions.Plan, list[exports.ExportFile]],
) -> None:
    _, files = workouts
    steps = decode(next(f.data for f in files if f.name == "run-week-01.fit")).steps
    shape = [
        (
            s.get("wkt_step_name", (None,))[0],
            s["duration_type"][0],
            s.get("duration_time", s.get("duration_step"))[1],
        )
        for s in steps
    ]
    assert shape == [
        ("Warm-up walk", "time", 300_000),
        ("Run", "time", 60_000),
        ("Walk", "time", 120_000),
        (None, "repeat_until_steps_cmplt", 1),
        ("Cool-down walk", "time", 300_000),
    ]
    assert steps[3]["repeat_steps"][0] == 12


def test_a_continuous_run_with_minimalist_minutes_ends_with_a_shoe_change_step() -> None:
    item = TodayItem(
        kind="run",
        title="Run 36 minutes, the last 5 in minimalist shoes",
        rule="TS-MINIMALIST",
        minutes=36,
        minimalist_min=5,
    )
    workout = fit_workout.Workout(
        file_name="maintain-week-03.fit",
        name=item.title,
        phase="maintain",
        week=3,
        first_date=CREATED.date(),
        steps=tuple(fit_workout.workout_steps(item)),
    )
    decoded = decode(fit_workout.encode_workout(workout, created=CREATED, serial_number=7))
    assert decoded.name == item.title
    assert unrolled(decoded.steps) == [("active", 31 * 60_000), ("active", 5 * 60_000)]
    assert decoded.steps[1]["wkt_step_name"][0] == "Run, minimalist shoes"
    assert decoded.steps[1]["notes"][0] == "Change shoes now."


def test_a_plan_without_running_gives_no_workout(runner: Stored) -> None:
    in_corrective_work = runner.case.program_start + dt.timedelta(days=40)
    files = exports.plan_workouts(runner.db, runner.athlete.id, today=in_corrective_work, weeks=2)
    assert files == []
