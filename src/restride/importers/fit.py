"""FIT files -> activities: the NumPy decoder first, fitdecode for what it refuses.

A FIT stream can hold several FIT files (chained), each file several sessions (multisport,
or two runs saved as one). Each session that is a sport becomes one Activity; transitions
are left out; segments that only carry a chest strap's stored heart rate belong to the file
before them. Files that are no activity (settings, workouts, monitoring, weight) raise
NotAnActivity with what they are.

See https://developer.garmin.com/fit/file-types/activity/
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from restride.domain.activity import FOOT_SPORTS, Activity, Sport
from restride.importers import summary
from restride.importers.errors import ImportFileError, NotAnActivity
from restride.importers.fit_fitdecode import MAX_BYTES as FITDECODE_MAX_BYTES
from restride.importers.fit_fitdecode import read_with_fitdecode
from restride.importers.fit_numpy import (
    RECORD_COLUMNS,
    FitContents,
    FitSegment,
    as_int,
    decode,
)
from restride.importers.fit_scan import Corrupt, Unusual

if TYPE_CHECKING:
    from types import ModuleType

    from numpy.typing import NDArray

    F64 = NDArray[np.float64]

ACTIVITY_FILE_TYPES = {4, 20}  # activity, activity_summary
TRANSITION = 3
# Manufacturers whose products are named in the garmin_product table (FIT profile subfield).
_GARMIN_PRODUCT_MAKERS = {1, 13, 15, 89}
_FAVERO = 263
_NOT_ACTIVITY = {
    1: "a device description",
    2: "device settings",
    3: "sport settings",
    5: "a workout plan",
    6: "a course (a planned route)",
    7: "a training schedule",
    9: "weight-scale data",
    10: "lifetime totals",
    11: "goals",
    14: "blood-pressure data",
    15: "all-day monitoring data",
    28: "daily monitoring data",
    32: "all-day monitoring data",
    34: "a segment",
    35: "a segment list",
    40: "a data-field configuration",
}


def parse_fit(data: bytes, source: str) -> tuple[Activity, ...]:
    contents = read_fit(data, source)
    return activities_from_fit(contents, source, summary.sha256_hex(data))


def read_fit(
    data: bytes, source: str, *, decoder: str = "numpy", check_crc: bool = True
) -> FitContents:
    """Decode a FIT stream; raise ImportFileError when nothing in it is readable."""
    if len(data) < 12:
        raise ImportFileError(source, f"too short for a FIT file ({len(data)} bytes)")
    try:
        if decoder == "fitdecode":
            return read_with_fitdecode(data)
        try:
            return decode(data, check_crc=check_crc)
        except Unusual as exc:
            if len(data) > FITDECODE_MAX_BYTES:
                # fitdecode reads about half a megabyte a second: a big file would hold an
                # import (or a web request) for seconds. Read to the odd byte instead.
                return decode(data, check_crc=check_crc, unusual_stops=True)
            contents = read_with_fitdecode(data)
            contents.warnings.append(f"decoded with fitdecode: {exc}")
            return contents
    except Corrupt as exc:
        reason = f"not a readable FIT file: {exc.reason}"
        raise ImportFileError(source, reason, f"byte {exc.offset}") from None


@cache
def fit_profile() -> ModuleType:
    from fitdecode import profile  # type: ignore[import-untyped]  # 45 ms: only when needed

    return cast("ModuleType", profile)


def _enum_name(type_name: str, value: float | int | None) -> str | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    enum: dict[int, str] = fit_profile().FIELD_TYPES[type_name].enum
    return enum.get(int(value), str(int(value)))


def device_name(manufacturer: int | None, product: int | None, name: str | None) -> str | None:
    """The maker and model as the FIT profile names them: "garmin fr945", "coros 841"."""
    if manufacturer is None:
        return name
    maker = _enum_name("manufacturer", manufacturer)
    model: str | None = name
    if model is None and product is not None:
        if manufacturer in _GARMIN_PRODUCT_MAKERS:
            model = _enum_name("garmin_product", product)
        elif manufacturer == _FAVERO:
            model = _enum_name("favero_product", product)
        else:
            model = str(product)
    return f"{maker} {model}" if model else maker


# --- contents -> activities -------------------------------------------------------------------


def _group_files(segments: list[FitSegment]) -> list[list[FitSegment]]:
    """Chained segments without a file_id continue the file before them (stored strap HR)."""
    files: list[list[FitSegment]] = []
    for seg in segments:
        if not seg.has_file_id and files:
            files[-1].append(seg)
        else:
            files.append([seg])
    return files


def _join_records(group: list[FitSegment]) -> dict[str, F64]:
    parts = [s.records for s in group if s.records]
    if not parts:
        return {name: np.empty(0) for name in RECORD_COLUMNS}
    return {name: np.concatenate([p[name] for p in parts]) for name in RECORD_COLUMNS}


def activities_from_fit(contents: FitContents, source: str, sha: str) -> tuple[Activity, ...]:
    activities: list[Activity] = []
    skipped: list[str] = []
    for group in _group_files(contents.segments):
        head = group[0]
        if head.file_type is not None and head.file_type not in ACTIVITY_FILE_TYPES:
            skipped.append(_NOT_ACTIVITY.get(head.file_type, f"FIT file type {head.file_type}"))
            continue
        records = _join_records(group)
        sessions = [s for seg in group for s in seg.sessions]
        if not sessions and records["timestamp"].size == 0:
            continue
        file_notes = list(contents.warnings)
        if head.file_type is None:
            file_notes.append("the file does not say what it holds: assumed to be an activity")
        stored_hr = sum(seg.hr_messages for seg in group)
        if stored_hr:
            file_notes.append(
                f"heart rate the strap stored separately ({stored_hr} 'hr' messages) is not merged"
            )
        creator = head.creator or (None, None, None)
        device = device_name(head.manufacturer, head.product, head.product_name)
        if device is None or head.manufacturer is None:
            device = device_name(*creator) or device
        activities += _activities_of_file(
            records, sessions, head, device, file_notes, source, sha, len(activities)
        )
    if not activities:
        if skipped:
            raise NotAnActivity(source, "FIT file holds " + " and ".join(dict.fromkeys(skipped)))
        detail = "; ".join(contents.warnings) or "no records and no session"
        raise ImportFileError(source, f"FIT file with no activity data ({detail})")
    if contents.partial:
        activities[-1] = _replace(activities[-1], partial=True)
    if skipped:
        note = "also held " + " and ".join(dict.fromkeys(skipped)) + ", skipped"
        activities = [_replace(a, warnings=(*a.warnings, note)) for a in activities]
    return tuple(activities)


def _replace(activity: Activity, **changes: Any) -> Activity:
    return dataclasses.replace(activity, **changes)


def _activities_of_file(
    records: dict[str, F64],
    sessions: list[dict[str, float]],
    head: FitSegment,
    device: str | None,
    notes: list[str],
    source: str,
    sha: str,
    first_part: int,
) -> list[Activity]:
    ts = records["timestamp"]
    if ts.size and not np.isfinite(ts).all():
        notes.append(f"{int((~np.isfinite(ts)).sum())} records without a usable time left out")
    sports = [s for s in sessions if as_int(_get(s, "sport")) != TRANSITION]
    if len(sports) < len(sessions):
        notes.append(f"{len(sessions) - len(sports)} transition sessions left out")
    if not sessions:
        notes.append("no session summary (recording cut short?): figures come from the records")
        sport_pair = head.sport or (None, None)
        fake = {"sport": _float(sport_pair[0]), "sub_sport": _float(sport_pair[1])}
        return [
            _activity(fake, records, head, device, notes, source, sha, first_part, partial=False)
        ]
    out = []
    for i, session in enumerate(sports):
        window = records if len(sessions) == 1 else _session_records(records, session)
        notes_i = [*notes, f"session {i + 1} of {len(sports)} in this file"]
        out.append(
            _activity(
                session,
                window,
                head,
                device,
                notes_i if len(sports) > 1 else notes,
                source,
                sha,
                first_part + i,
                partial=False,
            )
        )
    return out


def _float(value: int | None) -> float:
    return math.nan if value is None else float(value)


def _get(session: dict[str, float], key: str) -> float | None:
    value = session.get(key)
    return value if value is not None and math.isfinite(value) else None


def _session_records(records: dict[str, F64], session: dict[str, float]) -> dict[str, F64]:
    start = _get(session, "start_time")
    elapsed = _get(session, "total_elapsed_time")
    end = _get(session, "timestamp")
    if start is not None and elapsed is not None:
        end = start + elapsed
    elif start is None and end is not None and elapsed is not None:
        start = end - elapsed
    if start is None or end is None:
        return records
    ts = records["timestamp"]
    inside = (ts >= start) & (ts <= end)
    return {k: v[inside] for k, v in records.items()}


def _activity(
    session: dict[str, float],
    records: dict[str, F64],
    head: FitSegment,
    device: str | None,
    notes: list[str],
    source: str,
    sha: str,
    part: int,
    *,
    partial: bool,
) -> Activity:
    ts = records["timestamp"]
    timed = np.isfinite(ts)
    rec = {k: v[timed] for k, v in records.items()}
    ts = rec["timestamp"]
    start_s = _get(session, "start_time")
    if start_s is None and ts.size:
        start_s = float(ts.min())
    if start_s is None:
        start_s = head.time_created
    if start_s is None:
        if head.relative_times:
            reason = (
                "its times count from when the watch was switched on (the clock was never"
                " set), so the activity cannot be dated"
            )
        else:
            reason = "the activity has no usable time (no start and no timestamped records)"
        raise ImportFileError(source, reason)
    sport_name = _enum_name("sport", _get(session, "sport"))
    sub_name = _enum_name("sub_sport", _get(session, "sub_sport"))
    sport: Sport = summary.sport_from_label(sport_name, sub_name)
    elapsed = ts - start_s
    duration = _get(session, "total_elapsed_time")
    if duration is None and ts.size:
        duration = float(ts.max() - start_s)
    distance = _get(session, "total_distance")
    if distance is None:
        distance = _span(rec["distance"])
    moving = _get(session, "total_moving_time") or _get(session, "total_timer_time")
    if moving is None and rec["distance"].size:
        moving = summary.moving_time(elapsed, rec["distance"])
    cadence_spm = summary.to_steps_per_minute(rec["cadence"], sport, stored_as_strides=True)
    avg_cadence = _get(session, "avg_cadence") or None  # 0 is a device's "none"
    if avg_cadence is not None and sport in FOOT_SPORTS:
        avg_cadence = 2.0 * (avg_cadence + (_get(session, "avg_fractional_cadence") or 0.0))
    elif sport in FOOT_SPORTS:
        avg_cadence = summary.nanmean(cadence_spm, positive=True)
    else:
        avg_cadence = None
    ascent = _get(session, "total_ascent")
    if ascent is None:
        ascent = summary.elevation_gain(rec["altitude"])
    return Activity(
        start=dt.datetime.fromtimestamp(start_s, dt.UTC),
        sport=sport,
        sub_sport=sub_name if sub_name not in (None, "generic") else None,
        source=source,
        content_sha256=sha,
        part=part,
        duration_s=duration,
        moving_s=moving,
        distance_m=distance,
        elevation_gain_m=ascent,
        avg_hr=_get(session, "avg_heart_rate") or summary.nanmean(rec["heart_rate"], positive=True),
        max_hr=_get(session, "max_heart_rate") or summary.nanmax(rec["heart_rate"]),
        avg_cadence_spm=avg_cadence,
        device=device,
        **_dynamics(session, rec, sport),
        partial=partial,
        warnings=tuple(notes),
        samples=summary.make_samples(
            elapsed,
            distance_m=rec["distance"],
            heart_rate_bpm=rec["heart_rate"],
            cadence_spm=cadence_spm,
            speed_m_s=rec["speed"],
        ),
    )


def _dynamics(session: dict[str, float], rec: dict[str, F64], sport: Sport) -> dict[str, Any]:
    """Running dynamics averages: the session's, else the records'; for foot sports only
    ("other" included, as a cut-off file may not say it was a run). A chest strap keeps
    sending while cycling, and a ground contact time on a bike means nothing."""
    if sport not in FOOT_SPORTS and sport != "other":
        return {}
    pairs = {
        "gct_ms_avg": ("avg_stance_time", "stance_time"),
        "stance_balance_left_pct_avg": ("avg_stance_time_balance", "stance_time_balance"),
        "vertical_oscillation_mm_avg": ("avg_vertical_oscillation", "vertical_oscillation"),
    }
    return {
        name: _get(session, summary_field) or summary.nanmean(rec[column], positive=True)
        for name, (summary_field, column) in pairs.items()
    }


def _span(values: F64) -> float | None:
    ok = values[np.isfinite(values)]
    return float(ok.max() - ok.min()) if ok.size else None
