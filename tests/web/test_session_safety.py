"""Session fixation and the headers on refusals: a session cookie planted before sign-in is
never the one after it, and the security headers come with every answer, the early 413 and
the busy 503 included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from restride.web.app import SECURITY_HEADERS
from restride.web.body_limit import ANONYMOUS_BYTES
from restride.web.deps import SESSION_COOKIE
from tests.web.conftest import PASSWORD, csrf_from

if TYPE_CHECKING:
    from tests.web.conftest import People

PLANTED = "attacker-chosen-session-token-0123456789"


def test_a_planted_session_cookie_is_replaced_at_sign_in_and_signs_no_one_in(
    people: People,
) -> None:
    victim = TestClient(people.app, follow_redirects=False)
    token = csrf_from(victim.get("/signin").text)
    victim.cookies.set(SESSION_COOKIE, PLANTED)

    form = {"csrf_token": token, "email": people.alice.email, "password": PASSWORD}
    response = victim.post("/signin", data=form)

    assert response.status_code == 303
    issued = response.cookies[SESSION_COOKIE]
    assert issued and issued != PLANTED
    attacker = TestClient(people.app, follow_redirects=False)
    attacker.cookies.set(SESSION_COOKIE, PLANTED)
    assert attacker.get("/api/me").status_code == 401


def test_refusals_carry_the_security_headers_too(people: People) -> None:
    visitor = people.anonymous()
    too_big = visitor.post(
        "/signin",
        content=b"x" * (ANONYMOUS_BYTES + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    missing = visitor.get("/no/such/page")

    for response in (too_big, missing):
        assert response.status_code in (404, 413)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.status_code, name)
        assert response.headers["cache-control"] == "no-store"
