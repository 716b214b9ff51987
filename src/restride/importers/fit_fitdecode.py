"""The FIT reader behind the fast one: fitdecode, giving the same FitContents.

fitdecode (MIT) is mature and reads every well-formed file; it is about 100 times slower
than the NumPy decoder, so it only gets files with a structure that decoder refuses, and
serves as the reference the tests compare it with.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from array import array
from typing import Any

import numpy as np

from restride.importers.fit_numpy import (
    DEVICE_INFO,
    FILE_ID,
    HR,
    RECORD_COLUMNS,
    SESSION,
    SPORT,
    WANTED,
    FitContents,
    FitSegment,
    as_int,
)
from restride.importers.fit_scan import MAX_MESSAGES, RECORD, Corrupt

# fitdecode reads about half a megabyte a second: past this a file would take more than half
# a second of CPU (the fuzzer found 1 MB files taking 2 s). The NumPy decoder reads bigger
# ones up to the structure it refuses.
MAX_BYTES = 256 * 1024


class TooManyRecordsError(Exception):
    """More records than any recording holds: stop reading (what came before is kept)."""


def _num(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, dt.datetime):
        return value.timestamp()
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _time(value: Any, seg: FitSegment) -> float:
    """fitdecode gives datetimes for absolute times and plain ints for device-relative ones."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, int) and value > 0:
        seg.relative_times = True
    return math.nan


def read_with_fitdecode(data: bytes) -> FitContents:
    """The same contents as the NumPy decoder, read with fitdecode (slow, but mature)."""
    import fitdecode  # type: ignore[import-untyped]  # no stubs in the lock

    notes: set[str] = set()
    segments: list[FitSegment] = []
    rows: list[dict[str, array[float]]] = []
    if len(data) > MAX_BYTES:
        raise Corrupt(
            f"a structure only the slow FIT reader handles, in a file too big for it"
            f" ({len(data) // 1024 // 1024} MB; at most {MAX_BYTES // 1024 // 1024} MB)",
            0,
        )
    partial = False
    complete = False  # the last FIT file read to its CRC
    reader = fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.WARN)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for frame in reader:
                if isinstance(frame, fitdecode.FitHeader):
                    segments.append(FitSegment())
                    rows.append({name: array("d") for name in RECORD_COLUMNS})
                    complete = False
                elif isinstance(frame, fitdecode.FitCRC):
                    complete = True
                elif isinstance(frame, fitdecode.FitDataMessage) and segments:
                    _take_message(frame, segments[-1], rows[-1])
        except Exception as exc:
            # On damaged bytes fitdecode raises more than FitError: ValueError("size") for a
            # field size no type has, AssertionError, KeyError, TypeError, struct.error. Each
            # means the same as a FitError: the bytes stop making sense here.
            offset = _offset(reader)
            reason = _reason(exc)
            if not segments:
                raise Corrupt(reason, offset) from exc
            if complete and isinstance(exc, fitdecode.FitHeaderError):
                notes.add(f"ignored bytes after the FIT data that are not FIT ({reason})")
            else:
                partial = True
                notes.add(f"fitdecode stopped at byte {offset}: {reason}")
    for seg, columns in zip(segments, rows, strict=True):
        if columns["timestamp"]:
            seg.records = {
                name: np.frombuffer(column, dtype=np.float64).copy()
                for name, column in columns.items()
            }
    for w in caught:
        text = str(w.message)
        if "CRC" in text:
            notes.add("file checksum (CRC) does not match: some bytes are damaged")
    return FitContents(segments, sorted(notes), partial, "fitdecode")


def _offset(reader: Any) -> int:
    """Where fitdecode was reading (the start of the record it choked on)."""
    offset = getattr(reader, "_chunk_offset", 0)  # private, hence the guard
    return offset if isinstance(offset, int) else 0


def _reason(exc: Exception) -> str:
    """fitdecode's message, or what the bare exception says (`ValueError: size`)."""
    import fitdecode

    if isinstance(exc, (fitdecode.FitError, TooManyRecordsError)):
        return str(exc)
    detail = str(exc).strip()
    return f"damaged data ({type(exc).__name__}{': ' + detail if detail else ''})"[:300]


def _take_message(frame: Any, seg: FitSegment, columns: dict[str, array[float]]) -> None:
    mesg = frame.global_mesg_num
    # Developer fields may reuse native names and numbers ("distance" from a Connect IQ app):
    # only native fields, and the components fitdecode expands from them, count here.
    native = [f for f in frame.fields if f.field_def is None or not f.field_def.is_dev]
    values = {f.name: f.value for f in native}
    raw = {f.def_num: f.raw_value for f in native if f.field_def is not None}
    if mesg == RECORD:
        speed = _num(values.get("enhanced_speed"))
        altitude = _num(values.get("enhanced_altitude"))
        fraction = _num(values.get("fractional_cadence"))
        row = {name: _num(values.get(name)) for name in RECORD_COLUMNS}
        row["timestamp"] = _time(values.get("timestamp"), seg)
        row["cadence"] += fraction if math.isfinite(fraction) else 0.0
        if math.isfinite(speed):
            row["speed"] = speed
        if math.isfinite(altitude):
            row["altitude"] = altitude
        if len(columns["timestamp"]) >= MAX_MESSAGES:
            raise TooManyRecordsError(
                f"more than {MAX_MESSAGES:,} records, more than any recording"
            )
        for column, value in row.items():
            columns[column].append(value)
    elif mesg == SESSION:
        session = {
            name: _num(raw.get(number)) / scale - offset
            for number, (name, scale, offset) in WANTED[SESSION].items()
        }
        session["start_time"] = _time(values.get("start_time"), seg)
        session["timestamp"] = _time(values.get("timestamp"), seg)
        seg.sessions.append(session)
    elif mesg == FILE_ID and not seg.has_file_id:
        seg.has_file_id = True
        seg.file_type = as_int(_num(raw.get(0)))
        seg.manufacturer = as_int(_num(raw.get(1)))
        seg.product = as_int(_num(raw.get(2)))
        name = values.get("product_name")
        seg.product_name = name.strip() or None if isinstance(name, str) else None
        created = _time(values.get("time_created"), seg)
        seg.time_created = created if math.isfinite(created) else None
    elif mesg == SPORT and seg.sport is None:
        seg.sport = (as_int(_num(raw.get(0))), as_int(_num(raw.get(1))))
    elif mesg == DEVICE_INFO and seg.creator is None and raw.get(0) == 0:
        name = values.get("product_name")
        seg.creator = (
            as_int(_num(raw.get(2))),
            as_int(_num(raw.get(4))),
            name if isinstance(name, str) else None,
        )
    elif mesg == HR:
        seg.hr_messages += 1
