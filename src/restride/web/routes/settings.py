"""The athlete's settings: sharing, downloads and the calendar link, units, and leaving."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from restride.services import sharing
from restride.services.errors import NotFoundError, ServiceError
from restride.web import accounts, feeds, invites
from restride.web.accounts import SignedIn
from restride.web.deps import CurrentAthlete, Db, Hasher
from restride.web.rendering import clear_session_cookie, render

router = APIRouter(include_in_schema=False)


def settings_response(
    request: Request, me: SignedIn, db: Db, *, status: int = 200, **extra: object
) -> Response:
    context: dict[str, object] = {
        "shares": invites.shared_with(db, me.account.id),
        "invite": None,
        "feed_made_at": feeds.feed_made_at(db, me.account.id),
        "feed_url": None,
        "units": accounts.units_of(db, me.account.id),
        "units_saved": request.query_params.get("units") == "saved",
        **extra,
    }
    return render(request, "settings.html", context, status=status)


@router.get("/settings")
def settings_page(request: Request, me: CurrentAthlete, db: Db) -> Response:
    return settings_response(request, me, db)


@router.post("/settings/invite")
def make_invite(request: Request, me: CurrentAthlete, db: Db) -> Response:
    invite = invites.create_invite(db, me.account.id)
    if request.headers.get("hx-request") == "true":
        return render(request, "_invite.html", {"invite": invite})
    return settings_response(request, me, db, invite=invite)


@router.post("/settings/shares/{clinician_id}/revoke")
def revoke(clinician_id: str, me: CurrentAthlete, db: Db) -> Response:
    shares = invites.shared_with(db, me.account.id)
    match = next((s for s in shares if s.clinician.id == clinician_id), None)
    if match is None:
        raise NotFoundError("You do not share your record with that clinician.")
    sharing.revoke_share(db, me.account.id, match.clinician.email)
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/units")
def save_units(
    request: Request, me: CurrentAthlete, db: Db, units: Annotated[str, Form()]
) -> Response:
    try:
        accounts.set_units(db, me.account.id, units)
    except ServiceError as exc:
        return settings_response(request, me, db, status=422, units_error=exc.message)
    return RedirectResponse("/settings?units=saved#units", status_code=303)


@router.post("/settings/delete")
def delete_account(
    request: Request,
    me: CurrentAthlete,
    db: Db,
    hasher: Hasher,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        accounts.delete_account(db, hasher, me.account.id, password)
    except ServiceError as exc:
        return settings_response(request, me, db, status=422, delete_error=exc.message)
    response = RedirectResponse("/signin?deleted=1", status_code=303)
    clear_session_cookie(response, request)
    return response
