"""Against a real `restride serve`: forty wrong guesses at once get the limit's five checks,
not forty (attempts in flight are counted), and X-Forwarded-For from 127.0.0.1 buys nothing
when no proxy is configured."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import pytest

from restride.cli.serve import DEMO_CLINICIAN
from restride.web import attempts
from tests.browser.conftest import TODAY, running_server

if TYPE_CHECKING:
    from collections.abc import Iterator

PARALLEL = 40
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("flood"), TODAY) as base:
        yield base


def guess(base: str, email: str, headers: dict[str, str] | None = None) -> int:
    with httpx.Client(base_url=base, timeout=120) as client:
        match = TOKEN.search(client.get("/signin").text)
        assert match
        form = {"csrf_token": match.group(1), "email": email, "password": "wrong guess!"}
        return client.post("/signin", data=form, headers=headers).status_code


def test_forty_guesses_at_once_get_five_checks(server: str) -> None:
    email, _ = DEMO_CLINICIAN
    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(lambda _: guess(server, email), range(PARALLEL)))

    # Each attempt counts every other one written before it, checked or not yet: however they
    # interleave, at most the limit are checked (all may be refused, if all arrive at once).
    checked = statuses.count(401)
    assert checked <= attempts.MAX_FAILURES_PER_EMAIL, statuses
    assert statuses.count(429) == PARALLEL - checked


def test_a_rotating_forwarded_header_from_localhost_is_not_believed(server: str) -> None:
    statuses = [
        guess(server, f"nobody{n}@example.org", {"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(attempts.MAX_FAILURES_PER_IP + 1)
    ]

    # Every email is new, so only the address's limit can refuse: the header was not believed
    # (the other test's failures from 127.0.0.1 may already count towards it).
    assert statuses[-1] == 429
    first = statuses.index(429)
    assert set(statuses[:first]) <= {401} and set(statuses[first:]) == {429}
