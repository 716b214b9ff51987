"""Personas for the web tests, on both databases: athlete Alice, her clinician Bob, an
unrelated clinician Charlie and another athlete Dave. Each has a signed-in TestClient."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from restride.domain.case import Imaging, Injury
from restride.services import athletes
from restride.storage.database import Database
from restride.web import accounts, invites
from restride.web.app import create_app
from restride.web.deps import SESSION_COOKIE

TODAY = dt.date(2026, 3, 2)
PASSWORD = "correct horse battery"  # noqa: S105 - a test account
# argon2id still, with the cheapest parameters: the tests sign in hundreds of times.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
# A web check-in with every question answered: no pain, no sign. The form pre-answers nothing.
ALL_CLEAR = {
    "pain_rest": "0",
    "pain_walking": "0",
    "pain_next_morning": "0",
    "pain_activity": "skip",
    "pain_after": "skip",
    "limp": "no",
    "can_bear_weight": "yes",
    "bone_tenderness": "no",
    "swelling": "no",
    "redness": "no",
    "night_pain": "no",
    "emergency": "no",
}


def seed_injury() -> Injury:
    """The seed's runner C: 4th metatarsal shaft, right, three weeks ago, negative X-ray."""
    return Injury(
        site="metatarsal_4_shaft",
        side="right",
        onset=TODAY - dt.timedelta(days=21),
        imaging=[Imaging(date=TODAY - dt.timedelta(days=14), modality="xray", result="negative")],
    )


@dataclass
class Persona:
    id: str
    email: str
    name: str
    role: str
    client: TestClient
    csrf: str

    def post(
        self,
        url: str,
        data: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        form = {"csrf_token": self.csrf, **(data or {})}
        response: httpx.Response = self.client.post(url, data=form, headers=headers)
        return response


@dataclass
class People:
    app: FastAPI
    db: Database
    alice: Persona
    bob: Persona
    charlie: Persona
    dave: Persona

    def anonymous(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)


@pytest.fixture
def app(database: Database) -> FastAPI:
    return create_app(database, today=lambda: TODAY, password_hasher=FAST_HASHER)


def persona(app: FastAPI, db: Database, name: str, role: str) -> Persona:
    email = f"{name.lower()}@example.org"
    account = accounts.sign_up(
        db, FAST_HASHER, email=email, name=name, password=PASSWORD, role=role
    )
    signed_in = accounts.open_session(db, account)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, signed_in.token)
    return Persona(account.id, email, name, role, client, signed_in.csrf_token)


@pytest.fixture
def people(app: FastAPI, database: Database) -> People:
    alice = persona(app, database, "Alice", "athlete")
    bob = persona(app, database, "Bob", "clinician")
    charlie = persona(app, database, "Charlie", "clinician")
    dave = persona(app, database, "Dave", "athlete")
    for athlete in (alice, dave):
        athletes.start_episode(
            database, athlete.id, seed_injury(), program_start=TODAY, today=TODAY
        )
    invites.redeem_invite(database, bob.id, invites.create_invite(database, alice.id).code)
    return People(app, database, alice, bob, charlie, dave)


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)
