"""TCX (Garmin Training Center) activities -> one activity per <Activity>.

A file can hold several activities (a multisport session, or a day's trainings), each with
laps that carry the device's own totals (timer time, distance, heart rate). Those totals are
used where present; the rest comes from the track points.

See https://www8.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd
"""

from __future__ import annotations

import dataclasses
import math
from array import array
from typing import TYPE_CHECKING

import numpy as np

from restride.importers import summary
from restride.importers.errors import ImportFileError, NotAnActivity
from restride.importers.gpx import note_time_steps_back
from restride.importers.xmlread import (
    MAX_POINTS,
    TOO_MANY_POINTS,
    Element,
    Parse,
    child_text,
    local_name,
    parse_time,
    read_notes,
    release,
)

if TYPE_CHECKING:
    from restride.domain.activity import Activity

_POINT_FIELDS = ("time", "lat", "lon", "alt", "distance", "hr", "cad", "run_cad", "speed")
_COLUMN_OF_NAME: dict[str, str | None] = {
    "Time": "time",
    "LatitudeDegrees": "lat",
    "LongitudeDegrees": "lon",
    "AltitudeMeters": "alt",
    "DistanceMeters": "distance",
    "Value": "hr",  # the only Value in a Trackpoint is HeartRateBpm's
    "Cadence": "cad",
    "RunCadence": "run_cad",
    "Speed": "speed",
}


def _float(text: str | None) -> float:
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


class _Activity:
    """What has been read of one <Activity> so far."""

    def __init__(self) -> None:
        self.points: dict[str, array[float]] = {k: array("d") for k in _POINT_FIELDS}
        self.lap_seconds: list[float] = []
        self.lap_metres: list[float] = []
        self.lap_hr: list[tuple[float, float, float]] = []  # seconds, average, maximum
        self.lap_start: float | None = None
        self.zoneless = 0
        self.wrong_clock = 0
        self.column_of: dict[str, str | None] = {}  # full tag -> column, as tags repeat


def parse_tcx(data: bytes, source: str) -> tuple[Activity, ...]:
    sha = summary.sha256_hex(data)
    activities: list[Activity] = []
    courses = 0
    current = _Activity()
    parse = Parse(data, ("Trackpoint", "Lap", "Activity", "Course"))
    points = 0
    for tag, el in parse:
        if tag == "Trackpoint":
            points += 1
            if points > MAX_POINTS:
                activity = _finish(
                    _ancestor(el, "Activity"), current, source, sha, len(activities), parse
                )
                if activity is not None:
                    warnings = (TOO_MANY_POINTS, *activity.warnings)
                    activities.append(
                        dataclasses.replace(activity, partial=True, warnings=warnings)
                    )
                break
            _take_point(el, current)
            release(el)
        elif tag == "Lap":
            _take_lap(el, current)
            release(el)
        elif tag == "Activity":
            activity = _finish(el, current, source, sha, len(activities), parse)
            if activity is not None:
                activities.append(activity)
            current = _Activity()
            release(el)
        elif tag == "Course":
            courses += 1
            current = _Activity()
            release(el)
    if parse.root_name != "TrainingCenterDatabase":
        found = parse.root_name or "no XML element"
        raise ImportFileError(source, f"not a TCX file (found {found})")
    if activities and parse.cut_short and not activities[-1].partial:
        # the cut was noticed only after the last activity closed
        last = activities[-1]
        notes = read_notes(parse, len(last.samples or ()), "track points")
        activities[-1] = dataclasses.replace(last, partial=True, warnings=(*notes, *last.warnings))
    if not activities:
        if parse.cut_short and any(current.points.values()):
            # cut off inside its only <Activity>: keep what is there
            activity = _finish(None, current, source, sha, 0, parse)
            if activity is not None:
                return (activity,)
        if courses:
            raise NotAnActivity(source, "TCX holds a course (a planned route), not an activity")
        raise NotAnActivity(source, "TCX holds no activity with times")
    return tuple(activities)


def _ancestor(el: Element, name: str) -> Element | None:
    while el is not None and local_name(el.tag) != name:
        el = el.getparent()
    return el


def _take_point(el: Element, act: _Activity) -> None:
    row = dict.fromkeys(_POINT_FIELDS, math.nan)
    column_of = act.column_of
    for child in el.iterdescendants():
        tag = child.tag
        column = column_of.get(tag, "")
        if column == "":
            column = column_of[tag] = _COLUMN_OF_NAME.get(local_name(tag))
        if column is None:
            continue
        if column == "time":
            when, zoned = parse_time(child.text)
            act.zoneless += not zoned
            if when is not None:
                act.wrong_clock += math.isnan(when)
                row["time"] = when
        else:
            row[column] = _float(child.text)
    for key, value in row.items():
        act.points[key].append(value)


