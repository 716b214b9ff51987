"""The walk-run coach on runner C's first walk-run day: on the real clock (a locked screen or a
reload loses nothing), with spoken cues, and the session logged when it ends."""

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
    Simulation,
    seed_injury,
    seed_runner_symptoms,
    simulate,
)
from restride.storage.database import Database
from tests.browser.a11y import check_page
from tests.browser.conftest import PHONE, SCREENSHOTS, database_url, running_server
from tests.browser.test_journeys import new_page, no_console_errors, sign_in_demo
from tests.services.test_decisions import store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser


def first_run_day() -> tuple[int, Simulation]:
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


def store_runner_c_before(folder: Path, day: int, sim: Simulation) -> None:
    """C's simulated history through the services: check-ins up to `day`'s morning (the one
    that starts the run phase), sessions and events up to the day before."""
    db = Database(database_url(folder))
    db.migrate()
    athlete = load_seed_runner(db, today=SEED_START).athlete  # brings day 0's check-in
    case = sim.case
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


def test_the_coach_keeps_time_by_the_clock_speaks_each_change_and_logs_the_session(
    browser: Browser, run_day_server: str
) -> None:
    page = new_page(browser, run_day_server, PHONE)
    page.clock.install()
    sign_in_demo(page, "Sign in as runner C on day one")
    expect(page).to_have_url(re.compile(r"/today$"))
    page.get_by_role("link", name="Start the walk-run coach").click()
    expect(page).to_have_url(re.compile(r"/coach/walk_run$"))
    check_page(page, phone=True)

    page.get_by_role("button", name="Start").click()
    step = page.locator("[data-coach-step]")
    clock = page.locator("[data-coach-clock]")
    said = page.locator("[data-coach-say]")
    expect(step).to_have_text("Walk to warm up")
    expect(clock).to_have_text("5:00")
    expect(said).to_have_text("Walk to warm up, 5 minutes. Then run 1 of 12.")
    page.clock.run_for("05:01")
    expect(step).to_have_text("Run 1 of 12")
    expect(said).to_have_text("Run 1 of 12, 1 minute. Then walk.")
    expect(page.locator("[data-coach]")).to_have_attribute("data-running", "true")

    # The phone locked for ten minutes: no timer ran, the clock moved on. 15:01 in (5 min
    # warm-up, then 3 min for each run and its walk), the fourth run is over and its walk
    # has about two minutes to go (the page's clock also runs on by itself meanwhile).
    page.clock.fast_forward("10:00")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(step).to_have_text("Walk")
    expect(clock).to_have_text(re.compile(r"^1:[45]\d$"))
    expect(page.locator("[data-coach]")).to_have_attribute("data-step", "9")
    # A reload (the tab thrown out in the background) carries on where the clock says.
    page.reload()
    expect(page.locator("[data-coach]")).to_have_attribute("data-step", "9")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "coach-390x844.png", full_page=True)

    page.get_by_role("button", name="Pause").click()
    expect(step).to_contain_text("Paused")
    page.clock.fast_forward("30:00")  # paused time does not count
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("[data-coach]")).to_have_attribute("data-step", "9")
    page.get_by_role("button", name="End the session now").click()

    # Ended after 15 minutes: the log is filled in with what was done; pain is for the runner.
    expect(page.locator("[data-coach-done]")).to_have_value("15")
    expect(page.locator("[data-coach-run]")).to_have_value("4.0")
    page.get_by_label("Pain during, 0-10").select_option("0")
    page.get_by_label("Pain after, 0-10").select_option("1")
    page.get_by_role("button", name="Log the session").click()
    expect(page).to_have_url(re.compile(r"/today"))
    logged = page.locator('[data-logged-item="walk_run"]')
    expect(logged).to_contain_text("Done: 15 min, pain 0 during and 1 after")
    no_console_errors(page)
