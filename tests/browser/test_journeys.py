"""The runner and the therapist in a real browser: sign up, onboard, check in on a phone,
share, hold; and every main page at phone and laptop sizes: a screenshot to look at, axe-core
with no serious or critical violation, and (on the phone) no tap target under 44 px."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.a11y import check_page
from tests.browser.conftest import LAPTOP, PHONE, SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

EXERCISE = "library/smr-roller-calves"  # one with a drawing
RECOVERING = "Sign in as runner C, three months in"
DAY_ONE = "Sign in as runner C on day one"
THERAPIST = "Sign in as Demo Therapist"
ALL_CLEAR_SIGNS = {
    "limp": "No",
    "can_bear_weight": "Yes",
    "bone_tenderness": "No",
    "swelling": "No",
    "redness": "No",
    "night_pain": "No",
    "emergency": "No",
}
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


def answer_check_in(
    page: Page, pain: dict[str, str] | None = None, signs: dict[str, str] | None = None
) -> None:
    """Tap every answer of today's check-in (the form pre-answers nothing)."""
    wanted = {"pain_rest": "0", "pain_walking": "0", "pain_next_morning": "0", **(pain or {})}
    for field, value in wanted.items():
        page.locator(f"#f-{field} label").filter(has_text=re.compile(f"^{value}$")).click()
    for field, answer in {**ALL_CLEAR_SIGNS, **(signs or {})}.items():
        page.locator(f"#f-{field} label").filter(has_text=answer).click()


def test_sign_up_and_onboard_the_seed_injury_says_check_in_first_and_refers(
    browser: Browser, server: str
) -> None:
    page = new_page(browser, server, PHONE)
    sign_up(page, "Alice")
    onboard_the_seed_injury(page)
    expect(page.locator("[data-check-in-first]")).to_contain_text("Check in first")
    expect(page.locator("[data-check-in-first] .phase")).to_contain_text("Offload")
    expect(page.locator("[data-referral]")).to_contain_text("Find a qualified therapist")
    expect(page.locator(".items li").first).to_be_visible()
    no_console_errors(page)


def test_check_in_on_a_phone_in_two_screens(browser: Browser, server: str) -> None:
    page = new_page(browser, server, PHONE)
    sign_up(page, "Ada")
    onboard_the_seed_injury(page)
    page.get_by_role("link", name="Check in for today").click()
    # Two screens at most, and nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollHeight") <= 2 * PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Nothing is answered in advance: saving now is refused by the browser, nothing is sent.
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_url(re.compile(r"/checkin$"))
    assert page.locator("input:checked").count() == 0
    answer_check_in(
        page, pain={"pain_walking": "2", "pain_next_morning": "1"}, signs={"limp": "Yes"}
    )
    # The emergency signs ask "which" only after a yes.
    expect(page.locator("#f-which")).to_be_hidden()
    page.locator("#f-emergency label").filter(has_text="Yes").click()
    expect(page.locator("#f-which")).to_be_visible()
    page.locator("#f-emergency label").filter(has_text="No").click()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
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
    alice.get_by_role("link", name="More").click()
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
    expect(bob.locator(".board-table")).to_contain_text("Alice")

    alice.goto("/checkin")
    answer_check_in(alice)
    alice.get_by_role("button", name="Save check-in").click()
    expect(alice.locator(".clinician-events")).to_contain_text("Wait for the MRI before moving on")
    expect(alice.locator(".decision .action")).to_contain_text("Hold")
    no_console_errors(alice)
    no_console_errors(bob)


def sign_in_demo(page: Page, label: str) -> None:
    page.goto("/signin")
    page.get_by_role("button", name=label).click()


RUNNER_PAGES = (
    "today",
    "checkin",
    "plan",
    "more",
    "history",
    "activities",
    "insights",
    "shoes",
    "settings",
    "library",
    EXERCISE,
)


def look_at(page: Page, name: str, size: str, *, phone: bool) -> None:
    """A screenshot to look at, and the page's accessibility and tap-target checks."""
    page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png", full_page=True)
    check_page(page, phone=phone)


