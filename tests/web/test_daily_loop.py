"""The daily loop on the web: log today's items (a form, htmx, the JSON API), notes that reach
the clinician, the clinician's events that reach the runner's open page, and withdrawals."""

from __future__ import annotations

import html
import re

from restride.services import decisions
from tests.web.conftest import ALL_CLEAR, TODAY, People

HTMX = {"HX-Request": "true"}
STAMP = re.compile(r'data-stamp="([0-9a-f]+)"')


def checked_in(people: People, **answers: str) -> None:
    response = people.alice.post("/checkin", {**ALL_CLEAR, **answers})
    assert response.status_code == 303, response.text


def test_one_tap_done_logs_a_session_and_today_shows_it(people: People) -> None:
    checked_in(people)
    page = people.alice.client.get("/today").text
    # Self-massage, prefilled from the plan: 16 minutes less the injured foot's sole.
    assert "Done: 15.5 min, no pain" in page
    response = people.alice.post("/today/items/self_massage")
    assert response.status_code == 303 and response.headers["location"] == "/today#todo"
    (session,) = decisions.stored_case(people.db, people.alice.id, TODAY).sessions
    assert (session.kind, session.done_min, session.pain_during, session.pain_after) == (
        "self_massage",
        15.5,
        0,
        0,
    )
    page = people.alice.client.get("/today").text
    assert 'data-logged-item="self_massage"' in page
    assert "Done: 15.5 min, pain 0 during and 0 after, effort 2 of 10." in page


