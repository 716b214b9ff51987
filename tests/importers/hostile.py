"""Hostile inputs made on the spot: files that cost far more to read than their size, archives
that unpack to gigabytes, nest, climb out of themselves or hold links, and Strava exports with
impossible rows. Small to store (kilobytes gzipped), big once unpacked."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

MB = 1024 * 1024


def fit_of_tiny_messages(size: int, *, timed: bool) -> bytes:
    """A FIT file of `size` bytes: one record definition, then the smallest messages there
    are (2 bytes: heart rate only, or 5: a time) packed back to back."""
    if timed:
        definition = bytes([0x40, 0, 0]) + struct.pack("<H", 20) + bytes([1, 253, 4, 0x86])
        message = b"\x00" + struct.pack("<I", 1_000_000_000)
    else:
        definition = bytes([0x40, 0, 0]) + struct.pack("<H", 20) + bytes([1, 3, 1, 2])
        message = b"\x00\x80"
    body = definition + message * ((size - len(definition)) // len(message))
    header = bytes([14, 0x10]) + struct.pack("<HI", 2100, len(body)) + b".FIT\x00\x00"
    return header + body + b"\x00\x00"


def gpx_of_tiny_points(size: int) -> bytes:
    head = b'<?xml version="1.0"?><gpx><trk><trkseg>'
    point = b'<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt>'
    return head + point * ((size - len(head)) // len(point)) + b"</trkseg></trk></gpx>"


def tcx_of_tiny_points(size: int) -> bytes:
    head = (
        b'<?xml version="1.0"?><TrainingCenterDatabase><Activities><Activity Sport="Running">'
        b"<Id>2020-01-01T00:00:00Z</Id><Lap><Track>"
    )
    point = b"<Trackpoint><Time>2020-01-01T00:00:00Z</Time></Trackpoint>"
    tail = b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    return head + point * ((size - len(head)) // len(point)) + tail


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def zipped(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16  # a symbolic link, as zip -y stores one
            archive.writestr(info, target)
    return buffer.getvalue()


def zip_bomb(good: bytes, members: int = 40, member_mb: int = 60) -> bytes:
    """A good activity first, then members of nothing but spaces: a few MB that unpack to
    `members * member_mb` MB."""
    filler = b"<gpx>" + b" " * (member_mb * MB) + b"</gpx>"
    return zipped({"run.fit": good} | {f"bomb/{n}.gpx": filler for n in range(members)})


def nested_zip(good: bytes, depth: int) -> bytes:
    data = zipped({"run.fit": good})
    for level in range(depth):
        data = zipped({f"level{level}.zip": data})
    return data


STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename"
)


def strava_export(rows: list[str], files: dict[str, bytes] | None = None) -> bytes:
    table = STRAVA_HEADER + "\n" + "\n".join(rows) + "\n"
    return zipped({"activities.csv": table.encode()} | (files or {}))


def fit_with_an_odd_architecture_byte(size: int) -> bytes:
    """A FIT file of timed records, with a second definition half-way whose architecture
    byte is 2 (the spec knows 0 and 1): a structure only the slow reader takes."""
    definition = bytes([0x40, 0, 0]) + struct.pack("<H", 20) + bytes([1, 253, 4, 0x86])
    odd = bytes([0x40, 0, 2]) + struct.pack("<H", 20) + bytes([1, 253, 4, 0x86])
    message = b"\x00" + struct.pack("<I", 1_000_000_000)
    half = message * ((size // 2) // len(message))
    body = definition + half + odd + half
    header = bytes([14, 0x10]) + struct.pack("<HI", 2100, len(body)) + b".FIT\x00\x00"
    return header + body + b"\x00\x00"
