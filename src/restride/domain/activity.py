"""The neutral activity every importer produces, whatever the file format.

Units live in the names. Values the file did not record are None, never 0: a run without a
heart-rate strap has `avg_hr=None`, and analytics must not read that as a resting heart.
Cadence is in steps per minute for foot sports only: FIT, and most GPX/TCX writers, store
strides (one foot) per minute for running and walking, so importers double them; for
cycling, swimming and other sports `avg_cadence_spm` is None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

Sport = Literal[
    "running",
    "trail_running",
    "treadmill_running",
    "walking",
    "hiking",
    "cycling",
    "swimming",
    "elliptical",
    "strength",
    "other",
]
SPORTS: tuple[Sport, ...] = get_args(Sport)
RUNNING_SPORTS: frozenset[Sport] = frozenset({"running", "trail_running", "treadmill_running"})
# Sports whose cadence counts footfalls, so "steps per minute" means something.
FOOT_SPORTS: frozenset[Sport] = RUNNING_SPORTS | {"walking", "hiking"}
# No consumer device logged activities before 1985 (GPS week roll-overs, a 32-bit -2**31 and a
# Strava export's year 1 are clock errors); a start past 2100 is one too, and would overflow
# date arithmetic downstream (year 9999 plus a duration is no date at all).
EARLIEST_START = dt.datetime(1985, 1, 1, tzinfo=dt.UTC)
LATEST_START = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True, eq=False)
class Samples:
    """Per-point series of one activity, all the same length, in recording order.

    A channel the file never recorded is an empty sequence; a gap inside a recorded channel
    is NaN. Importers hand over compact `array('d')` buffers; treat them as read-only.
    """

    elapsed_s: Sequence[float]  # seconds from Activity.start; may step back where clocks did
    distance_m: Sequence[float] = ()
    heart_rate_bpm: Sequence[float] = ()
    cadence_spm: Sequence[float] = ()  # foot sports only, steps per minute
    speed_m_s: Sequence[float] = ()

    def __len__(self) -> int:
        return len(self.elapsed_s)


@dataclass(frozen=True, slots=True)
class Activity:
    """One recorded activity: a summary, and the samples analytics need."""

    start: dt.datetime  # UTC, timezone-aware
    sport: Sport
    source: str  # file name, or "archive.zip!member/path" inside an export
    content_sha256: str  # of the activity file's bytes (decompressed), to spot re-imports
    sub_sport: str | None = None  # the file's own finer label, e.g. "trail", "lap_swimming"
    part: int = 0  # index within its file: FIT sessions and TCX activities can be several
    name: str | None = None
    duration_s: float | None = None  # elapsed, start to end, pauses included
    moving_s: float | None = None  # timer or moving time, pauses excluded
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None  # beats per minute
    max_hr: float | None = None
    avg_cadence_spm: float | None = None  # steps per minute, foot sports only
    device: str | None = None  # e.g. "garmin fr945"
    gear: str | None = None  # shoe or bike name, where an export gives one
    gct_ms_avg: float | None = None  # ground contact (stance) time
    stance_balance_left_pct_avg: float | None = None  # left foot's share of stance time
    vertical_oscillation_mm_avg: float | None = None
    partial: bool = False  # the file was cut short; this is what could be read before the break
    warnings: tuple[str, ...] = ()
    samples: Samples | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("Activity.start must be timezone-aware")
        if self.sport not in SPORTS:
            raise ValueError(f"unknown sport {self.sport!r}; known: {', '.join(SPORTS)}")

    @property
    def is_run(self) -> bool:
        return self.sport in RUNNING_SPORTS

    @property
    def end(self) -> dt.datetime | None:
        if self.duration_s is None:
            return None
        return self.start + dt.timedelta(seconds=self.duration_s)
