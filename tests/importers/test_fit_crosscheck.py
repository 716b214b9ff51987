"""Our FIT fields against fitdecode's on every corpus FIT file, every difference explained.

fitdecode (MIT, mature, streaming) is the reference: for each file, the record count and the
records' heart rates and distances, and for each activity its start, duration, distance,
average heart rate and device must match what fitdecode reads from the same bytes. Where
they differ on purpose, KNOWN_DIFFERENCES says why; a difference not listed, or a listed one
that went away, fails the test.
"""

from __future__ import annotations

import datetime as dt
import gzip
import math
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from restride.importers import ImportProblem
from restride.importers.fit import device_name, parse_fit, read_fit
from tests.importers.conftest import corpus_files

fitdecode = pytest.importorskip("fitdecode")

FIT_EPOCH_S = 631_065_600
NOT_ACTIVITY_TYPES = {1, 2, 3, 5, 6, 7, 9, 10, 11, 14, 15, 28, 32, 34, 35, 40}

# file -> {compared field: why we differ from fitdecode}
# Not listed because they agree: the COROS PACE 2 file's odd-sized fields (fitdecode warns and
# reads them as bytes; none is a field either side compares), CRC mismatches (fitdecode warns,
# we warn in Activity.warnings; the values read are the same), chained files and compressed
# timestamps (same records, same times).
_ZERO_HR = "the session says 0 bpm (no strap); we report no heart rate, never 0 bpm"
_NO_CLOCK = "times count from power-on (the clock was never set): we refuse to date it"
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "sportslib__others__empty-activities.fit": {
        "records": "its header claims 0 data bytes; fitdecode stops there, we read the 2,319"
        " records that follow (marked partial)",
        "activities": "fitdecode finds no activity in it (see records)",
        "record_hr": "fitdecode reads no records from it (see records)",
    },
    "sportslib__others__empty-sessions.fit": {
        "read": "a 0-byte file: fitdecode returns nothing and no error, we say it is empty",
    },
    "fitparse__antfs-dump.63.fit": {"activities": _NO_CLOCK},
    "fitparse__compressed-speed-distance.fit": {"activities": _NO_CLOCK},
    "fitparse__null_compressed_speed_dist.fit": {"avg_hr": _ZERO_HR},
    "gofit__misc__0134902991.fit": {"avg_hr": _ZERO_HR},
    "runalyze__hr-only-zeros.fit": {"avg_hr": _ZERO_HR},
}
# Fields filled from records when the session lacks them are ours alone, not compared.


@dataclass
class Reference:
    records: int = 0
    error: str | None = None
    # record values, summed: a cheap fingerprint of every sample we keep
    hr_count: int = 0
    hr_sum: float = 0.0
    distance_max: float | None = None
    files: list[dict[str, Any]] = field(default_factory=list)


def _native(frame: Any, *, raw: bool = False) -> dict[str, Any]:
    # Developer fields can reuse native names ("distance" from a Connect IQ app); the
    # profile's own fields are the ones both sides mean. fitdecode names enums even
    # without a processor, so `raw` gives the numbers.
    return {
        f.name: f.raw_value if raw else f.value
        for f in frame.fields
        if f.field_def is None or not getattr(f.field_def, "is_dev", False)
    }


def reference(path: str) -> Reference:
    """What fitdecode reads: records, and per FIT file its file_id and sessions."""
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    ref = Reference()
    current: dict[str, Any] | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = fitdecode.FitReader(
                data, processor=None, check_crc=fitdecode.CrcCheck.DISABLED
            )
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                values = _native(frame)
                if frame.name == "file_id":
                    file_id = _native(frame, raw=True)
                    current = {"file_id": file_id, "sessions": [], "first_ts": None}
                    ref.files.append(current)
                elif frame.name == "record":
                    ref.records += 1
                    hr, distance = values.get("heart_rate"), values.get("distance")
                    if isinstance(hr, int | float):
                        ref.hr_count += 1
                        ref.hr_sum += hr
                    if isinstance(distance, int | float):
                        ref.distance_max = max(ref.distance_max or 0.0, distance)
                    ts = values.get("timestamp")
                    if current is not None and current["first_ts"] is None and ts:
                        current["first_ts"] = ts
                elif frame.name == "session" and current is not None:
                    current["sessions"].append(values)
        except fitdecode.FitError as exc:
            ref.error = str(exc)
    return ref


def _time(fit_seconds: Any) -> dt.datetime | None:
    if not isinstance(fit_seconds, int) or fit_seconds < 0x10000000:
        return None
    return dt.datetime.fromtimestamp(fit_seconds + FIT_EPOCH_S, dt.UTC)


def _close(a: float | None, b: float | None, tolerance: float = 0.01) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=tolerance)


