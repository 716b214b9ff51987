"""Garmin Connect data export (a zip), and any other zip of activity files.

Garmin puts the original uploads in zips inside the export
(DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip, ...), so zips are opened
as deep as they nest, up to MAX_DEPTH. Every FIT, GPX or TCX file found (gzipped or not)
gives a result; the export's JSON, images and the like are not activity files and are passed
over in silence. FIT files that are not activities (monitoring, settings) come back as
NotAnActivity results with what they are.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from typing import TYPE_CHECKING

from restride.importers.errors import ImportFileError
from restride.importers.registry import ImportResult, iter_archive, parse_member

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_DEPTH = 3
MAX_NESTED_BYTES = 16 * 1024**3
SPOOL_IN_MEMORY_BYTES = 64 * 1024**2
_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def iter_export(archive: zipfile.ZipFile, source: str, depth: int = 1) -> Iterator[ImportResult]:
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename
        lower = name.lower()
        where = f"{source}!{name}"
        if lower.endswith(_ACTIVITY_SUFFIXES):
            yield parse_member(archive, name, where)
        elif lower.endswith(".zip"):
            yield from _nested(archive, info, where, depth)


def _nested(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, depth: int
) -> Iterator[ImportResult]:
    if depth >= MAX_DEPTH:
        problem = ImportFileError(where, f"zips nested more than {MAX_DEPTH} deep")
        yield ImportResult(where, "", info.file_size, problem=problem)
        return
    if info.file_size > MAX_NESTED_BYTES:
        problem = ImportFileError(where, f"nested archive too big ({info.file_size} bytes)")
        yield ImportResult(where, "", info.file_size, problem=problem)
        return
    # A zip needs seeking, which a member inside a zip cannot do: copy it out first, to
    # memory while small, to a temporary file when big (Garmin's parts reach gigabytes).
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            with archive.open(info) as member:
                shutil.copyfileobj(member, spool, 1 << 20)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            problem = ImportFileError(where, f"damaged inside the archive ({exc})")
            yield ImportResult(where, "", info.file_size, problem=problem)
            return
        spool.seek(0)
        yield from iter_archive(spool, where, depth + 1)
