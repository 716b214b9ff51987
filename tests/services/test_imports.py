"""Importing activity files into a real database (SQLite and PostgreSQL): idempotent, the same
activity from two sources kept once, cut-off files kept partial, interrupted imports resumed."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from restride.services import athletes
from restride.services.imports import ImportReport, expand, import_paths
from restride.storage import tables as t
from tests.importers import fitbuild as fb
from tests.importers.conftest import corpus  # noqa: F401 - the corpus fixture
from tests.importers.test_gpx_tcx import START, gpx, gpx_points
from tests.importers.test_strava import HEADER_2025, csv_text, export, row_2025

if TYPE_CHECKING:
    from pathlib import Path

    from restride.storage.database import Database

# A few real files, each a different writer and format.
FILES = [
    "fit/runalyze__garmin-runPower-2.fit",  # running dynamics
    "fit/sportslib__4623204522.fit",  # a triathlon: three activities in one file
    "gpx/runalyze__standard.gpx",
    "tcx/runalyze__Standard.tcx",
    "fit/fitparse__Settings.fit",  # not an activity
    "fit/sportslib__others__empty-sessions.fit",  # 0 bytes
]


def athlete(db: Database) -> str:
    return athletes.create_account(db, email="c@example.org", name="C").id


def count(db: Database, table: type[t.Base] = t.Activity) -> int:
    with db.transaction() as tx:
        return int(tx.scalar(select(func.count()).select_from(table)) or 0)


def statuses(report: ImportReport) -> dict[str, str]:
    return {f.source.rsplit("/", 1)[-1]: f.status for f in report.files}


def rows(db: Database) -> list[t.Activity]:
    with db.transaction() as tx:
        return list(tx.scalars(select(t.Activity).order_by(t.Activity.start_time)))


def test_real_files_import_with_their_details_and_reasons(database: Database, corpus: Path) -> None:  # noqa: F811
    report = import_paths(database, athlete(database), [corpus / f for f in FILES], workers=2)

    assert statuses(report) == {
        "runalyze__garmin-runPower-2.fit": "imported",
        "sportslib__4623204522.fit": "imported",
        "runalyze__standard.gpx": "imported",
        "runalyze__Standard.tcx": "imported",
        "fitparse__Settings.fit": "skipped",
        "sportslib__others__empty-sessions.fit": "failed",
    }
    assert report.having("skipped")[0].reason == "FIT file holds device settings"
    assert report.having("failed")[0].reason == "empty file (0 bytes)"
    assert report.records > 10_000
    stored = rows(database)
    assert len(stored) == len(report.new_activity_ids) == 6  # the triathlon is three
    triathlon = [r for r in stored if r.source.endswith("4623204522.fit")]
    assert sorted(r.part for r in triathlon) == [0, 1, 2]
    assert len({r.content_hash for r in triathlon}) == 3
    power = next(r for r in stored if r.source.endswith("runPower-2.fit"))
    assert (power.sport, power.partial, power.warnings) == ("running", False, "")
    assert power.gct_ms_avg == pytest.approx(271.3, abs=0.1)
    assert power.stance_balance_left_pct_avg == pytest.approx(50.62, abs=0.01)


def test_importing_the_same_files_again_stores_nothing(database: Database, corpus: Path) -> None:  # noqa: F811
    runner = athlete(database)
    paths = [corpus / f for f in FILES]
    import_paths(database, runner, paths, workers=1)
    before = count(database)

    again = import_paths(database, runner, paths, workers=2)

    assert count(database) == before
    assert again.new_activity_ids == [] and not again.having("imported")
    assert len(again.having("duplicate")) == 4
    assert all(f.reason.startswith("already imported from ") for f in again.having("duplicate"))


def test_a_cut_off_fit_keeps_its_records_marked_partial_until_the_whole_file_comes(
    database: Database,
    corpus: Path,  # noqa: F811
) -> None:
    runner = athlete(database)

    cut = import_paths(
        database, runner, [corpus / "fit/derived__truncated50__with-new-dynamics.fit"]
    )

    (outcome,) = cut.files
    assert (outcome.status, outcome.partial) == ("imported", True)
    assert any("cut short" in w for w in outcome.warnings)
    (row,) = rows(database)
    assert row.partial and "cut short" in row.warnings
    assert row.duration_s == pytest.approx(4206, abs=1)  # what came before the break
    assert row.stance_balance_left_pct_avg == pytest.approx(51.9, abs=0.1)

    whole = import_paths(database, runner, [corpus / "fit/runalyze__with-new-dynamics.fit"])

    assert whole.files[0].status == "imported"
    assert whole.files[0].reason.startswith("replaced the partial copy from ")
    (row,) = rows(database)
    assert not row.partial and row.duration_s == pytest.approx(8403, abs=1)


def test_the_same_run_as_fit_and_as_gpx_is_stored_once(database: Database, tmp_path: Path) -> None:
    runner = athlete(database)
    fit = tmp_path / "watch.fit"
    fit.write_bytes(fb.activity(start=START, seconds=600).to_bytes())
    made = tmp_path / "website.gpx"
    made.write_bytes(gpx(gpx_points(61)))  # the same 600 s, a point every 10 s

    report = import_paths(database, runner, [fit, made])

    assert statuses(report) == {"watch.fit": "imported", "website.gpx": "duplicate"}
    reason = report.having("duplicate")[0].reason
    assert reason.startswith(f"the same activity as {fit} (starts 0 s apart)")
    assert "added name" in reason  # the GPX has a name, the FIT none
    (row,) = rows(database)
    assert (row.source, row.name) == (str(fit), "Morning Run")


def test_a_strava_export_adds_gear_to_a_run_imported_before_and_makes_shoes(
    database: Database, tmp_path: Path
) -> None:
    runner = athlete(database)
    fit_bytes = fb.activity(start=START, seconds=600).to_bytes()
    (tmp_path / "watch.fit").write_bytes(fit_bytes)
    import_paths(database, runner, [tmp_path / "watch.fit"])
    later = START.replace(day=3).strftime("%b %-d, %Y, %-I:%M:%S %p")
    body = csv_text(
        HEADER_2025,
        [
            row_2025("101", "Run", "Pegasus 40", "activities/101.fit.gz"),
            [*row_2025("102", "Run", "Vibram FiveFingers", "")[:1], later,
             *row_2025("102", "Run", "Vibram FiveFingers", "")[2:]],
        ],
    )  # fmt: skip
    archive = export(tmp_path, body, {"activities/101.fit.gz": gzip.compress(fit_bytes)})

    report = import_paths(database, runner, [archive])

    assert [f.status for f in report.files] == ["duplicate", "imported"]
    assert report.files[0].reason.endswith("; added name, gear")
    assert sorted(report.shoes_created) == ["Pegasus 40", "Vibram FiveFingers"]
    with database.transaction() as tx:
        shoes = dict(tx.execute(select(t.Shoe.name, t.Shoe.id)).all())
        worn = sorted(
            (r.gear_name, r.shoe_id == shoes[r.gear_name]) for r in tx.scalars(select(t.Activity))
        )
    assert worn == [("Pegasus 40", True), ("Vibram FiveFingers", True)]


def test_an_interrupted_import_carries_on_where_it_stopped(
    database: Database,
    corpus: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    runner = athlete(database)
    folder = tmp_path / "watch"
    folder.mkdir()
    for name in sorted((corpus / "fit").glob("runalyze__*.fit"))[:12]:
        shutil.copy(name, folder)
    files, _ = expand([folder])
    first = import_paths(database, runner, files[:5], workers=2)  # then the power went off

    rest = import_paths(database, runner, [folder], workers=2)

    done_before = {f.source for f in first.files if f.status == "imported"}
    assert {f.source for f in rest.having("duplicate")} >= done_before
    assert not done_before & {f.source for f in rest.having("imported")}
    assert count(database) == len(first.new_activity_ids) + len(rest.new_activity_ids)


def test_a_folder_walk_skips_what_is_not_named_like_an_activity(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("easy week")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "run.FIT").write_bytes(b"")

    files, passed = expand([tmp_path, tmp_path / "missing.gpx"])

    assert files == [str(tmp_path / "run.FIT")]
    assert [(p.source.rsplit("/", 1)[-1], p.status) for p in passed] == [
        ("notes.txt", "skipped"),
        ("missing.gpx", "failed"),
    ]


def test_the_whole_corpus_imports_with_every_file_accounted_for(
    database: Database,
    corpus: Path,  # noqa: F811
) -> None:
    runner = athlete(database)

    report = import_paths(database, runner, [corpus], workers=2)

    by_status = {s: report.having(s) for s in ("imported", "duplicate", "skipped", "failed")}
    assert sum(map(len, by_status.values())) == len(report.files) >= 290
    assert len(by_status["imported"]) >= 200
    assert all(f.reason for f in by_status["failed"] + by_status["skipped"])
    assert {"README.md", "MANIFEST.tsv"} <= {
        f.source.rsplit("/", 1)[-1] for f in by_status["skipped"]
    }
    assert count(database) == len(report.new_activity_ids)
    # Cut-off copies stay partial, unless the whole file came later and took their place.
    replaced = [f for f in by_status["imported"] if "replaced the partial copy" in f.reason]
    assert replaced
    partial = [r for r in rows(database) if r.partial]
    assert len(partial) == len(report.partial) - len(replaced)

    again = import_paths(database, runner, [corpus], workers=2)

    assert not again.having("imported") and count(database) == len(report.new_activity_ids)


def test_an_archive_read_by_a_worker_process_gives_each_member_in_order(
    database: Database, tmp_path: Path
) -> None:
    runner = athlete(database)
    archive = tmp_path / "garmin.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for day in (1, 2, 3):
            when = START.replace(day=day)
            z.writestr(f"runs/{day}.fit.gz", gzip.compress(fb.activity(start=when).to_bytes()))
        z.writestr("runs/notes.json", "{}")
    loose = tmp_path / "later.fit"
    loose.write_bytes(fb.activity(start=START.replace(day=9)).to_bytes())

    report = import_paths(database, runner, [archive, loose, tmp_path / "empty.zip"], workers=2)

    assert [f.source.removeprefix(f"{tmp_path}/") for f in report.files] == [
        "empty.zip",  # no such file: said before any reading
        "garmin.zip!runs/1.fit.gz",
        "garmin.zip!runs/2.fit.gz",
        "garmin.zip!runs/3.fit.gz",
        "later.fit",
    ]
    assert [f.status for f in report.files] == ["failed"] + ["imported"] * 4
    assert count(database) == 4


def test_the_twin_lookups_of_an_import_read_by_index_not_every_stored_activity(
    tmp_path: Path,
) -> None:
    """A million-row export must import in linear time: each activity's twins are found
    through the (athlete, hash) and (athlete, start) indexes, never by a scan of all the
    athlete's activities (as one query with OR once did). SQLite's plan says which."""
    import datetime as dt

    from sqlalchemy import event

    from restride.domain.activity import Activity
    from restride.services.imports import stored_twins
    from restride.storage.database import Database

    db = Database(f"sqlite:///{tmp_path / 'plan.db'}")
    db.migrate()
    statements: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, sql: str, params: object, *_: object) -> None:
        statements.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", seen)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    run = Activity(start=start, sport="running", source="run.fit", content_sha256="0" * 64)
    with db.read() as tx:
        stored_twins(tx, "athlete", run)
        event.remove(db.engine, "before_cursor_execute", seen)
        plans = [
            row[3]
            for sql, params in statements
            if "FROM activities" in sql
            for row in tx.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        ]
    db.dispose()
    searches = [p for p in plans if p.startswith(("SEARCH", "SCAN"))]
    assert len(searches) == 2, plans
    assert all("content_hash=?" in p or "start_time>?" in p for p in searches), plans
