"""Importing activity files (FIT, GPX, TCX, gzipped or not; folders; Strava and Garmin zips).

Files are read on every core and written here, one transaction per file (per archive member),
so an interrupted import keeps every file it finished, and running it again continues: what is
stored is recognised by its content hash and passed over. The same activity from two sources
(a watch's FIT and the GPX a website made of it) is recognised too: same kind of sport, starts
within a minute, durations within 5%. The import never stops at a bad file: each file ends as
imported, duplicate, skipped (not an activity) or failed, with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from restride.domain.activity import FOOT_SPORTS, RUNNING_SPORTS, Activity
from restride.services.errors import NotFoundError
from restride.services.reading import Parsed, read_all
from restride.storage import tables as t
from restride.storage.repository import activity_key, activity_row, fit_text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session as DbSession

    from restride.importers import ImportResult
    from restride.storage.database import Database

Status = Literal["imported", "duplicate", "skipped", "failed"]
# Names a folder walk reads (.csv for a Strava activities.csv, to say what to do with it);
# a file given by name is always read, whatever it is called.
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".gz", ".zip", ".csv")
SAME_START_S = 60.0
SAME_DURATION = 0.05
# Fields a duplicate may fill in on the stored activity when the stored one lacks them.
MERGED = {
    "name": "name",
    "gear_name": "gear",
    "avg_hr": "heart rate",
    "max_hr": "maximum heart rate",
    "avg_cadence": "cadence",
    "elevation_gain_m": "elevation gain",
    "gct_ms_avg": "ground contact time",
    "stance_balance_left_pct_avg": "left-right balance",
    "vertical_oscillation_mm_avg": "vertical oscillation",
}


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file (or one member of an archive)."""

    source: str
    status: Status
    reason: str = ""  # why skipped or failed; for a duplicate, of what
    activities: int = 0  # stored by this file
    partial: bool = False  # what was stored was cut short in the file
    warnings: tuple[str, ...] = ()
    records: int = 0  # samples read
    size_bytes: int = 0


@dataclass
class ImportReport:
    files: list[FileOutcome] = field(default_factory=list)
    new_activity_ids: list[str] = field(default_factory=list)
    shoes_created: list[str] = field(default_factory=list)

    def having(self, status: Status) -> list[FileOutcome]:
        return [f for f in self.files if f.status == status]

    @property
    def partial(self) -> list[FileOutcome]:
        return [f for f in self.files if f.partial]

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)


# --- Finding the files ----------------------------------------------------------------------------


def expand(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[FileOutcome]]:
    """The files to read, folders walked in name order; and outcomes for what is not read."""
    files: list[str] = []
    passed: list[FileOutcome] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                parts = found.relative_to(path).parts
                if any(part.startswith(".") for part in parts):
                    continue  # hidden files and folders: .DS_Store, .git
                if found.name.lower().endswith(ACTIVITY_SUFFIXES):
                    files.append(str(found))
                else:
                    reason = "not named like an activity file (.fit, .gpx, .tcx, .gz, .zip)"
                    passed.append(FileOutcome(str(found), "skipped", reason))
        elif path.exists():
            files.append(str(path))
        else:
            passed.append(FileOutcome(str(path), "failed", "no such file or folder"))
    return files, passed


# --- Writing --------------------------------------------------------------------------------------


def _family(sport: str) -> frozenset[str]:
    """Sports that may name the same activity in two files (a run, a trail run, a treadmill)."""
    if sport in RUNNING_SPORTS:
        return frozenset(RUNNING_SPORTS)
    if sport in ("walking", "hiking"):
        return frozenset({"walking", "hiking"})
    return frozenset({sport})


def _close(a: float | None, b: float | None) -> bool | None:
    if a is None or b is None or max(a, b) <= 0:
        return None
    return abs(a - b) <= SAME_DURATION * max(a, b)


def stored_twins(tx: DbSession, athlete_id: str, activity: Activity) -> list[t.Activity]:
    """Stored activities that may be this one: the same content, or near the same start.

    Two lookups, each on its own index ((athlete, hash) and (athlete, start)): one query
    with OR between them read every activity of the athlete, which made an import of many
    thousands of activities slow down with each one stored.
    """
    window = dt.timedelta(seconds=SAME_START_S)
    same = tx.scalars(
        select(t.Activity).where(
            t.Activity.athlete_id == athlete_id,
            t.Activity.content_hash == activity_key(activity),
        )
    ).all()
    near = tx.scalars(
        select(t.Activity)
        .where(
            t.Activity.athlete_id == athlete_id,
            t.Activity.start_time >= activity.start - window,
            t.Activity.start_time <= activity.start + window,
            t.Activity.sport.in_(_family(activity.sport)),
        )
        .order_by(t.Activity.start_time, t.Activity.id)
    ).all()
    return list({row.id: row for row in (*same, *near)}.values())


