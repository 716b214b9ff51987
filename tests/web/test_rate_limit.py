"""Sign-in rate limiting, counted in the database: per email and per client address for
browsers the account never signed in with, per browser for those it did (a device cookie), so
guesses never lock the owner out; reset codes per address; sign-ups per address; forwarded
addresses believed only from a trusted proxy."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from restride.storage import tables as t
from restride.storage.tables import utcnow
from restride.web import accounts, attempts
from restride.web.deps import SESSION_COOKIE
from restride.web.rendering import DEVICE_COOKIE
from tests.web.conftest import PASSWORD, csrf_from

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

    from restride.storage.database import Database
    from tests.web.conftest import People

WRONG = "not the password"


class Visitor:
    """A signed-out browser at one address."""

    def __init__(self, app: FastAPI, ip: str = "203.0.113.7") -> None:
        self.client = TestClient(app, follow_redirects=False, client=(ip, 50000))
        self.token = csrf_from(self.client.get("/signin").text)

    def sign_in(self, email: str, password: str) -> httpx.Response:
        form = {"csrf_token": self.token, "email": email, "password": password}
        response: httpx.Response = self.client.post("/signin", data=form)
        return response

    def reset(self, email: str, code: str) -> httpx.Response:
        form = {"csrf_token": self.token, "email": email, "code": code, "password": "a new one!"}
        response: httpx.Response = self.client.post("/reset", data=form)
        return response


def fail(visitor: Visitor, email: str, times: int) -> None:
    for _ in range(times):
        assert visitor.sign_in(email, WRONG).status_code == 401


def failures(db: Database, email: str) -> int:
    with db.transaction() as tx:
        return int(
            tx.scalar(
                select(func.count())
                .select_from(t.SignInFailure)
                .where(t.SignInFailure.email == email)
            )
            or 0
        )


def age_failures(db: Database, by: dt.timedelta) -> None:
    """Move every recorded failure `by` into the past, as if that time had gone by."""
    with db.transaction() as tx:
        for row in tx.scalars(select(t.SignInFailure)):
            row.at -= by


def add_failures(
    db: Database, *, email: str, ip: str | None, count: int, ago: dt.timedelta
) -> None:
    at = utcnow() - ago
    with db.transaction() as tx:
        tx.add_all(t.SignInFailure(email=email, ip=ip, at=at) for _ in range(count))


def test_five_wrong_passwords_lock_the_email_for_browsers_it_never_signed_in_with(
    people: People,
) -> None:
    visitor = Visitor(people.app)
    fail(visitor, people.alice.email, attempts.MAX_FAILURES_PER_EMAIL)

    response = visitor.sign_in(people.alice.email, PASSWORD)

    assert response.status_code == 429
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    wait = int(response.headers["retry-after"])
    assert 0 < wait <= attempts.FAILURE_WINDOW.total_seconds()
    assert "Too many failed attempts. Wait 15 minutes and try again." in response.text
    # The refused attempt did not look at the password, so it is not a failure either.
    assert failures(people.db, people.alice.email) == attempts.MAX_FAILURES_PER_EMAIL


def test_the_email_is_counted_whatever_its_case(people: People) -> None:
    visitor = Visitor(people.app)
    fail(visitor, people.alice.email.upper(), attempts.MAX_FAILURES_PER_EMAIL)
    assert visitor.sign_in(f" {people.alice.email} ", PASSWORD).status_code == 429


def test_unknown_emails_are_limited_alike(people: People) -> None:
    visitor = Visitor(people.app)
    fail(visitor, "nobody@example.org", attempts.MAX_FAILURES_PER_EMAIL)
    assert visitor.sign_in("nobody@example.org", WRONG).status_code == 429


def test_sign_in_works_again_once_the_failures_leave_the_window(people: People) -> None:
    visitor = Visitor(people.app)
    fail(visitor, people.alice.email, attempts.MAX_FAILURES_PER_EMAIL)
    assert visitor.sign_in(people.alice.email, PASSWORD).status_code == 429

    age_failures(people.db, attempts.FAILURE_WINDOW + dt.timedelta(seconds=1))

    assert visitor.sign_in(people.alice.email, PASSWORD).status_code == 303


def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window(people: People) -> None:
    email = people.alice.email
    add_failures(people.db, email=email, ip=None, count=1, ago=dt.timedelta(minutes=10))
    add_failures(people.db, email=email, ip=None, count=4, ago=dt.timedelta(minutes=1))

    response = Visitor(people.app).sign_in(email, PASSWORD)

    assert response.status_code == 429
    wait = int(response.headers["retry-after"])
    assert 4 * 60 < wait <= 5 * 60
    assert "Wait 5 minutes" in response.text


def test_a_success_clears_the_count(people: People) -> None:
    visitor = Visitor(people.app)
    fail(visitor, people.alice.email, attempts.MAX_FAILURES_PER_EMAIL - 1)
    assert visitor.sign_in(people.alice.email, PASSWORD).status_code == 303
    assert failures(people.db, people.alice.email) == 0

    visitor = Visitor(people.app)  # signed out again, from the same address
    fail(visitor, people.alice.email, attempts.MAX_FAILURES_PER_EMAIL - 1)
    assert visitor.sign_in(people.alice.email, PASSWORD).status_code == 303


def test_another_email_is_unaffected(people: People) -> None:
    visitor = Visitor(people.app)
    fail(visitor, people.alice.email, attempts.MAX_FAILURES_PER_EMAIL)
    assert visitor.sign_in(people.alice.email, PASSWORD).status_code == 429
    assert visitor.sign_in(people.dave.email, PASSWORD).status_code == 303


def test_one_address_is_limited_across_emails(people: People) -> None:
    visitor = Visitor(people.app, ip="198.51.100.9")
    for n in range(attempts.MAX_FAILURES_PER_IP):
        assert visitor.sign_in(f"guess{n % 10}@example.org", WRONG).status_code == 401

    response = visitor.sign_in(people.dave.email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    # Someone else, at another address, still signs in.
    assert (
        Visitor(people.app, ip="192.0.2.1").sign_in(people.dave.email, PASSWORD).status_code == 303
    )


def test_old_address_failures_do_not_count(people: People) -> None:
    ip = "198.51.100.9"
    old = attempts.FAILURE_WINDOW + dt.timedelta(minutes=1)
    add_failures(
        people.db, email="x@example.org", ip=ip, count=attempts.MAX_FAILURES_PER_IP, ago=old
    )
    assert Visitor(people.app, ip=ip).sign_in(people.dave.email, PASSWORD).status_code == 303


def test_failures_older_than_a_day_are_pruned(people: People) -> None:
    stale = attempts.FAILURES_KEPT + dt.timedelta(minutes=1)
    add_failures(people.db, email="old@example.org", ip=None, count=3, ago=stale)
    fail(Visitor(people.app), people.alice.email, 1)
    assert failures(people.db, "old@example.org") == 0
    assert failures(people.db, people.alice.email) == 1


def test_wrong_reset_codes_are_limited_per_address_and_never_lock_out_the_owner(
    people: People,
) -> None:
    code = accounts.create_reset_code(people.db, people.alice.email)
    guesser = Visitor(people.app, ip="198.51.100.66")
    for _ in range(attempts.MAX_RESETS_PER_IP):
        assert guesser.reset(people.alice.email, "AAAA-BBBB-CCCC").status_code == 422

    refused = guesser.reset(people.alice.email, code)
    owner = Visitor(people.app, ip="192.0.2.10").reset(people.alice.email, code)

    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many failed attempts" in refused.text
    assert owner.status_code == 200  # the owner's valid code works, whoever guessed before
    assert "Password changed: sign in." in owner.text


def test_the_limit_holds_across_app_instances(people: People, app: FastAPI) -> None:
    """Two workers share nothing but the database."""
    from restride.web.app import create_app
    from tests.web.conftest import FAST_HASHER, TODAY

    other = create_app(people.db, today=lambda: TODAY, password_hasher=FAST_HASHER)
    fail(Visitor(app), people.alice.email, attempts.MAX_FAILURES_PER_EMAIL)
    assert Visitor(other).sign_in(people.alice.email, PASSWORD).status_code == 429


def known_browser(people: People, ip: str = "192.0.2.44") -> Visitor:
    """Alice's own browser: it has signed in before, so it holds her device cookie."""
    browser = Visitor(people.app, ip=ip)
    assert browser.sign_in(people.alice.email, PASSWORD).status_code == 303
    assert browser.client.cookies.get(DEVICE_COOKIE)
    browser.client.cookies.delete(SESSION_COOKIE)  # signed out again, the device cookie kept
    browser.token = csrf_from(browser.client.get("/signin").text)
    return browser


