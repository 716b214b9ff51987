"""The clinician's side: the board by attention, the timeline, and events that feed the engine."""

from __future__ import annotations

import datetime as dt
import html

from restride.domain.case import CheckIn
from restride.services import athletes, checkins
from restride.web import invites
from tests.web.conftest import ALL_CLEAR, TODAY, People, seed_injury


def test_a_hold_by_bob_shows_on_alices_today(people: People) -> None:
    path = f"/athletes/{people.alice.id}/events"
    response = people.bob.post(path, {"kind": "hold", "reason": "Wait for the MRI on Friday"})
    assert response.status_code == 303

    people.alice.post("/checkin", ALL_CLEAR)
    today = people.alice.client.get("/today").text
    assert "From your clinician" in today
    assert "Wait for the MRI on Friday" in today
    assert 'data-action="hold"' in today
    assert 'data-rule="TS-CLINICIAN-HOLD"' in today
    assert people.alice.client.get("/api/today").json()["action"] == "hold"


def test_an_event_through_htmx_returns_the_updated_timeline_and_says_what_changed(
    people: People,
) -> None:
    path = f"/athletes/{people.alice.id}/events"
    headers = {"HX-Request": "true"}
    response = people.bob.post(
        path, {"kind": "note", "reason": "Hop test next week"}, headers=headers
    )
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="timeline-live"') and "Hop test next week" in text
    # Alice shares with Bob, so she is told her therapist can see her record (no referral to
    # find one): a note changes nothing else, and says so.
    said = "Note saved. Alice reads it with today's plan; nothing else changed."
    assert said in html.unescape(text)

    empty = people.bob.post(path, {"kind": "hold", "reason": "  "}, headers=headers)
    assert empty.status_code == 422
    assert "Give a reason" in empty.text


def test_the_timeline_shows_the_decision_chart_and_days(people: People) -> None:
    page = people.bob.client.get(f"/athletes/{people.alice.id}").text
    assert "Alice" in page and 'data-phase="offload"' in page
    assert f'data-chart-src="/api/athletes/{people.alice.id}/history"' in page
    assert "no check-in" in page


def test_the_board_puts_red_flags_first_then_missed_check_ins(people: People) -> None:
    db = people.db
    for name in ("Aaron", "Zoe"):
        account = athletes.create_account(db, email=f"{name}@example.org", name=name)
        start = TODAY - dt.timedelta(days=5)
        athletes.start_episode(db, account.id, seed_injury(), program_start=start, today=TODAY)
        invites.redeem_invite(db, people.bob.id, invites.create_invite(db, account.id).code)
        if name == "Aaron":  # checked in every day, pain-free: nothing needs Bob
            for n in range(6):
                day = start + dt.timedelta(days=n)
                checkins.record_checkin(
                    db,
                    account.id,
                    CheckIn(date=day, pain_rest=0, pain_walking=0, pain_next_morning=0),
                    today=day,
                )
    checkins.record_checkin(
        db,
        people.alice.id,
        CheckIn(date=TODAY, pain_walking=4, limp=True, bone_tenderness=True),
        today=TODAY,
    )

    board = people.bob.client.get("/api/athletes").json()

    assert [a["name"] for a in board] == ["Alice", "Zoe", "Aaron"]
    assert board[0]["attention"][0].startswith("Red flag")
    assert any("missed check-ins" in text for text in board[1]["attention"])
    page = people.bob.client.get("/board").text
    assert page.index("Alice") < page.index("Zoe") < page.index("Aaron")
