"""The runner and the therapist at the same time, each on their own screen: the therapist reads
the runner's check-in note, puts a hold, and the runner's open page shows it without a reload;
the therapist withdraws it, and the runner's page says so too."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.a11y import check_page
from tests.browser.conftest import LAPTOP, PHONE, SCREENSHOTS
from tests.browser.test_journeys import (
    answer_check_in,
    new_page,
    no_console_errors,
    onboard_the_seed_injury,
    sign_up,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NOTE = "The outside of the foot aches after stairs"
HOLD = "Wait until I have seen the new X-ray"
# The runner's page asks every 15 s whether anything changed; a little more than that.
POLL = "00:16"


def stays_on_the_same_page(page: Page) -> None:
    """Mark the page: a reload or a navigation would lose the mark."""
    page.evaluate("window.restrideTestMark = true")


def still_the_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.restrideTestMark === true"))


def test_the_therapist_reads_the_note_holds_and_withdraws_while_the_runner_watches(
    browser: Browser, server: str
) -> None:
    runner = new_page(browser, server, PHONE)
    runner.clock.install()
    sign_up(runner, "Rosa")
    onboard_the_seed_injury(runner)
    runner.goto("/settings")
    runner.get_by_role("button", name="Make an invite code").click()
    code = runner.locator("[data-invite-code]").inner_text().strip()
    runner.goto("/checkin")
    answer_check_in(runner, pain={"pain_walking": "1"})
    runner.get_by_label("Anything else?").fill(NOTE)
    runner.get_by_role("button", name="Save check-in").click()
    expect(runner.get_by_text("Check-in saved.")).to_be_visible()
    before = runner.locator(".decision .action").get_attribute("data-action")
    assert before != "hold"
    stays_on_the_same_page(runner)

    therapist = new_page(browser, server, LAPTOP)
    sign_up(therapist, "Theo", role="clinician")
    therapist.get_by_label("Invite code").fill(code)
    therapist.get_by_role("button", name="Add").click()
    expect(therapist.locator("h1")).to_have_text("Rosa")
    expect(therapist.locator("[data-injury]")).to_contain_text("X-ray")
    expect(therapist.locator('[data-note="checkin"]')).to_contain_text(NOTE)
    stays_on_the_same_page(therapist)

    therapist.get_by_label("Hold: keep them at this step").check()
    therapist.get_by_label("Reason").fill(HOLD)
    therapist.get_by_role("button", name="Save").click()
    outcome = therapist.locator("[data-outcome]")
    expect(outcome).to_contain_text("Hold recorded.")
    expect(outcome).to_contain_text("nothing moves on until you release or withdraw it")
    expect(therapist.locator(".decision .action")).to_have_attribute("data-action", "hold")
    assert still_the_same_page(therapist)  # htmx swapped the timeline in place
    therapist.screenshot(path=SCREENSHOTS / "timeline-after-hold-1280x800.png", full_page=True)

    runner.clock.run_for(POLL)
    expect(runner.locator("[data-news]")).to_contain_text(HOLD)
    expect(runner.locator(".decision .action")).to_have_attribute("data-action", "hold")
    expect(runner.locator(".clinician-events")).to_contain_text(HOLD)
    assert still_the_same_page(runner)
    runner.screenshot(path=SCREENSHOTS / "today-after-hold-390x844.png", full_page=True)
    check_page(runner, phone=True)

    therapist.locator("summary", has_text="Withdraw this hold").click()
    therapist.get_by_label("Why you withdraw it").fill("Seen the X-ray: no need to wait")
    therapist.get_by_role("button", name="Withdraw it").click()
    expect(outcome).to_contain_text("Withdrawn: the hold no longer counts")
    expect(therapist.locator(".events .withdrawn")).to_contain_text(HOLD)
    expect(therapist.locator(".decision .action")).to_have_attribute("data-action", before or "")
    check_page(therapist, phone=False)

    runner.clock.run_for(POLL)
    expect(runner.locator("[data-news]")).to_contain_text(re.compile("withdrew the hold"))
    expect(runner.locator(".decision .action")).to_have_attribute("data-action", before or "")
    expect(runner.locator(".clinician-events .withdrawn")).to_contain_text(HOLD)
    assert still_the_same_page(runner)
    no_console_errors(runner)
    no_console_errors(therapist)
