"""What every importer shares: sport names, sample series and the summaries computed from them.

Files give summaries (a FIT session, a TCX lap) when the device wrote them; these helpers fill
what is missing from the samples, the same way for every format, so a GPX run and a FIT run
of the same route come out alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from array import array
from typing import TYPE_CHECKING

import numpy as np

from restride.domain.activity import (
    EARLIEST_START,
    FOOT_SPORTS,
    LATEST_START,
    RUNNING_SPORTS,
    Activity,
    Samples,
    Sport,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    F64 = NDArray[np.float64]
    Bools = NDArray[np.bool_]

# Points closer in time than this are one interval for moving time; a longer silence is the
# device paused (auto-pause, or no GPS fix), and is not moving time.
MAX_MOVING_GAP_S = 60.0
# 0.5 m/s is 1.8 km/h: slower than any walk, faster than GPS drift while standing.
MIN_MOVING_SPEED_M_S = 0.5
# Altitude must move this far before a climb counts: GPS and barometers wander by a few metres.
ELEVATION_HYSTERESIS_M = 3.0

_SPORT_WORDS: tuple[tuple[str, Sport], ...] = (
    # Order matters: the first word found in a label wins ("treadmill run" before "run").
    ("treadmill", "treadmill_running"),
    ("virtualrun", "treadmill_running"),
    ("virtual_run", "treadmill_running"),
    ("indoor_running", "treadmill_running"),
    ("run", "running"),
    ("jog", "running"),
    ("hik", "hiking"),
    ("walk", "walking"),
    ("elliptical", "elliptical"),
    ("weight", "strength"),
    ("strength", "strength"),
    ("swim", "swimming"),
    ("ride", "cycling"),
    ("cycl", "cycling"),
    ("bik", "cycling"),
    ("velo", "cycling"),
)


def sport_from_label(label: str | None, sub_label: str | None = None) -> Sport:
    """Map a sport name from any file or export ("running"/"trail", "Biking", "TrailRun")."""
    text = " ".join(x for x in (sub_label, label) if x).lower().replace("-", "_")
    if not text.strip():
        return "other"
    if "treadmill" in text and "walk" in text:
        return "walking"
    if "trail" in text and "run" in text:  # FIT running/trail, Strava TrailRun
        return "trail_running"
    for word, sport in _SPORT_WORDS:
        if word in text:
            return sport
    return "other"


def implausible_start(start: dt.datetime) -> str | None:
    """Why an activity cannot have started then, or None when it can."""
    if start < EARLIEST_START:
        return f"starts in {start.year}, before 1985: the device's clock was wrong"
    if start >= LATEST_START:
        return f"starts in {start.year}, after 2100: the device's clock was wrong"
    return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def nanmean(values: F64 | None, *, positive: bool = False) -> float | None:
    """Mean of the recorded values; `positive` also drops zeros, which sensors send for "none"."""
    if values is None or values.size == 0:
        return None
    ok = np.isfinite(values)
    if positive:
        ok &= values > 0
    if not ok.any():
        return None
    return float(values[ok].mean())


def nanmax(values: F64 | None) -> float | None:
    if values is None or values.size == 0:
        return None
    ok = np.isfinite(values)
    return float(values[ok].max()) if ok.any() else None


def to_steps_per_minute(cadence: F64, sport: Sport, *, stored_as_strides: bool | None) -> F64:
    """Cadence in steps/min for foot sports; an empty array for the others.

    FIT stores strides per minute (one foot) for running and walking. GPX and TCX writers
    disagree, so for them `stored_as_strides=None` decides from the values: a running median
    above 105 (210 steps/min if strides), or a walking median above 80, can only be steps.
    """
    if sport not in FOOT_SPORTS or cadence.size == 0:
        return np.empty(0)
    ok = np.isfinite(cadence) & (cadence > 0)
    if not ok.any():
        return np.empty(0)
    if stored_as_strides is None:
        limit = 105.0 if sport in RUNNING_SPORTS else 80.0
        stored_as_strides = float(np.median(cadence[ok])) <= limit
    out = np.where(ok, cadence, np.nan)
    return out * 2.0 if stored_as_strides else out


def elevation_gain(altitude_m: F64) -> float | None:
    """Total climb with a hysteresis band, so sensor noise on the flat does not add up."""
    alt = altitude_m[np.isfinite(altitude_m)]
    if alt.size < 2:
        return None
    gain = 0.0
    low = high = float(alt[0])
    climbing = False
    for a in alt.tolist():
        if climbing:
            if a > high:
                gain += a - high
                high = a
            elif a < high - ELEVATION_HYSTERESIS_M:
                climbing, low = False, a
        elif a < low:
            low = a
        elif a > low + ELEVATION_HYSTERESIS_M:
            gain += a - low
            climbing, high = True, a
    return gain


def moving_time(elapsed_s: F64, distance_m: F64) -> float | None:
    """Seconds spent moving: intervals short enough to be continuous and fast enough to be
    motion (see MAX_MOVING_GAP_S and MIN_MOVING_SPEED_M_S).

    Points stay in file order; a time that steps back counts as no time passing, so moving
    time never exceeds the elapsed time.
    """
    ok = np.isfinite(elapsed_s) & np.isfinite(distance_m)
    t, d = elapsed_s[ok], distance_m[ok]
    if t.size < 2:
        return None
    gaps = np.diff(np.maximum.accumulate(t))
    steps = np.abs(np.diff(d))
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = steps / gaps
    moving = (gaps > 0) & (gaps <= MAX_MOVING_GAP_S) & (speed >= MIN_MOVING_SPEED_M_S)
    return float(gaps[moving].sum())


def haversine_m(lat_deg: F64, lon_deg: F64) -> F64:
    """Distance from each point to the next, in metres (length n-1); NaN where a fix is missing."""
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    dlat = np.diff(lat)
    dlon = np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    metres: F64 = 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return metres


def cumulative_distance(lat_deg: F64, lon_deg: F64, breaks: Bools | None = None) -> F64:
    """Running distance along the points; a step across a missing fix or a segment break adds 0."""
    n = lat_deg.size
    out = np.zeros(n)
    if n < 2:
        return out
    steps = haversine_m(lat_deg, lon_deg)
    steps = np.where(np.isfinite(steps), steps, 0.0)
    if breaks is not None:
        steps = np.where(breaks[1:], 0.0, steps)
    out[1:] = np.cumsum(steps)
    return out


def _as_array(values: F64) -> array[float]:
    return array("d", np.ascontiguousarray(values, dtype=np.float64).tobytes())


def _channel(values: F64 | None, n: int) -> array[float] | tuple[()]:
    if values is None or values.size != n or not np.isfinite(values).any():
        return ()
    return _as_array(values)


def make_samples(
    elapsed_s: F64,
    *,
    distance_m: F64 | None = None,
    heart_rate_bpm: F64 | None = None,
    cadence_spm: F64 | None = None,
    speed_m_s: F64 | None = None,
) -> Samples | None:
    n = elapsed_s.size
    if n == 0:
        return None
    return Samples(
        elapsed_s=_as_array(elapsed_s),
        distance_m=_channel(distance_m, n),
        heart_rate_bpm=_channel(heart_rate_bpm, n),
        cadence_spm=_channel(cadence_spm, n),
        speed_m_s=_channel(speed_m_s, n),
    )


def build_activity(
    *,
    source: str,
    sha: str,
    sport: Sport,
    sub_sport: str | None,
    name: str | None,
    device: str | None,
    time_s: F64,
    distance_m: F64,
    heart_rate: F64,
    cadence: F64,
    speed: F64,
    altitude: F64,
    notes: list[str],
    partial: bool,
    part: int = 0,
    moving_s: float | None = None,
    distance_total_m: float | None = None,
    hr_avg: float | None = None,
    hr_max: float | None = None,
    start_s: float | None = None,
    duration_s: float | None = None,
) -> Activity:
    """An activity from point series, and the file's own totals where it has them (TCX laps).

    `time_s` must have at least one finite value unless `start_s` is given.
    """
    if start_s is None:
        start_s = float(np.nanmin(time_s))
    elapsed = time_s - start_s
    if duration_s is None and np.isfinite(elapsed).any():
        duration_s = float(np.nanmax(elapsed))
    cadence_spm = to_steps_per_minute(cadence, sport, stored_as_strides=None)
    ok_distance = distance_m[np.isfinite(distance_m)]
    if distance_total_m is None and ok_distance.size:
        distance_total_m = float(ok_distance.max() - ok_distance.min())
    return Activity(
        start=dt.datetime.fromtimestamp(start_s, dt.UTC),
        sport=sport,
        sub_sport=sub_sport,
        source=source,
        content_sha256=sha,
        part=part,
        name=name,
        duration_s=duration_s,
        moving_s=moving_s if moving_s is not None else moving_time(elapsed, distance_m),
        distance_m=distance_total_m,
        elevation_gain_m=elevation_gain(altitude),
        avg_hr=nanmean(heart_rate, positive=True) or hr_avg,
        # the device's lap maximum can top the points it kept (1 s HR, 5 s points)
        max_hr=max((v for v in (nanmax(heart_rate), hr_max) if v is not None), default=None),
        avg_cadence_spm=nanmean(cadence_spm, positive=True),
        device=device,
        partial=partial,
        warnings=tuple(notes),
        samples=make_samples(
            elapsed,
            distance_m=distance_m,
            heart_rate_bpm=heart_rate,
            cadence_spm=cadence_spm,
            speed_m_s=speed,
        ),
    )
