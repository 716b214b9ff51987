"""The record as CSV: read back by pandas, each table holds what was stored."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from restride.domain.case import PAIN_FIELDS
from restride.exports import csv_export
from restride.services import exports
from tests.exports.records import CLINICIAN, NOTE, add_activity

if TYPE_CHECKING:
    from restride.storage.database import Database
    from tests.exports.records import Stored


def read(files: list[exports.ExportFile], name: str) -> pd.DataFrame:
    data = next(f.data for f in files if f.name == name)
    return pd.read_csv(io.BytesIO(data), encoding="utf-8", keep_default_na=False, na_values=[""])


def values(column: pd.Series) -> list[object]:
    """The column's values, an empty cell as None (pandas reads it as NaN)."""
    return [None if pd.isna(v) else v for v in column]


@pytest.fixture(scope="module")
def tables(runner: Stored) -> list[exports.ExportFile]:
    return exports.record_tables(runner.db, runner.athlete.id)


def test_the_csv_files_are_the_four_tables_each_with_a_header_row(
    tables: list[exports.ExportFile],
) -> None:
    assert [f.name for f in tables] == [
        "checkins.csv",
        "sessions.csv",
        "clinician-events.csv",
        "activities.csv",
    ]
    for export in tables:
        columns = csv_export.TABLES[export.name.removesuffix(".csv")]
        assert export.data.decode("utf-8").splitlines()[0] == ",".join(columns)
    assert read(tables, "activities.csv").empty


def test_checkins_round_trip_every_version(
    runner: Stored, tables: list[exports.ExportFile]
) -> None:
    frame = read(tables, "checkins.csv")
    case = runner.case
    assert len(frame) == len(case.checkins) + 1  # the last day's check-in was edited once
    last = frame[frame["date"] == case.today.isoformat()].sort_values("version")
    assert last["version"].tolist() == [1, 2]
    assert last["notes"].iloc[0] == "sore?"
    assert pd.isna(last["notes"].iloc[1])  # an empty cell: no note
    current = frame.drop_duplicates("date", keep="last").reset_index(drop=True)
    assert current["date"].tolist() == [c.date.isoformat() for c in case.checkins]
    for field in PAIN_FIELDS:
        assert values(current[field]) == [getattr(c, field) for c in case.checkins], field
    for field in ("limp", "bone_tenderness", "can_bear_weight"):
        assert current[field].tolist() == [getattr(c, field) for c in case.checkins], field
    assert (frame["episode"] == 1).all()
    recorded = pd.to_datetime(frame["recorded_at"])
    assert all(moment.tzinfo is not None for moment in recorded)


def test_sessions_and_clinician_events_round_trip(
    runner: Stored, tables: list[exports.ExportFile]
) -> None:
    sessions = read(tables, "sessions.csv")
    case = runner.case
    assert sessions["date"].tolist() == [s.date.isoformat() for s in case.sessions]
    assert sessions["kind"].tolist() == [s.kind for s in case.sessions]
    for field in ("planned_min", "done_min", "run_min", "pain_during", "pain_after", "test"):
        assert values(sessions[field]) == [getattr(s, field) for s in case.sessions], field
    assert "test" in sessions["kind"].tolist()  # the hop test, a session of its own

    events = read(tables, "clinician-events.csv")
    assert events["date"].tolist() == [e.date.isoformat() for e in case.clinician_events]
    assert events["kind"].tolist() == [e.kind for e in case.clinician_events]
    assert events["reason"].tolist() == [e.reason for e in case.clinician_events]
    note = events[events["kind"] == "note"].iloc[0]
    assert (note["reason"], note["clinician"]) == (NOTE, CLINICIAN)


def test_an_imported_activity_is_one_row_with_utc_time_and_its_shoe(stored: Stored) -> None:
    db: Database = stored.db
    add_activity(db, stored.athlete.id, shoe="Trail, 2nd pair")
    frame = read(exports.record_tables(db, stored.athlete.id), "activities.csv")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert pd.Timestamp(row["start_time"]) == pd.Timestamp("2026-06-20T07:30:00Z")
    assert (row["sport"], row["distance_m"], row["avg_hr"]) == ("running", 5012.5, 141.0)
    assert row["shoe"] == "Trail, 2nd pair"
    assert pd.isna(row["max_hr"])


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised() -> None:
    data = csv_export.table_csv(
        ["notes", "pain"],
        [{"notes": '=HYPERLINK("http://x")', "pain": -1}, {"notes": "fine, thanks", "pain": 0}],
    )
    frame = pd.read_csv(io.BytesIO(data))
    assert frame["notes"].tolist() == ['\'=HYPERLINK("http://x")', "fine, thanks"]
    assert frame["pain"].tolist() == [-1, 0]  # numbers are never touched
