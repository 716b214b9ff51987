"""Strava bulk exports: activities.csv in both layouts, its files gzipped or not, gear."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from typing import TYPE_CHECKING

import pytest

from restride.importers import iter_parse
from restride.importers.strava import merge_sport, read_rows
from tests.importers import fitbuild as fb
from tests.importers.test_gpx_tcx import gpx, gpx_points

if TYPE_CHECKING:
    from pathlib import Path

START = dt.datetime(2023, 3, 1, 6, 0, tzinfo=dt.UTC)

# The 2025 layout repeats names; these are the columns the importer reads, in Strava's order.
HEADER_2025 = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Max Heart Rate", "Average Heart Rate",
]  # fmt: skip


def row_2025(activity_id: str, kind: str, gear: str, filename: str) -> list[str]:
    return [
        activity_id, "Mar 1, 2023, 6:00:00 AM", f"{kind} {activity_id}", kind, "",
        "1800", "5.01", "171", "", "false", "", gear, filename, "", "", "1800.0", "1700.0",
        "5012.5", "4.1", "2.9", "42.0", "171.0", "150.0",
    ]  # fmt: skip


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def export(tmp_path: Path, csv_body: str, files: dict[str, bytes], root: str = "") -> Path:
    path = tmp_path / "export_12345.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(root + "activities.csv", csv_body)
        for name, data in files.items():
            z.writestr(root + name, data)
    return path


def test_a_2025_export_reads_each_file_with_the_csv_name_gear_and_type(tmp_path: Path) -> None:
    body = csv_text(
        HEADER_2025,
        [
            row_2025("101", "Run", "Pegasus 40", "activities/101.gpx.gz"),
            row_2025("102", "TrailRun", "Speedgoat 5", "activities/102.fit.gz"),
            row_2025("103", "Ride", "", "activities/103.gpx"),
        ],
    )
    files = {
        "activities/101.gpx.gz": gzip.compress(gpx(gpx_points(10), kind="9")),
        "activities/102.fit.gz": gzip.compress(fb.activity(start=START).to_bytes()),
        "activities/103.gpx": gpx(gpx_points(10), kind="running"),  # the athlete changed it
        "media/photo.jpg": b"\xff\xd8\xff",
    }

    results = list(iter_parse(export(tmp_path, body, files)))

    run, trail, ride = (r.activities[0] for r in results)
    assert (run.name, run.gear, run.sport) == ("Run 101", "Pegasus 40", "running")
    assert (trail.sport, trail.gear, trail.device) == (
        "trail_running",
        "Speedgoat 5",
        "garmin fr945",
    )
    assert (ride.sport, ride.gear) == ("cycling", None)
    assert results[0].source.endswith("export_12345.zip!activities/101.gpx.gz")


def test_a_2018_export_and_a_row_entered_by_hand(tmp_path: Path) -> None:
    body = (
        "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        "7,2014-09-12 16:54:28,Evening Ride,Ride,,9462,43057.4,false,Trek,activities/7.gpx\n"
        '8,2016-11-15 11:28:35,Lunch Run,Run,"",1560,7800.0,false,,\n'
    )
    files = {"activities/7.gpx": gpx(gpx_points(5), kind="1")}

    ride, manual = iter_parse(export(tmp_path, body, files, root="export_7/"))

    assert ride.activities[0].gear == "Trek"
    (typed,) = manual.activities
    assert typed.start == dt.datetime(2016, 11, 15, 11, 28, 35, tzinfo=dt.UTC)
    assert (typed.sport, typed.duration_s, typed.distance_m) == ("running", 1560.0, 7800.0)
    assert typed.samples is None
    assert "entered by hand" in typed.warnings[0]


def test_a_listed_file_missing_from_the_archive_is_an_error_for_that_row(tmp_path: Path) -> None:
    body = csv_text(HEADER_2025, [row_2025("1", "Run", "", "activities/1.fit.gz")])

    (result,) = iter_parse(export(tmp_path, body, {}))

    assert result.failed
    assert "activities/1.fit.gz, which the archive does not hold" in str(result.problem)
    assert "activities.csv line 2" in str(result.problem)


def test_repeated_column_names_take_the_metres_and_the_first_elapsed_time() -> None:
    (row,) = read_rows(csv_text(HEADER_2025, [row_2025("1", "Run", "G", "")]).splitlines())

    assert row.distance_m == 5012.5
    assert row.elapsed_s == 1800.0
    assert (row.moving_s, row.elevation_gain_m, row.avg_hr, row.max_hr) == (
        1700.0,
        42.0,
        150.0,
        171.0,
    )


@pytest.mark.parametrize(
    ("from_file", "from_csv", "expected"),
    [
        ("running", "trail_running", "trail_running"),
        ("trail_running", "running", "trail_running"),
        ("other", "walking", "walking"),
        ("cycling", "running", "running"),
        ("running", None, "running"),
    ],
)
def test_the_csv_type_wins_unless_the_file_says_more(
    from_file: str, from_csv: str | None, expected: str
) -> None:
    assert merge_sport(from_file, from_csv) == expected  # type: ignore[arg-type]
