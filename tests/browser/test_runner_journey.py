"""A runner who only ever uses the web, on a phone: onboarding and the first check-in, then
(months later) the last walking week logged day by day from today's items, the hop test
passed, and the morning the walk-run program begins.

The server is started again for each day with that day as its date (RESTRIDE_TODAY), on the
same address, so the browser keeps its session. The months in between are the runner's
history as the engine would have it, written through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from restride.loading import builtin_protocol
from restride.services import decisions
from restride.simulation import simulate
from restride.storage import repository as repo
from restride.storage.database import Database
from tests.browser.a11y import check_page
from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    TODAY,
    database_url,
    free_port,
    running_server,
)
from tests.browser.test_journeys import (
    answer_check_in,
    onboard_the_seed_injury,
    sign_up,
)
from tests.services.test_decisions import store

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

START = dt.date.fromisoformat(TODAY)
MAX_BROWSER_DAYS = 12


def check_in(page: Page) -> None:
    page.goto("/today")
    expect(page.locator("[data-check-in-first]")).to_be_visible()
    page.get_by_role("link", name="Check in for today").click()
    answer_check_in(page)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()


def log_everything_done(page: Page) -> list[str]:
    """Tap "done" on each of today's items, as a runner who did them all without pain."""
    logged = []
    while (button := page.locator(".done-button").first).count():
        key = button.locator("xpath=ancestor::li[@data-key]").get_attribute("data-key") or ""
        button.click()
        expect(page.locator(f'[data-logged-item="{key}"]')).to_be_visible()
        logged.append(key)
    return logged


def store_the_months_between(folder: Path, email: str) -> dt.date:
    """The runner's days from the morning after onboarding up to the last walking week, as the
    engine would have them for a runner pain-free each day who does every session; returns
    that week's first day."""
    db = Database(database_url(folder))
    with db.transaction() as tx:
        account = repo.account_by_email(tx, email)
        assert account is not None
        athlete = account.id
    so_far = decisions.stored_case(db, athlete, START)
    lived = simulate(
        builtin_protocol(), so_far.injury, START + dt.timedelta(days=1), 130, history=so_far
    )
    last_week = next(d.date for d in lived.decisions if (d.phase, d.week) == ("walk", 6))
    before = lived.case.model_copy(
        update={
            "checkins": [c for c in lived.case.checkins if START < c.date < last_week],
            "sessions": [s for s in lived.case.sessions if s.date < last_week],
            "clinician_events": [],
        }
    )
    store(db, athlete, before)
    db.dispose()
    return last_week


def test_a_web_only_runner_logs_the_last_walking_week_passes_the_hop_test_and_starts_running(
    browser: Browser, tmp_path: Path
) -> None:
    port = free_port()
    context = browser.new_context(base_url=f"http://127.0.0.1:{port}", viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    with running_server(tmp_path, TODAY, port=port):
        email = sign_up(page, "Walker")
        onboard_the_seed_injury(page)
        check_in(page)
        expect(page.locator(".decision .phase")).to_contain_text("Offload")

    day = store_the_months_between(tmp_path, email)
    logged_days: dict[dt.date, list[str]] = {}
    for _ in range(MAX_BROWSER_DAYS):
        with running_server(tmp_path, day.isoformat(), port=port):
            check_in(page)
            phase = page.locator(".decision .phase").get_attribute("data-phase")
            if phase == "run":
                break
            expect(page.locator(".decision .phase")).to_contain_text("Walking program · week 6")
            if not logged_days:
                check_page(page, phone=True)
                page.screenshot(
                    path=SCREENSHOTS / "journey-walk-week-6-390x844.png", full_page=True
                )
            logged_days[day] = log_everything_done(page)
        day += dt.timedelta(days=1)
    else:
        raise AssertionError(f"no walk-run by {day}: logged {logged_days}")

    # The week was logged from the page: walks on five days, the hop test once.
    walks = [d for d, keys in logged_days.items() if "walk" in keys]
    assert len(walks) >= 4, logged_days
    assert sum("test:test-hop-10" in keys for keys in logged_days.values()) == 1
    # And this morning the walk-run program starts, with its coach.
    action = page.locator(".decision .action")
    expect(action).to_have_attribute("data-action", "progress")
    expect(page.locator(".decision .phase")).to_contain_text("Walk-run program · week 1")
    page.screenshot(path=SCREENSHOTS / "journey-walk-run-begins-390x844.png", full_page=True)
    with running_server(tmp_path, day.isoformat(), port=port):
        page.goto("/today")
        page.get_by_role("link", name="Start the walk-run coach").click()
        expect(page.locator("[data-coach-step]")).to_contain_text("Press Start")
        page.goto("/plan")
        expect(page.locator("[data-outlook]")).to_contain_text("You are running")
    assert problems == []
    context.close()
