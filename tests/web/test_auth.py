"""Sign-up, sign-in, sessions, sign-out (here and everywhere), reset codes, CSRF, headers."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from restride.storage.database import Database
from restride.web import accounts
from restride.web.deps import ANON_CSRF_COOKIE, SESSION_COOKIE
from restride.web.routes import api, athlete, auth, clinician
from tests.web.conftest import FAST_HASHER, PASSWORD, People, csrf_from


def anonymous(app: FastAPI, base_url: str = "http://testserver") -> tuple[TestClient, str]:
    client = TestClient(app, base_url=base_url, follow_redirects=False)
    return client, csrf_from(client.get("/signin").text)


def sign_up(app: FastAPI, role: str = "athlete") -> TestClient:
    client, token = anonymous(app)
    response = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Erin",
            "email": "Erin@Example.org",
            "password": PASSWORD,
            "role": role,
        },
    )
    assert response.status_code == 303, response.text
    return client


def test_an_athlete_signs_up_and_lands_on_onboarding(app: FastAPI) -> None:
    client = sign_up(app)
    assert client.get("/today").headers["location"] == "/onboarding"
    assert client.get("/api/me").json()["email"] == "erin@example.org"


def test_a_clinician_signs_up_and_lands_on_the_board(app: FastAPI) -> None:
    client = sign_up(app, role="clinician")
    assert client.get("/").headers["location"] == "/board"
    assert client.get("/board").status_code == 200


def test_the_password_is_stored_as_an_argon2id_hash(app: FastAPI, database: Database) -> None:
    sign_up(app)
    with database.transaction() as tx:
        from restride.storage import repository as repo

        row = repo.account_by_email(tx, "erin@example.org")
        assert row is not None and row.password_hash is not None
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


def test_signing_up_twice_with_one_email_is_refused_without_saying_it_exists(
    app: FastAPI,
) -> None:
    sign_up(app)
    client, token = anonymous(app)
    response = client.post(
        "/signup",
        data={"csrf_token": token, "name": "E", "email": "erin@example.org", "password": PASSWORD},
    )
    assert response.status_code == 422
    assert "We could not create an account with these details." in response.text
    assert "exists" not in response.text and "erin@example.org: " not in response.text


def test_a_short_password_is_refused_with_a_reason(app: FastAPI) -> None:
    client, token = anonymous(app)
    response = client.post(
        "/signup",
        data={"csrf_token": token, "name": "E", "email": "e@example.org", "password": "short"},
    )
    assert response.status_code == 422
    assert "at least 8 characters" in response.text


def test_sign_in_sets_an_httponly_samesite_session_cookie(people: People) -> None:
    client, token = anonymous(people.app)
    response = client.post(
        "/signin", data={"csrf_token": token, "email": people.alice.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/today"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1: a Secure cookie would never return


def test_the_session_cookie_is_secure_over_https(people: People) -> None:
    client, token = anonymous(people.app, base_url="https://testserver")
    response = client.post(
        "/signin", data={"csrf_token": token, "email": people.alice.email, "password": PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]
    assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_a_wrong_password_gets_the_same_answer_as_an_unknown_email(people: People) -> None:
    answers = []
    for email, password in ((people.alice.email, "wrong password"), ("nobody@x.org", PASSWORD)):
        client, token = anonymous(people.app)
        response = client.post(
            "/signin", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code == 401
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
        # The tokens differ per visitor; everything else must be the same.
        answers.append(re.sub(r'(value="|Token": ")[^"]*"', "", response.text))
    assert "do not match an account" in answers[0]
    assert answers[0].replace(people.alice.email, "") == answers[1].replace("nobody@x.org", "")


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(people: People) -> None:
    assert people.anonymous().get("/plan").headers["location"] == "/signin?next=/plan"
    for target, expected in (
        ("/plan", "/plan"),
        ("//evil.example", "/today"),
        ("https://x", "/today"),
    ):
        client, token = anonymous(people.app)
        response = client.post(
            "/signin",
            data={
                "csrf_token": token,
                "email": people.alice.email,
                "password": PASSWORD,
                "next": target,
            },
        )
        assert response.headers["location"] == expected


def test_signing_out_ends_that_session(people: People) -> None:
    alice = people.alice
    assert alice.post("/signout").headers["location"] == "/signin"
    assert alice.client.get("/today").headers["location"].startswith("/signin")
    assert alice.client.get("/api/today").status_code == 401


def test_signing_out_everywhere_ends_every_session_of_the_account(people: People) -> None:
    other = accounts.open_session(people.db, accounts.Account(people.alice.id, "", "", "athlete"))
    phone = TestClient(people.app, follow_redirects=False, cookies={SESSION_COOKIE: other.token})
    assert phone.get("/today").status_code == 200

    people.alice.post("/signout-everywhere")

    assert phone.get("/today").status_code == 303
    assert people.alice.client.get("/today").status_code == 303
    assert people.bob.client.get("/board").status_code == 200  # other accounts are untouched


def test_a_reset_code_sets_a_new_password_once_and_signs_out_everywhere(people: People) -> None:
    code = accounts.create_reset_code(people.db, people.alice.email)
    client, token = anonymous(people.app)
    form = {
        "csrf_token": token,
        "email": people.alice.email,
        "code": code.lower(),
        "password": "a new password",
    }

    assert client.post("/reset", data=form).status_code == 200
    assert people.alice.client.get("/today").status_code == 303
    accounts.sign_in(people.db, FAST_HASHER, email=people.alice.email, password=form["password"])

    again = client.post("/reset", data={**form, "password": "another one!"})
    assert again.status_code == 422
    assert "wrong, used or expired" in again.text


def test_a_reset_code_works_only_for_its_own_account(people: People) -> None:
    code = accounts.create_reset_code(people.db, people.dave.email)
    client, token = anonymous(people.app)
    response = client.post(
        "/reset",
        data={
            "csrf_token": token,
            "email": people.alice.email,
            "code": code,
            "password": "taken over!",
        },
    )
    assert response.status_code == 422


# --- CSRF --------------------------------------------------------------------------------------


def post_routes() -> list[str]:
    """Every POST route of the app's routers (the app lists included routers opaquely)."""
    paths = []
    for module in (auth, athlete, clinician, api):
        for route in module.router.routes:
            if "POST" in getattr(route, "methods", set()):
                paths.append(getattr(route, "path", ""))
    return sorted(paths)


