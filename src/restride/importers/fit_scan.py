"""Walking the records of a FIT file, and its checksum.

`scan` reads only record headers and definitions: it notes where each wanted message starts
and steps over the rest by the size its definition gives (developer fields included). Runs
of one message type, and two types taking turns (record, hrv, record, hrv, as Garmin writes
with HRV on), are skipped with one NumPy comparison of the header bytes at a fixed stride.
`fit_crc` is the FIT CRC-16, vectorised over blocks.

Spec: https://developer.garmin.com/fit/protocol/
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from collections.abc import Collection

I64 = NDArray[np.int64]

RECORD = 20
TIMESTAMP = 253
COMPRESSED_SPEED_DISTANCE = 8  # record field: 12-bit speed and accumulated 12-bit distance
# Below this many messages in a row, Python stepping is cheaper than a NumPy call.
_RUN_PROBE = 4
# Messages noted per FIT file, at most: 11 days of 1 s records. Each costs about 100 bytes
# once decoded, so this bounds a hostile file of two-byte messages (a 64 MB file of them
# would need 2.3 GB) while no real recording comes near it.
MAX_MESSAGES = 1_000_000


class Corrupt(Exception):
    """The bytes stop making sense here; what was read before stays."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


class Unusual(Exception):
    """A structure the fast decoder does not handle; fitdecode gets the file."""


class NeedTimestamps(Exception):
    """Compressed timestamps met: rescan, keeping every message's timestamp."""


class Definition:
    """One message layout, and where the messages using it start (payload offsets)."""

    __slots__ = (
        "accumulates",
        "big",
        "fields",
        "global_num",
        "runs",
        "singles",
        "size",
        "stride",
        "track",
    )

    def __init__(
        self, global_num: int, big: bool, fields: list[tuple[int, int, int, int]], size: int
    ) -> None:
        self.global_num = global_num
        self.big = big
        self.fields = fields  # (field number, offset in message, size, base type number)
        self.size = size
        self.stride = size + 1  # with the record header byte
        self.track = False
        self.accumulates = False
        self.singles: list[int] = []  # message payload offsets, met one by one
        self.runs: list[I64] = []  # ... and met in runs

    def offsets(self) -> I64:
        parts = [*self.runs]
        if self.singles:
            parts.append(np.asarray(self.singles, dtype=np.int64))
        if not parts:
            return np.empty(0, dtype=np.int64)
        if len(parts) == 1:
            return parts[0]
        out = np.concatenate(parts)
        out.sort(kind="stable")
        return out


@dataclass
class Scan:
    """What a walk over one FIT file body found, and where it had to stop, if it did."""

    definitions: list[Definition]
    compressed_pos: list[I64]
    compressed_offset: list[NDArray[np.uint8]]
    stop: Corrupt | None


def _first_mismatch(
    nb: NDArray[np.uint8], start: int, step: int, count: int, h: int, mask: int = 0xFF
) -> int:
    """Index of the first of `count` header bytes, `step` apart, that is not `h` (masked)."""
    k = 0
    window = 64
    while k < count:
        n = min(window, count - k)
        first = start + k * step
        view = nb[first : first + (n - 1) * step + 1 : step]
        bad = np.flatnonzero((view & mask if mask != 0xFF else view) != h)
        if bad.size:
            return k + int(bad[0])
        k += n
        window *= 8
    return count


