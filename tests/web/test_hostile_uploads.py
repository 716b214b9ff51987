"""Hostile or broken uploads on the web: every file is imported or reported on the page, the
batch always finishes with its report (never a 500), whatever the files hold."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.importers import hostile
from tests.importers.conftest import fuzz_found_files
from tests.importers.fitbuild import activity
from tests.importers.test_gpx_tcx import START
from tests.web.test_training import upload

if TYPE_CHECKING:
    from tests.web.conftest import People

ROW = re.compile(r'<tr data-status="(\w+)">\s*<td>([^<]*)</td>')


def rows(html: str) -> list[tuple[str, str]]:
    return [(status, name) for status, name in ROW.findall(html)]


def test_a_zip_of_files_that_once_broke_the_importer_gets_its_whole_report(
    people: People,
) -> None:
    broken = {f"broken/{p.name}": p.read_bytes() for p in fuzz_found_files()}
    good = activity(start=START, seconds=600).to_bytes()
    body = hostile.zipped(broken | {"zz-last/run.fit": good})

    status, html = upload(people.alice.client, people.alice.csrf, [("export.zip", body)])

    assert status == 200
    reported = rows(html)
    assert len(reported) == len(broken) + 1
    assert ("imported", "export.zip!zz-last/run.fit") in reported
    assert "could not be read (" not in html


def test_a_zip_bomb_upload_is_stopped_with_a_message_and_keeps_what_came_first(
    people: People,
) -> None:
    good = activity(start=START, seconds=600).to_bytes()
    body = hostile.zip_bomb(good, members=12)

    status, html = upload(people.alice.client, people.alice.csrf, [("bomb.zip", body)])

    assert status == 200
    reported = rows(html)
    assert reported[0] == ("imported", "bomb.zip!run.fit")
    assert "a zip bomb?" in html and len(reported) < 12


def test_a_strava_export_with_impossible_rows_imports_the_others(people: People) -> None:
    body = hostile.strava_export(
        [
            "1,0001-01-01 00:00:00,Year one,Run,600,1000,",
            "2,9999-12-31 23:59:59,Year 9999,Run,600,1000,",
            '3,"Jan 3, 2026, 10:00:00 AM",Fine,Run,600,1000,',
        ]
    )

    status, html = upload(people.alice.client, people.alice.csrf, [("strava.zip", body)])

    assert status == 200
    assert [s for s, _ in rows(html)] == ["failed", "failed", "imported"]
    assert "starts in 1, before 1985" in html and "starts in 9999, after 2100" in html
    listed = people.alice.client.get("/activities")
    assert listed.status_code == 200 and listed.text.count("data-activity=") == 1
