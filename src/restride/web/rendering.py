"""Templates, the words pages use for engine values, and the cookies pages set."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates

from restride.domain.evidence import DISCLAIMER
from restride.loading import builtin_protocol
from restride.web.accounts import DEVICE_DAYS, SESSION_DAYS
from restride.web.deps import ANON_CSRF_COOKIE, SESSION_COOKIE, current_session

if TYPE_CHECKING:
    from fastapi import Request, Response
    from fastapi.responses import HTMLResponse

DEVICE_COOKIE = "restride_device"
TEMPLATES = Jinja2Templates(directory=str(resources.files("restride.web") / "templates"))

ACTION_WORDS = {
    "continue": "Carry on with today's plan",
    "progress": "Step up: today starts the next step",
    "hold": "Hold: repeat, do not move on yet",
    "regress": "Step back",
    "stop": "Stop activity until a clinician has seen you",
}
# For a table cell: the same, in a few words.
ACTION_SHORT = {
    "continue": "Carry on",
    "progress": "Step up",
    "hold": "Hold",
    "regress": "Step back",
    "stop": "Stop until seen",
}
REFERRAL_SHORT = {
    "none": "–",
    "routine": "Therapist",
    "soon": "Doctor within days",
    "urgent": "Medical help today",
}
REFERRAL_WORDS = {
    "none": "",
    "routine": "Find a qualified therapist who treats running injuries, and share with them.",
    "soon": "See a sports-medicine doctor within the next few days.",
    "urgent": "Get medical help today.",
}
EVENT_WORDS = {
    "hold": "Hold",
    "clear": "Cleared",
    "release_hold": "Hold released",
    "note": "Note",
    "withdraw": "Withdrawn",
    "set_minimum": "Minimum changed",
    "skip_week": "Week skipped",
    "add_gate": "Clearance gate added",
    "change_protocol": "Program changed",
}
SESSION_WORDS = {
    "self_massage": "Self-massage",
    "mobility": "Mobility",
    "corrective": "Corrective work",
    "walk": "Walk",
    "walk_run": "Walk-run",
    "run": "Run",
    "functional": "Functional training",
    "cross_training": "Cross-training",
    "test": "Test",
    "other": "Something else",
}
PAIN_LABELS = {
    "pain_rest": "Pain at rest",
    "pain_walking": "Pain walking",
    "pain_activity": "Pain during exercise",
    "pain_after": "Pain after exercise",
    "pain_next_morning": "Pain on waking this morning",
}
TEMPLATES.env.globals.update(
    ACTION_WORDS=ACTION_WORDS,
    ACTION_SHORT=ACTION_SHORT,
    REFERRAL_WORDS=REFERRAL_WORDS,
    REFERRAL_SHORT=REFERRAL_SHORT,
    EVENT_WORDS=EVENT_WORDS,
    SESSION_WORDS=SESSION_WORDS,
    PAIN_LABELS=PAIN_LABELS,
    DISCLAIMER=DISCLAIMER,
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:g} min"


def words(key: str) -> str:
    """A stable key in words: `foam_roller` → `Foam roller`."""
    return key.replace("_", " ").capitalize()


def day_words(day: dt.date, today: dt.date) -> str:
    """A date as a person says it: "today", "yesterday", "Monday 2 March" (the year only when
    it is not this year's)."""
    offset = (day - today).days
    if offset == 0:
        return "today"
    if offset == -1:
        return "yesterday"
    if offset == 1:
        return "tomorrow"
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def short_day(day: dt.date, today: dt.date) -> str:
    """A date for a table cell: "Mon 2 Mar" (with the year when it is not this year's)."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def how_long(day: dt.date, today: dt.date) -> str:
    """How far a date is from today: "in 3 weeks", "5 days ago", "today"."""
    offset = (day - today).days
    if offset == 0:
        return "today"
    size = abs(offset)
    if size < 14:
        amount = f"{size} day{'s' if size != 1 else ''}"
    elif size < 70:
        amount = f"{round(size / 7)} weeks"
    else:
        amount = f"{round(size / 30.4)} months"
    return f"in {amount}" if offset > 0 else f"{amount} ago"


def plain_dates(text: str, today: dt.date) -> str:
    """The engine's sentences carry ISO dates (2026-02-16); a runner reads "Monday 16 February"."""

    def spoken(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        said = day_words(day, today)
        before = match.string[: match.start()].rstrip()
        starts_sentence = not before or before.endswith((".", "!", "?", ":"))
        return said[0].upper() + said[1:] if starts_sentence else said

    return ISO_DATE.sub(spoken, text)


def exercise_name(exercise_id: str) -> str:
    """A library entry's name (a criterion test's, in a logged session), else its ID."""
    entry = builtin_protocol().library.exercises.get(exercise_id)
    return entry.name if entry is not None else exercise_id


TEMPLATES.env.filters["minutes"] = _minutes
TEMPLATES.env.filters["exercise_name"] = exercise_name
TEMPLATES.env.filters["words"] = words
TEMPLATES.env.filters["day"] = day_words
TEMPLATES.env.filters["short_day"] = short_day
TEMPLATES.env.filters["how_long"] = how_long
TEMPLATES.env.filters["plain_dates"] = plain_dates


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """A page, with who is signed in and the CSRF token its forms must send back."""
    session = current_session(request)
    anon_token = None
    if session is not None:
        csrf = session.csrf_token
    else:
        csrf = request.cookies.get(ANON_CSRF_COOKIE) or ""
        if not csrf:
            csrf = anon_token = secrets.token_urlsafe(32)
    page = {
        "me": session.account if session else None,
        "csrf_token": csrf,
        "today": request.app.state.today(),
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, name, page, status_code=status)
    if anon_token is not None:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            anon_token,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )
    return response


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def set_device_cookie(response: Response, request: Request, token: str) -> None:
    """This browser has signed in to the account: its sign-ins are counted on their own."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=is_https(request))
