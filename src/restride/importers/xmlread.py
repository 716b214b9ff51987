"""What GPX and TCX reading share: a forgiving lxml iterparse and ISO 8601 times.

Real files break strict parsers: white space or a byte-order mark before the XML declaration
(Garmin Connect TCX), extension prefixes nobody declared (`gpxdata:`), files cut mid-element.
lxml's recover mode reads all of these; what it had to repair is reported, and a file cut
short is marked partial rather than refused.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import TYPE_CHECKING, Any

from lxml import etree  # type: ignore[import-untyped]  # no stubs in the lock

if TYPE_CHECKING:
    from collections.abc import Iterator

# lxml ships no type information; elements are what lxml.etree returns
Element = Any

_BOM = b"\xef\xbb\xbf"
# Track points read per file, at most: 11 days of 1 s points. Each costs 64 bytes once read,
# so this bounds a hostile file of empty points (`<trkpt/>`, 8 bytes each).
MAX_POINTS = 1_000_000
TOO_MANY_POINTS = f"more than {MAX_POINTS:,} track points, more than any recording: kept the first"


def strip_prologue(data: bytes) -> bytes:
    """Drop byte-order marks and white space before the first '<', in whatever order."""
    start = 0
    while start < len(data):
        if data[start] in b" \t\r\n":
            start += 1
        elif data.startswith(_BOM, start):
            start += 3
        else:
            break
    return data[start:] if start else data


def local_name(tag: object) -> str:
    """'{ns}hr', 'gpxdata:hr' and 'hr' are all 'hr' (extensions come in every spelling)."""
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rpartition("}")[2].rpartition(":")[2]


class Parse:
    """iterparse over `tags` (local names, any namespace), clearing what has been read."""

    def __init__(self, data: bytes, tags: tuple[str, ...]) -> None:
        self._tail = data[-256:]
        self._context = etree.iterparse(
            io.BytesIO(strip_prologue(data)),
            events=("end",),
            tag=tuple(f"{{*}}{t}" for t in tags) + tags,
            recover=True,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
            resolve_entities=False,
            no_network=True,
        )
        self.root: Element | None = None

    def __iter__(self) -> Iterator[tuple[str, Element]]:
        names: dict[str, str] = {}
        for _event, element in self._context:
            if self.root is None:
                self.root = element.getroottree().getroot()
            tag = element.tag
            name = names.get(tag)
            if name is None:
                name = names[tag] = local_name(tag)
            yield name, element
        if self.root is None:
            self.root = self._context.root

    @property
    def root_name(self) -> str:
        return "" if self.root is None else local_name(self.root.tag)

    @property
    def problems(self) -> list[str]:
        return [e.message.strip() for e in self._context.error_log]

    @property
    def cut_short(self) -> bool:
        """The document stops before its root element is closed (an interrupted copy)."""
        if not self.root_name:
            return False
        tail = self._tail.rstrip(b" \t\r\n\0")
        close = tail.rfind(b"</")
        if close < 0 or not tail.endswith(b">"):
            return True
        name = tail[close + 2 : -1].strip().decode("utf-8", "replace")
        return name.rpartition(":")[2] != self.root_name


def release(element: Element) -> None:
    """Free an element once read, and its already-read siblings (keeps memory flat)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# Earlier times are clock errors (GPS week roll-over, a 32-bit -2**31): no consumer device
# logged activities before this.
EARLIEST_PLAUSIBLE_S = dt.datetime(1985, 1, 1, tzinfo=dt.UTC).timestamp()


def parse_time(text: str | None) -> tuple[float | None, bool]:
    """Unix seconds of an ISO 8601 time, and whether it named its zone (else UTC assumed).

    An unreadable time is None; an implausibly early one is NaN, so callers can tell a
    point without a time from a clock that was wrong.
    """
    if not text:
        return None, True
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None, True
    zoned = value.tzinfo is not None
    seconds = (value if zoned else value.replace(tzinfo=dt.UTC)).timestamp()
    return (seconds if seconds >= EARLIEST_PLAUSIBLE_S else math.nan), zoned


def child_text(element: Element, name: str) -> str | None:
    for child in element:
        if local_name(child.tag) == name:
            text = child.text
            return text.strip() if text else None
    return None


def read_notes(parse: Parse, kept: int, what: str) -> list[str]:
    """Warnings for what recovery had to do: a cut-off file, or markup it repaired."""
    if parse.cut_short:
        return [f"file is cut short (the XML stops mid-element): kept the {kept} {what} before"]
    if parse.problems:
        return [f"XML repaired while reading: {parse.problems[0]}"]
    return []
