"""Mutations of real activity files, and what the importers must do with each: give an
activity or restride's import error, within a time and memory budget.

Input `index` of a format is made from a seeded random generator alone (`make_input`), so
any input can be made again from its format, seed and index: a run is deterministic and can
be resumed or split across processes. The mutations are what damages files in the wild and
what trips parsers: bit flips, cuts, splices of another file, repeated or deleted runs of
bytes, length and count fields set to edge values (FIT headers and definitions, gzip trailers,
zip headers), and text in the wrong encoding.

Used by `tests/importers/test_fuzz.py` (a short run) and `scripts/fuzz_importers.py` (long).
"""

from __future__ import annotations

import gzip
import io
import random
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

FORMATS = ("fit", "gpx", "tcx", "gz", "zip")
EXTENSIONS = {"fit": ".fit", "gpx": ".gpx", "tcx": ".tcx", "gz": ".gz", "zip": ".zip"}
# Values that sit on the edges of the integer types fields are read as.
EDGE_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF)
EDGE_U32 = (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0)
XML_NUMBERS = ("-1", "0", "1e308", "-1e308", "nan", "inf", "99999999999999999999", "")
XML_TIMES = (
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2024-02-30T25:61:61Z",
    "2024-01-01T00:00:00+25:00",
    "",
)


@dataclass(frozen=True)
class Corpus:
    """The corpus files each mutation starts from, by format, in name order."""

    by_format: dict[str, list[bytes]]


def load_corpus(folder: Path, max_bytes: int | None = None) -> Corpus:
    by_format: dict[str, list[bytes]] = {}
    for fmt in ("fit", "gpx", "tcx"):
        files = sorted((folder / fmt).iterdir())
        data = [p.read_bytes() for p in files if p.is_file() and not p.name.endswith(".gz")]
        if max_bytes is not None:
            data = [d for d in data if len(d) <= max_bytes]
        by_format[fmt] = [d for d in data if d]
    csvs = sorted((folder / "strava").glob("*.csv"))
    by_format["csv"] = [p.read_bytes()[: 64 * 1024] for p in csvs]
    return Corpus(by_format)


# --- mutations of bytes ---------------------------------------------------------------------


def flip_bits(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)


def set_edge_bytes(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(len(data))] = rng.choice(EDGE_BYTES)


def truncate(data: bytearray, rng: random.Random) -> None:
    if len(data) > 1:  # an earlier cut may have left one byte: nothing more to cut
        del data[rng.randrange(1, len(data)) :]


