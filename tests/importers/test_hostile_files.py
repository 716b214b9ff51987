"""Hostile files are read within a budget, or refused with a clear message, and the rest of
an import goes on: memory stays a small multiple of the file however it is built, archives
stop at their unpacking budget, nesting, links, ../ names and impossible Strava rows are
refused by name and line. Each file is read in a process of its own (budget_child.py) whose
peak memory is measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from restride.importers import iter_parse
from restride.importers.unpacking import MAX_FILE_BYTES
from tests.importers import hostile
from tests.importers.fitbuild import activity
from tests.importers.test_gpx_tcx import START

CHILD = Path(__file__).with_name("budget_child.py")
MB = 1024 * 1024
HOSTILE_MB = 48  # most of the per-file limit


def read_alone(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(CHILD), str(path)], capture_output=True, text=True, check=True
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def good_run() -> bytes:
    return activity(start=START, seconds=600).to_bytes()


MAKERS = {
    "fit-2-byte-messages": lambda n: hostile.fit_of_tiny_messages(n, timed=False),
    "fit-5-byte-timed-messages": lambda n: hostile.fit_of_tiny_messages(n, timed=True),
    "gpx-tiny-points": hostile.gpx_of_tiny_points,
    "tcx-tiny-points": hostile.tcx_of_tiny_points,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_small_gzip_of_a_hostile_file_is_read_in_a_small_multiple_of_its_size(
    tmp_path: Path, kind: str
) -> None:
    data = MAKERS[kind](HOSTILE_MB * MB)
    path = tmp_path / f"hostile.{kind.split('-')[0]}.gz"
    path.write_bytes(hostile.gzipped(data))
    assert path.stat().st_size < 200 * 1024  # what the attacker uploads

    answer = read_alone(path)

    # The 743 KB .fit.gz took 9.5 GB (33-43 bytes a byte); now a small multiple.
    assert answer["growth_kb"] < 4 * len(data) // 1024, answer["growth_kb"]
    (result,) = answer["results"]
    assert result["problem"] is None or result["problem"].startswith(str(path))
    if result["activities"]:
        assert result["records"] <= 1_000_001


def test_a_file_unpacking_past_the_per_file_limit_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "big.gpx.gz"
    path.write_bytes(hostile.gzipped(hostile.gpx_of_tiny_points(MAX_FILE_BYTES + MB)))

    (result,) = iter_parse(path)

    assert str(result.problem) == f"{path}: decompresses to more than 64 MB"


def test_a_zip_bomb_stops_at_its_budget_and_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(hostile.zip_bomb(good_run()))  # 40 members of 60 MB: 2.4 GB unpacked
    assert path.stat().st_size < 4 * MB

    answer = read_alone(path)

    first, *rest = answer["results"]
    assert first["source"].endswith("bomb.zip!run.fit") and first["activities"] == 1
    last = rest[-1]["problem"]
    assert "(a zip bomb?): stopped here; what came before is kept" in last
    assert len(rest) < 10  # it stopped long before the 40th member
    assert answer["growth_kb"] < 600 * 1024


def test_zips_nest_as_deep_as_garmin_exports_and_no_deeper(tmp_path: Path) -> None:
    fine, deep = tmp_path / "fine.zip", tmp_path / "deep.zip"
    fine.write_bytes(hostile.nested_zip(good_run(), depth=2))
    deep.write_bytes(hostile.nested_zip(good_run(), depth=3))

    (kept,) = iter_parse(fine)
    (refused,) = iter_parse(deep)

    assert len(kept.activities) == 1
    assert str(refused.problem).endswith("!level0.zip: zips nested more than 3 deep")


def test_links_and_names_outside_the_archive_are_refused_and_the_rest_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "odd.zip"
    members = {"../../escape.fit": good_run(), "/abs/run.fit": good_run(), "ok.fit": good_run()}
    path.write_bytes(hostile.zipped(members, links={"link.fit": "/etc/passwd"}))

    results = {r.source.split("!", 1)[1]: r for r in iter_parse(path)}

    assert "outside the archive" in str(results["../../escape.fit"].problem)
    assert "outside the archive" in str(results["/abs/run.fit"].problem)
    assert "symbolic link inside the archive: not followed" in str(results["link.fit"].problem)
    assert len(results["ok.fit"].activities) == 1


def test_strava_rows_with_a_huge_field_or_impossible_dates_are_reported_by_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.zip"
    rows = [
        '1,"Jan 1, 2020, 10:00:00 AM",' + "x" * 200_000 + ",Run,600,1000,",
        "2,0001-01-01 00:00:00,Year one,Run,600,1000,",
        "3,9999-12-31 23:59:59,Year 9999,Run,600,1000,",
        '4,"Jan 4, 2020, 10:00:00 AM",Fine,Run,600,1000,',
    ]
    path.write_bytes(hostile.strava_export(rows))

    results = list(iter_parse(path))

    problems = [str(r.problem).split("activities.csv ", 1)[1] for r in results[:3]]
    assert problems == [
        "line 2: a field longer than 128 KB: not a Strava export row",
        "line 3: Activity Date starts in 1, before 1985: the device's clock was wrong",
        "line 4: Activity Date starts in 9999, after 2100: the device's clock was wrong",
    ]
    assert results[3].ok and results[3].activities[0].name == "Fine"


@pytest.mark.parametrize("when", ["9999-12-31T23:00:00Z", "2150-01-01T00:00:00Z"])
def test_an_activity_file_dated_past_2100_is_refused_with_the_year(
    tmp_path: Path, when: str
) -> None:
    path = tmp_path / "future.gpx"
    point = f'<trkpt lat="1" lon="2"><time>{when}</time></trkpt>'
    path.write_text(f"<gpx><trk><trkseg>{point * 3}</trkseg></trk></gpx>")

    (result,) = iter_parse(path)

    year = when[:4]
    assert (
        str(result.problem) == f"{path}: starts in {year}, after 2100: the device's clock was wrong"
    )


def test_a_big_fit_file_the_fast_decoder_refuses_is_read_to_that_point_not_by_the_slow_one(
    tmp_path: Path,
) -> None:
    """fitdecode reads half a megabyte a second: a big file would hold an import (and the
    fuzzer found some that did). Past 256 KB the fast decoder reads up to the odd byte instead."""
    from restride.importers.fit import read_fit
    from restride.importers.fit_fitdecode import MAX_BYTES

    data = hostile.fit_with_an_odd_architecture_byte(2 * MAX_BYTES)

    contents = read_fit(data, "big.fit")

    assert contents.decoder == "numpy" and contents.partial
    assert any("architecture byte 2" in w for w in contents.warnings), contents.warnings
    small = read_fit(hostile.fit_with_an_odd_architecture_byte(MAX_BYTES // 4), "small.fit")
    assert small.decoder == "fitdecode"
