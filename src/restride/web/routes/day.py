"""The runner's day: today's decision and items, logging what was done (one tap, or with how
it went), the walk-run coach, and the quiet check for news from the clinician."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from restride.domain.case import Case
from restride.domain.choosing import propose
from restride.loading import builtin_protocol, builtin_protocol_names
from restride.services import decisions, events, sessions
from restride.services.errors import NotFoundError, ServiceError
from restride.services.sessions import ItemResult, OtherSession
from restride.storage.tables import utcnow
from restride.web.deps import CurrentAthlete, Db, Today
from restride.web.rendering import render

router = APIRouter(include_in_schema=False)

# Clinician events this recent are shown on today's page.
RECENT_EVENT_DAYS = 28
# How often an open today page asks whether anything changed (seconds).
POLL_SECONDS = 15
RESULT_FIELDS = ("done_min", "pain_during", "pain_after", "rpe", "run_min")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def today_context(db: Db, athlete_id: str, today: dt.date, **extra: object) -> dict[str, Any]:
    """Everything today's page shows, from the services; raises NotFoundError before onboarding."""
    record = decisions.todays_record(
        db, athlete_id, today=today, recent_days=decisions.TODAY_PAGE_DAYS
    )
    recent = [
        e
        for e in events.event_views(db, athlete_id, today=today)
        if (today - e.date).days < RECENT_EVENT_DAYS
    ]
    stamp = decisions.record_stamps(db, [athlete_id], today=today)[athlete_id]
    loggable = {x.key: x for x in sessions.loggable_items(record)}
    return {
        "decision": record.decision,
        "checked_in": record.checked_in,
        "waits_for_checkin": record.waits_for_checkin,
        # Each of today's items with how to log it (None for crutches, rest, a referral).
        "plan": [(item, loggable.get(sessions.item_key(item))) for item in record.decision.today],
        "unplanned": sessions.unplanned_today(record),
        "other_kinds": sessions.OTHER_KINDS,
        "events": recent,
        "stamp": stamp,
        "since": utcnow().isoformat(),
        "poll_seconds": POLL_SECONDS,
        "program": program_of(record.case, record.decision.protocol),
        **extra,
    }


def program_of(case: Case, protocol_id: str) -> dict[str, str]:
    """The program the athlete follows and why: restride's proposal for the injury, or the
    one a clinician chose."""
    proposal = propose(case.injury, builtin_protocol_names())
    chosen = any(e.kind == "change_protocol" for e in case.clinician_events)
    why = proposal.why
    if protocol_id != proposal.protocol or chosen:
        why = "Your clinician chose this program for you."
    return {"id": protocol_id, "title": builtin_protocol(protocol_id).title, "why": why}


@router.get("/today")
def today_page(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    try:
        context = today_context(db, me.account.id, today)
    except NotFoundError:
        return see_other("/onboarding")
    context["saved"] = request.query_params.get("saved") == "1"
    return render(request, "today.html", context)


@router.get("/today/updates")
def today_updates(
    request: Request, me: CurrentAthlete, db: Db, today: Today, stamp: str = "", since: str = ""
) -> Response:
    """204 while nothing changed; else today's live part, swapped in by htmx, with the news."""
    current = decisions.record_stamps(db, [me.account.id], today=today)[me.account.id]
    if current == stamp:
        return Response(status_code=204)
    context = today_context(db, me.account.id, today)
    context["news"] = news_since(context["events"], since)
    return render(request, "_today_live.html", {**context, "oob": True})


def news_since(recent: list[events.EventView], since: str) -> list[events.EventView]:
    """The clinician's events recorded after the page was shown (or withdrawn since)."""
    try:
        shown = dt.datetime.fromisoformat(since)
    except ValueError:
        return []
    if shown.tzinfo is None:
        return []
    return [
        e
        for e in recent
        if e.recorded_at > shown or (e.withdrawn_at is not None and e.withdrawn_at > shown)
    ]


def form_values(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields a form filled in; empty ones are left out (the defaults apply)."""
    values: dict[str, Any] = {}
    for name in names:
        raw = str(form.get(name, "")).strip()
        if raw:
            values[name] = raw
    return values


def logged_response(
    request: Request, db: Db, athlete_id: str, today: dt.date, **extra: object
) -> Response:
    if is_htmx(request):
        context = today_context(db, athlete_id, today, **extra)
        status = 422 if extra.get("error") else 200
        return render(request, "_today_live.html", context, status=status)
    if extra.get("error"):
        return render(
            request, "today.html", today_context(db, athlete_id, today, **extra), status=422
        )
    return see_other("/today#todo")


@router.post("/today/items/{key}")
async def log_item(
    request: Request, key: str, me: CurrentAthlete, db: Db, today: Today
) -> Response:
    form = await request.form()
    values = form_values(form, RESULT_FIELDS)
    values["notes"] = str(form.get("notes", ""))[: sessions.MAX_NOTES]
    try:
        result = ItemResult.model_validate(values)
        logged = sessions.log_item(db, me.account.id, key, result, today=today)
    except ValidationError as exc:
        return logged_response(request, db, me.account.id, today, error=one_line(exc), open=key)
    except ServiceError as exc:
        return logged_response(request, db, me.account.id, today, error=exc.message, open=key)
    return logged_response(request, db, me.account.id, today, just_logged=logged.session)


@router.post("/today/other")
async def log_other(request: Request, me: CurrentAthlete, db: Db, today: Today) -> Response:
    form = await request.form()
    values = form_values(form, ("kind", "done_min", "pain_during", "pain_after", "rpe"))
    values["notes"] = str(form.get("notes", ""))[: sessions.MAX_NOTES]
    try:
        other = OtherSession.model_validate(values)
        logged = sessions.log_other(db, me.account.id, other, today=today)
    except ValidationError as exc:
        return logged_response(request, db, me.account.id, today, error=one_line(exc), open="other")
    except ServiceError as exc:
        return logged_response(request, db, me.account.id, today, error=exc.message, open="other")
    return logged_response(request, db, me.account.id, today, just_logged=logged.session)


def one_line(exc: ValidationError) -> str:
    words = {
        "done_min": "minutes",
        "pain_during": "pain during",
        "pain_after": "pain after",
        "rpe": "effort",
        "run_min": "running minutes",
        "kind": "what you did",
    }
    return "; ".join(
        f"{words.get(str(e['loc'][0]), str(e['loc'][0])) if e['loc'] else 'input'}: {e['msg']}"
        for e in exc.errors()
    )


@router.get("/coach/{key}")
def coach_page(request: Request, key: str, me: CurrentAthlete, db: Db, today: Today) -> Response:
    """The walk-run coach for one of today's interval sessions."""
    record = decisions.todays_record(
        db, me.account.id, today=today, recent_days=decisions.TODAY_PAGE_DAYS
    )
    found = next((x for x in sessions.loggable_items(record) if x.key == key), None)
    if found is None or found.item.intervals is None:
        raise NotFoundError("Today's plan has no walk-run session to coach.")
    context = {"loggable": found, "decision": record.decision}
    return render(request, "coach.html", context)
