"""Does a Strava export's import stay linear in its rows? Times per row at N and 4N rows.

Run it with `.venv/bin/python benchmarks/strava_rows_bench.py [N]` (default 2,000). It makes a
Strava export zip of N hand-entered activities (rows without a file: each one a database
write and a search for its twins), imports it into a fresh SQLite database, then does the
same with 4N rows, and prints the time per row of each, the second beside the first. Linear
work gives a ratio near 1; quadratic work (each row scanning all the rows before it, as the
twins' search did once) gives a ratio near 4. It does so twice: rows a day apart, as real
exports are, and every row at the same start (a hostile export: each row a near twin of all
the rows before it). The script is a measurement: it always exits 0.
"""

from __future__ import annotations

import datetime as dt
import io
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


def seconds_per_row(rows: int, folder: Path, *, same_start: bool) -> float:
    name = f"{rows}-{same_start}"
    db = Database(f"sqlite:///{folder / f'bench-{name}.db'}")
    db.migrate()
    athlete = create_account(db, email="runner@example.org", name="Runner")
    path = folder / f"export-{name}.zip"
    path.write_bytes(export(rows, same_start=same_start))
    began = time.perf_counter()
    report = import_paths(db, athlete.id, [path], workers=1)
    took = time.perf_counter() - began
    db.dispose()
    assert len(report.files) == rows, report.files[:3]
    return took / rows


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    for same_start, what in ((False, "a row a day"), (True, "every row at the same start")):
        with tempfile.TemporaryDirectory() as folder:
            base = seconds_per_row(rows, Path(folder), same_start=same_start)
            big = seconds_per_row(4 * rows, Path(folder), same_start=same_start)
        print(f"{what}:")
        print(f"  {rows:>8,} rows: {base * 1e3:.3f} ms a row (baseline)")
        print(f"  {4 * rows:>8,} rows: {big * 1e3:.3f} ms a row ({big / base:.2f} x the baseline)")


if __name__ == "__main__":
    main()
