"""Strava bulk export (a zip): activities.csv lists every activity, its files sit in activities/.

Each CSV row gives the activity's name and gear, and the file it came from (`.fit.gz`,
`.gpx.gz`, `.tcx.gz` or plain); rows without a file are entries typed in by hand and become
activities from the CSV alone. Two CSV layouts are in use: the 2018 one (10 columns, snake
case) and the 2025 one (about 100 columns, some names repeated: "Distance" is first in km,
then in metres).

See https://support.strava.com/hc/en-us/articles/216918437-Exporting-your-Data-and-Bulk-Export
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from restride.domain.activity import RUNNING_SPORTS, Activity, Sport
from restride.importers import summary
from restride.importers.errors import ImportFileError
from restride.importers.registry import ImportResult, parse_member

if TYPE_CHECKING:
    import zipfile
    from collections.abc import Iterable, Iterator

    from restride.importers.unpacking import Budget

_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")
_DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%d %b %Y, %H:%M:%S")


@dataclass(frozen=True, slots=True)
class StravaRow:
    """One activities.csv row, in restride's units. Times in the CSV carry no zone: UTC."""

    line: int
    activity_id: str | None = None
    name: str | None = None
    kind: str | None = None  # Strava's activity type: "Run", "TrailRun", "Ride", ...
    gear: str | None = None
    filename: str | None = None
    start: dt.datetime | None = None
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


class _Columns:
    """Header lookups that survive repeated names: every position of each name is kept."""

    def __init__(self, header: list[str]) -> None:
        self.positions: dict[str, list[int]] = {}
        for i, name in enumerate(header):
            self.positions.setdefault(_key(name), []).append(i)

    def text(self, row: list[str], *names: str, last: bool = False) -> str | None:
        for name in names:
            spots = self.positions.get(name, [])
            for i in reversed(spots) if last else spots:
                if i < len(row) and row[i].strip():
                    return row[i].strip()
        return None

    def number(self, row: list[str], *names: str, last: bool = False) -> float | None:
        text = self.text(row, *names, last=last)
        if text is None:
            return None
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            return None
        return value if math.isfinite(value) else None


def parse_date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class BadRow:
    """An activities.csv row that cannot be read, and why; the rows after it still are."""

    line: int
    reason: str


def read_rows(lines: Iterable[str]) -> Iterator[StravaRow | BadRow]:
    """Rows of an activities.csv of either layout, one at a time (an export can list a
    million), each numbered by the line it starts on."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield BadRow(1, f"the header row cannot be read ({_csv_problem(exc)})")
        return
    if header is None:
        return
    cols = _Columns(header)
    ended = reader.line_num
    while True:
        line = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            ended = reader.line_num
            yield BadRow(line, _csv_problem(exc))
            continue
        ended = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield _strava_row(cols, row, line)


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field longer than {csv.field_size_limit() // 1024} KB: not a Strava export row"
    return f"not readable as CSV ({text})"


def _strava_row(cols: _Columns, row: list[str], line: int) -> StravaRow:
    return StravaRow(
        line=line,
        activity_id=cols.text(row, "activity_id", "id"),
        name=cols.text(row, "activity_name", "name"),
        kind=cols.text(row, "activity_type", "type"),
        gear=cols.text(row, "activity_gear", "gear"),
        filename=cols.text(row, "filename"),
        start=parse_date(cols.text(row, "activity_date", "date")),
        elapsed_s=cols.number(row, "elapsed_time"),
        moving_s=cols.number(row, "moving_time"),
        # the last "Distance" is in metres in both layouts (2025 repeats it: km, then m)
        distance_m=cols.number(row, "distance", last=True),
        elevation_gain_m=cols.number(row, "elevation_gain"),
        avg_hr=cols.number(row, "average_heart_rate"),
        max_hr=cols.number(row, "max_heart_rate", last=True),
    )


def sport_of(kind: str | None) -> Sport | None:
    return summary.sport_from_label(kind) if kind else None


def merge_sport(from_file: Sport, from_csv: Sport | None) -> Sport:
    """The CSV holds the type the athlete last chose; the file may be more specific."""
    if from_csv is None or from_csv == from_file or from_file == "other":
        return from_csv or from_file
    if from_file in RUNNING_SPORTS and from_csv in RUNNING_SPORTS:
        return from_csv if from_file == "running" else from_file
    return from_csv


def with_row(activity: Activity, row: StravaRow) -> Activity:
    return dataclasses.replace(
        activity,
        name=row.name or activity.name,
        gear=row.gear or activity.gear,
        sport=merge_sport(activity.sport, sport_of(row.kind)),
    )


def manual_activity(row: StravaRow, source: str) -> Activity:
    """An activity typed into Strava by hand: the CSV is all there is."""
    if row.start is None:
        raise ImportFileError(source, "a row without a file and without a readable date")
    wrong = summary.implausible_start(row.start)
    if wrong is not None:
        raise ImportFileError(source, f"Activity Date {wrong}")
    identity = f"strava-manual:{row.activity_id or row.line}:{row.start.isoformat()}"
    return Activity(
        start=row.start,
        sport=sport_of(row.kind) or "other",
        source=source,
        content_sha256=summary.sha256_hex(identity.encode()),
        name=row.name,
        gear=row.gear,
        duration_s=row.elapsed_s,
        moving_s=row.moving_s,
        distance_m=row.distance_m,
        elevation_gain_m=row.elevation_gain_m,
        avg_hr=row.avg_hr,
        max_hr=row.max_hr,
        warnings=("entered by hand in Strava: no recording, figures from activities.csv",),
    )


def find_activities_csv(archive: zipfile.ZipFile) -> str | None:
    """The export's activities.csv: at the root, or one folder down in a re-zipped export."""
    found = [n for n in archive.namelist() if PurePosixPath(n).name == "activities.csv"]
    found = [n for n in found if n.count("/") <= 1]
    return min(found, key=lambda n: n.count("/")) if found else None


