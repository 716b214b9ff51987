"""Does a Strava export's import stay linear in its rows? The time per row, quarter by quarter.

Run it with `.venv/bin/python benchmarks/strava_rows_bench.py [ROWS]` (default 20,000). It makes
a Strava export zip of ROWS hand-entered activities (rows without a file: each one a database
write and a search for its twins among the activities stored so far), imports it into a fresh
SQLite database, and prints the time per row of each quarter of the rows beside the first
quarter's (the baseline, measured in the same run). Linear work keeps every quarter near 1x;
work that grows with what is stored (each row scanning all the rows before it, as the twins'
search once did) makes the last quarter several times the first. It does so twice: rows a day
apart, as real exports are, and every row at the same start (a hostile export: each row a
near twin of the ones before it). The script is a measurement: it always exits 0.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from restride.services.athletes import create_account
from restride.services.imports import import_paths
from restride.storage.database import Database

HEADER = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename"


def export(rows: int, *, same_start: bool) -> bytes:
    start = dt.datetime(2015, 1, 1, 7, 0, tzinfo=dt.UTC)
    lines = [HEADER]
    for n in range(rows):
        step = dt.timedelta(hours=0 if same_start else 7 * n)
        when = (start + step).strftime("%Y-%m-%d %H:%M:%S")
        # Durations 10% apart or more: the same start, but not the same activity.
        seconds = 600 * 1.1 ** (n % 40) if same_start else 1800 + n % 600
        lines.append(f"{n},{when},Run {n},Run,{seconds:.0f},{5000 + n % 3000},")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities.csv", "\n".join(lines) + "\n")
    return buffer.getvalue()


def quarters(rows: int, folder: Path, *, same_start: bool) -> list[float]:
    """Seconds per row in each quarter of the import."""
    name = f"{rows}-{same_start}"
    db = Database(f"sqlite:///{folder / f'bench-{name}.db'}")
    db.migrate()
    athlete = create_account(db, email="runner@example.org", name="Runner")
    path = folder / f"export-{name}.zip"
    path.write_bytes(export(rows, same_start=same_start))
    quarter = max(1, rows // 4)
    marks = [time.perf_counter()]
    seen = [0]

    def progress(*_: object) -> None:
        seen[0] += 1
        if seen[0] % quarter == 0:
            marks.append(time.perf_counter())

    report = import_paths(db, athlete.id, [path], workers=1, progress=progress)
    db.dispose()
    assert len(report.files) == rows, report.files[:3]
    return [(b - a) / quarter for a, b in itertools.pairwise(marks)]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for same_start, what in ((False, "rows a day apart"), (True, "every row at the same start")):
        with tempfile.TemporaryDirectory() as folder:
            times = quarters(rows, Path(folder), same_start=same_start)
        print(f"{what}, {rows:,} rows:")
        for n, took in enumerate(times):
            ratio = "baseline" if n == 0 else f"{took / times[0]:.2f} x the baseline"
            print(f"  quarter {n + 1}: {took * 1e3:.3f} ms a row ({ratio})")


if __name__ == "__main__":
    main()
