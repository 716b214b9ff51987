"""The athlete's settings: units, deleting the account, and the notes around them."""

from __future__ import annotations

from sqlalchemy import func, select

from restride.domain.case import CheckIn
from restride.services import checkins, sharing
from restride.storage import tables as t
from restride.web import feeds
from tests.web.conftest import PASSWORD, TODAY, People


def test_settings_offers_downloads_the_calendar_link_units_and_deletion(people: People) -> None:
    html = people.alice.client.get("/settings").text
    for href in ("plan.ics", "workouts.zip", "records.zip"):
        assert f'href="/settings/exports/{href}"' in html
    assert 'action="/settings/calendar-feed"' in html
    assert 'value="metric" checked' in html
    assert 'action="/settings/delete"' in html
    assert "restride export" in html


def test_alice_switches_to_imperial_units(people: People) -> None:
    response = people.alice.post("/settings/units", {"units": "imperial"})
    assert response.status_code == 303
    html = people.alice.client.get("/settings?units=saved").text
    assert 'value="imperial" checked' in html and "Units saved." in html
    with people.db.transaction() as tx:
        assert tx.get(t.Account, people.alice.id).units == "imperial"  # type: ignore[union-attr]
        assert tx.get(t.Account, people.dave.id).units == "metric"  # type: ignore[union-attr]


def test_unknown_units_are_refused(people: People) -> None:
    response = people.alice.post("/settings/units", {"units": "furlongs"})
    assert response.status_code == 422
    assert "choose metric or imperial" in response.text


def test_units_refuse_clinicians(people: People) -> None:
    for clinician in (people.bob, people.charlie):
        response = clinician.post("/settings/units", {"units": "imperial"})
        assert response.status_code == 403


def count(people: People, table: type[t.Base], column: str, value: str) -> int:
    with people.db.transaction() as tx:
        return int(
            tx.scalar(
                select(func.count()).select_from(table).where(getattr(table, column) == value)
            )
            or 0
        )


def test_deleting_the_account_removes_everything_and_signs_out(people: People) -> None:
    checkins.record_checkin(
        people.db, people.alice.id, CheckIn(date=TODAY, pain_rest=1), today=TODAY
    )
    feeds.create_feed_token(people.db, people.alice.id)
    response = people.alice.post("/settings/delete", {"password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?deleted=1"
    assert "restride_session" in response.headers["set-cookie"]
    for table, column in (
        (t.Account, "id"),
        (t.Episode, "athlete_id"),
        (t.WebSession, "account_id"),
        (t.Share, "athlete_id"),
        (t.CalendarToken, "athlete_id"),
    ):
        assert count(people, table, column, people.alice.id) == 0, table.__tablename__
    with people.db.transaction() as tx:
        assert tx.scalar(select(func.count()).select_from(t.CheckIn)) == 0
    assert sharing.shared_athletes(people.db, people.bob.id) == []
    # Dave is untouched.
    assert count(people, t.Episode, "athlete_id", people.dave.id) == 1
    assert people.dave.client.get("/today").status_code == 200
    page = people.anonymous().get("/signin?deleted=1").text
    assert "everything in it are deleted" in page


def test_deletion_needs_the_right_password(people: People) -> None:
    response = people.alice.post("/settings/delete", {"password": "not it at all"})
    assert response.status_code == 422
    assert "that is not your password" in response.text
    assert count(people, t.Account, "id", people.alice.id) == 1


def test_deletion_needs_the_csrf_token(people: People) -> None:
    response = people.alice.client.post(
        "/settings/delete", data={"password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    response = people.alice.client.post("/settings/delete", data={"password": PASSWORD})
    assert response.status_code == 403
    assert count(people, t.Account, "id", people.alice.id) == 1


def test_dave_cannot_delete_alice_and_clinicians_cannot_use_it(people: People) -> None:
    # The route deletes only the signed-in account: Dave's own password deletes Dave.
    assert people.dave.post("/settings/delete", {"password": "wrong password"}).status_code == 422
    assert people.charlie.post("/settings/delete", {"password": PASSWORD}).status_code == 403
    assert count(people, t.Account, "id", people.alice.id) == 1
    assert count(people, t.Account, "id", people.charlie.id) == 1
