"""One door for every activity file: the bytes say what the format is, not the file name.

`parse_path` reads one activity file (FIT, GPX, TCX, any of them gzipped) and raises
ImportFileError or NotAnActivity. `iter_parse` takes anything, export archives included, and
yields one ImportResult per file inside, never raising for a bad file: a Strava export with
one damaged activity still imports the other thousand. `parse_many` does the same over many
paths on several processes. Callers never branch on the format.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from restride.domain.activity import Activity
from restride.importers import summary
from restride.importers.errors import ImportFileError, ImportProblem, NotAnActivity
from restride.importers.fit import parse_fit
from restride.importers.gpx import parse_gpx
from restride.importers.tcx import parse_tcx
from restride.importers.unpacking import (
    MAX_FILE_BYTES,
    ArchiveBudgetError,
    Budget,
    gunzip,
    read_member,
)
from restride.importers.xmlread import strip_prologue

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

# Multi-day ultras and expeditions exist; a single recording past this is a clock error.
MAX_PLAUSIBLE_DURATION_S = 3 * 86_400
_COLLECT_AFTER_BYTES = 1024 * 1024

PARSERS: dict[str, Callable[[bytes, str], tuple[Activity, ...]]] = {
    "fit": parse_fit,
    "gpx": parse_gpx,
    "tcx": parse_tcx,
}
_XML_ROOTS = {"gpx": "gpx", "TrainingCenterDatabase": "tcx"}
_EXTENSIONS = {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one file gave: activities, or the problem that stopped it."""

    source: str
    format: str  # "fit", "gpx", "tcx", "csv" or "" when unrecognised
    size_bytes: int
    activities: tuple[Activity, ...] = ()
    problem: ImportProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def skipped(self) -> bool:
        return isinstance(self.problem, NotAnActivity)

    @property
    def failed(self) -> bool:
        return isinstance(self.problem, ImportFileError)

    @property
    def records(self) -> int:
        return sum(len(a.samples) for a in self.activities if a.samples is not None)


def sniff(data: bytes) -> str:
    """The format from the first bytes: "fit", "gpx", "tcx", "gzip", "zip", "csv" or ""."""
    if len(data) >= 12 and data[8:12] == b".FIT" and data[0] >= 12:
        return "fit"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    head = strip_prologue(data[:4096])
    if head.startswith(b"<"):
        return _xml_root(head)
    first_line = head.split(b"\n", 1)[0].lower()
    if b"," in first_line and (b"activity id" in first_line or first_line.startswith(b"id,")):
        return "csv"
    return ""


def _xml_root(head: bytes) -> str:
    """The format named by the first element after the prologue (declaration, comments)."""
    text = head.decode("utf-8", "replace")
    i = 0
    while True:
        i = text.find("<", i)
        if i < 0 or i + 1 >= len(text):
            return ""
        if text[i + 1] in "?!":
            close = "-->" if text.startswith("<!--", i) else ">"
            end = text.find(close, i)
            if end < 0:
                return ""
            i = end + len(close)
            continue
        name = text[i + 1 :].split(None, 1)[0].split(">", 1)[0].split("/", 1)[0]
        return _XML_ROOTS.get(name.rpartition(":")[2], "")


def parse_bytes(data: bytes, source: str, budget: Budget | None = None) -> ImportResult:
    """Parse one activity file's bytes; raise ImportFileError or NotAnActivity, never
    anything else: a parser's own exception on bytes it did not expect becomes an
    ImportFileError, so one bad file never stops the rest of an import."""
    try:
        return _parse_bytes(data, source, budget)
    except ImportProblem:
        raise
    except MemoryError:
        raise ImportFileError(source, "too big to read within restride's memory budget") from None
    except Exception as exc:
        # The parsers turn every damage the fuzzer found into an ImportFileError with its
        # place; this is the net under them for damage nobody has found yet.
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        reason = f"could not be read ({type(exc).__name__}{': ' + detail if detail else ''})"
        raise ImportFileError(source, reason) from None


def _parse_bytes(data: bytes, source: str, budget: Budget | None) -> ImportResult:
    if not data:
        raise ImportFileError(source, "empty file (0 bytes)")
    size = len(data)
    kind = sniff(data)
    notes: list[str] = []
    cut = False
    if kind == "gzip":
        data, note = gunzip(data, source, budget)
        if note:
            notes.append(note)
            cut = True
        if not data:
            raise ImportFileError(source, "gzip file holds an empty file")
        kind = sniff(data)
        if kind in ("gzip", "zip"):
            raise ImportFileError(source, f"a {kind} inside a gzip: not an activity file")
    if kind == "zip":
        raise ImportFileError(source, "an archive: import it with iter_parse, which opens it")
    if kind == "csv":
        raise NotAnActivity(
            source,
            "a Strava activities.csv on its own: import the whole export .zip, which holds"
            " the activity files it lists",
        )
    parser = PARSERS.get(kind)
    if parser is None:
        raise ImportFileError(source, f"not FIT, GPX or TCX (starts with {data[:8]!r})")
    named = _EXTENSIONS.get(Path(source.removesuffix(".gz")).suffix.lower())
    if named is not None and named != kind:
        notes.append(f"named like a {named.upper()} file but holds {kind.upper()}: read as such")
    failure: Exception | None = None
    try:
        parsed = parser(data, source)
    except Exception as exc:
        exc.__traceback__ = None  # its frames hold the parser: let the collector have it
        failure = exc
    if kind != "fit" and len(data) > _COLLECT_AFTER_BYTES:
        # lxml's iterparse keeps its document in a reference cycle: without a collection
        # every big XML file read stays in memory until the collector happens to run.
        gc.collect()
    if failure is not None:
        raise failure
    activities = tuple(_checked(a, notes, cut, source) for a in parsed)
    return ImportResult(source, kind, size, activities)


