"""The program that fits the injury on the web: onboarding proposes it and the today page says
why; the clinician tailors it from the timeline (RTR-7), the athlete reads who and why, and the
report lists every change."""

from __future__ import annotations

import html

from restride.domain.decide import decide
from restride.loading import builtin_protocol
from restride.services import decisions
from tests.web.conftest import ALL_CLEAR, TODAY, People
from tests.web.test_athlete_pages import new_athlete


def onboard(people: People, site: str, kind: str) -> tuple[object, str]:
    client, csrf = new_athlete(people)
    response = client.post(
        "/onboarding",
        data={
            "csrf_token": csrf,
            "site": site,
            "side": "left",
            "kind": kind,
            "onset": "2026-02-09",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/today"
    client.post("/checkin", data={"csrf_token": csrf, **ALL_CLEAR})
    return client, client.get("/today").text


def test_a_plantar_fascia_runner_gets_the_fascia_program_and_is_told_why(people: People) -> None:
    _client, today = onboard(people, "plantar_fascia", "fascia")
    text = html.unescape(today)

    assert 'data-program="plantar-fasciitis"' in today
    assert "Your program: Plantar fasciitis" in text
    assert "rolling the sole is part of it" in text
    assert 'data-phase="offload"' not in today and "Crutches" not in text


def test_a_navicular_runner_gets_the_high_risk_bone_program(people: People) -> None:
    _client, today = onboard(people, "navicular", "unknown")

    assert 'data-program="bone-high-risk"' in today
    assert "high-risk site" in html.unescape(today)


def test_a_clinician_tailors_from_the_timeline_and_the_athlete_reads_who_and_why(
    people: People,
) -> None:
    path = f"/athletes/{people.alice.id}/tailor"
    timeline = people.bob.client.get(f"/athletes/{people.alice.id}").text
    assert "Tailor the program" in timeline and "floor 28" in timeline

    too_short = people.bob.post(
        path, {"kind": "set_minimum", "phase": "corrective", "days": "7", "reason": "in a rush"}
    )
    assert too_short.status_code == 422
    assert "below Corrective exercise&#39;s floor of 28 days" in too_short.text

    saved = people.bob.post(
        path,
        {"kind": "set_minimum", "phase": "corrective", "days": "35", "reason": "strong on review"},
    )
    assert saved.status_code == 303
    people.alice.post("/checkin", ALL_CLEAR)
    today = html.unescape(people.alice.client.get("/today").text)
    assert "Corrective exercise lasts at least 35 days, because strong on review" in today
    assert "(Bob)" in today

    timeline = html.unescape(people.bob.client.get(f"/athletes/{people.alice.id}").text)
    assert "Minimum changed" in timeline and "(corrective: at least 35 days)" in timeline

    report = people.bob.client.get(f"/athletes/{people.alice.id}/report")
    assert report.status_code == 200
    assert "Changes to the program" in report.text
    assert "Corrective exercise lasts at least 35 days, because strong on review" in html.unescape(
        report.text
    )


def test_an_added_gate_keeps_the_athlete_waiting_until_the_clinician_clears_it(
    people: People,
) -> None:
    path = f"/athletes/{people.alice.id}/tailor"
    saved = people.bob.post(
        path, {"kind": "add_gate", "phase": "rest", "reason": "I want to examine the foot first"}
    )
    assert saved.status_code == 303

    case = decisions.stored_case(people.db, people.alice.id, TODAY)
    assert case is not None
    decision = decide(builtin_protocol(case.protocol), case)
    assert decision.next is not None
    gate = [u for u in decision.next.unmet if u.rule == "TS-TAILORED"]
    assert gate and gate[0].kind == "clinician_clearance"


def test_after_a_change_of_program_every_page_of_the_athlete_still_opens(people: People) -> None:
    people.alice.post("/checkin", ALL_CLEAR)
    changed = people.bob.post(
        f"/athletes/{people.alice.id}/tailor",
        {"kind": "change_protocol", "protocol": "bone-high-risk", "reason": "MRI: high-risk"},
    )
    assert changed.status_code == 303

    for page in ("/today", "/plan", "/history", "/api/today", "/api/history"):
        response = people.alice.client.get(page)
        assert response.status_code == 200, (page, response.text[:300])
    assert people.alice.client.get("/api/today").json()["protocol"] == "bone-high-risk"
    board = people.bob.client.get("/board")
    assert board.status_code == 200 and "Alice" in board.text
