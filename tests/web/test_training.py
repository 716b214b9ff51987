"""Training history pages: uploading activity files (a real corpus FIT file, a zip, a corrupt
file, too large an upload), the list and one activity, insights and shoes; who may see them."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from restride.storage import tables as t
from restride.web.app import create_app
from restride.web.deps import SESSION_COOKIE
from tests.importers.conftest import require_corpus
from tests.web.conftest import FAST_HASHER, TODAY, People

RUNNING_FIT = "fit/fitparse__2013-02-06-12-11-14.fit"  # Garmin FR110, a run of 590 records
RUNNING_GPX_ZIP_MEMBER = "fit/fitparse__Activity.fit"
NEW_ATHLETE_PAGES = ["/activities", "/insights", "/shoes"]


@pytest.fixture(scope="module")
def corpus_root() -> Path:
    return require_corpus()


def upload(client: TestClient, csrf: str | None, files: list[tuple[str, bytes]]) -> tuple[int, str]:
    data = {"csrf_token": csrf} if csrf else {}
    parts = [("files", (name, body, "application/octet-stream")) for name, body in files]
    response = client.post("/activities", data=data, files=parts)
    return response.status_code, response.text


def report_row(html: str, name: str) -> str:
    match = re.search(
        r'<tr data-status="(\w+)">\s*<td>' + re.escape(name) + r"</td>(.*?)</tr>", html, re.S
    )
    assert match, f"{name} is not in the report"
    return match.group(1) + " " + match.group(2)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_upload_a_corpus_fit_file_lists_it_and_reports_a_duplicate_again(
    people: People, corpus_root: Path
) -> None:
    body = (corpus_root / RUNNING_FIT).read_bytes()
    status, html = upload(people.alice.client, people.alice.csrf, [("run.fit", body)])
    assert status == 200
    assert report_row(html, "run.fit").startswith("imported")
    assert "6 Feb 2013" in html and "Running" in html

    status, html = upload(people.alice.client, people.alice.csrf, [("run.fit", body)])
    assert status == 200
    assert report_row(html, "run.fit").startswith("duplicate")
    assert html.count("data-activity=") == 1

    listed = people.alice.client.get("/activities").text
    activity_id = re.search(r'data-activity="([^"]+)"', listed)
    assert activity_id
    page = people.alice.client.get(f"/activities/{activity_id.group(1)}")
    assert page.status_code == 200
    assert "Running dynamics" in page.text and "run.fit" in page.text
    # Stored under the name it was uploaded as, not the server's temporary folder.
    with people.db.transaction() as tx:
        stored = tx.get(t.Activity, activity_id.group(1))
        assert stored is not None and stored.source == "run.fit"
    # Dave never sees it, not even by its link.
    assert people.dave.client.get(f"/activities/{activity_id.group(1)}").status_code == 404
    assert "data-activity=" not in people.dave.client.get("/activities").text


def test_a_small_zip_is_imported_member_by_member(people: People, corpus_root: Path) -> None:
    archive = zipped(
        {
            "export/run.fit": (corpus_root / RUNNING_FIT).read_bytes(),
            "export/sdk.fit": (corpus_root / RUNNING_GPX_ZIP_MEMBER).read_bytes(),
            "export/notes.txt": b"not an activity",
        }
    )
    status, html = upload(people.alice.client, people.alice.csrf, [("export.zip", archive)])
    assert status == 200, html
    assert report_row(html, "export.zip!export/run.fit").startswith("imported")
    assert report_row(html, "export.zip!export/sdk.fit").startswith("imported")
    assert html.count("data-activity=") == 2
    with people.db.transaction() as tx:
        sources = sorted(tx.scalars(select(t.Activity.source)))
    assert sources == ["export.zip!export/run.fit", "export.zip!export/sdk.fit"]
    assert "6 Feb 2013" in html


def test_a_corrupt_file_is_reported_as_failed_with_why(people: People) -> None:
    status, html = upload(
        people.alice.client, people.alice.csrf, [("broken.fit", b".FIT" + b"\x00" * 40)]
    )
    assert status == 200
    row = report_row(html, "broken.fit")
    assert row.startswith("failed")
    assert "not FIT, GPX or TCX" in row
    why = re.sub(r"<[^>]+>", "", row.split("</td>", 2)[1]).strip()
    assert why, "a failed file says why"
    assert "No training history imported yet" in html


def test_no_file_chosen_says_so(people: People) -> None:
    response = people.alice.client.post(
        "/activities", data={"csrf_token": people.alice.csrf}, files=[("files", ("", b"", ""))]
    )
    assert response.status_code == 422
    assert "Choose one or more" in response.text


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(people: People) -> None:
    app = create_app(
        people.db, today=lambda: TODAY, password_hasher=FAST_HASHER, max_upload_bytes=10_000
    )
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, people.alice.client.cookies[SESSION_COOKIE])
    status, html = upload(client, people.alice.csrf, [("big.fit", b"x" * 20_000)])
    assert status == 413
    assert "too large" in html and "limit" in html
    assert "data-activity=" not in client.get("/activities").text


def test_an_upload_needs_the_csrf_token(people: People) -> None:
    status, _ = upload(people.alice.client, None, [("run.fit", b"x")])
    assert status == 403
    status, _ = upload(people.alice.client, "not-the-token", [("run.fit", b"x")])
    assert status == 403


def test_a_shoe_is_described_and_listed_with_its_index(people: People) -> None:
    form = {
        "name": "Daily trainer",
        "weight_g": "280",
        "stack_mm": "32",
        "drop_mm": "10",
        "flexibility": "2",
        "motion_control": "4",
    }
    response = people.alice.post("/shoes", form)
    assert response.status_code == 303
    page = people.alice.client.get("/shoes").text
    assert 'data-shoe="Daily trainer"' in page
    assert "%" in page.split('data-shoe="Daily trainer"')[1].split("</tr>")[0]
    assert "Daily trainer" not in people.dave.client.get("/shoes").text


def test_a_shoe_with_a_bad_figure_is_refused_saying_which(people: People) -> None:
    response = people.alice.post("/shoes", {"name": "Odd", "flexibility": "9"})
    assert response.status_code == 422
    assert "flexibility" in response.text.lower()
    response = people.alice.post("/shoes", {"name": "Odd", "weight_g": "heavy"})
    assert response.status_code == 422
    assert "Weight g" in response.text


def test_a_shoe_needs_the_csrf_token(people: People) -> None:
    response = people.alice.client.post("/shoes", data={"name": "Sneaky"})
    assert response.status_code == 403


def test_insights_without_history_says_so(people: People) -> None:
    page = people.alice.client.get("/insights")
    assert page.status_code == 200
    assert "No training history imported yet" in page.text


def test_insights_after_an_import_show_the_window(people: People, corpus_root: Path) -> None:
    body = (corpus_root / RUNNING_FIT).read_bytes()
    upload(people.alice.client, people.alice.csrf, [("run.fit", body)])
    page = people.alice.client.get("/insights")
    assert page.status_code == 200
    assert "weeks before" in page.text


@pytest.mark.parametrize("path", [*NEW_ATHLETE_PAGES, "/activities/some-id"])
def test_new_athlete_routes_refuse_clinicians(people: People, path: str) -> None:
    for clinician in (people.charlie, people.bob):
        response = clinician.client.get(path)
        assert response.status_code == 403, (clinician.name, path)
    for path_post in ("/activities", "/shoes"):
        response = people.charlie.post(path_post, {"name": "x"})
        assert response.status_code == 403


@pytest.mark.parametrize("path", NEW_ATHLETE_PAGES)
def test_new_athlete_routes_need_sign_in(people: People, path: str) -> None:
    response = people.anonymous().get(path)
    assert response.status_code in (303, 401)


def test_the_history_page_shows_weekly_load_after_an_import(
    people: People, corpus_root: Path
) -> None:
    assert "No training history imported yet" in people.alice.client.get("/history").text
    body = (corpus_root / RUNNING_FIT).read_bytes()
    upload(people.alice.client, people.alice.csrf, [("run.fit", body)])
    data = people.alice.client.get("/history/load.json").json()
    assert data["activities"] == 1
    assert "2013-02-04" in data["weeks"]  # the Monday of the run's week
    week = data["weeks"].index("2013-02-04")
    assert data["minutes"]["Running"][week] > 0
    assert data["km"]["Running"][week] > 0
    assert len(data["acwr"]) == len(data["weeks"])
    assert "never used to decide" in data["acwr_note"]
    page = people.alice.client.get("/history").text
    assert 'data-load-week="2013-02-04"' in page
    assert 'data-load-src="/history/load.json"' in page
    assert "shown only, never used to decide" in page
    # Dave's load is his own: empty.
    assert people.dave.client.get("/history/load.json").json()["activities"] == 0


def test_the_load_json_is_refused_to_clinicians(people: People) -> None:
    for clinician in (people.charlie, people.bob):
        assert clinician.client.get("/history/load.json").status_code == 403


def test_the_ratio_waits_for_28_days_of_history() -> None:
    import datetime as dt

    from restride.domain.activity import Activity
    from restride.web.load_chart import load_data

    def run(day: dt.date, minutes: float) -> Activity:
        start = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
        return Activity(
            start=start,
            sport="running",
            source="x",
            content_sha256=str(day),
            duration_s=minutes * 60,
            distance_m=minutes * 180,
        )

    first = dt.date(2026, 1, 5)  # a Monday
    runs = [run(first + dt.timedelta(days=d), 30) for d in range(0, 42, 2)]
    runs.append(run(first + dt.timedelta(days=43), 70))  # over twice the longest: LOAD-1
    data = load_data(runs, TODAY)
    assert data["weeks"][0] == "2026-01-05"
    assert data["acwr"][:3] == [None, None, None]
    assert all(isinstance(r, float) for r in data["acwr"][4:])
    assert [s["date"] for s in data["spikes"]] == ["2026-02-17"]
    assert data["spikes"][0]["band"] == "severe"


def run_in_own_loop(coroutine: Any) -> Any:
    """Run a coroutine on a fresh event loop in its own thread: the browser tests' Playwright
    keeps an event loop running in this thread for the whole test session."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_copy_of_an_upload_stops_at_the_limit(tmp_path: Path) -> None:
    from starlette.datastructures import UploadFile

    from restride.web.routes.training import UploadTooLargeError, save_uploads

    small = UploadFile(io.BytesIO(b"a" * 3000), filename="../../etc/a.fit")
    big = UploadFile(io.BytesIO(b"b" * 3000), filename="b.fit")
    paths = run_in_own_loop(save_uploads([small], tmp_path, 5000))
    assert [Path(p).name for p in paths] == ["00-a.fit"]  # no folders from the client
    assert Path(paths[0]).parent == tmp_path
    small.file.seek(0)
    with pytest.raises(UploadTooLargeError, match="too large"):
        run_in_own_loop(save_uploads([small, big], tmp_path, 5000))
