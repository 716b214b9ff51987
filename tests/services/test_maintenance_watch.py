"""Back to running, restride keeps watching: this week's runs are checked and shown as warnings."""

from __future__ import annotations

import datetime as dt

from restride.domain.protocol import Protocol
from restride.services import decisions
from restride.simulation import SEED_START, seed_injury
from restride.storage.database import Database
from tests.services.test_decisions import alice, seed_runner, store
from tests.services.test_insights import run
from tests.services.test_insights import store as store_activities


def test_a_spiking_run_in_maintenance_shows_as_a_load_warning_without_changing_the_plan(
    database: Database, protocol: Protocol
) -> None:
    sim = seed_runner(protocol, 215)
    athlete = alice(database, seed_injury(), SEED_START)
    store(database, athlete, sim.case)
    today = sim.case.today
    before = decisions.todays_decision(database, athlete, today=today)
    assert before.phase == "maintain"
    assert before.warnings == []
    # Four weeks of 30-minute runs, then yesterday 45 minutes: +50 % (LOAD-1's > 30 % band).
    weeks = [today - dt.timedelta(days=d) for d in range(30, 3, -2)]
    store_activities(database, athlete, *[run(d, 30) for d in weeks])
    store_activities(database, athlete, run(today - dt.timedelta(days=1), 45))
    after = decisions.todays_decision(database, athlete, today=today)
    assert any("LOAD-1" in w.evidence for w in after.warnings)
    assert any(w.rule == "TS-SPIKE-WARN" for w in after.warnings)
    assert (after.phase, after.week, after.action) == (before.phase, before.week, before.action)
