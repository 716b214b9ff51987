"""A big upload is imported in the background by a real `restride worker`: the page shows how
far it has got and then what became of each file; a worker killed half-way through leaves the
job to the next one, which finishes it without storing anything twice; on both databases."""

from __future__ import annotations

import io
import re
import tempfile
import time
import zipfile
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from restride.storage import tables as t
from restride.web.routes import training
from tests.importers.conftest import require_corpus
from tests.web.conftest import TODAY
from tests.workers import worker

if TYPE_CHECKING:
    from pathlib import Path

    from tests.web.conftest import People

WAIT_S = 120.0


def corpus_zip(count: int) -> bytes:
    """`count` real FIT files from the corpus, zipped as an export would be."""
    files = sorted((require_corpus() / "fit").glob("*.fit"), key=lambda p: p.stat().st_size)
    chosen = [f for f in files if f.stat().st_size > 20_000][:count]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in chosen:
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def activities(people: People, athlete_id: str) -> int:
    with people.db.read() as tx:
        count = tx.scalar(
            select(func.count()).select_from(t.Activity).where(t.Activity.athlete_id == athlete_id)
        )
    return int(count or 0)


def clean_import(people: People, count: int) -> int:
    """What the same zip gives imported in one go, uninterrupted (for Dave)."""
    from restride.services import imports

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/export.zip"
        with open(path, "wb") as out:
            out.write(corpus_zip(count))
        imports.import_paths(people.db, people.dave.id, [path], workers=1)
    return activities(people, people.dave.id)


def report_counts(page: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-status="(\w+)">', page)
    return {s: rows.count(s) for s in ("imported", "duplicate", "skipped", "failed")}


def job_page(people: People, url: str) -> str:
    page = people.alice.client.get(url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    return page.text


def wait_for_some_stored(people: People) -> None:
    """Until the running import has stored its first activities."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if activities(people, people.alice.id) > 0:
            return
        time.sleep(0.02)
    raise AssertionError("the import never got under way")


def wait_for(people: People, url: str, status: str) -> str:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        text = job_page(people, url)
        if f'data-job-status="{status}"' in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{url} never reached {status}")


@pytest.fixture
def env(people: People, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "RESTRIDE_DATABASE_URL": people.db.url,
        "RESTRIDE_DATA_DIR": str(tmp_path),
        "RESTRIDE_TODAY": TODAY.isoformat(),
        "RESTRIDE_JOB_STALE_AFTER_S": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)  # the web app puts the upload where the worker looks
    monkeypatch.setattr(training, "BACKGROUND_BYTES", 1)
    return values


def upload(people: People, body: bytes) -> str:
    response = people.alice.client.post(
        "/activities",
        data={"csrf_token": people.alice.csrf},
        files=[("files", ("export.zip", body, "application/zip"))],
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    assert re.fullmatch(r"/activities/jobs/[0-9a-f]{32}", url)
    return url


def test_a_big_upload_is_imported_in_the_background_and_the_page_follows_it(
    people: People, env: dict[str, str]
) -> None:
    url = upload(people, corpus_zip(3))
    waiting = people.alice.client.get(url).text
    assert "Waiting for the importer" in waiting and "every 1s" in waiting
    assert people.dave.client.get(url).status_code == 404  # nobody else's to see

    with worker(env):
        done = wait_for(people, url, "done")

    counts = report_counts(done)
    assert counts["failed"] == 0 and sum(counts.values()) == 3
    assert activities(people, people.alice.id) == counts["imported"] == clean_import(people, 3)


def test_a_worker_killed_mid_import_leaves_the_job_to_the_next_which_stores_nothing_twice(
    people: People, env: dict[str, str]
) -> None:
    url = upload(people, corpus_zip(30))
    with worker(env) as first:
        wait_for_some_stored(people)
        first.kill()  # kill -9, half-way through
        first.wait(timeout=30)
    half = activities(people, people.alice.id)
    with worker(env):
        done = wait_for(people, url, "done")
    # The same activities as an import nobody interrupted, each stored once.
    stored = activities(people, people.alice.id)
    assert stored == clean_import(people, 30)
    assert 0 < half < stored  # the first worker really was cut short, after storing some
    counts = report_counts(done)
    assert counts["failed"] == 0 and counts["duplicate"] >= 1  # what it stored, recognised