def test_guesses_from_elsewhere_never_lock_the_owner_out_of_her_own_browser(
    people: People,
) -> None:
    browser = known_browser(people)
    for n in range(4):  # attackers at four addresses, to the email's limit and past it
        attacker = Visitor(people.app, ip=f"198.51.100.{n}")
        for _ in range(3):
            attacker.sign_in(people.alice.email, WRONG)
    assert Visitor(people.app).sign_in(people.alice.email, PASSWORD).status_code == 429

    response = browser.sign_in(people.alice.email, PASSWORD)

    assert response.status_code == 303  # her browser is counted on its own
    assert SESSION_COOKIE in response.headers["set-cookie"]


def test_wrong_passwords_from_a_known_browser_limit_that_browser(people: People) -> None:
    browser = known_browser(people)
    fail(browser, people.alice.email, attempts.MAX_FAILURES_PER_DEVICE)

    assert browser.sign_in(people.alice.email, PASSWORD).status_code == 429
    assert Visitor(people.app).sign_in(people.alice.email, PASSWORD).status_code == 303


def test_the_device_cookie_is_httponly_samesite_and_lasts_a_year(people: People) -> None:
    response = Visitor(people.app).sign_in(people.alice.email, PASSWORD)

    cookie = next(c for c in response.headers.get_list("set-cookie") if DEVICE_COOKIE in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert f"Max-Age={accounts.DEVICE_DAYS * 24 * 3600}" in cookie


def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(people: People) -> None:
    from restride.web.app import create_app
    from tests.web.conftest import FAST_HASHER, TODAY

    behind = create_app(
        people.db, today=lambda: TODAY, password_hasher=FAST_HASHER, trusted_proxies=["10.0.0.5"]
    )

    def guesses(app: FastAPI, proxy_ip: str) -> list[int]:
        visitor = Visitor(app, ip=proxy_ip)
        codes = []
        for n in range(attempts.MAX_FAILURES_PER_IP + 1):
            form = {"csrf_token": visitor.token, "email": f"g{n}@example.org", "password": WRONG}
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}  # a new address each time
            codes.append(visitor.client.post("/signin", data=form, headers=headers).status_code)
        return codes

    untrusted = guesses(people.app, "10.0.0.5")  # the default app trusts no proxy
    trusted = guesses(behind, "10.0.0.5")

    assert untrusted[-1] == 429  # rotating the header bought nothing
    assert set(trusted) == {401}  # each forwarded address counted on its own


def test_sign_ups_are_limited_per_address(people: People) -> None:
    visitor = Visitor(people.app, ip="198.51.100.200")

    def sign_up(n: int) -> int:
        form = {
            "csrf_token": visitor.token,
            "name": f"New {n}",
            "email": f"new{n}@example.org",
            "password": PASSWORD,
        }
        visitor.client.cookies.delete(SESSION_COOKIE)
        return visitor.client.post("/signup", data=form).status_code

    made = [sign_up(n) for n in range(attempts.MAX_SIGN_UPS_PER_IP)]
    visitor.client.cookies.delete(SESSION_COOKIE)
    refused = visitor.client.post(
        "/signup",
        data={
            "csrf_token": visitor.token,
            "name": "N",
            "email": "n@example.org",
            "password": PASSWORD,
        },
    )

    assert set(made) == {303}
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    other = Visitor(people.app, ip="192.0.2.201")
    form = {"csrf_token": other.token, "name": "O", "email": "o@example.org", "password": PASSWORD}
    assert other.client.post("/signup", data=form).status_code == 303