def test_every_main_page_at_phone_and_laptop_sizes_passes_axe_and_is_looked_at(
    browser: Browser, server: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("390x844", PHONE), ("1280x800", LAPTOP)):
        phone = viewport is PHONE
        page = new_page(browser, server, viewport)
        for name in ("signin", "signup"):
            page.goto(f"/{name}")
            look_at(page, name, size, phone=phone)
        sign_in_demo(page, RECOVERING)
        for name in RUNNER_PAGES:
            page.goto(f"/{name}")
            if name == "history":
                expect(page.locator("canvas[data-chart-src][data-drawn=true]")).to_be_attached()
            look_at(page, name.replace("library/", "exercise-"), size, phone=phone)
        # The sources behind the reasons, shown on request.
        page.goto("/today")
        page.get_by_role("button", name="Show sources").click()
        expect(page.locator("[data-cite]").first).to_be_visible()
        look_at(page, "today-sources", size, phone=phone)
        page.goto("/more")
        page.get_by_role("button", name="Sign out", exact=True).click()
        sign_in_demo(page, DAY_ONE)
        look_at(page, "today-day-one", size, phone=phone)
        page.goto("/plan")
        look_at(page, "plan-day-one", size, phone=phone)
        page.goto("/more")
        page.get_by_role("button", name="Sign out", exact=True).click()
        sign_in_demo(page, THERAPIST)
        look_at(page, "board", size, phone=phone)
        page.get_by_role("link", name="Runner C, three months in").click()
        expect(page.locator("canvas[data-chart-src][data-drawn=true]")).to_be_attached()
        look_at(page, "timeline", size, phone=phone)
        report = page.get_by_role("link", name="printable page").get_attribute("href")
        no_console_errors(page)
        # The report allows no script at all, so axe runs on it with the policy set aside.
        printable = browser.new_context(base_url=server, viewport=viewport, bypass_csp=True)  # type: ignore[arg-type]
        printable.add_cookies(page.context.cookies())  # type: ignore[arg-type]
        sheet = printable.new_page()
        sheet.goto(report or "")
        expect(sheet.locator("h1")).to_contain_text("Runner C")
        look_at(sheet, "report", size, phone=False)  # a page to print, not to tap
        printable.close()
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 40


def test_the_library_and_an_exercise_on_a_phone(browser: Browser, server: str) -> None:
    page = new_page(browser, server, PHONE)
    sign_in_demo(page, DAY_ONE)
    page.get_by_role("link", name="More").click()
    page.get_by_role("link", name="Exercise library").click()
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
    exercises = page.locator(".items > li").filter(has=page.locator('a[href^="/library/"]'))
    exercises.first.locator("summary", has_text="How").click()
    exercises.first.locator('a[href^="/library/"]').first.click()
    expect(page).to_have_url(re.compile(r"/library/[a-z0-9-]+$"))
    expect(page.locator(".steps li").first).to_be_visible()
    no_console_errors(page)


def test_the_board_filters_and_searches_in_place(browser: Browser, server: str) -> None:
    page = new_page(browser, server, LAPTOP)
    sign_in_demo(page, THERAPIST)
    rows = page.locator(".board-table tbody tr")
    expect(rows.first).to_be_visible()
    page.evaluate("window.restrideTestMark = true")
    page.get_by_label("Search by name or email").fill("three months")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Runner C, three months in")
    expect(page).to_have_url(re.compile(r"/board\?.*q=three(\+|%20)months"))
    assert page.evaluate("window.restrideTestMark === true")  # swapped in place
    page.get_by_label("Search by name or email").fill("")
    expect(rows).to_have_count(2)
    page.locator('[data-filter="red_flag"]').click()
    expect(rows.first).to_contain_text("Red flag")
    no_console_errors(page)


def test_a_runner_can_turn_on_a_check_in_reminder_where_the_browser_allows(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(base_url=server, viewport=PHONE)  # type: ignore[arg-type]
    context.grant_permissions(["notifications"])
    page = context.new_page()
    sign_in_demo(page, DAY_ONE)
    page.goto("/settings")
    reminder = page.locator("[data-reminder]")
    expect(reminder).to_be_visible()
    reminder.get_by_label("Time").fill("07:30")
    reminder.get_by_role("button", name="Turn on reminders").click()
    expect(reminder.locator("[data-reminder-status]")).to_contain_text("On: a reminder at 07:30")
    reminder.get_by_role("button", name="Turn them off").click()
    expect(reminder.locator("[data-reminder-status]")).to_have_text("Off.")
    context.close()
