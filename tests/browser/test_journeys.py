"""The runner and the therapist in a real browser: sign up, onboard, check in on a phone,
share, hold; and screenshots of every main page at phone and laptop sizes."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

EXERCISE = "library/smr-roller-calves"  # one with a drawing
PASSWORD = "a long enough password"  # noqa: S105 - a test account
_numbers = itertools.count(1)


def new_page(browser: Browser, base: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(base_url=base, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems  # type: ignore[attr-defined]
    return page


def no_console_errors(page: Page) -> None:
    # A CSP violation or a failed script shows up here before anywhere else.
    assert page.problems == []  # type: ignore[attr-defined]


def sign_up(page: Page, name: str, role: str = "athlete") -> str:
    email = f"{name.lower()}{next(_numbers)}@example.org"
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if role == "clinician":
        page.get_by_label("a therapist, doctor or coach").check()
    page.get_by_role("button", name="Create the account").click()
    return email


def onboard_the_seed_injury(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/onboarding$"))
    page.get_by_label("Where it hurts").select_option("metatarsal_4_shaft")
    page.get_by_label("Right").check()
    page.get_by_label("When it started").fill("2026-02-09")
    page.locator('input[name="imaging_date"]').first.fill("2026-02-16")
    page.get_by_role("button", name="Start my program").click()
    expect(page).to_have_url(re.compile(r"/today$"))


def test_sign_up_and_onboard_the_seed_injury_gives_offload_and_a_referral(
    browser: Browser, server: str
) -> None:
    page = new_page(browser, server, PHONE)
    sign_up(page, "Alice")
    onboard_the_seed_injury(page)
    expect(page.locator(".decision .phase")).to_contain_text("Offload")
    expect(page.locator("[data-referral]")).to_contain_text("Find a qualified therapist")
    expect(page.locator(".checklist li").first).to_be_visible()
    no_console_errors(page)


def test_check_in_on_a_phone(browser: Browser, server: str) -> None:
    page = new_page(browser, server, PHONE)
    sign_up(page, "Ada")
    onboard_the_seed_injury(page)
    page.get_by_role("link", name="Check in for today").click()
    for field, value in (("pain_rest", "0"), ("pain_walking", "2"), ("pain_next_morning", "1")):
        page.locator(f"#f-{field} label").filter(has_text=re.compile(f"^{value}$")).click()
    page.locator("#f-limp label").filter(has_text="Yes").click()
    # The page fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status")).to_contain_text("Check-in saved.")
    expect(page.locator(".checked")).to_contain_text("Checked in today.")
    # Keyboard only: tab into the scale, arrow to a value, the choice follows.
    page.goto("/checkin")
    page.locator('#f-pain_rest input[value="0"]').focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator('#f-pain_rest input[value="1"]')).to_be_checked()
    no_console_errors(page)


def test_bob_sees_alice_after_she_shares_and_his_hold_shows_on_her_today(
    browser: Browser, server: str
) -> None:
    alice = new_page(browser, server, PHONE)
    sign_up(alice, "Alice")
    onboard_the_seed_injury(alice)
    alice.get_by_role("link", name="Settings").click()
    alice.get_by_role("button", name="Make an invite code").click()
    code = alice.locator("[data-invite-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    bob = new_page(browser, server, LAPTOP)
    sign_up(bob, "Bob", role="clinician")
    expect(bob).to_have_url(re.compile(r"/board$"))
    bob.get_by_label("Invite code").fill(code)
    bob.get_by_role("button", name="Add").click()
    expect(bob.locator("h1")).to_have_text("Alice")
    bob.get_by_label("Hold: keep them at this step").check()
    bob.get_by_label("Reason").fill("Wait for the MRI before moving on")
    bob.get_by_role("button", name="Save").click()
    expect(bob.locator("#events .events")).to_contain_text("Wait for the MRI before moving on")
    bob.goto("/board")
    expect(bob.locator(".board")).to_contain_text("Alice")

    alice.goto("/today")
    expect(alice.locator(".clinician-events")).to_contain_text("Wait for the MRI before moving on")
    expect(alice.locator(".decision .action")).to_contain_text("Hold")
    no_console_errors(alice)
    no_console_errors(bob)


def sign_in_demo(page: Page, label: str) -> None:
    page.goto("/signin")
    page.get_by_role("button", name=label).click()


def test_screenshots_of_every_main_page_at_phone_and_laptop_sizes(
    browser: Browser, server: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("390x844", PHONE), ("1280x800", LAPTOP)):
        page = new_page(browser, server, viewport)
        page.goto("/signin")
        page.screenshot(path=SCREENSHOTS / f"signin-{size}.png", full_page=True)
        sign_in_demo(page, "Sign in as runner C (athlete)")
        for name in (
            "today",
            "checkin",
            "plan",
            "history",
            "activities",
            "insights",
            "shoes",
            "settings",
            "library",
            EXERCISE,
        ):
            page.goto(f"/{name}")
            if name == "history":
                expect(page.locator("canvas[data-chart-src][data-drawn=true]")).to_be_attached()
            shot = name.replace("library/", "exercise-")
            page.screenshot(path=SCREENSHOTS / f"{shot}-{size}.png", full_page=True)
        page.get_by_role("button", name="Sign out Runner C").click()
        sign_in_demo(page, "Sign in as Demo Therapist")
        page.screenshot(path=SCREENSHOTS / f"board-{size}.png", full_page=True)
        page.get_by_role("link", name="Runner C").click()
        expect(page.locator("canvas[data-chart-src][data-drawn=true]")).to_be_attached()
        page.screenshot(path=SCREENSHOTS / f"timeline-{size}.png", full_page=True)
        page.get_by_role("link", name="printable page").click()
        expect(page.locator("h1")).to_contain_text("Runner C")
        page.screenshot(path=SCREENSHOTS / f"report-{size}.png", full_page=True)
        no_console_errors(page)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 22


def test_the_library_and_an_exercise_on_a_phone(browser: Browser, server: str) -> None:
    page = new_page(browser, server, PHONE)
    sign_in_demo(page, "Sign in as runner C (athlete)")
    page.get_by_role("link", name="Exercises").click()
    expect(page.locator("h1")).to_have_text("Exercise library")
    expect(page.locator("#self_massage")).to_be_visible()
    page.get_by_label("Body region").select_option("lower_leg")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/library\?region=lower_leg$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Foam roller: calves").click()
    expect(page.locator("h1")).to_have_text("Foam roller: calves")
    drawing = page.get_by_role("img", name="Drawing: Foam roller: calves")
    expect(drawing).to_be_visible()
    assert drawing.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".safety")).to_contain_text("stress fracture")
    page.locator('a[rel="next"]').click()
    expect(page).to_have_url(re.compile(r"/library/smr-soft-ball-calf-deep$"))
    # From today's plan, an exercise name leads to its page.
    page.goto("/today")
    exercises = page.locator(".checklist > li").filter(has=page.locator('a[href^="/library/"]'))
    exercises.first.locator("summary").click()
    exercises.first.locator('a[href^="/library/"]').first.click()
    expect(page).to_have_url(re.compile(r"/library/[a-z0-9-]+$"))
    expect(page.locator(".steps li").first).to_be_visible()
    no_console_errors(page)