def same_activity(rows: list[t.Activity], activity: Activity) -> t.Activity | None:
    """The row, of those near its start, that is this activity from another source, if any."""
    family = _family(activity.sport)
    window = dt.timedelta(seconds=SAME_START_S)
    for row in rows:
        if row.sport not in family or abs(row.start_time - activity.start) > window:
            continue
        if row.partial or activity.partial:
            return row  # a copy cut short: its duration says nothing, the start says enough
        alike = _close(row.duration_s, activity.duration_s)
        if alike is None:
            alike = _close(row.distance_m, activity.distance_m)
        if alike is not False:  # unknown durations and distances: the start decides
            return row
    return None


class Importer:
    """One athlete's import: what is stored already, shoes by name, and the report so far."""

    def __init__(
        self,
        db: Database,
        athlete_id: str,
        default_shoe: str | None = None,
        shown_source: Callable[[str], str] | None = None,
    ) -> None:
        self.db, self.athlete_id, self.default_shoe = db, athlete_id, default_shoe
        # How a file's path is recorded (the web app's uploads live in a temporary folder).
        self.shown_source = shown_source or (lambda source: source)
        self.report = ImportReport()
        self._reported: set[str] = set()  # new_activity_ids, to look up
        # What the transaction under way adds to `stored` once it commits: (key, source).
        self._new_ids: list[str] = []
        self._new_shoes: list[str] = []
        self._new_keys: list[tuple[str, str]] = []
        self._gone_keys: list[str] = []
        with db.read() as tx:
            athlete = tx.get(t.Account, athlete_id)
            if athlete is None or athlete.role != "athlete":
                raise NotFoundError("no such athlete")
            self.stored: dict[str, str] = dict(
                tx.execute(
                    select(t.Activity.content_hash, t.Activity.source).where(
                        t.Activity.athlete_id == athlete_id
                    )
                ).all()
            )

    def add(self, parsed: Parsed) -> FileOutcome:
        result = parsed.result
        if parsed.stored_hash is not None:
            was = self.stored.get(parsed.stored_hash, "an earlier import")
            outcome = FileOutcome(result.source, "duplicate", f"already imported from {was}")
        else:
            outcome = self._outcome(result)
        outcome = dataclasses.replace(outcome, records=parsed.records, size_bytes=result.size_bytes)
        self.report.files.append(outcome)
        return outcome

    def nothing_in(self, path: str) -> FileOutcome:
        outcome = FileOutcome(path, "skipped", "holds no activity files")
        self.report.files.append(outcome)
        return outcome

    def _outcome(self, result: ImportResult) -> FileOutcome:
        if result.problem is not None:
            status: Status = "skipped" if result.skipped else "failed"
            where = getattr(result.problem, "record", None)
            reason = result.problem.reason + (f" (at {where})" if where is not None else "")
            return FileOutcome(result.source, status, reason)
        keys = [activity_key(a) for a in result.activities]
        if all(k in self.stored for k in keys) and not any(a.gear for a in result.activities):
            # Already stored, and nothing to add: no transaction at all.
            return FileOutcome(
                result.source, "duplicate", f"already imported from {self._was(keys[0])}"
            )
        try:
            return self._store(result)
        except IntegrityError:
            # Another import stored this file, or made one of its shoes, at the same moment:
            # once more, and it is found.
            try:
                return self._store(result)
            except IntegrityError as exc:
                return FileOutcome(result.source, "failed", _refusal(exc))

    def _was(self, key: str) -> str:
        return self.stored.get(key) or "an earlier import"

    def _store(self, result: ImportResult) -> FileOutcome:
        self._new_ids, self._new_shoes, self._new_keys, self._gone_keys = [], [], [], []
        notes: list[str] = []
        try:
            with self.db.transaction() as tx:
                if self.db.dialect == "postgresql":  # SQLite's write lock already does it
                    # One import at a time per athlete: two could both miss the same twin.
                    tx.execute(
                        select(t.Account.id)
                        .where(t.Account.id == self.athlete_id)
                        .with_for_update()
                    )
                for activity in result.activities:
                    note = self._store_one(tx, activity)
                    if note and note not in notes:
                        notes.append(note)
        except SQLAlchemyError as exc:
            if isinstance(exc, IntegrityError):
                raise
            return FileOutcome(result.source, "failed", _refusal(exc))
        # Committed: only now does the import remember what it stored.
        for key in self._gone_keys:
            self.stored.pop(key, None)
        self.stored.update(self._new_keys)
        for new_id in self._new_ids:  # a replaced partial copy may be there already
            if new_id not in self._reported:
                self._reported.add(new_id)
                self.report.new_activity_ids.append(new_id)
        self.report.shoes_created += self._new_shoes
        if not self._new_ids:
            return FileOutcome(result.source, "duplicate", "; ".join(notes))
        partial = any(a.partial for a in result.activities)
        warnings = tuple(w for a in result.activities for w in a.warnings)
        return FileOutcome(
            result.source, "imported", "; ".join(notes), len(self._new_ids), partial, warnings
        )

    def _store_one(self, tx: DbSession, activity: Activity) -> str:
        """Store one activity, or fill in its stored twin; say what it is a duplicate of."""
        key = activity_key(activity)
        gear = activity.gear or (self.default_shoe if activity.sport in FOOT_SPORTS else None)
        shown = dataclasses.replace(activity, gear=gear, source=self.shown_source(activity.source))
        incoming = activity_row(self.athlete_id, shown, None)
        near = stored_twins(tx, self.athlete_id, activity)
        twin = next((r for r in near if r.content_hash == key), None)
        if twin is not None:
            return f"already imported from {twin.source}" + self._fill_in(tx, twin, incoming)
        twin = same_activity(near, activity)
        if twin is None:
            if activity.sport in FOOT_SPORTS:
                incoming.shoe_id = self._shoe(tx, gear)
            tx.add(incoming)
            self._new_ids.append(incoming.id)
            self._new_keys.append((key, incoming.source))
            return ""
        if twin.partial and not activity.partial:
            # The stored copy was cut short; this one is whole: it takes the stored one's place.
            was, old_key = twin.source, twin.content_hash
            for column in t.Activity.__table__.columns.keys():
                if column not in ("id", "athlete_id", "shoe_id", "created_at"):
                    setattr(twin, column, getattr(incoming, column))
            self._gone_keys.append(old_key)
            self._new_keys.append((key, twin.source))
            self._new_ids.append(twin.id)
            return f"replaced the partial copy from {was}" + self._fill_in(tx, twin, incoming)
        apart = abs((twin.start_time - activity.start).total_seconds())
        return f"the same activity as {twin.source} (starts {apart:.0f} s apart)" + self._fill_in(
            tx, twin, incoming
        )

    def _fill_in(self, tx: DbSession, twin: t.Activity, incoming: t.Activity) -> str:
        """Fill what the stored twin lacks from this copy; say what was added."""
        added = []
        for name, words in MERGED.items():
            if getattr(twin, name) is None and getattr(incoming, name) is not None:
                setattr(twin, name, getattr(incoming, name))
                added.append(words)
        if twin.shoe_id is None and twin.gear_name and twin.sport in FOOT_SPORTS:
            twin.shoe_id = self._shoe(tx, twin.gear_name)
        return f"; added {', '.join(added)}" if added else ""

    def _shoe(self, tx: DbSession, name: str | None) -> str | None:
        name = fit_text(name.strip(), 200) if name else None
        if not name:
            return None
        found = tx.scalar(
            select(t.Shoe.id).where(t.Shoe.athlete_id == self.athlete_id, t.Shoe.name == name)
        )
        if found is not None:
            return found
        shoe = t.Shoe(id=t.new_id(), athlete_id=self.athlete_id, name=name)
        tx.add(shoe)
        tx.flush()  # before any activity names it: no relationship tells the session the order
        self._new_shoes.append(name)
        return shoe.id


