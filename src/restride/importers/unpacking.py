"""Bounded unpacking: what a gzip or a zip may cost before restride stops reading it.

An activity file may unpack to at most MAX_FILE_BYTES. A whole archive may unpack to at most
its own size times ARCHIVE_RATIO (plus ARCHIVE_ALLOWANCE_BYTES), nested zips and gzipped
members included: real exports come nowhere near (FIT and GPX compress 3-10 times), while a
zip bomb is stopped after a bounded amount of work, with a message, and the members read
before it stay imported. Members that are links, or whose names climb out of the archive,
are refused: nothing is ever written to disk under a member's name, but such a member is no
activity file either.
"""

from __future__ import annotations

import stat
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from restride.importers.errors import ImportFileError

if TYPE_CHECKING:
    import zipfile

# Past this an activity file is hostile or not ours: the longest real recordings (multi-day
# ultras, 1 s samples, running dynamics) are a few tens of megabytes.
MAX_FILE_BYTES = 64 * 1024 * 1024
ARCHIVE_RATIO = 32
ARCHIVE_ALLOWANCE_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
_MB = 1024 * 1024


class ArchiveBudgetError(ImportFileError):
    """The archive has unpacked to its budget: the rest of it is not read."""


@dataclass
class Budget:
    """How many decompressed bytes an archive may still produce."""

    left: int
    total: int

    @classmethod
    def for_archive(cls, size_bytes: int) -> Budget:
        total = size_bytes * ARCHIVE_RATIO + ARCHIVE_ALLOWANCE_BYTES
        return cls(total, total)

    def spend(self, n: int, source: str) -> None:
        self.left -= n
        if self.left < 0:
            raise ArchiveBudgetError(
                source,
                f"the archive unpacks to more than {self.total // _MB} MB, far more than"
                " activity files do (a zip bomb?): stopped here; what came before is kept",
            )


def gunzip(data: bytes, source: str, budget: Budget | None = None) -> tuple[bytes, str | None]:
    """Decompressed bytes, and a note when the stream was cut short (what came out is kept)."""
    limit = MAX_FILE_BYTES if budget is None else max(0, min(MAX_FILE_BYTES, budget.left))
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ImportFileError(source, f"damaged gzip data ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        if budget is not None and limit < MAX_FILE_BYTES:
            budget.spend(len(out), source)
        raise ImportFileError(source, f"decompresses to more than {limit // _MB} MB")
    if budget is not None:
        budget.spend(len(out), source)
    if not inflater.eof:
        if not out:
            raise ImportFileError(source, "gzip file cut short before any data")
        return out, "gzip file cut short: read what came before the break"
    return out, None


def member_refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not read at all (a link, a name outside the archive), or None."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link inside the archive: not followed"
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or ".." in path.parts or (len(name) > 1 and name[1] == ":"):
        return "its name points outside the archive (an absolute path or ../): refused"
    return None


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, budget: Budget
) -> bytes:
    """A member's bytes, within MAX_FILE_BYTES and what is left of the archive's budget."""
    refusal = member_refusal(info)
    if refusal is not None:
        raise ImportFileError(source, refusal)
    if info.file_size > MAX_FILE_BYTES:
        raise ImportFileError(
            source, f"too big for an activity file ({info.file_size // _MB} MB unpacked)"
        )
    parts: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                read += len(chunk)
                budget.spend(len(chunk), source)
                if read > MAX_FILE_BYTES:
                    raise ImportFileError(source, "decompresses to more than it claims")
                parts.append(chunk)
    except ImportFileError:
        raise
    except Exception as exc:
        # zipfile raises BadZipFile, zlib.error, EOFError, OSError, ValueError,
        # NotImplementedError (a method it lacks) and RuntimeError (encrypted) on damage.
        raise ImportFileError(source, f"damaged inside the archive ({_said(exc)})") from None
    return b"".join(parts)


def _said(exc: Exception) -> str:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
