"""Runner C in a real browser on the day Offload gives way to Rest: C's first twelve days are
stored before the server starts (the seed's symptoms, the doctor's clearance on day 5), so
today's pain-free check-in is the one that moves C on."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from restride.domain.case import CheckIn, ClinicianEvent
from restride.services import checkins, sharing
from restride.services.demo import load_seed_runner
from restride.simulation import (
    PAIN_FREE,
    SEED_DOCTOR_VISIT,
    SEED_START,
    seed_runner_symptoms,
)
from restride.storage.database import Database
from tests.browser.conftest import PHONE, database_url, running_server
from tests.browser.test_journeys import (
    answer_check_in,
    new_page,
    no_console_errors,
    sign_in_demo,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser

CHANGE_DAY = 12  # Offload → Rest, in `simulate(..., seed_runner_symptoms, SEED_DOCTOR_VISIT)`


def store_runner_c_up_to(folder: Path, last_day: int) -> None:
    """C's check-ins for days 0..`last_day` and the doctor's visit, through the services."""
    db = Database(database_url(folder))
    db.migrate()
    athlete = load_seed_runner(db, today=SEED_START).athlete  # day 0's check-in included
    for day in range(1, last_day + 1):
        date = SEED_START + dt.timedelta(days=day)
        fields = seed_runner_symptoms(day, None)
        if fields is not None:
            checkin = CheckIn(date=date, **{**PAIN_FREE, **fields})
            checkins.record_checkin(db, athlete.id, checkin, today=date)
        for kind, reason in SEED_DOCTOR_VISIT.get(day, []):
            event = ClinicianEvent(date=date, kind=kind, reason=reason)  # type: ignore[arg-type]
            sharing.record_clinician_event(db, athlete.id, event, today=date)
    db.dispose()


@pytest.fixture(scope="module")
def change_day_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("phase-change")
    store_runner_c_up_to(folder, CHANGE_DAY - 1)
    today = (SEED_START + dt.timedelta(days=CHANGE_DAY)).isoformat()
    with running_server(folder, today) as base:
        yield base


def test_a_pain_free_check_in_moves_runner_c_from_offload_to_rest(
    browser: Browser, change_day_server: str
) -> None:
    page = new_page(browser, change_day_server, PHONE)
    sign_in_demo(page, "Sign in as runner C on day one")
    expect(page).to_have_url(re.compile(r"/today$"))
    expect(page.locator("[data-check-in-first] .phase")).to_contain_text("Offload")
    expect(page.locator(".decision .action")).to_have_count(0)  # no verdict before the check-in

    page.get_by_role("link", name="Check in for today").click()
    answer_check_in(page)
    page.get_by_role("button", name="Save check-in").click()

    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    expect(page.locator(".decision .phase")).to_contain_text("Rest")
    action = page.locator(".decision .action")
    expect(action).to_have_attribute("data-action", "progress")
    expect(action).to_contain_text("Step up: today starts the next step")
    no_console_errors(page)