def iter_export(archive: zipfile.ZipFile, source: str, budget: Budget) -> Iterator[ImportResult]:
    csv_name = find_activities_csv(archive)
    if csv_name is None:
        return
    root = str(PurePosixPath(csv_name).parent)
    prefix = "" if root == "." else root + "/"
    members = {name.lower(): name for name in archive.namelist()}
    used: set[str] = set()
    where = f"{source}!{csv_name}"
    try:
        with (
            archive.open(csv_name) as raw,
            io.TextIOWrapper(
                io.BufferedReader(_Spending(raw, budget, where)),
                encoding="utf-8-sig",
                errors="replace",
                newline="",
            ) as text,
        ):
            for row in read_rows(text):
                yield from _row_results(
                    archive, source, csv_name, prefix, members, used, row, budget
                )
    except ImportFileError:
        raise
    except Exception as exc:  # the CSV's own bytes are damaged: the files still count
        problem = ImportFileError(where, f"activities.csv is damaged ({type(exc).__name__}: {exc})")
        yield ImportResult(where, "csv", 0, problem=problem)
    for name in archive.namelist():
        if name not in used and name.lower().endswith(_ACTIVITY_SUFFIXES):
            yield parse_member(archive, name, f"{source}!{name}", budget)


class _Spending(io.RawIOBase):
    """The CSV's bytes as they are read, each counted against the archive's budget."""

    def __init__(self, raw: IO[bytes], budget: Budget, source: str) -> None:
        self.raw, self.budget, self.source = raw, budget, source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.budget.spend(len(data), self.source)
        buffer[: len(data)] = data
        return len(data)


def _row_results(
    archive: zipfile.ZipFile,
    source: str,
    csv_name: str,
    prefix: str,
    members: dict[str, str],
    used: set[str],
    row: StravaRow | BadRow,
    budget: Budget,
) -> Iterator[ImportResult]:
    where = f"{source}!{csv_name} line {row.line}"
    if isinstance(row, BadRow):
        yield ImportResult(where, "csv", 0, problem=ImportFileError(where, row.reason))
        return
    if not row.filename:
        try:
            yield ImportResult(where, "csv", 0, (manual_activity(row, where),))
        except ImportFileError as bad_row:
            yield ImportResult(where, "csv", 0, problem=bad_row)
        return
    member = members.get((prefix + row.filename).lower())
    if member is None:
        problem = ImportFileError(
            where, f"activities.csv lists {row.filename[:200]}, which the archive does not hold"
        )
        yield ImportResult(where, "", 0, problem=problem)
        return
    used.add(member)
    result = parse_member(archive, member, f"{source}!{member}", budget)
    if result.activities:
        result = dataclasses.replace(
            result, activities=tuple(with_row(a, row) for a in result.activities)
        )
    yield result