def test_every_post_route_refuses_a_request_without_the_csrf_token(people: People) -> None:
    paths = post_routes()
    assert len(paths) >= 10, paths
    for path in paths:
        url = path.replace("{athlete_id}", people.alice.id).replace("{clinician_id}", people.bob.id)
        for who in (people.alice, people.bob):
            bare = who.client.post(url, data={"reason": "x", "kind": "note", "code": "x"})
            assert bare.status_code == 403, (path, who.name, bare.status_code)
            wrong = who.client.post(url, data={"csrf_token": "forged"}, headers={})
            assert wrong.status_code == 403, (path, who.name)
            header = who.client.post(url, json={}, headers={"X-CSRF-Token": people.dave.csrf})
            assert header.status_code == 403, (path, who.name)


def test_the_anonymous_forms_need_the_cookie_token_too(people: People) -> None:
    client, token = anonymous(people.app)
    form = {"email": people.alice.email, "password": PASSWORD}
    assert client.post("/signin", data=form).status_code == 403
    client.cookies.delete(ANON_CSRF_COOKIE)
    assert client.post("/signin", data={**form, "csrf_token": token}).status_code == 403


def test_a_refused_csrf_token_gets_a_page_that_says_what_to_do(people: People) -> None:
    response = people.alice.client.post("/checkin", data={"pain_rest": "0"})
    assert response.status_code == 403
    assert "Reload the page" in response.text
    api = people.alice.client.post("/api/checkins", json={})
    assert api.status_code == 403 and "error" in api.json()


# --- headers, errors, assets -------------------------------------------------------------------


def test_pages_carry_security_headers_and_are_not_cached(people: People) -> None:
    response = people.alice.client.get("/today")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("page", ["/today", "/history", "/signin"])
def test_pages_load_scripts_and_styles_from_this_server_only(people: People, page: str) -> None:
    html = (
        people.alice.client.get(page).text
        if page != "/signin"
        else people.anonymous().get(page).text
    )
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert people.alice.client.get(asset).status_code == 200, asset
    assert "<script>" not in html  # the CSP forbids inline scripts


def test_an_unknown_page_is_a_friendly_404_and_json_under_api(people: People) -> None:
    page = people.alice.client.get("/nowhere")
    assert page.status_code == 404 and "There is no page here." in page.text
    json = people.alice.client.get("/api/nowhere")
    assert json.status_code == 404 and json.json() == {"error": "There is no page here."}


def test_the_openapi_schema_describes_the_json_api(people: People) -> None:
    schema = people.anonymous().get("/api/openapi.json").json()
    assert {"/api/today", "/api/checkins", "/api/history", "/api/me"} <= set(schema["paths"])
    assert not [p for p in schema["paths"] if not p.startswith("/api/")]
    assert people.anonymous().get("/docs").status_code == 404  # its page would load a CDN
