"""Training history in a real browser: upload a FIT file and see it in the history chart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, SCREENSHOTS
from tests.browser.test_journeys import (
    new_page,
    no_console_errors,
    onboard_the_seed_injury,
    sign_in_demo,
    sign_up,
)
from tests.importers.conftest import require_corpus

if TYPE_CHECKING:
    from playwright.sync_api import Browser

RUNNING_FIT = "fit/fitparse__2013-02-06-12-11-14.fit"


@pytest.fixture(scope="module")
def running_fit() -> Path:
    return require_corpus() / RUNNING_FIT


def test_upload_a_fit_file_and_see_it_in_the_history_chart(
    browser: Browser, server: str, running_fit: Path
) -> None:
    page = new_page(browser, server, PHONE)
    sign_up(page, "Alice")
    onboard_the_seed_injury(page)
    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name="Activities").click()
    expect(page.locator("[data-empty]")).to_contain_text("No training history imported yet")
    page.get_by_label("Files to import").set_input_files(str(running_fit))
    page.get_by_role("button", name="Upload and import").click()
    report = page.locator('#import-report tr[data-status="imported"]')
    expect(report).to_have_count(1)
    expect(report).to_contain_text(running_fit.name)
    # The progress bar was shown and filled by the upload.
    expect(page.locator("[data-upload-progress]")).to_have_count(1)
    expect(page.locator("tr[data-activity]")).to_have_count(1)
    expect(page.locator("tr[data-activity]")).to_contain_text("6 Feb 2013")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 391)"
        ".filter(e => !e.closest('.table-wrap'))"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide

    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name="History").click()
    expect(page.locator('canvas[data-load-view="minutes"][data-drawn=true]')).to_be_attached()
    expect(page.locator('tr[data-load-week="2013-02-04"]')).to_contain_text("Running")
    data = page.request.get("/history/load.json").json()
    week = data["weeks"].index("2013-02-04")
    assert data["minutes"]["Running"][week] > 0

    # The same file again is recognised, not added twice.
    page.goto("/activities")
    page.get_by_label("Files to import").set_input_files(str(running_fit))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator('#import-report tr[data-status="duplicate"]')).to_have_count(1)
    expect(page.locator("tr[data-activity]")).to_have_count(1)

    page.locator("tr[data-activity] a").click()
    expect(page).to_have_url(re.compile(r"/activities/[^/]+$"))
    expect(page.get_by_role("heading", name="Running dynamics")).to_be_visible()
    page.goto("/insights")
    expect(page.locator("h1")).to_contain_text("before the injury")
    no_console_errors(page)


def test_screenshots_of_the_training_pages(
    browser: Browser, server: str, running_fit: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, server, LAPTOP)
    sign_up(page, "Erin")
    onboard_the_seed_injury(page)
    page.goto("/activities")
    page.get_by_label("Files to import").set_input_files(str(running_fit))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-report")).to_be_visible()
    page.goto("/shoes")
    page.get_by_label("Name").fill("Daily trainer")
    page.get_by_label("Weight (g, one shoe)").fill("280")
    page.get_by_label("Stack height at the heel (mm)").fill("32")
    page.get_by_label("Heel-to-toe drop (mm)").fill("10")
    page.get_by_label("Flexibility").fill("2")
    page.get_by_label("Motion control").fill("4")
    page.get_by_role("button", name="Save the shoe").click()
    expect(page.locator('tr[data-shoe="Daily trainer"]')).to_contain_text("%")
    cookies = page.context.cookies()
    for size, viewport in (("390x844", PHONE), ("1280x800", LAPTOP)):
        shot = browser.new_context(base_url=server, viewport=viewport)  # type: ignore[arg-type]
        shot.add_cookies(cookies)  # type: ignore[arg-type]
        view = shot.new_page()
        view.goto("/activities")
        view.screenshot(path=SCREENSHOTS / f"activities-{size}.png", full_page=True)
        view.locator("tr[data-activity] a").first.click()
        view.screenshot(path=SCREENSHOTS / f"activity-{size}.png", full_page=True)
        view.goto("/history")
        expect(view.locator('canvas[data-load-view="minutes"][data-drawn=true]')).to_be_attached()
        view.locator("#load").scroll_into_view_if_needed()
        view.screenshot(path=SCREENSHOTS / f"history-load-{size}.png", full_page=True)
        for name in ("insights", "shoes"):
            view.goto(f"/{name}")
            view.screenshot(path=SCREENSHOTS / f"{name}-{size}.png", full_page=True)
        shot.close()
    # The demo runner's pages too (with the demo's own history, if any).
    demo = new_page(browser, server, PHONE)
    sign_in_demo(demo, "Sign in as runner C, three months in")
    for name in ("activities", "insights", "shoes"):
        demo.goto(f"/{name}")
        demo.screenshot(path=SCREENSHOTS / f"demo-{name}-390x844.png", full_page=True)
    no_console_errors(demo)
    no_console_errors(page)
