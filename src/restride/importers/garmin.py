"""Garmin Connect data export (a zip), and any other zip of activity files.

Garmin puts the original uploads in zips inside the export
(DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip, ...), so zips are opened
as deep as they nest, up to MAX_DEPTH. Every FIT, GPX or TCX file found (gzipped or not)
gives a result; the export's JSON, images and the like are not activity files and are passed
over in silence. FIT files that are not activities (monitoring, settings) come back as
NotAnActivity results with what they are.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING

from restride.importers.errors import ImportFileError
from restride.importers.registry import ImportResult, iter_archive, parse_member
from restride.importers.unpacking import CHUNK, member_refusal

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterator

    from restride.importers.unpacking import Budget

MAX_DEPTH = 3
SPOOL_IN_MEMORY_BYTES = 64 * 1024**2
_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def iter_export(
    archive: zipfile.ZipFile, source: str, depth: int, budget: Budget
) -> Iterator[ImportResult]:
    for info in archive.infolist():
        if not info.filename or info.is_dir():  # a member with no name at all is no file
            continue
        name = info.filename
        lower = name.lower()
        where = f"{source}!{name}"
        if lower.endswith(_ACTIVITY_SUFFIXES):
            yield parse_member(archive, name, where, budget)
        elif lower.endswith(".zip"):
            yield from _nested(archive, info, where, depth, budget)


def _nested(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, depth: int, budget: Budget
) -> Iterator[ImportResult]:
    refusal = member_refusal(info)
    if refusal is None and depth >= MAX_DEPTH:
        refusal = f"zips nested more than {MAX_DEPTH} deep"
    if refusal is not None:
        yield ImportResult(where, "", info.file_size, problem=ImportFileError(where, refusal))
        return
    # A zip needs seeking, which a member inside a zip cannot do: copy it out first, to
    # memory while small, to a temporary file when big (Garmin's parts reach gigabytes).
    # What it unpacks to counts against the archive's budget, so no nesting multiplies it.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    budget.spend(len(chunk), where)
                    spool.write(chunk)
        except ImportFileError:
            raise
        except Exception as exc:  # BadZipFile, zlib.error, EOFError, OSError, ...
            problem = ImportFileError(where, f"damaged inside the archive ({exc})")
            yield ImportResult(where, "", info.file_size, problem=problem)
            return
        spool.seek(0)
        yield from iter_archive(spool, where, depth + 1, budget)