def _checked(activity: Activity, notes: list[str], cut: bool, source: str) -> Activity:
    """The activity with the file-level notes, and a word on figures no activity can have;
    an impossible start refuses the file (it would be stored on a day that is no day)."""
    wrong = summary.implausible_start(activity.start)
    if wrong is not None:
        where = f"activity {activity.part + 1}" if activity.part else None
        raise ImportFileError(source, wrong, where)
    extra = list(notes)
    if activity.duration_s is not None and activity.duration_s > MAX_PLAUSIBLE_DURATION_S:
        days = activity.duration_s / 86_400
        extra.append(f"lasts {days:.1f} days, longer than any one activity: a clock jumped?")
    if not extra and not cut:
        return activity
    return dataclasses.replace(
        activity, warnings=(*extra, *activity.warnings), partial=activity.partial or cut
    )


def read_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(str(path), f"too big for an activity file ({size} bytes)")
        return p.read_bytes()
    except OSError as exc:
        raise ImportFileError(str(path), f"cannot read the file ({exc.strerror})") from None


def parse_path(path: str | os.PathLike[str]) -> ImportResult:
    """Parse one activity file; raise ImportFileError or NotAnActivity."""
    return parse_bytes(read_file(path), str(path))


def _guarded(source: str, data: bytes, budget: Budget | None = None) -> ImportResult:
    try:
        return parse_bytes(data, source, budget)
    except ArchiveBudgetError:
        raise
    except ImportProblem as problem:
        return ImportResult(source, sniff(data), len(data), problem=problem)


def iter_parse(path: str | os.PathLike[str]) -> Iterator[ImportResult]:
    """One result per activity file in `path`, archives opened; problems are results too.

    Archives are read from disk as needed, never whole into memory: a Strava export can
    run to gigabytes.
    """
    source = str(path)
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError as exc:
        problem = ImportFileError(source, f"cannot read the file ({exc.strerror})")
        yield ImportResult(source, "", 0, problem=problem)
        return
    if sniff(head) == "zip":
        yield from iter_archive(path, source)
        return
    try:
        data = read_file(path)
    except ImportFileError as problem:
        yield ImportResult(source, "", 0, problem=problem)
        return
    yield _guarded(source, data)


def iter_archive(
    file: str | os.PathLike[str] | IO[bytes],
    source: str,
    depth: int = 1,
    budget: Budget | None = None,
) -> Iterator[ImportResult]:
    """Every activity in a zip: a Strava bulk export, a Garmin Connect export, or any zip.

    `budget` bounds what the archive may unpack to, nested archives included (see
    unpacking.py); a top-level archive gets one from its own size.
    """
    from restride.importers import garmin, strava  # they build on this module

    try:
        archive = zipfile.ZipFile(file)
    except Exception as exc:  # BadZipFile, OSError, ValueError, EOFError on damaged headers
        problem = ImportFileError(source, f"damaged zip ({type(exc).__name__}: {exc})")
        yield ImportResult(source, "", 0, problem=problem)
        return
    top = budget is None
    if budget is None:
        budget = Budget.for_archive(_archive_size(archive))
    with archive:
        try:
            if depth == 1 and strava.find_activities_csv(archive) is not None:
                yield from strava.iter_export(archive, source, budget)
            else:
                yield from garmin.iter_export(archive, source, depth, budget)
        except ArchiveBudgetError as stop:
            if not top:
                raise  # the archive that holds this one stops too
            yield ImportResult(stop.file, "", 0, problem=stop)


def _archive_size(archive: zipfile.ZipFile) -> int:
    fp = archive.fp
    if fp is None:
        return 0
    position = fp.tell()
    size = fp.seek(0, os.SEEK_END)
    fp.seek(position)
    return size


def parse_member(archive: zipfile.ZipFile, name: str, source: str, budget: Budget) -> ImportResult:
    """Parse one archive member; problems come back inside the result."""
    try:
        data = read_member(archive, archive.getinfo(name), source, budget)
    except ArchiveBudgetError:
        raise  # the rest of the archive is not read
    except ImportFileError as problem:
        return ImportResult(source, "", 0, problem=problem)
    return _guarded(source, data, budget)


def _parse_all(path: str) -> list[ImportResult]:
    return list(iter_parse(path))


def parse_many(
    paths: Iterable[str | os.PathLike[str]], *, workers: int | None = None
) -> Iterator[ImportResult]:
    """`iter_parse` over many paths on `workers` processes (default: every core).

    Results come back in the order of `paths`. With one worker, nothing is spawned.
    """
    items = [str(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield from iter_parse(item)
        return
    # Small chunks keep both cores busy when a few big files sit among many small ones.
    chunk = max(1, min(8, len(items) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for results in pool.map(_parse_all, items, chunksize=chunk):
            yield from results