def differences(path: Path, ref: Reference) -> dict[str, str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    found: dict[str, str] = {}
    try:
        contents = read_fit(data, path.name)
        ours_records = sum(s.record_count for s in contents.segments)
        hr = np.concatenate([s.records.get("heart_rate", np.empty(0)) for s in contents.segments])
        distance = np.concatenate(
            [s.records.get("distance", np.empty(0)) for s in contents.segments]
        )
        hr = hr[np.isfinite(hr)]
        if (hr.size, float(hr.sum())) != (ref.hr_count, ref.hr_sum):
            found["record_hr"] = f"{hr.size} values, sum {hr.sum()} vs fitdecode"
            found["record_hr"] += f" {ref.hr_count}, sum {ref.hr_sum}"
        distance = distance[np.isfinite(distance)]
        ours_max = float(distance.max()) if distance.size else None
        if not _close(ours_max, ref.distance_max):
            found["record_distance"] = f"max {ours_max} vs fitdecode {ref.distance_max}"
    except ImportProblem as exc:
        ours_records = 0
        if not (ref.error and ref.records == 0):  # both refuse it: no difference
            found["read"] = str(exc)
    if ours_records != ref.records:
        found["records"] = f"{ours_records} vs fitdecode {ref.records}"
    try:
        activities = parse_fit(data, path.name)
    except ImportProblem:
        activities = ()
    expected = []
    for f in ref.files:
        if f["file_id"].get("type") in NOT_ACTIVITY_TYPES:
            continue
        sessions = [s for s in f["sessions"] if s.get("sport") != "transition"]
        expected += [(f, s) for s in sessions] or ([(f, None)] if f["first_ts"] else [])
    if len(activities) != len(expected):
        found["activities"] = f"{len(activities)} vs fitdecode {len(expected)}"
        return found
    for i, (activity, (f, session)) in enumerate(zip(activities, expected, strict=True)):
        file_id = f["file_id"]
        device = device_name(
            file_id.get("manufacturer"),
            file_id.get("garmin_product", file_id.get("product")),
            (file_id.get("product_name") or "").strip() or None,
        )
        if file_id.get("manufacturer") is not None and activity.device != device:
            found["device"] = f"{activity.device!r} vs fitdecode {device!r}"
        start = _time(session.get("start_time") if session else f["first_ts"])
        if start is not None and activity.start != start:
            found[f"start[{i}]"] = f"{activity.start} vs fitdecode {start}"
        if session is None:
            continue
        pairs = {
            "duration": (activity.duration_s, session.get("total_elapsed_time")),
            "distance": (activity.distance_m, session.get("total_distance")),
            "avg_hr": (activity.avg_hr, session.get("avg_heart_rate")),
        }
        for name, (ours, theirs) in pairs.items():
            if theirs is not None and not _close(ours, float(theirs)):
                found[f"{name}[{i}]"] = f"{ours} vs fitdecode {theirs}"
    return found


@pytest.fixture(scope="module")
def fit_files(corpus: Path) -> list[Path]:
    return [p for p in corpus_files(corpus) if p.parent.name == "fit"]


@pytest.fixture(scope="module")
def references(fit_files: list[Path]) -> dict[str, Reference]:
    # fitdecode reads the 27 MB of FIT at about 1 MB/s: both cores halve the wait.
    with ProcessPoolExecutor(max_workers=2) as pool:
        refs = pool.map(reference, [str(p) for p in fit_files], chunksize=1)
        return {p.name: r for p, r in zip(fit_files, refs, strict=True)}


def test_our_fit_fields_match_fitdecode_on_every_corpus_file(
    fit_files: list[Path], references: dict[str, Reference]
) -> None:
    unexplained = {}
    for path in fit_files:
        found = differences(path, references[path.name])
        known = KNOWN_DIFFERENCES.get(path.name, {})
        surprise = {k: v for k, v in found.items() if k.split("[")[0] not in known}
        if surprise:
            unexplained[path.name] = surprise
    assert unexplained == {}


def test_every_listed_difference_still_happens(
    fit_files: list[Path], references: dict[str, Reference]
) -> None:
    by_name = {p.name: p for p in fit_files}
    stale = {}
    for name, known in KNOWN_DIFFERENCES.items():
        found = {k.split("[")[0] for k in differences(by_name[name], references[name])}
        gone = set(known) - found
        if gone:
            stale[name] = gone
    assert stale == {}


def test_we_read_every_record_fitdecode_reads(
    fit_files: list[Path], references: dict[str, Reference]
) -> None:
    fewer = {}
    for path in fit_files:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        try:
            ours = sum(s.record_count for s in read_fit(data, path.name).segments)
        except ImportProblem:
            ours = 0
        if ours < references[path.name].records:
            fewer[path.name] = (ours, references[path.name].records)
    assert fewer == {}
