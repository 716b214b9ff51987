"""Exports for the runner's calendar, watch and therapist (commands registered on `app`):
export-calendar, export-workouts, export-csv and report.

Each file is written whole or not at all (a temporary file, then a rename), private to the
user like the database. The export services are imported inside each command: their libraries
(icalendar, fit-tool, Jinja2, WeasyPrint) would slow every other command's start.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from restride.cli.app import app, fail, local_athlete, out
from restride.cli.app import today as current_day
from restride.cli.archive import write_atomically
from restride.cli.daily import AthleteOption
from restride.cli.prompts import opened

if TYPE_CHECKING:
    from restride.services.exports import ExportFile

MAX_WEEKS = 52


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


WeeksOption = Annotated[int, typer.Option(help=f"How many weeks ahead, 1-{MAX_WEEKS}.")]
SUFFIXES = {".html": ReportFormat.html, ".htm": ReportFormat.html, ".pdf": ReportFormat.pdf}


@app.command("export-calendar")
def export_calendar(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Write the calendar to this file (.ics); `-` or nothing: standard output.",
            show_default=False,
        ),
    ] = None,
    weeks: WeeksOption = 12,
    athlete: AthleteOption = None,
) -> None:
    """The coming weeks as an iCalendar file: each session on its day, each next phase's start.

    Dates assume pain-free days; import a newer file and its events replace the old ones.
    """
    from restride.services import exports

    _check_weeks(weeks)
    target = None if file in (None, "-") else _writable(file)
    with opened() as db:
        account = local_athlete(db, athlete)
        data = exports.plan_calendar(db, account.id, today=current_day(), weeks=weeks)
    if target is None:
        stream = typer.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()
        return
    _write(target, data)
    events = data.count(b"BEGIN:VEVENT")
    out.print(
        f"Wrote {escape(str(target))}: {events} events over {weeks} weeks.",
        highlight=False,
        soft_wrap=True,
    )


@app.command("export-workouts")
def export_workouts(
    directory: Annotated[
        str, typer.Argument(metavar="DIR", help="The folder for the .fit files (made if need be).")
    ],
    weeks: WeeksOption = 12,
    athlete: AthleteOption = None,
) -> None:
    """Today's and the coming weeks' walk-run and run sessions as FIT workouts for a watch.

    One file per distinct session, named after its phase and week: run-week-01.fit.
    """
    from restride.services import exports

    _check_weeks(weeks)
    folder = _folder(directory)
    with opened() as db:
        account = local_athlete(db, athlete)
        files = exports.plan_workouts(db, account.id, today=current_day(), weeks=weeks)
    if not files:
        out.print(
            f"No walk-run or run session in the next {weeks} weeks: no workout written.",
            highlight=False,
        )
        return
    _write_all(folder, files)
    out.print(
        f"Wrote {len(files)} workouts to {escape(str(folder))}: "
        + ", ".join(f.name for f in files),
        highlight=False,
        soft_wrap=True,
    )


@app.command("export-csv")
def export_csv(
    directory: Annotated[
        str, typer.Argument(metavar="DIR", help="The folder for the .csv files (made if need be).")
    ],
    athlete: AthleteOption = None,
) -> None:
    """Check-ins (every version), sessions, clinician events and activities as CSV files."""
    from restride.services import exports

    folder = _folder(directory)
    with opened() as db:
        account = local_athlete(db, athlete)
        files = exports.record_tables(db, account.id)
    _write_all(folder, files)
    out.print(
        f"Wrote {', '.join(f.name for f in files)} to {escape(str(folder))}.",
        highlight=False,
        soft_wrap=True,
    )


@app.command("report")
def report_command(
    file: Annotated[
        str,
        typer.Argument(help="Write the report to this file (.html or .pdf); `-`: standard output."),
    ],
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format", help="html or pdf (default: from the file's suffix).", show_default=False
        ),
    ] = None,
    athlete: AthleteOption = None,
) -> None:
    """A report for your therapist or doctor, as HTML or PDF.

    Today's decision and why, the pain chart, the phases, adherence, red flags and events.
    """
    from restride.services import exports

    target = None if file == "-" else _writable(file)
    if fmt is None:
        if target is None:
            fmt = ReportFormat.html
        elif target.suffix.lower() in SUFFIXES:
            fmt = SUFFIXES[target.suffix.lower()]
        else:
            fail(f"{file}: say --format html or --format pdf (the suffix does not tell)")
    with opened() as db:
        account = local_athlete(db, athlete)
        now = current_day()
        if fmt is ReportFormat.pdf:
            data = exports.report_pdf(db, account.id, today=now)
        else:
            data = exports.report_html(db, account.id, today=now).encode("utf-8")
    if target is None:
        stream = typer.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()
        return
    _write(target, data)
    out.print(f"Wrote the report to {escape(str(target))}.", highlight=False, soft_wrap=True)


def _check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_WEEKS:
        fail(f"--weeks: must be 1-{MAX_WEEKS} (got {weeks})")


def _writable(file: str) -> Path:
    """The file's path, refused up front when it could not be written (before the work)."""
    path = Path(file)
    if path.is_dir():
        fail(f"{file}: is a folder; give a file name")
    if not path.parent.is_dir():
        fail(f"{file}: no folder {path.parent}")
    return path


def _folder(directory: str) -> Path:
    """The folder's path, refused up front when it is a file; it is made only when written to."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        fail(f"{directory}: not a folder")
    return folder


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomically(path, data)
    except OSError as exc:
        fail(f"{path}: cannot write it: {exc.strerror or exc}")


def _write_all(folder: Path, files: list[ExportFile]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{folder}: cannot make the folder: {exc.strerror or exc}")
    for export in files:
        _write(folder / export.name, export.data)
