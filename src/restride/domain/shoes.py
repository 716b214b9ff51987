"""Shoes: the Minimalist Index (MIN-6), use per shoe, the minimalist share of running, and
switches between shoe types. See CLINICAL.md section 5.

The index (Esculier 2015 [P]) gives each of five subscales 0-5 points, weighted 20% each, and the
total as a percentage (sum x 4). The published anchors for 5 and 0 points are [S]; the anchors in
between could not be confirmed [U], so the points run linearly between the two ends.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from restride.domain import load
from restride.domain.findings import Finding, Window, num, pct
from restride.domain.load import Floats, columns

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from restride.domain.activity import Activity

SUBSCALES = ("weight", "stack", "drop", "flexibility", "motion_control")
# Subscale -> (value that scores 5 points, value that scores 0 points) [S].
ANCHORS: dict[str, tuple[float, float]] = {
    "weight": (125.0, 325.0),  # grams
    "stack": (8.0, 32.0),  # mm, at the heel
    "drop": (1.0, 13.0),  # mm, heel minus forefoot
}
# restride's own line between the two types it tells apart [I]; no study fixes one.
MINIMALIST_FROM_PCT = 70.0
ShoeType = Literal["minimalist", "cushioned", "unknown"]
MIN_CAVEAT = (
    "Minimalist Index subscales from Esculier 2015 [P], end anchors [S], linear in between [U]; "
    f"'minimalist' means an index of {MINIMALIST_FROM_PCT:.0f}% or more, restride's own line [I]."
)


@dataclass(frozen=True)
class MinimalistIndex:
    percent: float  # 0 (most cushioned) to 100 (most minimalist)
    points: Mapping[str, float]  # per subscale, 0-5


@dataclass(frozen=True)
class ShoeSpec:
    """What restride knows of a shoe; None where it was not given."""

    name: str
    weight_g: float | None = None
    stack_mm: float | None = None
    drop_mm: float | None = None
    flexibility: int | None = None  # 0-5: 5 bends and twists freely
    motion_control: int | None = None  # 0-5: 5 has no stability or motion-control device
    index_pct: float | None = None  # a stored index, used when the parts are not all known

    def missing(self) -> list[str]:
        values = (self.weight_g, self.stack_mm, self.drop_mm, self.flexibility, self.motion_control)
        return [name for name, value in zip(SUBSCALES, values, strict=True) if value is None]

    def minimalist_index(self) -> MinimalistIndex | None:
        if self.missing():
            return None
        return minimalist_index(
            weight_g=self.weight_g,  # type: ignore[arg-type]
            stack_mm=self.stack_mm,  # type: ignore[arg-type]
            drop_mm=self.drop_mm,  # type: ignore[arg-type]
            flexibility=self.flexibility,  # type: ignore[arg-type]
            motion_control=self.motion_control,  # type: ignore[arg-type]
        )

    @property
    def percent(self) -> float | None:
        index = self.minimalist_index()
        return index.percent if index is not None else self.index_pct

    @property
    def kind(self) -> ShoeType:
        return shoe_type(self.percent)


def anchored_points(value: float, five: float, zero: float) -> float:
    """0-5 points: 5 at or below `five`, 0 at or above `zero`, linear in between."""
    return 5.0 * min(1.0, max(0.0, (zero - value) / (zero - five)))


def check_figures(
    *,
    weight_g: float | None = None,
    stack_mm: float | None = None,
    drop_mm: float | None = None,
    flexibility: int | None = None,
    motion_control: int | None = None,
) -> None:
    """Raise ValueError naming the first figure no shoe can have; None means not given."""
    for name, value in (("weight_g", weight_g), ("stack_mm", stack_mm), ("drop_mm", drop_mm)):
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{name}: {value} is not a number")
    if weight_g is not None and not 0 < weight_g <= 2000:
        raise ValueError(f"weight_g: {weight_g:g} g is not the weight of a shoe")
    if stack_mm is not None and not 0 <= stack_mm <= 100:
        raise ValueError(f"stack_mm: {stack_mm:g} mm is not a stack height (0-100)")
    if drop_mm is not None and not -30 <= drop_mm <= 50:
        raise ValueError(f"drop_mm: {drop_mm:g} mm is not a heel-to-toe drop (-30 to 50)")
    for name, score in (("flexibility", flexibility), ("motion_control", motion_control)):
        if score is not None and (isinstance(score, bool) or score not in range(6)):
            raise ValueError(f"{name}: must be a whole number 0-5 (got {score!r})")


def minimalist_index(
    *, weight_g: float, stack_mm: float, drop_mm: float, flexibility: int, motion_control: int
) -> MinimalistIndex:
    """MIN-6: the Minimalist Index of a shoe; raises ValueError naming an impossible value."""
    check_figures(
        weight_g=weight_g,
        stack_mm=stack_mm,
        drop_mm=drop_mm,
        flexibility=flexibility,
        motion_control=motion_control,
    )
    points = {
        "weight": anchored_points(weight_g, *ANCHORS["weight"]),
        "stack": anchored_points(stack_mm, *ANCHORS["stack"]),
        "drop": anchored_points(drop_mm, *ANCHORS["drop"]),  # a negative drop scores 5
        "flexibility": float(flexibility),
        "motion_control": float(motion_control),
    }
    return MinimalistIndex(round(sum(points.values()) * 4, 1), points)


def shoe_type(index_pct: float | None) -> ShoeType:
    if index_pct is None:
        return "unknown"
    return "minimalist" if index_pct >= MINIMALIST_FROM_PCT else "cushioned"


# --- Use per shoe ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShoeUse:
    name: str
    activities: int
    runs: int
    km: float
    minutes: float
    first: dt.date
    last: dt.date


def use_per_shoe(activities: Iterable[Activity], zone: dt.tzinfo = dt.UTC) -> dict[str, ShoeUse]:
    """Activities, runs, km and minutes in each shoe (by the activity's gear name)."""
    cols = columns((a for a in activities if a.gear), zone)
    if not len(cols):
        return {}
    names, which = np.unique([a.gear for a in cols.activities], return_inverse=True)
    count = np.bincount(which)
    runs = np.bincount(which, weights=cols.is_run.astype(np.float64))
    km = np.bincount(which, weights=cols.km)
    minutes = np.bincount(which, weights=cols.minutes)
    first = np.full(len(names), np.iinfo(np.int64).max)
    last = np.full(len(names), np.iinfo(np.int64).min)
    np.minimum.at(first, which, cols.day)
    np.maximum.at(last, which, cols.day)
    return {
        str(name): ShoeUse(
            str(name),
            int(count[i]),
            int(runs[i]),
            float(km[i]),
            float(minutes[i]),
            dt.date.fromordinal(int(first[i])),
            dt.date.fromordinal(int(last[i])),
        )
        for i, name in enumerate(names)
    }


# --- Minimalist share and switches ----------------------------------------------------------------


def run_types(runs: Sequence[Activity], shoes: Mapping[str, ShoeSpec]) -> list[ShoeType]:
    """Each run's shoe type, from its gear name; "unknown" without gear or without specs."""
    return [shoes[r.gear].kind if r.gear and r.gear in shoes else "unknown" for r in runs]


@dataclass(frozen=True)
class WeeklyShare:
    week_starts: list[dt.date]
    minimalist_km: Floats
    total_km: Floats
    share: Floats  # minimalist km / km of runs in known shoes; NaN in weeks without them


def minimalist_share(
    runs: Sequence[Activity],
    shoes: Mapping[str, ShoeSpec],
    first_week: dt.date,
    weeks: int,
    zone: dt.tzinfo = dt.UTC,
) -> WeeklyShare:
    """The minimalist share of each calendar week's running distance (in shoes of known type)."""
    cols = columns(runs, zone)
    types = np.array(run_types(cols.activities, shoes), dtype=object)
    index = (cols.day - first_week.toordinal()) // 7
    inside = (index >= 0) & (index < weeks)
    known = inside & (types != "unknown")
    minimal = known & (types == "minimalist")
    total = np.bincount(index[known], weights=cols.km[known], minlength=weeks)
    light = np.bincount(index[minimal], weights=cols.km[minimal], minlength=weeks)
    share = np.full(weeks, np.nan)
    np.divide(light, total, out=share, where=total > 0)
    starts = [first_week + dt.timedelta(weeks=i) for i in range(weeks)]
    return WeeklyShare(starts, light.astype(np.float64), total.astype(np.float64), share)


@dataclass(frozen=True)
class ShoeSwitch:
    day: dt.date
    from_shoe: str
    to_shoe: str
    from_type: ShoeType
    to_type: ShoeType


def type_switches(
    runs: Sequence[Activity], shoes: Mapping[str, ShoeSpec], zone: dt.tzinfo = dt.UTC
) -> list[ShoeSwitch]:
    """Each run whose shoe type differs from the run before it (runs of unknown type skipped)."""
    ordered = sorted((r for r in runs if r.gear in shoes), key=lambda r: r.start)
    known = [
        (r, t) for r, t in zip(ordered, run_types(ordered, shoes), strict=True) if t != "unknown"
    ]
    return [
        ShoeSwitch(run.start.astimezone(zone).date(), before.gear or "", run.gear or "", was, now)
        for (before, was), (run, now) in itertools.pairwise(known)
        if was != now
    ]


@dataclass(frozen=True)
class Alternation:
    """Runs switching back and forth between shoe types."""

    runs: int  # runs of known type in the window
    switches: int
    minimalist_runs: int
    shoes: tuple[str, ...]  # every shoe worn, most runs first

    @property
    def rate(self) -> float:
        return self.switches / (self.runs - 1) if self.runs > 1 else 0.0


def alternation(
    runs: Sequence[Activity],
    shoes: Mapping[str, ShoeSpec],
    *,
    min_runs: int = 6,
    min_rate: float = 0.4,
) -> Alternation | None:
    """Alternation between types when at least `min_rate` of consecutive runs switch [I]."""
    known = [r for r, t in zip(runs, run_types(runs, shoes), strict=True) if t != "unknown"]
    if len(known) < min_runs:
        return None
    switches = len(type_switches(known, shoes))
    names, counts = np.unique([r.gear for r in known], return_counts=True)
    worn = tuple(str(names[i]) for i in np.argsort(-counts, kind="stable"))
    minimal = sum(shoes[r.gear].kind == "minimalist" for r in known if r.gear)
    found = Alternation(len(known), switches, minimal, worn)
    return found if found.rate >= min_rate else None


# --- Findings (MIN-*) for the post-mortem ---------------------------------------------------------


def shoe_findings(w: Window) -> list[Finding]:
    runs = [r for r in w.runs if w.inside(load.local_day(r.start, w.zone))]
    found: list[Finding] = []
    boost = 1.3 if w.foot else 1.0  # MIN-3: metatarsal stress fractures after switching
    alternating = alternation(runs, w.shoes)
    minimal_runs = [
        r for r, t in zip(w.runs, run_types(w.runs, w.shoes), strict=True) if t == "minimalist"
    ]
    if alternating is not None:
        worn = ", ".join(shoe_words(w, n) for n in alternating.shoes)
        share = share_words(w, runs)
        detail = (
            f"{alternating.switches} of {alternating.runs - 1} consecutive runs changed shoe "
            f"type ({worn}); {alternating.minimalist_runs} of {alternating.runs} runs were in "
            f"minimalist shoes{share}. In MIN-1, 10 of 19 runners moving to Vibram FiveFingers"
            " over 10 weeks showed more bone oedema on MRI."
        )
        detail += minimal_load(w, minimal_runs)
        found.append(
            Finding(
                "shoes",
                "Alternating minimalist and cushioned shoes",
                detail,
                ("MIN-1", "MIN-3", "MIN-5", "MIN-6"),
                MIN_CAVEAT,
                1.64 * boost,
                runs[-1].start.astimezone(w.zone).date() if runs else None,
                {
                    "switch_rate": alternating.rate,
                    "minimalist_runs": float(alternating.minimalist_runs),
                },
            )
        )
    for switch in type_switches(w.runs, w.shoes, w.zone):
        if alternating is None and w.inside(switch.day):
            found.append(
                Finding(
                    "shoe_switch",
                    f"Switched from {switch.from_type} to {switch.to_type} shoes",
                    f"On {switch.day}: {shoe_words(w, switch.from_shoe)} to "
                    f"{shoe_words(w, switch.to_shoe)}, {(w.end - switch.day).days} days"
                    " before the onset (MIN-3: injuries came about 2.8 months after switching)."
                    + (minimal_load(w, minimal_runs) if switch.to_type == "minimalist" else ""),
                    ("MIN-3", "MIN-5", "MIN-6"),
                    MIN_CAVEAT,
                    (1.64 if switch.to_type == "minimalist" else 1.0)
                    * boost
                    * w.weight(switch.day),
                    switch.day,
                )
            )
    return found


def shoe_words(w: Window, name: str) -> str:
    spec = w.shoes.get(name)
    if spec is None or spec.percent is None:
        return f"{name} (type unknown)"
    return f"{name}: {spec.kind}, MI {spec.percent:.0f}%"


def share_words(w: Window, runs: Sequence[Activity]) -> str:
    if not runs:
        return ""
    first = load.monday_of(w.day(runs[0]))
    weeks = (w.end.toordinal() - first.toordinal()) // 7 + 1
    share = minimalist_share(runs, w.shoes, first, weeks, w.zone)
    total = float(share.total_km.sum())
    if total <= 0:
        return ""
    # Weeks with a single run swing between 0 and 100%: the range counts fuller weeks.
    runs_a_week = np.bincount(
        [(w.day(r).toordinal() - first.toordinal()) // 7 for r in runs], minlength=weeks
    )
    full = share.share[(runs_a_week >= 2) & ~np.isnan(share.share)]
    spread = f", {full.min():.0%}-{full.max():.0%} a week" if len(full) else ""
    return (
        f"; minimalist shoes carried {share.minimalist_km.sum() / total:.0%} of the running "
        f"distance{spread}"
    )


def minimal_load(w: Window, minimal_runs: Sequence[Activity]) -> str:
    """MIN-5 [I]: LOAD-1 applied to minimalist running on its own."""
    compared = [c for c in w.compare(minimal_runs, "minutes") if w.inside(c.day)]
    spikes = load.spikes_of(compared)
    if not compared:
        return ""
    first = min(load.local_day(r.start, w.zone) for r in minimal_runs)
    days = (w.end - first).days
    text = (
        f" The first minimalist run was on {first}, {days} days ({days / 30.4:.1f} months)"
        " before; in MIN-3 the injuries came about 2.8 months after switching."
    )
    if spikes:
        last = spikes[-1]
        text += (
            f" Counting minimalist runs alone (MIN-5), {len(spikes)} were over "
            f"+{w.s.spike_warn:.0%} on the longest minimalist run of the previous "
            f"{w.s.lookback_days} days; the last, {num(last.previous_longest)} to "
            f"{num(last.value)} min on {last.day}, {pct(last.rise)}."
        )
    return text
