"""The phone-first shell: four destinations, a check-in that pre-answers nothing, a plan that
answers "when can I run?", dates in words, the board's table, reminders and the calendar link."""

from __future__ import annotations

import datetime as dt
import html
import re

import icalendar
import pytest

from restride.domain.case import CheckIn
from restride.services import athletes, checkins, decisions
from restride.web import invites
from tests.web.conftest import ALL_CLEAR, TODAY, People, seed_injury

TABS = re.compile(r'<nav aria-label="Main" class="tabs">(.*?)</nav>', re.S)


def test_a_runner_has_four_destinations_and_everything_else_is_under_more(people: People) -> None:
    page = people.alice.client.get("/today").text
    tabs = TABS.search(page)
    assert tabs
    labels = re.findall(r"<span>([^<]+)</span>", tabs.group(1))
    assert labels == ["Today", "Check in", "Plan", "More"]
    more = people.alice.client.get("/more").text
    for href in ("/history", "/activities", "/insights", "/shoes", "/library", "/settings"):
        assert f'href="{href}"' in more
    assert 'action="/signout"' in more


def test_the_check_in_pre_answers_nothing(people: People) -> None:
    page = people.alice.client.get("/checkin").text
    assert " checked" not in page.replace('type="checkbox"', "")
    for sign in ("limp", "bone_tenderness", "can_bear_weight", "emergency"):
        assert f'name="{sign}" value="yes" required>' in page
        assert f'name="{sign}" value="no" required>' in page


def test_a_check_in_with_a_question_unanswered_is_refused_naming_it(people: People) -> None:
    answers = {k: v for k, v in ALL_CLEAR.items() if k not in ("limp", "pain_walking")}
    response = people.alice.post("/checkin", answers)
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "still open: Pain walking; Are you limping?" in text
    # What was answered stays answered.
    assert 'name="swelling" value="no" required checked' in response.text
    assert checkins.checked_in_on(people.db, people.alice.id, TODAY) is False


def test_the_emergency_signs_are_one_question_then_which(people: People) -> None:
    unsaid = people.alice.post("/checkin", {**ALL_CLEAR, "emergency": "yes"})
    assert unsaid.status_code == 422 and "Which of fever" in unsaid.text
    saved = people.alice.post("/checkin", {**ALL_CLEAR, "emergency": "yes", "which": "fever"})
    assert saved.status_code == 303
    stored = decisions.stored_case(people.db, people.alice.id, TODAY).checkins[0]
    assert stored.fever and not stored.numbness and not stored.foot_pale_or_cold
    assert people.alice.client.get("/api/today").json()["referral"] == "urgent"


def test_day_one_says_check_in_first_then_the_decision(people: People) -> None:
    before = people.alice.client.get("/today").text
    assert "Check in first" in before and 'data-action="hold"' not in before
    people.alice.post("/checkin", ALL_CLEAR)
    after = people.alice.client.get("/today").text
    assert "Check in first" not in after and 'id="decision"' in after


def test_the_plan_opens_with_the_earliest_run_date_and_its_gates(people: People) -> None:
    people.alice.post("/checkin", ALL_CLEAR)
    page = html.unescape(people.alice.client.get("/plan").text)
    first = page[page.index("When can I run?") : page.index("The phases ahead")]
    earliest = re.search(r'data-run-earliest="(\d{4}-\d{2}-\d{2})"', first)
    assert earliest
    day = dt.date.fromisoformat(earliest.group(1))
    assert f"At the earliest <strong>{day:%A} {day.day} {day:%B}</strong>" in first
    assert "months" in first
    words = " ".join(re.sub(r"<[^>]+>", " ", first).split())
    assert "Offload (now)" in words and "Walking program : from" in words
    assert "now: 1 of 3 days in a row" in words
    assert not re.search(r"\d{4}-\d{2}-\d{2}", first.replace(earliest.group(0), ""))


