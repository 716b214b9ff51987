"""GPX 1.0 and 1.1 tracks -> one activity, with heart rate and cadence from any extension.

Heart rate and cadence live in extensions that each writer spells its own way (Garmin's
TrackPointExtension `hr`/`cad`, Cluetrust `gpxdata:hr`/`cadence`, often undeclared), so
they are found by local name under each track point, whatever the namespace or version.

See https://www.topografix.com/GPX/1/1/ and https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

import numpy as np

from restride.importers import summary
from restride.importers.errors import ImportFileError, NotAnActivity
from restride.importers.xmlread import (
    MAX_POINTS,
    TOO_MANY_POINTS,
    Element,
    Parse,
    local_name,
    parse_time,
    read_notes,
    release,
)

if TYPE_CHECKING:
    from restride.domain.activity import Activity

_POINT_COLUMNS = ("time", "lat", "lon", "ele", "hr", "cad", "speed", "distance")
# local names under a track point -> column (None: not needed)
_COLUMN_OF_NAME: dict[str, str | None] = {
    "time": "time",
    "ele": "ele",
    "hr": "hr",
    "heartrate": "hr",
    "heart_rate": "hr",
    "cad": "cad",
    "cadence": "cad",
    "runcadence": "cad",
    "speed": "speed",
    "distance": "distance",
}
# Strava's GPX <type> numbers (its old activity-type enumeration)
_STRAVA_TYPES = {
    "1": "Ride",
    "4": "Hike",
    "9": "Run",
    "10": "Walk",
    "16": "Swim",
    "17": "VirtualRide",
    "18": "EBikeRide",
    "27": "Elliptical",
    "30": "WeightTraining",
    "53": "VirtualRun",
}


def _float(text: str | None) -> float:
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def parse_gpx(data: bytes, source: str) -> tuple[Activity, ...]:
    cols: dict[str, array[float]] = {k: array("d") for k in _POINT_COLUMNS}
    segment_ends: list[int] = []  # a new segment (after a pause) starts at each
    route_points = 0
    zoneless = 0
    wrong_clock = 0
    name: str | None = None
    kind: str | None = None
    parse = Parse(data, ("trkpt", "rtept", "trkseg", "type", "name"))
    column_of: dict[str, str | None] = {}  # full tag -> column: tags repeat, names do not
    too_many = False
    for tag, el in parse:
        if tag == "trkpt":
            if len(cols["time"]) >= MAX_POINTS:
                too_many = True
                break
            row = dict.fromkeys(_POINT_COLUMNS, math.nan)
            for child in el.iterdescendants():
                tag_name = child.tag
                column = column_of.get(tag_name, "")
                if column == "":
                    column = column_of[tag_name] = _COLUMN_OF_NAME.get(local_name(tag_name))
                if column is None:
                    continue
                text = child.text
                if column == "time":
                    when, zoned = parse_time(text)
                    zoneless += not zoned
                    if when is not None:
                        wrong_clock += math.isnan(when)
                        row["time"] = when
                else:
                    row[column] = _float(text)
            row["lat"] = _float(el.get("lat"))
            row["lon"] = _float(el.get("lon"))
            for key, value in row.items():
                cols[key].append(value)
            release(el)
        elif tag == "trkseg":
            segment_ends.append(len(cols["time"]))
        elif tag == "rtept":
            route_points += 1
            release(el)
        elif tag == "type" and _parent_is(el, "trk") and kind is None:
            kind = (el.text or "").strip() or None
        elif tag == "name" and _parent_is(el, "trk", "metadata") and name is None:
            name = (el.text or "").strip() or None
    root = parse.root
    if root is None or parse.root_name != "gpx":
        found = parse.root_name or "no XML element"
        raise ImportFileError(source, f"not a GPX file (found {found})")
    n = len(cols["time"])
    if n == 0:
        what = "a planned route" if route_points else "no track points"
        raise NotAnActivity(source, f"GPX holds {what}, not a recorded activity")
    arrays = {k: np.frombuffer(v, dtype=np.float64) for k, v in cols.items()}
    timed = np.isfinite(arrays["time"])
    if not timed.any():
        if wrong_clock:
            raise ImportFileError(source, "every track time is before 1985: the clock was wrong")
        raise NotAnActivity(source, "GPX track has no times: a drawn route, not a recording")
    notes = read_notes(parse, int(timed.sum()), "track points")
    if too_many:
        notes.insert(0, TOO_MANY_POINTS)
    if wrong_clock:
        notes.append(f"{wrong_clock} track points with impossible times (before 1985) left out")
    if zoneless:
        notes.append("times without a time zone, read as UTC")
    if not timed.all() and (~timed).sum() > wrong_clock:
        notes.append(f"{int((~timed).sum()) - wrong_clock} track points without a time left out")
    a = {k: v[timed] for k, v in arrays.items()}
    segment = np.searchsorted(np.asarray(segment_ends), np.arange(n), side="right")[timed]
    breaks = np.concatenate([[False], segment[1:] != segment[:-1]])
    note_time_steps_back(a["time"], notes)
    distance = a["distance"]
    if not np.isfinite(distance).any():
        distance = summary.cumulative_distance(a["lat"], a["lon"], breaks)
    sport = summary.sport_from_label(_STRAVA_TYPES.get(kind or "", kind))
    return (
        summary.build_activity(
            source=source,
            sha=summary.sha256_hex(data),
            sport=sport,
            sub_sport=None,
            name=name,
            device=(root.get("creator") or "").strip() or None,
            time_s=a["time"],
            distance_m=distance,
            heart_rate=a["hr"],
            cadence=a["cad"],
            speed=a["speed"],
            altitude=a["ele"],
            notes=notes,
            partial=parse.cut_short or too_many,
        ),
    )


def note_time_steps_back(times: summary.F64, notes: list[str]) -> None:
    # Some writers merge a heart-rate track into the GPS one and jumble the times (Sports
    # Tracker). The points stay in file order, which is the order along the route.
    backwards = int((np.diff(times) < 0).sum())
    if backwards:
        notes.append(f"time steps back at {backwards} points (kept in file order)")


def _parent_is(element: Element, *names: str) -> bool:
    parent = element.getparent()
    return parent is not None and local_name(parent.tag) in names
