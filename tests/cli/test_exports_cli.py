"""The export commands at the terminal: export-calendar, export-workouts, export-csv, report.

Each drives the real CLI against a real database (SQLite and PostgreSQL through `database`)
holding a runner written through the services, and reads what it wrote with a reader of its own.
"""

from __future__ import annotations

import io
import os
import stat
from typing import TYPE_CHECKING

import fitdecode
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from restride.cli import app
from tests.cli.test_daily import refused
from tests.exports.icsread import read_calendar
from tests.exports.records import runner_history, store_runner

if TYPE_CHECKING:
    from pathlib import Path

    from restride.domain.case import Case
    from restride.domain.protocol import Protocol
    from restride.storage.database import Database
    from tests.exports.records import Stored

EXPORT_COMMANDS = ["export-calendar", "export-workouts", "export-csv", "report"]


@pytest.fixture(scope="module")
def runner_case(protocol: Protocol) -> Case:
    return runner_history(protocol)


@pytest.fixture
def stored(database: Database, runner_case: Case) -> Stored:
    return store_runner(database, runner_case)


def restride(stored_or_url: Stored | str, *args: str, today: str | None = None) -> Result:
    if isinstance(stored_or_url, str):
        url, day = stored_or_url, today or "2026-06-21"
    else:
        url, day = stored_or_url.db.url, today or stored_or_url.today.isoformat()
    env = {"RESTRIDE_DATABASE_URL": url, "RESTRIDE_TODAY": day}
    return CliRunner().invoke(app, list(args), env=env)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return " ".join(result.stdout.split())


def private(path: Path) -> bool:
    return os.name != "posix" or stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_export_commands_are_listed_in_help() -> None:
    output = CliRunner().invoke(app, ["--help"]).stdout
    for command in EXPORT_COMMANDS:
        assert command in output


def test_export_calendar_writes_the_plan_as_an_ics_file(stored: Stored, tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    said = ok(restride(stored, "export-calendar", str(target), "--weeks", "2"))
    calendar = read_calendar(target.read_bytes())
    events = calendar.all("VEVENT")
    assert f"Wrote {target}: {len(events)} events over 2 weeks." in said
    assert any(e.text("SUMMARY").startswith("Walk-run: 12 ×") for e in events)
    assert private(target)
    # Standard output gives the same calendar.
    assert restride(stored, "export-calendar", "--weeks", "2").stdout_bytes == target.read_bytes()


def test_export_workouts_writes_fit_files_into_a_folder_it_makes(
    stored: Stored, tmp_path: Path
) -> None:
    folder = tmp_path / "watch" / "workouts"
    said = ok(restride(stored, "export-workouts", str(folder), "--weeks", "3"))
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "run-week-01.fit"
    assert f"Wrote {len(names)} workouts to {folder}" in said
    with fitdecode.FitReader(io.BytesIO((folder / names[0]).read_bytes())) as reader:
        kinds = [f.name for f in reader if isinstance(f, fitdecode.FitDataMessage)]
    assert kinds[:2] == ["file_id", "workout"] and kinds.count("workout_step") == 5


def test_export_csv_writes_the_four_tables(stored: Stored, tmp_path: Path) -> None:
    ok(restride(stored, "export-csv", str(tmp_path / "csv")))
    found = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert found == ["activities.csv", "checkins.csv", "clinician-events.csv", "sessions.csv"]
    checkins = pd.read_csv(tmp_path / "csv" / "checkins.csv")
    assert len(checkins) == len(stored.case.checkins) + 1  # one edit
    assert private(tmp_path / "csv" / "checkins.csv")


def test_report_writes_html_or_pdf_as_the_suffix_or_format_says(
    stored: Stored, tmp_path: Path
) -> None:
    ok(restride(stored, "report", str(tmp_path / "report.html")))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Walking program" in html
    ok(restride(stored, "report", str(tmp_path / "report.pdf")))
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    ok(restride(stored, "report", "--format", "html", str(tmp_path / "report.txt")))
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == html


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["export-calendar", "--weeks", "0"], ["--weeks", "1-52"]),
        (["export-workouts", "{tmp}", "--weeks", "53"], ["--weeks", "got 53"]),
        (["export-workouts", "{file}"], ["not a folder"]),
        (["export-csv", "{file}"], ["not a folder"]),
        (["export-calendar", "{tmp}"], ["is a folder"]),
        (["report", "{tmp}/report.txt"], ["--format html or --format pdf"]),
        (["report", "{tmp}/missing/report.html"], ["no folder"]),
        (["export-calendar", "{tmp}/plan.ics"], ["no athlete yet"]),
        (["report", "{tmp}/r.pdf", "--athlete", "nobody@example.org"], ["no account"]),
    ],
)
def test_export_commands_refuse_bad_input_in_one_line_and_write_nothing(
    database: Database, tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    (tmp_path / "a-file").write_text("here before", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    filled = [a.format(tmp=tmp_path, file=tmp_path / "a-file") for a in args]
    refused(restride(database.url, *filled), *fragments)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