def test_through_htmx_the_answer_is_todays_live_part_with_what_was_logged(
    people: People,
) -> None:
    checked_in(people)
    response = people.alice.post(
        "/today/items/mobility",
        {"done_min": "8", "pain_during": "1", "pain_after": "0", "rpe": "2", "notes": "stiff"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="today-live"')
    assert "Logged: Mobility, 8 min." in response.text
    assert 'data-logged-item="mobility"' in response.text
    history = people.alice.client.get("/history").text
    assert "Mobility 8 min, pain 1/0: “stiff”" in html.unescape(history)


def test_a_log_with_a_bad_value_says_what_to_fix_and_keeps_the_form_open(people: People) -> None:
    checked_in(people)
    response = people.alice.post(
        "/today/items/mobility", {"pain_during": "12", "pain_after": "0"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "pain during: Input should be less than or equal to 10" in response.text
    assert decisions.stored_case(people.db, people.alice.id, TODAY).sessions == []
    gone = people.alice.post("/today/items/walk_run", headers=HTMX)
    assert gone.status_code == 422 and "not on today&#39;s plan" in gone.text


def test_something_else_is_one_form(people: People) -> None:
    checked_in(people)
    response = people.alice.post(
        "/today/other",
        {"kind": "cross_training", "done_min": "30", "pain_during": "0", "pain_after": "0"},
    )
    assert response.status_code == 303
    page = people.alice.client.get("/today").text
    assert 'data-logged-other="cross_training"' in page
    refused = people.alice.post("/today/other", {"kind": "cross_training"}, headers=HTMX)
    assert refused.status_code == 422 and "minutes: Field required" in refused.text


def test_the_json_api_lists_todays_items_and_logs_them(people: People) -> None:
    alice = people.alice
    header = {"X-CSRF-Token": alice.csrf}
    alice.client.post("/api/checkins", json={"pain_rest": 0, "pain_walking": 0}, headers=header)
    items = alice.client.get("/api/today/items").json()
    massage = next(i for i in items if i["key"] == "self_massage")
    assert massage["prefill"] == {
        "done_min": 15.5,
        "pain_during": 0,
        "pain_after": 0,
        "rpe": 2,
        "run_min": None,
        "notes": "",
    }
    assert massage["logged"] == []
    logged = alice.client.post("/api/today/items/self_massage", json={}, headers=header)
    assert logged.status_code == 201, logged.text
    assert logged.json()["session"]["done_min"] == 15.5 and logged.json()["decision"]["phase"]
    other = alice.client.post(
        "/api/sessions",
        json={"kind": "cross_training", "done_min": 25, "notes": "swim"},
        headers=header,
    )
    assert other.status_code == 201
    listed = alice.client.get("/api/today/items").json()
    assert next(i for i in listed if i["key"] == "self_massage")["logged"]
    unknown = alice.client.post("/api/today/items/run", json={}, headers=header)
    assert unknown.status_code == 404 and "not on today's plan" in unknown.json()["error"]
    no_csrf = alice.client.post("/api/sessions", json={"kind": "other", "done_min": 5})
    assert no_csrf.status_code == 403


def test_notes_reach_the_history_the_timeline_the_report_and_the_api(people: People) -> None:
    checked_in(people, notes="Foot ached after the stairs")
    people.alice.post(
        "/today/items/mobility", {"pain_during": "0", "pain_after": "0", "notes": "easy"}
    )
    said = "Check-in note: “Foot ached after the stairs”"
    assert said in html.unescape(people.alice.client.get("/history").text)
    timeline = people.bob.client.get(f"/athletes/{people.alice.id}").text
    assert said in html.unescape(timeline) and "“easy”" in html.unescape(timeline)
    report = people.bob.client.get(f"/athletes/{people.alice.id}/report").text
    assert "Foot ached after the stairs" in html.unescape(report)
    notes = people.bob.client.get(f"/api/athletes/{people.alice.id}/history").json()["notes"]
    assert notes == [
        {
            "date": TODAY.isoformat(),
            "source": "checkin",
            "kind": None,
            "text": "Foot ached after the stairs",
        },
        {"date": TODAY.isoformat(), "source": "session", "kind": "mobility", "text": "easy"},
    ]


def test_the_runners_open_page_hears_of_a_hold_and_its_withdrawal(people: People) -> None:
    checked_in(people)
    page = people.alice.client.get("/today").text
    stamp = STAMP.search(page)
    assert stamp
    updates = f"/today/updates?stamp={stamp.group(1)}&since=2000-01-01T00:00:00%2B00:00"
    assert people.alice.client.get(updates).status_code == 204  # nothing new yet

    events = f"/athletes/{people.alice.id}/events"
    held = people.bob.post(events, {"kind": "hold", "reason": "Wait for the MRI"}, headers=HTMX)
    assert held.status_code == 200
    assert "Hold recorded." in held.text and "nothing moves on until you release" in held.text

    news = people.alice.client.get(updates)
    assert news.status_code == 200
    assert 'id="today-live" hx-swap-oob="true"' in news.text
    assert "Just now from your clinician" in news.text and "Wait for the MRI" in news.text
    assert 'data-action="hold"' in news.text

    event_id = re.search(r'data-event="([0-9a-f]{32})"', held.text)
    assert event_id
    path = f"/athletes/{people.alice.id}/events/{event_id.group(1)}/withdraw"
    assert people.bob.post(path, {"reason": ""}, headers=HTMX).status_code == 422
    withdrawn = people.bob.post(path, {"reason": "MRI was clear"}, headers=HTMX)
    assert withdrawn.status_code == 200
    assert "Withdrawn: the hold no longer counts" in html.unescape(withdrawn.text)
    assert 'class="withdrawn"' in withdrawn.text
    today = people.alice.client.get("/today").text
    assert "Withdrawn today: MRI was clear" in today and 'data-action="hold"' not in today
    again = people.bob.post(path, {"reason": "twice"}, headers=HTMX)
    assert again.status_code == 422 and "already withdrawn" in again.text


def test_charlie_cannot_withdraw_bobs_event_nor_see_alices_events(people: People) -> None:
    held = people.bob.post(f"/athletes/{people.alice.id}/events", {"kind": "hold", "reason": "x"})
    assert held.status_code == 303
    event = decisions.stored_case(people.db, people.alice.id, TODAY).clinician_events[0]
    path = f"/athletes/{people.alice.id}/events/{event.id}/withdraw"
    assert people.charlie.post(path, {"reason": "mine now"}).status_code == 404
    api = f"/api/athletes/{people.alice.id}/events/{event.id}/withdraw"
    refused = people.charlie.client.post(
        api, json={"reason": "x"}, headers={"X-CSRF-Token": people.charlie.csrf}
    )
    assert refused.status_code == 404


def test_events_and_withdrawals_through_the_api(people: People) -> None:
    checked_in(people)
    bob = people.bob
    header = {"X-CSRF-Token": bob.csrf}
    base = f"/api/athletes/{people.alice.id}/events"
    held = bob.client.post(base, json={"kind": "hold", "reason": "scan first"}, headers=header)
    assert held.status_code == 201, held.text
    assert held.json()["decision"]["action"] == "hold"
    assert held.json()["summary"].startswith("Hold recorded.")
    back = bob.client.post(
        f"{base}/{held.json()['id']}/withdraw", json={"reason": "scan clear"}, headers=header
    )
    assert back.status_code == 201 and back.json()["decision"]["action"] != "hold"
    events = bob.client.get(f"/api/athletes/{people.alice.id}/history").json()["events"]
    assert [(e["kind"], e["withdrawn"]) for e in events] == [("hold", True), ("withdraw", False)]
    assert events[1]["withdraws"] == held.json()["id"]


def test_the_timeline_opens_with_the_injury_onset_imaging_phase_and_gates(people: People) -> None:
    page = html.unescape(people.bob.client.get(f"/athletes/{people.alice.id}").text)
    card = page[page.index("data-injury") : page.index('id="decision"')]
    assert "4th metatarsal" in card.lower() and "right" in card
    assert "Monday 9 February (3 weeks ago)" in card
    assert "X-ray Mon 16 Feb: nothing found" in card
    assert "Offload, week 1" in card
    assert "Three check-ins in a row" in card
