"""Who may see what: every athlete- or clinician-scoped route refuses Charlie and Dave."""

from __future__ import annotations

import pytest

from restride.services import sharing
from tests.web.conftest import People

ATHLETE_PAGES = ["/onboarding", "/today", "/checkin", "/plan", "/history", "/settings"]
ATHLETE_API = ["/api/today", "/api/history"]
ALICE_FOR_CLINICIANS = [
    "/athletes/{alice}",
    "/api/athletes/{alice}/today",
    "/api/athletes/{alice}/history",
]


@pytest.mark.parametrize("path", ATHLETE_PAGES + ATHLETE_API)
def test_athlete_routes_refuse_a_clinician(people: People, path: str) -> None:
    for clinician in (people.charlie, people.bob):
        response = clinician.client.get(path)
        assert response.status_code == 403, (clinician.name, path)
        assert "for athletes" in response.text


@pytest.mark.parametrize("path", ["/today", "/api/today", "/history", "/api/history"])
def test_athlete_routes_show_dave_his_own_record_never_alices(people: People, path: str) -> None:
    from restride.domain.case import CheckIn
    from restride.services import checkins
    from tests.web.conftest import TODAY

    note = "Alice's private note"
    checkins.record_checkin(
        people.db, people.alice.id, CheckIn(date=TODAY, pain_rest=1, notes=note), today=TODAY
    )
    response = people.dave.client.get(path)
    assert response.status_code == 200
    assert "Alice" not in response.text and note not in response.text


@pytest.mark.parametrize("template", ALICE_FOR_CLINICIANS)
def test_alices_record_is_refused_to_charlie_and_dave_and_shown_to_bob(
    people: People, template: str
) -> None:
    path = template.format(alice=people.alice.id)
    assert people.bob.client.get(path).status_code == 200
    charlie = people.charlie.client.get(path)
    assert charlie.status_code == 404  # whether Alice exists is none of Charlie's business
    assert "Alice" not in charlie.text
    dave = people.dave.client.get(path)
    assert dave.status_code == 403
    assert "Alice" not in dave.text


def test_a_hold_on_alice_is_refused_to_charlie_and_dave(people: People) -> None:
    path = f"/athletes/{people.alice.id}/events"
    form = {"kind": "hold", "reason": "not your athlete"}
    assert people.charlie.post(path, form).status_code == 404
    assert people.dave.post(path, form).status_code == 403
    today = people.alice.client.get("/today").text
    assert "not your athlete" not in today


def test_dave_cannot_revoke_alices_share(people: People) -> None:
    response = people.dave.post(f"/settings/shares/{people.bob.id}/revoke")
    assert response.status_code == 404
    assert [a.name for a in sharing.shared_athletes(people.db, people.bob.id)] == ["Alice"]


def test_the_board_lists_only_the_athletes_who_share(people: People) -> None:
    bob = people.bob.client.get("/board").text
    assert "Alice" in bob and "Dave" not in bob
    charlie = people.charlie.client.get("/board").text
    assert "Alice" not in charlie and "No athlete shares with you yet" in charlie
    assert [a["name"] for a in people.bob.client.get("/api/athletes").json()] == ["Alice"]
    assert people.charlie.client.get("/api/athletes").json() == []
    assert people.dave.client.get("/api/athletes").status_code == 403


def test_after_alice_revokes_bob_is_refused(people: People) -> None:
    response = people.alice.post(f"/settings/shares/{people.bob.id}/revoke")
    assert response.status_code == 303
    assert people.bob.client.get(f"/athletes/{people.alice.id}").status_code == 404
    assert "Alice" not in people.bob.client.get("/board").text


@pytest.mark.parametrize("path", ["/today", "/board", f"/athletes/{'0' * 32}", "/settings"])
def test_signed_out_visitors_are_sent_to_sign_in(people: People, path: str) -> None:
    response = people.anonymous().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


@pytest.mark.parametrize("path", ["/api/today", "/api/history", "/api/athletes", "/api/me"])
def test_the_api_answers_401_json_when_signed_out(people: People, path: str) -> None:
    response = people.anonymous().get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "Please sign in first."}