def _take_lap(el: Element, act: _Activity) -> None:
    seconds = _float(child_text(el, "TotalTimeSeconds"))
    act.lap_seconds.append(seconds)
    act.lap_metres.append(_float(child_text(el, "DistanceMeters")))
    avg = mx = math.nan
    for child in el:
        name = local_name(child.tag)
        if name in ("AverageHeartRateBpm", "MaximumHeartRateBpm"):
            value = _float(child_text(child, "Value"))
            if name == "AverageHeartRateBpm":
                avg = value
            else:
                mx = value
    act.lap_hr.append((seconds, avg, mx))
    if act.lap_start is None:
        act.lap_start, _ = parse_time(el.get("StartTime"))


def _finish(
    el: Element | None, act: _Activity, source: str, sha: str, part: int, parse: Parse
) -> Activity | None:
    pts = {k: np.frombuffer(v, dtype=np.float64) for k, v in act.points.items()}
    timed = np.isfinite(pts["time"])
    start_s: float | None = None
    sport_label = device = None
    if el is not None:
        sport_label = el.get("Sport")
        start_s, _ = parse_time(child_text(el, "Id"))
        for child in el:
            if local_name(child.tag) == "Creator":
                device = child_text(child, "Name")
    if start_s is None or math.isnan(start_s):
        start_s = (
            act.lap_start if act.lap_start is not None and not math.isnan(act.lap_start) else None
        )
    if timed.any():
        first = float(pts["time"][timed].min())
        start_s = first if start_s is None else min(start_s, first)
    if start_s is None:
        if act.wrong_clock:
            raise ImportFileError(source, "every time in the activity is before 1985: wrong clock")
        return None
    notes = read_notes(parse, int(timed.sum()), "track points")
    if act.zoneless:
        notes.append("times without a time zone, read as UTC")
    if (~timed).sum():
        notes.append(f"{int((~timed).sum())} track points without a time left out")
    p = {k: v[timed] for k, v in pts.items()}
    note_time_steps_back(p["time"], notes)
    sport = summary.sport_from_label(sport_label)
    distance = p["distance"]
    if not np.isfinite(distance).any():
        distance = summary.cumulative_distance(p["lat"], p["lon"])
    cadence = p["run_cad"] if np.isfinite(p["run_cad"]).any() else p["cad"]
    seconds = np.asarray(act.lap_seconds)
    metres = np.asarray(act.lap_metres)
    hr = np.asarray(act.lap_hr).reshape(-1, 3)
    timer = float(np.nansum(seconds)) if np.isfinite(seconds).any() else None
    lap_distance = float(np.nansum(metres)) if np.isfinite(metres).any() else None
    if p["time"].size and timer is not None:
        # Laps are the device's claims, the track is what it recorded: trust the track
        # when the two disagree (trimmed or hand-edited files).
        track_s = float(p["time"].max() - p["time"].min())
        if timer > track_s + 60:
            notes.append(f"lap times ({timer:.0f} s) exceed the track ({track_s:.0f} s): not used")
            timer = None
        finite = distance[np.isfinite(distance)]
        track_m = float(finite.max() - finite.min()) if finite.size else None
        if lap_distance is not None and track_m is not None:
            if abs(lap_distance - track_m) > 0.05 * max(lap_distance, track_m) + 50:
                notes.append(
                    f"lap distances ({lap_distance:.0f} m) disagree with the track"
                    f" ({track_m:.0f} m): used the track"
                )
                lap_distance = None
    weighted = np.isfinite(hr[:, 0]) & np.isfinite(hr[:, 1]) & (hr[:, 1] > 0)
    lap_hr_avg = (
        float(np.average(hr[weighted, 1], weights=hr[weighted, 0]))
        if weighted.any() and hr[weighted, 0].sum() > 0
        else None
    )
    return summary.build_activity(
        source=source,
        sha=sha,
        sport=sport,
        sub_sport=None,
        name=None,
        device=device,
        time_s=p["time"],
        distance_m=distance,
        heart_rate=p["hr"],
        cadence=cadence,
        speed=p["speed"],
        altitude=p["alt"],
        notes=notes,
        partial=parse.cut_short,
        part=part,
        moving_s=timer,
        distance_total_m=lap_distance,
        hr_avg=lap_hr_avg,
        hr_max=summary.nanmax(hr[:, 2]),
        start_s=start_s,
        duration_s=None if timed.any() else timer,
    )
