"""Stored activities as chart data: minutes and km per sport each week, LOAD-1 spikes, the
ACWR (LOAD-3: shown only, never used to decide) and the km run in each shoe."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from restride.domain.activity import RUNNING_SPORTS
from restride.domain.load import (
    SPIKE_HAZARD,
    activity_km,
    compare_runs,
    daily_totals,
    local_day,
    monday_of,
    rolling_acwr,
    spikes_of,
)
from restride.web.rendering import words

if TYPE_CHECKING:
    from collections.abc import Iterable

    from restride.domain.activity import Activity

DEFAULT_WEEKS = 26
CHRONIC_DAYS = 28
ACWR_NOTE = (
    "Acute:chronic workload ratio of running minutes (7 days over 28): shown only, never used"
    " to decide. LOAD-3: its link with injury is disputed (a ratio of coupled numbers, and"
    " the studies behind it are criticised), so restride does not act on it."
)


def _rounded(values: Iterable[float], digits: int = 1) -> list[float]:
    return [round(float(v), digits) for v in values]


def load_data(
    activities: Iterable[Activity], today: dt.date, weeks: int = DEFAULT_WEEKS
) -> dict[str, Any]:
    """Weekly load for the `weeks` weeks up to the latest activity (today with none)."""
    acts = list(activities)
    zone = dt.UTC
    last = max((local_day(a.start, zone) for a in acts), default=today)
    first_week = monday_of(last) - dt.timedelta(weeks=weeks - 1)
    earliest = min((local_day(a.start, zone) for a in acts), default=last)
    first_week = max(first_week, monday_of(earliest))
    end = monday_of(last) + dt.timedelta(days=6)
    # A chronic window's worth of days before the first week, for the ratio's first weeks.
    daily = daily_totals(acts, first_week - dt.timedelta(days=CHRONIC_DAYS), end, zone)
    offset = CHRONIC_DAYS
    shown = daily_totals(acts, first_week, end, zone).weekly()
    starts = shown.starts()
    acwr = rolling_acwr(daily.running("minutes"))
    # The ratio at each week's last day; none before 28 days of imported history.
    history_from = earliest + dt.timedelta(days=CHRONIC_DAYS - 1)
    acwr_weekly = [
        acwr[offset + 7 * i + 6] if start + dt.timedelta(days=6) >= history_from else math.nan
        for i, start in enumerate(starts)
    ]
    runs = [a for a in acts if a.sport in RUNNING_SPORTS]
    spikes = [
        {
            "week": monday_of(s.day).isoformat(),
            "date": s.day.isoformat(),
            "band": s.band,
            "minutes": round(s.value, 1),
            "previous": round(s.previous_longest, 1),
            "rise_pct": round(s.rise * 100),
            "hazard": SPIKE_HAZARD[s.band],
        }
        for s in spikes_of(compare_runs(runs, zone=zone))
        if first_week <= s.day <= end
    ]
    shoes: dict[str, list[float]] = {}
    for a in runs:
        day = local_day(a.start, zone)
        if a.gear and first_week <= day <= end:
            row = shoes.setdefault(a.gear, [0.0] * len(starts))
            row[(day - first_week).days // 7] += activity_km(a)
    return {
        "weeks": [s.isoformat() for s in starts],
        "minutes": {words(k): _rounded(v) for k, v in shown.minutes.items()},
        "km": {words(k): _rounded(v, 2) for k, v in shown.km.items()},
        "running_minutes": _rounded(shown.running("minutes")),
        "spikes": spikes,
        "acwr": [None if math.isnan(v) else round(float(v), 2) for v in acwr_weekly],
        "acwr_note": ACWR_NOTE,
        "shoes": {name: _rounded(v, 2) for name, v in sorted(shoes.items())},
        "activities": len(acts),
    }
