"""Downloads on the web: the athlete's calendar, workouts and CSV tables, the clinician's report
of a shared athlete, and the secret calendar-feed link. Charlie and Dave are always refused."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from restride.domain.case import CheckIn
from restride.services import checkins
from restride.web import feeds
from tests.web.conftest import TODAY, People, Persona

ATHLETE_DOWNLOADS = [
    "/settings/exports/plan.ics",
    "/settings/exports/workouts.zip",
    "/settings/exports/records.zip",
]
REPORTS = ["/athletes/{alice}/report", "/athletes/{alice}/report.pdf"]
FEED_URL = re.compile(r"http://testserver/calendar/([A-Za-z0-9_-]+)\.ics")


def test_alice_downloads_her_plan_as_a_calendar(people: People) -> None:
    response = people.alice.client.get("/settings/exports/plan.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert b"Alice" in response.content


def test_workouts_are_refused_kindly_before_the_plan_has_running(people: People) -> None:
    # Alice starts in Offload: twelve weeks of a pain-free plan still hold no walk-run.
    response = people.alice.client.get("/settings/exports/workouts.zip")
    # Not a "Not found" page: the settings, saying why and when.
    assert response.status_code == 200
    assert "No watch workouts yet" in response.text and "data-notice" in response.text
    assert "walk-run phase starts" in response.text


def test_alice_downloads_her_record_as_csv_tables(people: People) -> None:
    note = "felt fine on the bike"
    checkins.record_checkin(
        people.db, people.alice.id, CheckIn(date=TODAY, pain_rest=0, notes=note), today=TODAY
    )
    response = people.alice.client.get("/settings/exports/records.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "checkins.csv" in archive.namelist()
    assert note in archive.read("checkins.csv").decode()


def test_daves_downloads_hold_only_his_record(people: People) -> None:
    note = "Alice's private note"
    checkins.record_checkin(
        people.db, people.alice.id, CheckIn(date=TODAY, pain_rest=1, notes=note), today=TODAY
    )
    records = people.dave.client.get("/settings/exports/records.zip").content
    archive = zipfile.ZipFile(io.BytesIO(records))
    assert all(note not in archive.read(n).decode() for n in archive.namelist())
    assert b"Alice" not in people.dave.client.get("/settings/exports/plan.ics").content


@pytest.mark.parametrize("path", ATHLETE_DOWNLOADS)
def test_athlete_downloads_refuse_clinicians_and_strangers(people: People, path: str) -> None:
    for clinician in (people.charlie, people.bob):
        assert clinician.client.get(path).status_code == 403
    response = people.anonymous().get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_bob_prints_alices_report(people: People) -> None:
    response = people.bob.client.get(f"/athletes/{people.alice.id}/report")
    assert response.status_code == 200
    assert "Alice" in response.text and "@page" in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    timeline = people.bob.client.get(f"/athletes/{people.alice.id}").text
    assert f'href="/athletes/{people.alice.id}/report"' in timeline
    assert f'href="/athletes/{people.alice.id}/report.pdf"' in timeline


def test_bob_downloads_alices_report_as_pdf(people: People) -> None:
    response = people.bob.client.get(f"/athletes/{people.alice.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("template", REPORTS)
def test_alices_report_is_refused_to_charlie_and_dave(people: People, template: str) -> None:
    path = template.format(alice=people.alice.id)
    charlie = people.charlie.client.get(path)
    assert charlie.status_code == 404 and "Alice" not in charlie.text
    dave = people.dave.client.get(path)
    assert dave.status_code == 403 and "Alice" not in dave.text
    assert people.alice.client.get(path).status_code == 403  # a report is for clinicians


# --- the calendar-feed link -------------------------------------------------------------


def make_feed(persona: Persona) -> str:
    response = persona.post("/settings/calendar-feed")
    assert response.status_code == 200
    match = FEED_URL.search(response.text)
    assert match, "the new link is shown"
    return f"/calendar/{match.group(1)}.ics"


def test_the_feed_serves_the_plan_without_a_session(people: People) -> None:
    url = make_feed(people.alice)
    response = people.anonymous().get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR") and b"Alice" in response.content
    settings = people.alice.client.get("/settings").text
    assert "You have a link, made on" in settings and url not in settings  # shown once


def test_a_revoked_feed_is_404(people: People) -> None:
    url = make_feed(people.alice)
    assert people.alice.post("/settings/calendar-feed/revoke").status_code == 303
    response = people.anonymous().get(url)
    assert response.status_code == 404 and b"Alice" not in response.content


def test_a_new_feed_link_retires_the_old_one(people: People) -> None:
    old = make_feed(people.alice)
    new = make_feed(people.alice)
    assert old != new
    assert people.anonymous().get(old).status_code == 404
    assert people.anonymous().get(new).status_code == 200


def test_each_feed_serves_only_its_own_athlete(people: People) -> None:
    alice, dave = make_feed(people.alice), make_feed(people.dave)
    assert b"Dave" in people.anonymous().get(dave).content
    assert b"Alice" not in people.anonymous().get(dave).content
    assert b"Alice" in people.anonymous().get(alice).content
    people.dave.post("/settings/calendar-feed/revoke")
    assert people.anonymous().get(alice).status_code == 200  # Dave's revoke is only his


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 500, "%00"])
def test_unknown_feed_tokens_are_404(people: People, token: str) -> None:
    make_feed(people.alice)
    assert people.anonymous().get(f"/calendar/{token}.ics").status_code == 404


def test_feed_tokens_are_stored_only_as_hashes(people: People) -> None:
    url = make_feed(people.alice)
    token = url.removeprefix("/calendar/").removesuffix(".ics")
    from sqlalchemy import select

    from restride.storage import tables as t

    with people.db.transaction() as tx:
        stored = tx.scalars(select(t.CalendarToken.token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert feeds.athlete_for_feed(people.db, token) == people.alice.id


def test_clinicians_cannot_make_a_feed(people: People) -> None:
    for clinician in (people.charlie, people.bob):
        assert clinician.post("/settings/calendar-feed").status_code == 403


def test_a_feed_link_needs_the_csrf_token(people: People) -> None:
    response = people.alice.client.post("/settings/calendar-feed", data={"csrf_token": "wrong"})
    assert response.status_code == 403
