"""Templates, the words pages use for engine values, and the cookies pages set."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi.templating import Jinja2Templates

from restride.domain.evidence import DISCLAIMER
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
    REFERRAL_WORDS=REFERRAL_WORDS,
    EVENT_WORDS=EVENT_WORDS,
    PAIN_LABELS=PAIN_LABELS,
    DISCLAIMER=DISCLAIMER,
)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:g} min"


def words(key: str) -> str:
    """A stable key in words: `foam_roller` → `Foam roller`."""
    return key.replace("_", " ").capitalize()


TEMPLATES.env.filters["minutes"] = _minutes
TEMPLATES.env.filters["words"] = words


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
    page = {"me": session.account if session else None, "csrf_token": csrf, **(context or {})}
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