def delete_run(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    del data[start : start + rng.randint(1, 64)]


def repeat_run(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    run = data[start : start + rng.randint(1, 64)]
    data[start:start] = run * rng.randint(1, 32)


def set_u32(data: bytearray, rng: random.Random) -> None:
    if len(data) >= 4:
        i = rng.randrange(len(data) - 3)
        data[i : i + 4] = struct.pack("<I", rng.choice(EDGE_U32))


BYTE_MUTATIONS: tuple[Callable[[bytearray, random.Random], None], ...] = (
    flip_bits,
    set_edge_bytes,
    truncate,
    delete_run,
    repeat_run,
    set_u32,
)


def splice(data: bytearray, other: bytes, rng: random.Random) -> None:
    """Part of this file, then part of another: a copy that went wrong half-way."""
    cut = rng.randrange(len(data))
    start = rng.randrange(len(other))
    data[cut:] = other[start : start + rng.randint(1, 4096)]


# --- mutations that know the format -----------------------------------------------------------


def fit_fields(data: bytearray, rng: random.Random) -> None:
    """A FIT length or count at an edge: the header's data size, a definition's field count,
    a field's size, a definition's architecture byte or its global message number."""
    if len(data) < 14:
        return
    choice = rng.randrange(5)
    if choice == 0:
        data[4:8] = struct.pack("<I", rng.choice((*EDGE_U32, len(data), len(data) * 2)))
        return
    if choice == 1:
        data[0] = rng.choice((0, 1, 11, 12, 14, 15, 0xFF))
        return
    header = data[0] if 12 <= data[0] < len(data) else 14
    spots = [i for i in range(header, min(len(data) - 6, header + 20_000)) if data[i] & 0x40]
    if not spots:
        return
    pos = rng.choice(spots)
    if choice == 2:
        data[pos + 5] = rng.choice(EDGE_BYTES)  # number of fields
    elif choice == 3:
        field = pos + 6 + 3 * rng.randrange(max(1, data[pos + 5])) + 1
        if field < len(data):
            data[field] = rng.choice((*EDGE_BYTES, 3, 5, 7))  # a field's size
    else:
        data[pos + 2] = rng.choice((0, 1, 2, 0xFF))  # architecture
        data[pos + 3 : pos + 5] = struct.pack("<H", rng.choice((0, 18, 20, 0xFFFF)))


_XML_NUMBER = re.compile(rb">-?\d+(\.\d+)?<")
_XML_TIME = re.compile(rb">\d{4}-\d\d-\d\dT[^<]{6,30}<")
_XML_TAG = re.compile(rb"<[A-Za-z][^>]{0,60}>")


def xml_values(data: bytearray, rng: random.Random) -> None:
    """Numbers and times replaced by edge values; tags cut, doubled or left open."""
    text = bytes(data)
    choice = rng.randrange(3)
    pattern = (_XML_NUMBER, _XML_TIME, _XML_TAG)[choice]
    found = [m.span() for _, m in zip(range(5000), pattern.finditer(text), strict=False)]
    if not found:
        return
    start, end = rng.choice(found)
    if choice == 0:
        new = b">" + rng.choice(XML_NUMBERS).encode() + b"<"
    elif choice == 1:
        new = b">" + rng.choice(XML_TIMES).encode() + b"<"
    else:
        tag = text[start:end]
        new = rng.choice((b"", tag * rng.randint(2, 50), tag[:-1], b"<![CDATA[" + tag))
    data[start:end] = new


def wrong_encoding(data: bytearray, rng: random.Random) -> None:
    """Text in another encoding than it declares: UTF-16, Latin-1 bytes, broken UTF-8."""
    choice = rng.randrange(4)
    if choice == 0:
        new = bytes(data).decode("utf-8", "replace").encode(rng.choice(("utf-16", "utf-16-be")))
    elif choice == 1:
        new = bytes(data).decode("utf-8", "replace").encode("latin-1", "replace")
        new = new.replace(b'encoding="UTF-8"', b'encoding="EBCDIC"', 1)
    elif choice == 2:
        new = bytes(data)
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(len(new))
            new = new[:i] + rng.choice((b"\xc3", b"\xff\xfe", b"\xed\xa0\x80", b"\x00")) + new[i:]
    else:
        new = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\x00\x00\xfe\xff")) + bytes(data)
    data[:] = new


def gzip_fields(data: bytearray, rng: random.Random) -> None:
    """A gzip header flag, its trailer's size or CRC at an edge, or a second member glued on."""
    choice = rng.randrange(3)
    if choice == 0 and len(data) > 4:
        data[3] = rng.choice((0x04, 0x08, 0x10, 0x1F, 0xFF))  # FEXTRA, FNAME, FCOMMENT, ...
    elif choice == 1 and len(data) > 8:
        data[-4:] = struct.pack("<I", rng.choice(EDGE_U32))
    else:
        data += data[: rng.randrange(1, len(data) + 1)]


def zip_fields(data: bytearray, rng: random.Random) -> None:
    """A zip header's sizes, method, name length or offset at an edge value."""
    headers = [m.start() for m in re.finditer(rb"PK\x03\x04|PK\x01\x02|PK\x05\x06", data)]
    if not headers:
        return
    at = rng.choice(headers)
    kind = data[at + 2 : at + 4]
    offsets = {
        b"\x03\x04": (8, 14, 18, 22, 26, 28),  # method, crc, sizes, name and extra lengths
        b"\x01\x02": (10, 16, 20, 24, 28, 30, 38, 42),  # ..., external attributes, offset
        b"\x05\x06": (8, 10, 12, 16, 20),  # entry counts, directory size and offset
    }[bytes(kind)]
    spot = at + rng.choice(offsets)
    if spot + 4 <= len(data):
        data[spot : spot + 4] = struct.pack("<I", rng.choice(EDGE_U32))


# --- making inputs ----------------------------------------------------------------------------


def _mutate(data: bytes, fmt: str, corpus: Corpus, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not out:
            break
        roll = rng.random()
        if roll < 0.15:
            pool = corpus.by_format.get(fmt) or [data]
            splice(out, rng.choice(pool), rng)
        elif roll < 0.45 and fmt == "fit":
            fit_fields(out, rng)
        elif roll < 0.35 and fmt in ("gpx", "tcx"):
            xml_values(out, rng)
        elif roll < 0.45 and fmt in ("gpx", "tcx"):
            wrong_encoding(out, rng)
        else:
            rng.choice(BYTE_MUTATIONS)(out, rng)
    return bytes(out)


def _gz_input(corpus: Corpus, rng: random.Random) -> bytes:
    inner_fmt = rng.choice(("fit", "gpx", "tcx"))
    inner = rng.choice(corpus.by_format[inner_fmt])
    if rng.random() < 0.5:
        inner = _mutate(inner, inner_fmt, corpus, rng)
    packed = bytearray(gzip.compress(inner, mtime=0))
    if rng.random() < 0.7:
        if rng.random() < 0.3:
            gzip_fields(packed, rng)
        else:
            packed = bytearray(_mutate(bytes(packed), "gz", corpus, rng))
    return bytes(packed)


def _zip_input(corpus: Corpus, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    strava = rng.random() < 0.4
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names = []
        for n in range(rng.randint(1, 3)):
            fmt = rng.choice(("fit", "gpx", "tcx"))
            data = rng.choice(corpus.by_format[fmt])
            if rng.random() < 0.4:
                data = _mutate(data, fmt, corpus, rng)
            name = f"activities/{n}.{fmt}" + (".gz" if rng.random() < 0.3 else "")
            if name.endswith(".gz"):
                data = gzip.compress(data, mtime=0)
            if rng.random() < 0.05:
                name = rng.choice(("../../etc/" + name, "/abs/" + name, name + "/", "a" * 300))
            archive.writestr(name, data)
            names.append(name)
        if strava and corpus.by_format.get("csv"):
            head = rng.choice(corpus.by_format["csv"]).split(b"\n", 1)[0]
            rows = [f"{n},Jan {n + 1}, 2020,Run {n},Run,{name}" for n, name in enumerate(names)]
            table = head + b"\n" + "\n".join(rows).encode()
            if rng.random() < 0.5:
                table = _mutate(table, "csv", corpus, rng)
            archive.writestr("activities.csv", table)
        if rng.random() < 0.1:
            inner = buffer.getvalue()
            archive.writestr("nested/export.zip", inner[: rng.randrange(1, len(inner) + 1)])
    packed = bytearray(buffer.getvalue())
    if rng.random() < 0.6:
        if rng.random() < 0.5:
            zip_fields(packed, rng)
        else:
            packed = bytearray(_mutate(bytes(packed), "zip", corpus, rng))
    return bytes(packed)


def make_input(corpus: Corpus, fmt: str, seed: int, index: int) -> bytes:
    """Input `index` of `fmt` for `seed`: the same bytes every time, on every machine."""
    rng = random.Random(f"{seed}:{fmt}:{index}")
    if fmt == "gz":
        return _gz_input(corpus, rng)
    if fmt == "zip":
        return _zip_input(corpus, rng)
    return _mutate(rng.choice(corpus.by_format[fmt]), fmt, corpus, rng)


@cache
def default_corpus(folder: Path, max_bytes: int | None) -> Corpus:
    return load_corpus(folder, max_bytes)
