"""Every screen shows the same decision for the same day: `/today`, `/api/today`, the board row
and `restride today` all ask the one composer. The case is the one where they once disagreed:
a runner in maintenance whose run this week spiked, a warning only the API used to show."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from restride.domain.decision import Decision
from restride.services import demo
from restride.simulation import SEED_DOCTOR_VISIT, SEED_START, seed_injury, simulate
from restride.web import invites
from restride.web.app import create_app
from tests.services.test_insights import run
from tests.services.test_insights import store as store_activities
from tests.web.conftest import FAST_HASHER, persona

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol
    from restride.storage.database import Database


def restride_today(db: Database, today: dt.date) -> Decision:
    command = Path(sys.executable).parent / "restride"
    found = subprocess.run(
        [str(command), "today", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "RESTRIDE_DATABASE_URL": db.url, "RESTRIDE_TODAY": today.isoformat()},
        timeout=120,
        check=True,
    )
    return Decision.model_validate_json(found.stdout)


def test_today_the_api_the_board_and_the_cli_give_the_same_decision(
    database: Database, protocol: Protocol
) -> None:
    sim = simulate(protocol, seed_injury(), SEED_START, 215, events=SEED_DOCTOR_VISIT)
    today = sim.case.today
    app = create_app(database, today=lambda: today, password_hasher=FAST_HASHER)
    alice = persona(app, database, "Alice", "athlete")
    bob = persona(app, database, "Bob", "clinician")
    with database.transaction() as tx:
        demo.store_case(tx, alice.id, sim.case)
    invites.redeem_invite(database, bob.id, invites.create_invite(database, alice.id).code)
    # Four weeks of 30-minute runs, then yesterday 45 minutes: +50 % (LOAD-1).
    weeks = [today - dt.timedelta(days=d) for d in range(30, 3, -2)]
    store_activities(database, alice.id, *[run(d, 30) for d in weeks])
    store_activities(database, alice.id, run(today - dt.timedelta(days=1), 45))

    api = Decision.model_validate(alice.client.get("/api/today").json())
    assert api.phase == "maintain"
    spike = next(w for w in api.warnings if w.rule == "TS-SPIKE-WARN")

    page = alice.client.get("/today").text
    assert spike.text.split(".")[0] in page  # the warning the API gives, on the page too

    board = bob.client.get("/api/athletes").json()
    row = next(r for r in board if r["email"] == alice.email)
    assert (row["phase"], row["week"], row["action"], row["referral"]) == (
        api.phase,
        api.week,
        api.action,
        api.referral,
    )

    cli = restride_today(database, today)
    assert json.loads(cli.model_dump_json()) == json.loads(api.model_dump_json())
