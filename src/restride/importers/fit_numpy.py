"""The fast FIT decoder: NumPy over the raw bytes, for the few messages restride needs.

One pass over the record headers finds where every message starts; runs of same-type messages
are skipped in one NumPy comparison. Then, per definition, each wanted field is gathered for
all its messages at once (`np.frombuffer` over the file, fancy-indexed by message offset).
Compressed-timestamp headers, developer fields (skipped by size), big-endian definitions,
chained FIT files and truncated or corrupt files are handled here; a structure this decoder
refuses raises `Unusual` (from fit_scan), and `restride.importers.fit` hands the file to
fitdecode.

Spec: https://developer.garmin.com/fit/protocol/ and Profile.xlsx of the FIT SDK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from restride.importers.fit_scan import (
    COMPRESSED_SPEED_DISTANCE,
    RECORD,
    TIMESTAMP,
    Corrupt,
    Definition,
    NeedTimestamps,
    Scan,
    fit_crc,
    scan,
)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

FIT_EPOCH_UNIX_S = 631_065_600  # 1989-12-31T00:00:00Z
# date_time values below this are seconds since the device powered on, not since the epoch.
MIN_ABSOLUTE_FIT_TIME = 0x10000000

FILE_ID, SPORT, SESSION, DEVICE_INFO, HR = 0, 12, 18, 23, 132

# Base type number (low 5 bits of the base type byte) -> (NumPy code, size, invalid raw value).
_BASE: dict[int, tuple[str, int, int | None]] = {
    0: ("u1", 1, 0xFF),  # enum
    1: ("i1", 1, 0x7F),
    2: ("u1", 1, 0xFF),
    3: ("i2", 2, 0x7FFF),
    4: ("u2", 2, 0xFFFF),
    5: ("i4", 4, 0x7FFFFFFF),
    6: ("u4", 4, 0xFFFFFFFF),
    8: ("f4", 4, None),  # invalid is all bits set, a NaN
    9: ("f8", 8, None),
    10: ("u1", 1, 0),  # the "z" types mark invalid with 0
    11: ("u2", 2, 0),
    12: ("u4", 4, 0),
    13: ("u1", 1, 0xFF),  # byte
    14: ("i8", 8, 0x7FFFFFFFFFFFFFFF),
    15: ("u8", 8, 0xFFFFFFFFFFFFFFFF),
    16: ("u8", 8, 0),
}
_STRING = 7

# Wanted fields: global message -> {field number: (name, scale, offset)} as in the FIT profile.
WANTED: dict[int, dict[int, tuple[str, float, float]]] = {
    FILE_ID: {
        0: ("type", 1, 0),
        1: ("manufacturer", 1, 0),
        2: ("product", 1, 0),
        4: ("time_created", 1, 0),
    },
    SESSION: {
        2: ("start_time", 1, 0),
        TIMESTAMP: ("timestamp", 1, 0),
        5: ("sport", 1, 0),
        6: ("sub_sport", 1, 0),
        7: ("total_elapsed_time", 1000, 0),
        8: ("total_timer_time", 1000, 0),
        59: ("total_moving_time", 1000, 0),
        9: ("total_distance", 100, 0),
        16: ("avg_heart_rate", 1, 0),
        17: ("max_heart_rate", 1, 0),
        18: ("avg_cadence", 1, 0),
        92: ("avg_fractional_cadence", 128, 0),
        22: ("total_ascent", 1, 0),
        89: ("avg_vertical_oscillation", 10, 0),
        91: ("avg_stance_time", 10, 0),
        133: ("avg_stance_time_balance", 100, 0),
    },
    RECORD: {
        TIMESTAMP: ("timestamp", 1, 0),
        2: ("altitude", 5, 500),
        3: ("heart_rate", 1, 0),
        4: ("cadence", 1, 0),
        5: ("distance", 100, 0),
        6: ("speed", 1000, 0),
        39: ("vertical_oscillation", 10, 0),
        41: ("stance_time", 10, 0),
        53: ("fractional_cadence", 128, 0),
        73: ("enhanced_speed", 1000, 0),
        78: ("enhanced_altitude", 5, 500),
        84: ("stance_time_balance", 100, 0),
    },
    SPORT: {0: ("sport", 1, 0), 1: ("sub_sport", 1, 0)},
    DEVICE_INFO: {0: ("device_index", 1, 0), 2: ("manufacturer", 1, 0), 4: ("product", 1, 0)},
    HR: {},  # counted only: see FitSegment.hr_messages
}
_STRINGS: dict[int, dict[int, str]] = {
    FILE_ID: {8: "product_name"},
    DEVICE_INFO: {27: "product_name"},
}
RECORD_COLUMNS = (
    "timestamp",
    "distance",
    "speed",
    "heart_rate",
    "cadence",
    "altitude",
    "stance_time",
    "stance_time_balance",
    "vertical_oscillation",
)
_AR = {n: np.arange(n, dtype=np.int64) for n in (1, 2, 4, 8)}


@dataclass
class FitSegment:
    """One FIT file of a (possibly chained) stream, reduced to what restride uses.

    Times are Unix seconds; every value is scaled to profile units; NaN is "not recorded".
    """

    has_file_id: bool = False
    file_type: int | None = None
    manufacturer: int | None = None
    product: int | None = None
    product_name: str | None = None
    time_created: float | None = None
    creator: tuple[int | None, int | None, str | None] | None = None  # device_info index 0
    sport: tuple[int | None, int | None] | None = None  # the sport message: for cut-off files
    sessions: list[dict[str, float]] = field(default_factory=list)
    records: dict[str, F64] = field(default_factory=dict)
    hr_messages: int = 0
    relative_times: bool = False  # times counted from power-on: the watch's clock was not set

    @property
    def record_count(self) -> int:
        ts = self.records.get("timestamp")
        return 0 if ts is None else int(ts.size)


@dataclass
class FitContents:
    """A decoded FIT stream: its files in order, what went wrong, and who decoded it."""

    segments: list[FitSegment]
    warnings: list[str]
    partial: bool = False
    decoder: str = "numpy"


def _column(
    nb: NDArray[np.uint8], offsets: I64, f_off: int, f_size: int, base: int, big: bool
) -> F64 | None:
    spec = _BASE.get(base)
    if spec is None:
        return None
    code, size, invalid = spec
    if f_size < size or f_size % size:
        return None  # a size that is no multiple of its type (COROS): not a usable number
    idx = offsets + f_off
    if size == 1:
        raw: NDArray[Any] = nb[idx].view(np.dtype(code))
    else:
        raw = nb[idx[:, None] + _AR[size]].view(np.dtype((">" if big else "<") + code))
        raw = raw.reshape(-1)
    values = raw.astype(np.float64)
    if invalid is not None:
        values[raw == invalid] = np.nan
    return values


def _strings(data: bytes, offsets: I64, f_off: int, f_size: int) -> list[str | None]:
    out: list[str | None] = []
    for o in offsets.tolist():
        raw = data[o + f_off : o + f_off + f_size].split(b"\0", 1)[0]
        out.append(raw.decode("utf-8", "replace").strip() or None if raw else None)
    return out


def _extract(
    data: bytes, nb: NDArray[np.uint8], d: Definition, offsets: I64, notes: set[str]
) -> dict[str, F64 | list[str | None]]:
    wanted = WANTED.get(d.global_num, {})
    strings = _STRINGS.get(d.global_num, {})
    out: dict[str, F64 | list[str | None]] = {}
    for num, f_off, f_size, base in d.fields:
        if num in wanted:
            name, scale, offset = wanted[num]
            values = _column(nb, offsets, f_off, f_size, base, d.big)
            if values is None:
                notes.add(f"ignored {name} fields whose size does not fit their type")
                continue
            if scale != 1:
                values /= scale
            if offset:
                values -= offset
            out[name] = values
        elif num in strings and base == _STRING:
            out[strings[num]] = _strings(data, offsets, f_off, f_size)
        elif num == TIMESTAMP:
            values = _column(nb, offsets, f_off, f_size, base, d.big)
            if values is not None:
                out["timestamp"] = values
        elif d.global_num == RECORD and num == COMPRESSED_SPEED_DISTANCE and f_size == 3:
            b = nb[(offsets + f_off)[:, None] + np.arange(3)].astype(np.int64)
            packed = b[:, 0] | b[:, 1] << 8 | b[:, 2] << 16
            valid = packed != 0xFFFFFF
            speed = np.full(offsets.size, np.nan)
            speed[valid] = (packed[valid] & 0xFFF) / 100.0
            # Distance is the low 12 bits of a running total: add up the wrapped steps.
            raw = packed[valid] >> 12
            steps = np.diff(raw, prepend=0) % 4096
            distance = np.full(offsets.size, np.nan)
            distance[valid] = np.cumsum(steps) / 16.0
            out["speed"] = speed
            out["distance"] = distance
    return out


def _compressed_times(
    scanned: Scan, abs_pos: list[I64], abs_val: list[F64]
) -> tuple[I64, F64] | None:
    """Times of compressed-header messages: 5-bit offsets rolled onto the last full timestamp."""
    if not scanned.compressed_pos:
        return None
    cpos = np.concatenate(scanned.compressed_pos)
    coff = np.concatenate(scanned.compressed_offset).astype(np.int64)
    apos = np.concatenate(abs_pos) if abs_pos else np.empty(0, dtype=np.int64)
    aval = np.concatenate(abs_val) if abs_val else np.empty(0)
    keep = np.isfinite(aval)
    apos, aval_i = apos[keep], aval[keep].astype(np.int64)
    pos = np.concatenate([apos, cpos])
    val = np.concatenate([aval_i, coff])
    is_abs = np.concatenate([np.ones(apos.size, bool), np.zeros(cpos.size, bool)])
    order = np.argsort(pos, kind="stable")
    pos, val, is_abs = pos[order], val[order], is_abs[order]
    low5 = val & 0x1F
    prev = np.concatenate([[0], low5[:-1]])
    delta = np.where(is_abs, 0, (low5 - prev) % 32)
    cs = np.cumsum(delta)
    idx = np.arange(pos.size)
    last_abs = np.maximum.accumulate(np.where(is_abs, idx, -1))
    base = np.where(last_abs >= 0, val[np.maximum(last_abs, 0)] - cs[np.maximum(last_abs, 0)], 0)
    times = (base + cs).astype(np.float64)
    return pos[~is_abs], times[~is_abs]


def _fit_time_to_unix(values: F64) -> F64:
    out = values + FIT_EPOCH_UNIX_S
    out[~(values >= MIN_ABSOLUTE_FIT_TIME)] = np.nan
    return out


def _first(values: F64 | list[str | None] | None) -> Any:
    if values is None:
        return None
    if isinstance(values, list):
        return next((v for v in values if v), None)
    finite = values[np.isfinite(values)]
    return float(finite[0]) if finite.size else None


def _decode_segment(
    data: bytes,
    nb: NDArray[np.uint8],
    start: int,
    end: int,
    notes: set[str],
    unusual_stops: bool,
) -> tuple[FitSegment, Corrupt | None]:
    try:
        scanned = scan(data, nb, start, end, WANTED, False, unusual_stops)
    except NeedTimestamps:
        scanned = scan(data, nb, start, end, WANTED, True, unusual_stops)
    seg = FitSegment()
    record_parts: list[tuple[I64, dict[str, F64 | list[str | None]]]] = []
    abs_pos: list[I64] = []
    abs_val: list[F64] = []
    for d in scanned.definitions:
        if not d.track:
            continue
        offsets = d.offsets()
        if offsets.size == 0:
            continue
        if d.global_num == HR:
            seg.hr_messages += int(offsets.size)
        cols = _extract(data, nb, d, offsets, notes)
        ts = cols.get("timestamp")
        if isinstance(ts, np.ndarray):
            abs_pos.append(offsets)
            abs_val.append(ts)
        if d.global_num == RECORD:
            record_parts.append((offsets, cols))
        elif d.global_num == FILE_ID and not seg.has_file_id:
            seg.has_file_id = True
            seg.file_type = as_int(_first(cols.get("type")))
            seg.manufacturer = as_int(_first(cols.get("manufacturer")))
            seg.product = as_int(_first(cols.get("product")))
            seg.product_name = _first(cols.get("product_name"))
            created = _first(cols.get("time_created"))
            seg.time_created = (
                created + FIT_EPOCH_UNIX_S
                if created is not None and created >= MIN_ABSOLUTE_FIT_TIME
                else None
            )
        elif d.global_num == SESSION:
            for i in range(offsets.size):
                session = {k: float(v[i]) for k, v in cols.items() if isinstance(v, np.ndarray)}
                session["_offset"] = float(offsets[i])
                seg.sessions.append(session)
        elif d.global_num == SPORT and seg.sport is None:
            seg.sport = (as_int(_first(cols.get("sport"))), as_int(_first(cols.get("sub_sport"))))
        elif d.global_num == DEVICE_INFO and seg.creator is None:
            index = cols.get("device_index")
            if isinstance(index, np.ndarray):
                creators = np.flatnonzero(index == 0)
                if creators.size:
                    i = int(creators[0])
                    man, prod = cols.get("manufacturer"), cols.get("product")
                    names = cols.get("product_name")
                    seg.creator = (
                        as_int(man[i]) if isinstance(man, np.ndarray) else None,
                        as_int(prod[i]) if isinstance(prod, np.ndarray) else None,
                        names[i] if isinstance(names, list) else None,
                    )
    seg.relative_times = any(bool(((v > 0) & (v < MIN_ABSOLUTE_FIT_TIME)).any()) for v in abs_val)
    seg.sessions.sort(key=lambda s: s["_offset"])
    seg.records = _merge_records(record_parts, _compressed_times(scanned, abs_pos, abs_val))
    for s in seg.sessions:
        for key in ("start_time", "timestamp"):
            if key in s:
                s[key] = float(_fit_time_to_unix(np.array([s[key]]))[0])
    return seg, scanned.stop


def as_int(value: float | None) -> int | None:
    return None if value is None or not math.isfinite(value) else int(value)


def _merge_records(
    parts: list[tuple[I64, dict[str, F64 | list[str | None]]]],
    compressed: tuple[I64, F64] | None,
) -> dict[str, F64]:
    if not parts:
        return {}
    offsets = np.concatenate([p[0] for p in parts])
    n = offsets.size

    def column(*names: str) -> F64:
        out = np.full(n, np.nan)
        i = 0
        for offs, cols in parts:
            for name in names:
                v = cols.get(name)
                if isinstance(v, np.ndarray):
                    seg = out[i : i + offs.size]
                    np.copyto(seg, v, where=np.isnan(seg))
            i += offs.size
        return out

    ts = column("timestamp")
    if compressed is not None and compressed[0].size:
        cpos, ctimes = compressed
        where = np.minimum(np.searchsorted(cpos, offsets), cpos.size - 1)
        fill = (cpos[where] == offsets) & np.isnan(ts)
        ts[fill] = ctimes[where[fill]]
    cadence = column("cadence")
    fraction = column("fractional_cadence")
    cadence = cadence + np.where(np.isnan(fraction), 0.0, fraction)
    records = {
        "timestamp": _fit_time_to_unix(ts),
        "distance": column("distance"),
        "speed": column("enhanced_speed", "speed"),
        "heart_rate": column("heart_rate"),
        "cadence": cadence,
        "altitude": column("enhanced_altitude", "altitude"),
        "stance_time": column("stance_time"),
        "stance_time_balance": column("stance_time_balance"),
        "vertical_oscillation": column("vertical_oscillation"),
    }
    if len(parts) > 1:
        order = np.argsort(offsets, kind="stable")
        records = {k: v[order] for k, v in records.items()}
    return records


def _read_header(data: bytes, pos: int) -> tuple[int, int]:
    """Header size and declared data size of the FIT file starting at `pos`."""
    header_size = data[pos]
    if header_size < 12 or data[pos + 8 : pos + 12] != b".FIT":
        raise Corrupt("no FIT header", pos)
    if pos + header_size > len(data):
        raise Corrupt("FIT header cut off", pos)
    return header_size, int.from_bytes(data[pos + 4 : pos + 8], "little")


def decode(data: bytes, *, check_crc: bool, unusual_stops: bool = False) -> FitContents:
    """Decode every FIT file in the stream; raise Corrupt if not even the first is readable.

    A structure this decoder does not handle raises `Unusual`, or with `unusual_stops` is
    read as damage: decoding stops there, keeping what came before.
    """
    nb = np.frombuffer(data, dtype=np.uint8)
    notes: set[str] = set()
    segments: list[FitSegment] = []
    partial = False
    pos = 0
    total = len(data)
    while pos < total:
        if total - pos < 12 or data[pos + 8 : pos + 12] != b".FIT":
            if not segments:
                raise Corrupt("no FIT header", pos)
            notes.add(f"ignored {total - pos} bytes after the FIT data that are not FIT")
            break
        try:
            header_size, data_size = _read_header(data, pos)
        except Corrupt as exc:
            if not segments:
                raise
            notes.add(f"ignored a damaged chained FIT header at byte {exc.offset}")
            break
        if header_size >= 14 and check_crc:
            header_crc = int.from_bytes(data[pos + 12 : pos + 14], "little")
            if header_crc and header_crc != fit_crc(nb[pos : pos + 12]):
                notes.add("FIT header checksum does not match")
        body = pos + header_size
        end = body + data_size
        if data_size == 0 and total - body > 2:
            # A writer that never came back to fill in the size: read what is there.
            notes.add("header gives no data size (file never finalised); read to the end")
            end = total
            partial = True
        elif end > total:
            notes.add(f"file is cut short: {end + 2 - total} of {end + 2 - pos} bytes missing")
            end = total
            partial = True
        seg, stop = _decode_segment(data, nb, body, end, notes, unusual_stops)
        segments.append(seg)
        if stop is not None:
            partial = True
            left = end - stop.offset
            notes.add(f"stopped at byte {stop.offset}: {stop.reason}; {left} bytes not read")
            break
        if end == total and partial:
            break
        if end + 2 > total:
            notes.add("file checksum (CRC) missing at the end")
            break
        if check_crc:
            stored = int.from_bytes(data[end : end + 2], "little")
            if stored != fit_crc(nb[pos:end]):
                notes.add("file checksum (CRC) does not match: some bytes are damaged")
        pos = end + 2
    return FitContents(segments, sorted(notes), partial, "numpy")