Progress = Callable[[FileOutcome, int, int], None]  # outcome, bytes of the paths done, of all


def import_paths(
    db: Database,
    athlete_id: str,
    paths: Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    default_shoe: str | None = None,
    progress: Progress | None = None,
    shown_source: Callable[[str], str] | None = None,
) -> ImportReport:
    """Import every activity in `paths` (files, folders, zips) for the athlete.

    `progress` hears of each file as it is done with. `default_shoe` is the shoe of foot
    activities whose files name none.
    """
    importer = Importer(db, athlete_id, default_shoe, shown_source)
    files, passed = expand(paths)
    done = [0]  # bytes of the paths before each path
    for path in files:
        done.append(done[-1] + _size(path))

    def tell(outcome: FileOutcome, index: int) -> None:
        if progress:
            progress(outcome, done[index], done[-1])

    for outcome in passed:
        importer.report.files.append(outcome)
        tell(outcome, 0)
    last = -1
    for index, parsed in read_all(files, workers, frozenset(importer.stored)):
        for empty in range(last + 1, index):
            tell(importer.nothing_in(files[empty]), empty + 1)
        last = index
        tell(importer.add(parsed), index)
    for empty in range(last + 1, len(files)):
        tell(importer.nothing_in(files[empty]), empty + 1)
    return importer.report


def _refusal(exc: SQLAlchemyError) -> str:
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"the database refused it: {first}"


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