def test_reasons_say_dates_in_words(people: People) -> None:
    people.alice.post("/checkin", {**ALL_CLEAR, "pain_walking": "3", "bone_tenderness": "yes"})
    page = people.alice.client.get("/today").text
    reasons = page[page.index('id="why"') :]
    assert "Monday 16 February" in reasons  # the X-ray, not 2026-02-16
    assert "2026-02-16" not in reasons


def test_the_board_is_a_table_with_signals_search_and_filters(people: People) -> None:
    db = people.db
    new = athletes.create_account(db, email="nell@example.org", name="Nell")
    athletes.start_episode(db, new.id, seed_injury(), program_start=TODAY, today=TODAY)
    invites.redeem_invite(db, people.bob.id, invites.create_invite(db, new.id).code)
    checkins.record_checkin(
        db, new.id, CheckIn(date=TODAY, pain_walking=4, limp=True, pain_rest=0), today=TODAY
    )
    page = html.unescape(people.bob.client.get("/board").text)
    assert '<table class="board-table stacked">' in page
    assert page.index("Nell") < page.index("Alice")
    assert "Pain 4/10 walking on the latest check-in." in page
    assert "Limping on the latest check-in." in page
    assert "Nothing needs you today" not in page
    assert 'class="spark"' in page
    found = people.bob.client.get("/board?q=nell&filter=pain&sort=name").text
    assert "Nell" in found and "alice@example.org" not in found
    api = people.bob.client.get("/api/athletes?filter=pain")
    assert [a["name"] for a in api.json()] == ["Nell"] and api.headers["x-total-count"] == "1"
    assert api.json()[0]["signals"][:2] == ["pain", "limp"]


@pytest.mark.parametrize("query", ["filter=x", "sort=x", "per_page=7"])
def test_the_board_refuses_an_unknown_choice_plainly(people: People, query: str) -> None:
    response = people.bob.client.get(f"/board?{query}")
    assert response.status_code == 422 and "is not one of" in response.text


def test_the_reminder_api_says_whether_today_is_checked_in(people: People) -> None:
    assert people.alice.client.get("/api/reminder").json() == {
        "date": TODAY.isoformat(),
        "checked_in": False,
    }
    people.alice.post("/checkin", ALL_CLEAR)
    assert people.alice.client.get("/api/reminder").json()["checked_in"] is True


def test_the_calendar_link_is_shown_first_with_a_copy_button_and_a_daily_alarm(
    people: People,
) -> None:
    page = people.alice.post("/settings/calendar-feed").text
    top = page[: page.index('id="sharing"')]
    assert "data-new-feed" in top and 'data-copy="feed-url"' in top
    path = re.search(r'data-feed-path="(/calendar/[^"]+\.ics)"', top)
    assert path
    feed = people.anonymous().get(path.group(1))
    calendar = icalendar.Calendar.from_ical(feed.content)
    (reminder,) = [e for e in calendar.walk("VEVENT") if "reminder" in e.categories]
    assert str(reminder["summary"]) == "Check in on restride"
    assert reminder.decoded("dtstart") == dt.datetime.combine(TODAY, dt.time(9))
    assert reminder["rrule"]["FREQ"] == ["DAILY"]
    assert [a["action"] for a in reminder.walk("VALARM")] == ["DISPLAY"]
    early = icalendar.Calendar.from_ical(
        people.anonymous().get(path.group(1) + "?remind=06:45").content
    )
    assert [
        e.decoded("dtstart").time() for e in early.walk("VEVENT") if "reminder" in e.categories
    ] == [dt.time(6, 45)]
    none = icalendar.Calendar.from_ical(
        people.anonymous().get(path.group(1) + "?remind=off").content
    )
    assert not [e for e in none.walk("VEVENT") if "reminder" in e.categories]
    bad = people.anonymous().get(path.group(1) + "?remind=noon")
    assert bad.status_code == 422 and "not a time like 07:30" in bad.text


def test_the_coach_is_only_for_a_walk_run_day(people: People) -> None:
    response = people.alice.client.get("/coach/walk_run")
    assert response.status_code == 404 and "no walk-run session" in response.text
