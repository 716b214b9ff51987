"""The registry: formats sniffed from bytes, archives opened, problems returned as results."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import pickle
import zipfile
from typing import TYPE_CHECKING

import pytest

from restride.importers import (
    ImportFileError,
    NotAnActivity,
    iter_parse,
    parse_bytes,
    parse_many,
    parse_path,
    sniff,
)
from tests.importers import fitbuild as fb
from tests.importers.test_gpx_tcx import gpx, gpx_points, tcx, tcx_activity

if TYPE_CHECKING:
    from pathlib import Path

START = dt.datetime(2024, 5, 4, 7, 30, tzinfo=dt.UTC)
FIT = fb.activity(start=START).to_bytes()
GPX = gpx(gpx_points(5))
TCX = tcx(tcx_activity(START))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (FIT, "fit"),
        (GPX, "gpx"),
        (TCX, "tcx"),
        (b"\xef\xbb\xbf  " + TCX, "tcx"),
        (b"<?xml version='1.0'?><!-- made by hand --><gpx/>", "gpx"),
        (gzip.compress(FIT), "gzip"),
        (b"PK\x03\x04rest", "zip"),
        (b"Activity ID,Activity Date,Filename\n", "csv"),
        (b"<html></html>", ""),
        (b"hello", ""),
    ],
)
def test_the_format_comes_from_the_bytes(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_a_file_named_wrongly_is_read_for_what_it_is_and_says_so() -> None:
    result = parse_bytes(GPX, "export.fit")

    assert result.format == "gpx"
    (run,) = result.activities
    assert run.warnings[0] == "named like a FIT file but holds GPX: read as such"


def test_gzipped_files_are_read_and_a_cut_gzip_keeps_what_came_before() -> None:
    whole = parse_bytes(gzip.compress(FIT), "run.fit.gz")
    assert whole.format == "fit" and not whole.activities[0].partial

    cut = parse_bytes(gzip.compress(FIT)[:-40], "run.fit.gz")

    (run,) = cut.activities
    assert run.partial
    assert "gzip file cut short: read what came before the break" in run.warnings


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"just some text", "not FIT, GPX or TCX"),
        (gzip.compress(b""), "empty file"),
        (gzip.compress(FIT)[:10] + b"\xff" * 50, "damaged gzip"),
        (gzip.compress(FIT)[:12], "gzip file cut short"),
    ],
)
def test_unreadable_input_raises_an_error_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(ImportFileError, match=reason) as caught:
        parse_bytes(data, "upload.bin")
    assert caught.value.file == "upload.bin"


def test_a_strava_csv_alone_points_to_the_whole_export() -> None:
    with pytest.raises(NotAnActivity, match="import the whole export"):
        parse_bytes(b"Activity ID,Activity Date,Activity Name\n1,x,y\n", "activities.csv")


def test_parse_path_reads_a_file_and_refuses_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "run.fit"
    path.write_bytes(FIT)
    assert parse_path(path).activities[0].source == str(path)

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("run.fit", FIT)
    with pytest.raises(ImportFileError, match="iter_parse"):
        parse_path(archive)


def test_a_missing_file_is_an_error_result_not_an_exception(tmp_path: Path) -> None:
    (result,) = iter_parse(tmp_path / "nope.fit")

    assert result.failed and "cannot read the file" in str(result.problem)


def test_a_plain_zip_of_activity_files_yields_one_result_each(tmp_path: Path) -> None:
    archive = tmp_path / "mixed.zip"
    settings = fb.FitWriter().define(0, fb.FILE_ID, [(0, "enum")]).message(0, fb.FILE_SETTINGS)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/run.fit", FIT)
        z.writestr("b/run.gpx.gz", gzip.compress(GPX))
        z.writestr("c/run.tcx", TCX)
        z.writestr("settings.fit", settings.to_bytes())
        z.writestr("broken.fit", FIT[:20])
        z.writestr("notes.json", json.dumps({"not": "an activity"}))

    results = {r.source.rpartition("!")[2]: r for r in iter_parse(archive)}

    assert set(results) == {"a/run.fit", "b/run.gpx.gz", "c/run.tcx", "settings.fit", "broken.fit"}
    assert [results[n].format for n in ("a/run.fit", "b/run.gpx.gz", "c/run.tcx")] == [
        "fit",
        "gpx",
        "tcx",
    ]
    assert results["settings.fit"].skipped
    assert results["broken.fit"].failed
    assert results["a/run.fit"].activities[0].source == f"{archive}!a/run.fit"


def test_garmin_exports_nest_zips_inside_the_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("12345_ACTIVITY.fit", FIT)
        z.writestr("67890_ACTIVITY.fit", fb.activity(start=START, sport=fb.CYCLING).to_bytes())
    archive = tmp_path / "garmin.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
        z.writestr("DI_CONNECT/DI-Connect-Fitness/summary.json", "{}")

    results = list(iter_parse(archive))

    assert [r.activities[0].sport for r in results] == ["running", "cycling"]
    assert results[0].source.endswith("Part1.zip!12345_ACTIVITY.fit")


def test_results_and_problems_survive_pickling_for_worker_processes() -> None:
    ok = parse_bytes(FIT, "run.fit")
    problem = ImportFileError("x.fit", "cut short", "byte 12")

    # loads only what the test itself just dumped
    assert pickle.loads(pickle.dumps(ok)).activities[0].distance_m == ok.activities[0].distance_m  # noqa: S301
    again = pickle.loads(pickle.dumps(problem))  # noqa: S301
    assert (again.file, again.reason, again.record, str(again)) == (
        "x.fit",
        "cut short",
        "byte 12",
        "x.fit: cut short (at byte 12)",
    )


def test_parse_many_on_two_processes_gives_what_one_gives(tmp_path: Path) -> None:
    paths = []
    for i, data in enumerate([FIT, GPX, TCX, b"junk", FIT[:30]] * 2):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(data)
        paths.append(path)

    one = [(r.source, r.format, r.ok, r.records) for r in parse_many(paths, workers=1)]
    two = [(r.source, r.format, r.ok, r.records) for r in parse_many(paths, workers=2)]

    assert one == two
    assert [ok for _, _, ok, _ in one].count(True) == 6
