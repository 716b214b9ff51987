"""Training load from activities: daily and weekly totals per sport, single-run spikes (LOAD-1),
weekly ramps (LOAD-2), acute:chronic ratios (LOAD-3, shown only) and monotony and strain
(LOAD-4). See CLINICAL.md section 4.

Everything is computed on whole arrays (one value a day, or one a run) with NumPy. Days are the
runner's local calendar days: callers pass the zone. Load is minutes, the measure every file
has; the spike and ramp checks also run on distance, the measure the studies used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from restride.domain.activity import RUNNING_SPORTS, Activity

if TYPE_CHECKING:
    from collections.abc import Iterable

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Measure = Literal["minutes", "km"]
SpikeBand = Literal["warn", "flag", "severe"]

# What each rule's evidence does and does not support, shown beside every figure it gives.
CAVEATS: dict[str, str] = {
    "LOAD-1": (
        "Frandsen 2025 [P] (5205 runners) compared distance with the longest run of the past "
        "30 days; the same check on minutes is an extrapolation [I]."
    ),
    "LOAD-2": (
        "Weak evidence: a 10%-a-week plan did not lower injuries in a trial (Buist 2008 [P]); "
        "the caps are soft (10%) and hard (20-30%) defaults."
    ),
    "LOAD-3": (
        "Shown only, never used to decide: the ratio is criticised (mathematical coupling, "
        "Lolli 2019; random chronic loads reproduce it, Impellizzeri 2020) and showed a "
        "negative dose-response in runners (Frandsen 2025)."
    ),
    "LOAD-4": (
        "Foster 1998 [P] used session RPE x minutes and individual thresholds; activity files "
        "carry no RPE, so load here is minutes, and the >2.0 cut-off is secondary [S]."
    ),
}
# LOAD-1 bands against a <=10% rise, with Frandsen 2025's hazard ratios (95% CI) [P].
SPIKE_HAZARD: dict[SpikeBand, str] = {
    "warn": "HRR 1.64 (1.31-2.05) for >10-30%",
    "flag": "HRR 1.52 (1.16-2.00) for >30-100%",
    "severe": "HRR 2.28 (1.50-3.48) for >100%",
}
HIGH_MONOTONY = 2.0  # LOAD-4 [S]
# Rises are compared with this much slack, so 40 -> 44 min reads as +10%, not just over it.
EPS = 1e-9


def activity_minutes(activity: Activity) -> float:
    """Minutes of the activity: moving time where the file has it, else elapsed, else 0."""
    seconds = activity.moving_s if activity.moving_s is not None else activity.duration_s
    return (seconds or 0.0) / 60.0


def activity_km(activity: Activity) -> float:
    return (activity.distance_m or 0.0) / 1000.0


def local_day(start: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return start.astimezone(zone).date()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Columns:
    """Activities as arrays, one entry each, in start order."""

    activities: tuple[Activity, ...]
    day: Ints  # local date as an ordinal (date.toordinal)
    minutes: Floats
    km: Floats
    is_run: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.activities)


def columns(activities: Iterable[Activity], zone: dt.tzinfo = dt.UTC) -> Columns:
    ordered = tuple(sorted(activities, key=lambda a: a.start))
    return Columns(
        ordered,
        np.array([local_day(a.start, zone).toordinal() for a in ordered], dtype=np.int64),
        np.array([activity_minutes(a) for a in ordered], dtype=np.float64),
        np.array([activity_km(a) for a in ordered], dtype=np.float64),
        np.array([a.sport in RUNNING_SPORTS for a in ordered], dtype=np.bool_),
    )


# --- Daily and weekly totals ---------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """Minutes and kilometres per sport, one value per period from `first` (a day or a week)."""

    first: dt.date
    period_days: int
    periods: int
    minutes: Mapping[str, Floats]
    km: Mapping[str, Floats]

    def starts(self) -> list[dt.date]:
        step = dt.timedelta(days=self.period_days)
        return [self.first + i * step for i in range(self.periods)]

    def total(self, sports: Iterable[str] | None = None, *, measure: Measure = "minutes") -> Floats:
        """The sum over `sports` (every sport when None), one value per period."""
        table = self.minutes if measure == "minutes" else self.km
        chosen = [table[s] for s in (table if sports is None else sports) if s in table]
        return np.sum(chosen, axis=0) if chosen else np.zeros(self.periods)

    def running(self, measure: Measure = "minutes") -> Floats:
        return self.total(RUNNING_SPORTS, measure=measure)

    def weekly(self) -> Totals:
        """Calendar weeks, Monday to Sunday; the first and last may be partly outside the data."""
        if self.period_days != 1:
            raise ValueError("weekly() needs daily totals")
        pad_front = self.first.weekday()
        pad_back = -(self.periods + pad_front) % 7

        def fold(values: Floats) -> Floats:
            padded = np.concatenate([np.zeros(pad_front), values, np.zeros(pad_back)])
            return np.asarray(padded.reshape(-1, 7).sum(axis=1), dtype=np.float64)

        return Totals(
            monday_of(self.first),
            7,
            (self.periods + pad_front + pad_back) // 7,
            {s: fold(v) for s, v in self.minutes.items()},
            {s: fold(v) for s, v in self.km.items()},
        )


def _sums(index: Ints, weights: Floats, length: int) -> Floats:
    """The weights summed per index: one value for each of 0..length-1."""
    return np.bincount(index, weights=weights, minlength=length).astype(np.float64)


def daily_totals(
    activities: Iterable[Activity], first: dt.date, last: dt.date, zone: dt.tzinfo = dt.UTC
) -> Totals:
    """Minutes and km per sport for each day from `first` to `last`, both included."""
    if last < first:
        raise ValueError(f"last ({last}) is before first ({first})")
    cols = columns(activities, zone)
    days = last.toordinal() - first.toordinal() + 1
    index = cols.day - first.toordinal()
    inside = (index >= 0) & (index < days)
    sports = np.array([a.sport for a in cols.activities], dtype=object)
    minutes: dict[str, Floats] = {}
    km: dict[str, Floats] = {}
    for sport in sorted(set(sports[inside].tolist())):
        mask = inside & (sports == sport)
        minutes[sport] = _sums(index[mask], cols.minutes[mask], days)
        km[sport] = _sums(index[mask], cols.km[mask], days)
    return Totals(first, 1, days, minutes, km)


# --- LOAD-1: each run against the longest of the previous 30 days ---------------------------------


@dataclass(frozen=True)
class RunComparison:
    """One run against the longest run of the days before it (LOAD-1)."""

    activity: Activity
    day: dt.date
    measure: Measure
    value: float
    previous_longest: float  # 0 when there was no run in the look-back window
    rise: float | None  # value / previous_longest - 1; None without a previous run
    band: SpikeBand | None  # None: within 10%, or nothing to compare with


@dataclass(frozen=True)
class Spike:
    """A run over the warn line of LOAD-1."""

    activity: Activity
    day: dt.date
    measure: Measure
    value: float
    previous_longest: float
    rise: float
    band: SpikeBand


def spikes_of(comparisons: Iterable[RunComparison]) -> list[Spike]:
    return [
        Spike(c.activity, c.day, c.measure, c.value, c.previous_longest, c.rise, c.band)
        for c in comparisons
        if c.rise is not None and c.band is not None
    ]


def spike_band(
    rise: float | None, warn: float = 0.10, flag: float = 0.30, severe: float = 1.00
) -> SpikeBand | None:
    if rise is None or rise <= warn + EPS:
        return None
    if rise > severe + EPS:
        return "severe"
    return "flag" if rise > flag + EPS else "warn"


def previous_window_max(daily: Floats, window: int) -> Floats:
    """For each day, the largest value of the `window` days before it (the day itself excluded)."""
    padded = np.concatenate([np.zeros(window), daily])
    windows = sliding_window_view(padded, window)[: len(daily)]
    return np.asarray(windows.max(axis=1), dtype=np.float64)


def compare_runs(
    runs: Iterable[Activity],
    *,
    measure: Measure = "minutes",
    lookback_days: int = 30,
    warn: float = 0.10,
    flag: float = 0.30,
    severe: float = 1.00,
    zone: dt.tzinfo = dt.UTC,
) -> list[RunComparison]:
    """Every run against the longest run of the `lookback_days` days before its day.

    Runs of the same day are not compared with each other, as the engine does with sessions.
    """
    cols = columns(runs, zone)
    if not len(cols):
        return []
    values = cols.minutes if measure == "minutes" else cols.km
    first = int(cols.day.min())
    index = cols.day - first
    daily_longest = np.zeros(int(index.max()) + 1)
    np.maximum.at(daily_longest, index, values)
    previous = previous_window_max(daily_longest, lookback_days)[index]
    known = (previous > 0) & (values > 0)
    rise = np.divide(values, previous, out=np.zeros_like(values), where=known) - 1
    return [
        RunComparison(
            activity,
            dt.date.fromordinal(int(cols.day[i])),
            measure,
            float(values[i]),
            float(previous[i]),
            float(rise[i]) if known[i] else None,
            spike_band(float(rise[i]), warn, flag, severe) if known[i] else None,
        )
        for i, activity in enumerate(cols.activities)
    ]


# --- LOAD-2: week against week --------------------------------------------------------------------


@dataclass(frozen=True)
class Ramp:
    week_start: dt.date
    value: float
    previous: float
    rise: float
    band: Literal["soft", "hard"] | None  # over the soft (10%) or the hard cap


def weekly_ramps(
    weekly: Floats, first_week: dt.date, *, soft: float = 0.10, hard: float = 0.30
) -> list[Ramp]:
    """Each week against the one before, where the one before had any load."""
    values = np.asarray(weekly, dtype=np.float64)
    if len(values) < 2:
        return []
    before, after = values[:-1], values[1:]
    known = before > 0
    rise = np.divide(after, before, out=np.zeros_like(after), where=known) - 1
    ramps = []
    for i in np.flatnonzero(known):
        r = float(rise[i])
        band: Literal["soft", "hard"] | None = (
            "hard" if r > hard + EPS else "soft" if r > soft + EPS else None
        )
        start = first_week + dt.timedelta(weeks=int(i) + 1)
        ramps.append(Ramp(start, float(after[i]), float(before[i]), r, band))
    return ramps


# --- LOAD-3: acute:chronic workload ratio (display only) -----------------------------------------


def ewma(values: Floats, lam: float, initial: float = 0.0) -> Floats:
    """Exponentially weighted moving average: e[t] = lam*x[t] + (1-lam)*e[t-1], e[-1] = initial.

    Computed in closed form, block by block so the powers of (1-lam) stay in range.
    """
    if not 0 < lam <= 1:
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    x = np.asarray(values, dtype=np.float64)
    out = np.empty_like(x)
    decay = 1.0 - lam
    if decay == 0.0:
        return x.copy()
    # Blocks short enough that decay**-block stays below 1e12: no overflow, little rounding.
    block = max(1, int(12 / -np.log10(decay)))
    carry = float(initial)
    for start in range(0, len(x), block):
        chunk = x[start : start + block]
        powers = decay ** np.arange(1, len(chunk) + 1, dtype=np.float64)  # (1-lam)^(t+1)
        out[start : start + len(chunk)] = powers * (carry + np.cumsum(lam * chunk / powers))
        carry = float(out[start + len(chunk) - 1])
    return out


def rolling_acwr(daily: Floats, acute_days: int = 7, chronic_days: int = 28) -> Floats:
    """Mean load of the last `acute_days` over that of the last `chronic_days` (Hulin 2014).

    NaN until `chronic_days` days of history, and where the chronic load is 0.
    """
    x = np.asarray(daily, dtype=np.float64)
    sums = np.concatenate([[0.0], np.cumsum(x)])
    t = np.arange(1, len(x) + 1)
    acute = (sums[t] - sums[np.maximum(t - acute_days, 0)]) / acute_days
    chronic = (sums[t] - sums[np.maximum(t - chronic_days, 0)]) / chronic_days
    ratio = np.full(len(x), np.nan)
    ok = (t >= chronic_days) & (chronic > 0)
    ratio[ok] = acute[ok] / chronic[ok]
    return ratio


def ewma_acwr(daily: Floats, acute_days: int = 7, chronic_days: int = 28) -> Floats:
    """EWMA ratio, lambda = 2/(N+1) (Williams 2017); NaN until `chronic_days` of history."""
    x = np.asarray(daily, dtype=np.float64)
    acute = ewma(x, 2 / (acute_days + 1))
    chronic = ewma(x, 2 / (chronic_days + 1))
    ratio = np.full(len(x), np.nan)
    ok = (np.arange(1, len(x) + 1) >= chronic_days) & (chronic > 0)
    ratio[ok] = acute[ok] / chronic[ok]
    return ratio


# --- LOAD-4: monotony and strain ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekStrain:
    week_start: dt.date
    load: float  # the week's total
    mean: float  # per day
    sd: float  # of the 7 daily loads (population SD: the week is the whole population)
    monotony: float | None  # mean / sd; None when sd is 0 (no training, or the same every day)
    strain: float | None  # load x monotony


def monotony_and_strain(daily: Floats, first: dt.date) -> list[WeekStrain]:
    """Foster's monotony and strain for each calendar week (Monday to Sunday) of `daily`."""
    x = np.asarray(daily, dtype=np.float64)
    pad_front = first.weekday()
    pad_back = -(len(x) + pad_front) % 7
    weeks = np.concatenate([np.zeros(pad_front), x, np.zeros(pad_back)]).reshape(-1, 7)
    load = weeks.sum(axis=1)
    mean = weeks.mean(axis=1)
    sd = weeks.std(axis=1)
    varied = sd > 1e-9
    monotony = np.divide(mean, sd, out=np.zeros_like(mean), where=varied)
    start = monday_of(first)
    return [
        WeekStrain(
            start + dt.timedelta(weeks=i),
            float(load[i]),
            float(mean[i]),
            float(sd[i]),
            float(monotony[i]) if varied[i] else None,
            float(load[i] * monotony[i]) if varied[i] else None,
        )
        for i in range(len(load))
    ]


def weekly_running(cols: Columns, first_week: dt.date, weeks: int) -> tuple[Floats, Floats]:
    """Running minutes and km for each of `weeks` calendar weeks from `first_week` (a Monday)."""
    index = (cols.day - first_week.toordinal()) // 7
    mask = cols.is_run & (index >= 0) & (index < weeks)
    return _sums(index[mask], cols.minutes[mask], weeks), _sums(index[mask], cols.km[mask], weeks)
