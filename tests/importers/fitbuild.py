"""A tiny FIT writer for tests: bytes by hand, so every corner of the format can be built.

Independent of the decoder under test, down to its own (slow, obvious) CRC.
See https://developer.garmin.com/fit/protocol/
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
# name -> (base type byte, struct code, size)
BASE = {
    "enum": (0x00, "B", 1),
    "sint8": (0x01, "b", 1),
    "uint8": (0x02, "B", 1),
    "sint16": (0x83, "h", 2),
    "uint16": (0x84, "H", 2),
    "sint32": (0x85, "i", 4),
    "uint32": (0x86, "I", 4),
    "string": (0x07, "s", 1),
    "float32": (0x88, "f", 4),
    "uint8z": (0x0A, "B", 1),
    "uint16z": (0x8B, "H", 2),
    "uint32z": (0x8C, "I", 4),
    "byte": (0x0D, "B", 1),
}
INVALID = {"enum": 0xFF, "uint8": 0xFF, "uint16": 0xFFFF, "uint32": 0xFFFFFFFF, "sint8": 0x7F}
INVALID |= {"sint16": 0x7FFF, "sint32": 0x7FFFFFFF, "uint8z": 0, "uint16z": 0, "uint32z": 0}

# The profile numbers the tests use.
FILE_ID, SPORT_MESG, SESSION, LAP, RECORD, EVENT, DEVICE_INFO, HRV, HR = (
    0,
    12,
    18,
    19,
    20,
    21,
    23,
    78,
    132,
)
FILE_ACTIVITY, FILE_SETTINGS, FILE_WORKOUT, FILE_MONITORING = 4, 2, 5, 32
GARMIN, FR945 = 1, 3113
RUNNING, CYCLING, TRANSITION, SWIMMING = 1, 2, 3, 5


def fit_time(when: dt.datetime) -> int:
    return int((when - FIT_EPOCH).total_seconds())


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass
class Definition:
    global_num: int
    fields: list[tuple[int, str, int]]  # field number, base type name, size in bytes
    dev_sizes: list[int] = field(default_factory=list)
    big: bool = False


class FitWriter:
    """Append definitions and messages; `to_bytes` wraps them in a header and a CRC."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.local: dict[int, Definition] = {}

    def define(
        self,
        local: int,
        global_num: int,
        fields: list[tuple[int, str] | tuple[int, str, int]],
        *,
        dev_sizes: tuple[int, ...] = (),
        big: bool = False,
    ) -> FitWriter:
        full = [(f[0], f[1], f[2] if len(f) == 3 else BASE[f[1]][2]) for f in fields]
        d = Definition(global_num, full, list(dev_sizes), big)
        self.local[local] = d
        header = 0x40 | local | (0x20 if dev_sizes else 0)
        self.body += struct.pack(
            ">BBBHB" if big else "<BBBHB", header, 0, 1 if big else 0, global_num, len(full)
        )
        for num, base, size in full:
            self.body += bytes([num, size, BASE[base][0]])
        if dev_sizes:
            self.body += bytes([len(dev_sizes)])
            for i, size in enumerate(dev_sizes):
                self.body += bytes([i, size, 0])
        return self

    def message(
        self, local: int, *values: object, dev: bytes = b"", time_offset: int | None = None
    ) -> FitWriter:
        d = self.local[local]
        if time_offset is None:
            self.body.append(local)
        else:
            self.body.append(0x80 | (local << 5) | (time_offset & 0x1F))
        order = ">" if d.big else "<"
        for (_num, base, size), value in zip(d.fields, values, strict=True):
            code, width = BASE[base][1], BASE[base][2]
            if base == "string":
                raw = str(value).encode()[: size - 1]
                self.body += raw + b"\0" * (size - len(raw))
            elif isinstance(value, bytes):
                self.body += value.ljust(size, b"\xff")
            elif value is None:
                self.body += struct.pack(order + code, INVALID[base]) * (size // width)
            else:
                self.body += struct.pack(order + code, value)
                self.body += b"\xff" * (size - width)
        assert len(dev) == sum(d.dev_sizes)
        self.body += dev
        return self

    def to_bytes(self, *, header_size: int = 14, data_size: int | None = None) -> bytes:
        size = len(self.body) if data_size is None else data_size
        header = struct.pack("<BBHI4s", header_size, 0x20, 2132, size, b".FIT")
        if header_size == 14:
            header += struct.pack("<H", crc16(header))
        out = header + bytes(self.body)
        return out + struct.pack("<H", crc16(out))


def activity(
    *,
    start: dt.datetime,
    seconds: int = 60,
    sport: int = RUNNING,
    sub_sport: int = 0,
    heart_rate: int | None = 140,
    cadence: int | None = 85,  # strides per minute, as FIT stores running cadence
    speed_mm_s: int = 3000,
    manufacturer: int = GARMIN,
    product: int = FR945,
    with_session: bool = True,
    dynamics: bool = False,
) -> FitWriter:
    """A plain one-session activity, one record a second."""
    t0 = fit_time(start)
    w = FitWriter()
    w.define(0, FILE_ID, [(0, "enum"), (1, "uint16"), (2, "uint16"), (4, "uint32")])
    w.message(0, FILE_ACTIVITY, manufacturer, product, t0)
    fields: list[tuple[int, str] | tuple[int, str, int]] = [
        (253, "uint32"),
        (5, "uint32"),
        (6, "uint16"),
        (3, "uint8"),
        (4, "uint8"),
    ]
    if dynamics:
        fields += [(41, "uint16"), (84, "uint16"), (39, "uint16")]
    w.define(1, RECORD, fields)
    for i in range(seconds + 1):
        values: list[object] = [t0 + i, i * speed_mm_s // 10, speed_mm_s, heart_rate, cadence]
        if dynamics:
            values += [2500, 4950, 800]  # 250 ms, 49.5 % left, 80 mm
        w.message(1, *values)
    if with_session:
        add_session(w, t0, seconds, i * speed_mm_s // 10, sport, sub_sport, heart_rate, cadence)
    return w


def add_session(
    w: FitWriter,
    t0: int,
    seconds: int,
    distance_cm: int,
    sport: int = RUNNING,
    sub_sport: int = 0,
    heart_rate: int | None = 140,
    cadence: int | None = 85,
    local: int = 2,
) -> None:
    w.define(
        local,
        SESSION,
        [
            (253, "uint32"),
            (2, "uint32"),
            (5, "enum"),
            (6, "enum"),
            (7, "uint32"),
            (8, "uint32"),
            (9, "uint32"),
            (16, "uint8"),
            (17, "uint8"),
            (18, "uint8"),
        ],
    )
    hr_max = None if heart_rate is None else heart_rate + 20
    w.message(
        local,
        t0 + seconds,
        t0,
        sport,
        sub_sport,
        seconds * 1000,
        seconds * 1000,
        distance_cm,
        heart_rate,
        hr_max,
        cadence,
    )
