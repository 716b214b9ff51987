"""What the insights are made of: a finding, the settings of the checks, and the window of a
runner's history they read (see `insights.py` and `shoes.py`).

The ranking is restride's own [I]: a finding weighs the hazard ratio its rule reports where there
is one, and counts more in the 4 weeks before the day looked back from than in the 4 before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restride.domain import load

if TYPE_CHECKING:
    from collections.abc import Sequence

    from restride.domain.activity import Activity
    from restride.domain.shoes import ShoeSpec

FOOT_SITES = ("metatarsal", "navicular", "calcaneus", "cuboid", "cuneiform", "talus", "sesamoid")
# LOAD-1's hazard ratios by band (Frandsen 2025 [P]); other findings weigh 1.0-1.6.
HAZARD = {"warn": 1.64, "flag": 1.52, "severe": 2.28}


@dataclass(frozen=True)
class InsightSettings:
    weeks_before: int = 8
    recent_weeks: int = 4  # findings this close to the onset weigh fully, older ones 0.7
    lookback_days: int = 30  # LOAD-1
    spike_warn: float = 0.10
    spike_flag: float = 0.30
    spike_severe: float = 1.00
    ramp_soft: float = 0.10  # LOAD-2
    ramp_hard: float = 0.30
    monotony_high: float = load.HIGH_MONOTONY  # LOAD-4 [S]
    asymmetry_points: float = 1.5  # |left share - 50| in percentage points [I]
    asymmetry_runs: int = 5  # the last runs with dynamics that must mostly agree [I]
    min_progression_steps: int = 3


@dataclass(frozen=True)
class Finding:
    kind: str  # progression, spike, ramp, shoes, shoe_switch, monotony, asymmetry
    title: str
    detail: str  # the numbers, in words
    evidence: tuple[str, ...]  # CLINICAL.md IDs; empty when restride's own [I]
    caveat: str
    score: float
    day: dt.date | None = None
    numbers: Mapping[str, float] = field(default_factory=dict)


def pct(x: float) -> str:
    return f"{x:+.1%}"


def num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


class Window:
    """A runner's history up to `end` as arrays, and the window (start, end] findings come from."""

    def __init__(
        self,
        activities: Sequence[Activity],
        shoes: Mapping[str, ShoeSpec],
        end: dt.date,
        settings: InsightSettings,
        zone: dt.tzinfo,
        site: str | None,
        start: dt.date | None = None,
    ) -> None:
        self.s, self.zone, self.shoes, self.end = settings, zone, shoes, end
        # The window is (start, end]: findings inside it are reported, history before it read.
        self.start = start or end - dt.timedelta(weeks=settings.weeks_before)
        kept = [a for a in activities if load.local_day(a.start, zone) <= end]
        self.cols = load.columns(kept, zone)
        self.runs = [a for a, r in zip(self.cols.activities, self.cols.is_run, strict=True) if r]
        self.foot = site is not None and site.startswith(FOOT_SITES)

    def day(self, activity: Activity) -> dt.date:
        return load.local_day(activity.start, self.zone)

    def weight(self, day: dt.date) -> float:
        return 1.0 if (self.end - day).days <= 7 * self.s.recent_weeks else 0.7

    def inside(self, day: dt.date) -> bool:
        return self.start < day <= self.end

    def compare(self, runs: Sequence[Activity], measure: load.Measure) -> list[load.RunComparison]:
        s = self.s
        return load.compare_runs(
            runs,
            measure=measure,
            lookback_days=s.lookback_days,
            warn=s.spike_warn,
            flag=s.spike_flag,
            severe=s.spike_severe,
            zone=self.zone,
        )
