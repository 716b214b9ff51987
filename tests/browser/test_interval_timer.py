"""The walk-run timer on today's page counts a runner through warm-up, runs and walks."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from restride.loading import builtin_protocol
from restride.services.demo import load_seed_runner
from restride.simulation import (
    SEED_DOCTOR_VISIT,
    SEED_START,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from restride.storage.database import Database
from tests.browser.conftest import PHONE, database_url, running_server
from tests.browser.test_journeys import new_page, no_console_errors, sign_in_demo
from tests.services.test_decisions import store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser


def first_run_day() -> tuple[int, object]:
    sim = simulate(
        builtin_protocol(),
        seed_injury(),
        SEED_START,
        130,
        symptoms=seed_runner_symptoms,
        events=SEED_DOCTOR_VISIT,
    )
    day = next(i for i, d in enumerate(sim.decisions) if d.phase == "run")
    return day, sim


def store_runner_c_before(folder: Path, day: int, sim: object) -> None:
    """C's simulated history through the services: check-ins up to `day`'s morning (the one
    that starts the run phase), sessions and events up to the day before."""
    db = Database(database_url(folder))
    db.migrate()
    athlete = load_seed_runner(db, today=SEED_START).athlete  # brings day 0's check-in
    case = sim.case  # type: ignore[attr-defined]
    last = SEED_START + dt.timedelta(days=day - 1)
    history = case.model_copy(
        update={
            "checkins": [
                c for c in case.checkins if SEED_START < c.date <= last + dt.timedelta(days=1)
            ],
            "sessions": [s for s in case.sessions if s.date <= last],
            "clinician_events": [e for e in case.clinician_events if e.date <= last],
        }
    )
    store(db, athlete.id, history)
    db.dispose()


@pytest.fixture(scope="module")
def run_day_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("run-day")
    day, sim = first_run_day()
    store_runner_c_before(folder, day, sim)
    with running_server(folder, (SEED_START + dt.timedelta(days=day)).isoformat()) as base:
        yield base


def test_the_interval_timer_walks_runner_c_through_the_first_walk_run(
    browser: Browser, run_day_server: str
) -> None:
    page = new_page(browser, run_day_server, PHONE)
    page.clock.install()
    sign_in_demo(page, "Sign in as runner C (athlete)")
    expect(page).to_have_url(re.compile(r"/today$"))
    timer = page.locator(".timer").first
    timer.locator("xpath=ancestor::details[1]").evaluate("node => { node.open = true; }")
    timer.get_by_role("button", name="Start the interval timer").click()
    now = timer.locator("[data-timer-now]")
    expect(now).to_contain_text("Walk to warm up: 5:00 left (step 1 of 26)")
    page.clock.run_for("05:01")
    expect(now).to_contain_text("Run 1 of 12")
    page.clock.run_for("01:00")
    expect(now).to_contain_text("Walk: 1:59 left")
    timer.get_by_role("button", name="Pause").click()
    expect(timer.get_by_role("button", name="Resume")).to_be_visible()
    no_console_errors(page)