def _run_length(
    nb: NDArray[np.uint8], pos: int, stride: int, end: int, h: int, mask: int = 0xFF
) -> int:
    """How many messages in a row, from `pos`, have this (masked) header byte."""
    return _first_mismatch(nb, pos, stride, (end - pos - stride) // stride + 1, h, mask)


def _pair_run_length(
    nb: NDArray[np.uint8], pos: int, stride: int, period: int, end: int, h: int, h2: int
) -> int:
    """How many (h, h2) message pairs in a row start at `pos`."""
    count = (end - pos - period) // period + 1
    first = _first_mismatch(nb, pos, period, count, h)
    return _first_mismatch(nb, pos + stride, period, first, h2)


def _define(
    data: bytes,
    pos: int,
    n_fields: int,
    dev: int,
    wanted: Collection[int],
    track_all_ts: bool,
) -> Definition:
    arch = data[pos + 2]
    if arch > 1:
        raise Unusual(f"definition with architecture byte {arch}")
    big = arch == 1
    global_num = data[pos + 3] << 8 | data[pos + 4] if big else data[pos + 3] | data[pos + 4] << 8
    fields: list[tuple[int, int, int, int]] = []
    size = 0
    p = pos + 6
    for _ in range(n_fields):
        f_size = data[p + 1]
        fields.append((data[p], size, f_size, data[p + 2] & 0x1F))
        size += f_size
        p += 3
    if dev:
        n_dev = data[p]
        p += 1
        for _ in range(n_dev):
            size += data[p + 1]
            p += 3
    d = Definition(global_num, big, fields, size)
    d.track = global_num in wanted or (track_all_ts and any(f[0] == TIMESTAMP for f in fields))
    # The distance in compressed_speed_distance accumulates from 0 at each definition.
    d.accumulates = global_num == RECORD and any(f[0] == COMPRESSED_SPEED_DISTANCE for f in fields)
    return d


def scan(
    data: bytes,
    nb: NDArray[np.uint8],
    pos: int,
    end: int,
    wanted: Collection[int],
    track_all_ts: bool,
    unusual_stops: bool = False,
) -> Scan:
    """Walk the records of one FIT file body; note where each wanted message starts.

    `wanted` are global message numbers; with `track_all_ts` every message with a
    timestamp is noted too (compressed timestamps count from the last one). A structure the
    decoder does not handle raises `Unusual`, or with `unusual_stops` ends the walk there as
    damage (what came before is kept).
    """
    local: dict[int, Definition] = {}
    layouts: dict[bytes, Definition] = {}
    definitions: list[Definition] = []
    comp_pos: list[I64] = []
    comp_off: list[NDArray[np.uint8]] = []
    comp_single_pos: list[int] = []
    comp_single_off: list[int] = []
    stop: Corrupt | None = None
    noted = 0
    try:
        while pos < end:
            if noted > MAX_MESSAGES:
                raise Corrupt(f"more than {MAX_MESSAGES:,} messages, more than any recording", pos)
            h = data[pos]
            if h < 0x40:  # data message, normal header
                d = local.get(h & 0x0F)
                if d is None:
                    raise Corrupt(f"message for undefined local type {h & 0x0F}", pos)
                stride = d.stride
                nxt = pos + stride
                if nxt > end:
                    raise Corrupt("message cut off", pos)
                if nxt < end:
                    h2 = data[nxt]
                    if h2 == h:
                        # A run of one message type (records, 1 s apart): skip it in one go.
                        if (
                            nxt + 3 * stride <= end
                            and data[nxt + stride] == h
                            and data[nxt + 2 * stride] == h
                        ):
                            k = min(_run_length(nb, pos, stride, end, h), MAX_MESSAGES + 1)
                            if d.track:
                                d.runs.append(np.arange(pos + 1, pos + 1 + k * stride, stride))
                                noted += k
                            pos += k * stride
                            continue
                    elif h2 < 0x40 and (d2 := local.get(h2 & 0x0F)) is not None:
                        # Two types taking turns (record, hrv, record, hrv): skip in one go.
                        period = stride + d2.stride
                        if (
                            pos + 3 * period <= end
                            and data[pos + period] == h
                            and data[nxt + period] == h2
                            and data[pos + 2 * period] == h
                            and data[nxt + 2 * period] == h2
                        ):
                            k = _pair_run_length(nb, pos, stride, period, end, h, h2)
                            k = min(k, MAX_MESSAGES + 1)
                            if d.track:
                                d.runs.append(np.arange(pos + 1, pos + 1 + k * period, period))
                                noted += k
                            if d2.track:
                                d2.runs.append(np.arange(nxt + 1, nxt + 1 + k * period, period))
                                noted += k
                            pos += k * period
                            continue
                if d.track:
                    d.singles.append(pos + 1)
                    noted += 1
                pos = nxt
            elif h >= 0x80:  # data message, compressed timestamp header
                d = local.get((h >> 5) & 0x03)
                if d is None:
                    raise Corrupt(f"message for undefined local type {(h >> 5) & 3}", pos)
                if not track_all_ts:
                    raise NeedTimestamps
                stride = d.stride
                nxt = pos + stride
                if nxt > end:
                    raise Corrupt("message cut off", pos)
                if nxt + _RUN_PROBE * stride <= end and all(
                    data[nxt + i * stride] & 0xE0 == h & 0xE0 for i in range(_RUN_PROBE)
                ):
                    k = min(_run_length(nb, pos, stride, end, h & 0xE0, 0xE0), MAX_MESSAGES + 1)
                    heads = np.arange(pos, pos + k * stride, stride)
                    comp_pos.append(heads + 1)
                    comp_off.append((nb[heads] & 0x1F).astype(np.uint8))
                    noted += k  # every compressed one is noted, for its time
                    if d.track:
                        d.runs.append(heads + 1)
                    pos += k * stride
                    continue
                comp_single_pos.append(pos + 1)
                comp_single_off.append(h & 0x1F)
                noted += 1
                if d.track:
                    d.singles.append(pos + 1)
                pos = nxt
            else:  # definition message
                if pos + 6 > end:
                    raise Corrupt("definition cut off", pos)
                n_fields = data[pos + 5]
                p = pos + 6 + 3 * n_fields
                if h & 0x20:  # developer fields follow; only their sizes matter here
                    if p >= end:
                        raise Corrupt("definition cut off", pos)
                    p += 1 + 3 * data[p]
                if p > end:
                    raise Corrupt("definition cut off", pos)
                # Some writers (Suunto) repeat the same definition before every message:
                # one shared object keeps their offsets together.
                key = data[pos:p]
                d = layouts.get(key)
                if d is None:
                    try:
                        d = _define(data, pos, n_fields, h & 0x20, wanted, track_all_ts)
                    except Unusual as exc:
                        if unusual_stops:
                            raise Corrupt(str(exc), pos) from None
                        raise
                    if not d.accumulates:
                        layouts[key] = d
                    definitions.append(d)
                local[h & 0x0F] = d
                pos = p
    except Corrupt as exc:
        stop = exc
    if comp_single_pos:
        comp_pos.append(np.asarray(comp_single_pos, dtype=np.int64))
        comp_off.append(np.asarray(comp_single_off, dtype=np.uint8))
    return Scan(definitions, comp_pos, comp_off, stop)


# --- CRC-16 (the FIT checksum is CRC-16/ARC: reflected polynomial 0xA001, initial value 0) ---


def _crc_table() -> NDArray[np.int64]:
    table = np.zeros(256, dtype=np.int64)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC_TABLE = _crc_table()
_CRC_TABLE_LIST: list[int] = _CRC_TABLE.tolist()
# shift tables: state after `2**k` zero bytes, split by the state's low and high byte
_CRC_SHIFT: dict[int, tuple[NDArray[np.int64], NDArray[np.int64]]] = {
    0: (_CRC_TABLE.copy(), np.arange(256, dtype=np.int64))
}


def _crc_shift(k: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    if k not in _CRC_SHIFT:
        lo, hi = _crc_shift(k - 1)
        _CRC_SHIFT[k] = (lo[lo & 0xFF] ^ hi[lo >> 8], lo[hi & 0xFF] ^ hi[hi >> 8])
    return _CRC_SHIFT[k]


def _crc_word_table() -> NDArray[np.uint16]:
    state = np.arange(65536, dtype=np.int64)
    for _ in range(2):
        state = (state >> 8) ^ _CRC_TABLE[state & 0xFF]
    return state.astype(np.uint16)


# CRC state after 16 bits of input, for every 16-bit value of (state XOR next two bytes)
_CRC_WORD_TABLE = _crc_word_table()
_CRC_BLOCK_LEVEL = 7  # blocks of 2**7 bytes


def fit_crc(buf: NDArray[np.uint8]) -> int:
    """CRC of the bytes, computed on 128-byte blocks side by side, two bytes a step, then
    folded pairwise.

    The CRC is linear and starts from 0, so leading zero bytes change nothing, and the CRC
    of A followed by B is CRC(A) carried through len(B) zero bytes, XOR CRC(B).
    """
    n = int(buf.size)
    if n < 2048:
        crc = 0
        byte_table = _CRC_TABLE_LIST
        for b in buf.tobytes():
            crc = (crc >> 8) ^ byte_table[(crc ^ b) & 0xFF]
        return crc
    level = _CRC_BLOCK_LEVEL
    block = 1 << level
    pad = (-n) % block
    padded = np.concatenate([np.zeros(pad, dtype=np.uint8), buf]) if pad else buf
    # little-endian words: the low byte is the one the reflected CRC takes first
    words = np.ascontiguousarray(padded.view("<u2").reshape(-1, block // 2).T)
    crcs = np.zeros(words.shape[1], dtype=np.uint16)
    table = _CRC_WORD_TABLE
    for column in words:
        crcs = table[crcs ^ column]
    acc = crcs.astype(np.int64)
    while acc.size > 1:
        if acc.size % 2:
            acc = np.concatenate([np.zeros(1, dtype=np.int64), acc])
        lo, hi = _crc_shift(level)
        first, second = acc[0::2], acc[1::2]
        acc = lo[first & 0xFF] ^ hi[first >> 8] ^ second
        level += 1
    return int(acc[0])
