"""The clinician's pages: the board sorted by attention, an athlete's timeline, and the
hold, clear, release and note that feed the engine."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from restride.domain.case import ClinicianEvent
from restride.domain.decide import decide
from restride.loading import builtin_protocol
from restride.services import decisions, sharing
from restride.services.errors import ServiceError
from restride.web import invites
from restride.web.board import board_rows
from restride.web.deps import CurrentClinician, Db, SharedAthleteFor, Today
from restride.web.rendering import render
from restride.web.routes.athlete import one_line, recent_days

router = APIRouter(include_in_schema=False)

EVENT_KINDS = {
    "hold": "Hold: keep them at this step",
    "release_hold": "Release the hold",
    "clear": "Clear: e.g. after imaging or an examination",
    "note": "Note only",
}


def board_context(db: Db, me: CurrentClinician, today: Today) -> dict[str, object]:
    athletes = sharing.shared_athletes(db, me.account.id)
    return {"rows": board_rows(db, athletes, today), "today": today}


@router.get("/board")
def board(request: Request, me: CurrentClinician, db: Db, today: Today) -> Response:
    return render(request, "board.html", board_context(db, me, today))


@router.post("/board/redeem")
def redeem(
    request: Request, me: CurrentClinician, db: Db, today: Today, code: Annotated[str, Form()]
) -> Response:
    try:
        athlete = invites.redeem_invite(db, me.account.id, code)
    except ServiceError as exc:
        context = {**board_context(db, me, today), "error": exc.message}
        return render(request, "board.html", context, status=422)
    return RedirectResponse(f"/athletes/{athlete.id}", status_code=303)


def timeline_context(
    db: Db, athlete: SharedAthleteFor, today: Today, **extra: object
) -> dict[str, object]:
    context: dict[str, object] = {
        "athlete": athlete,
        "kinds": EVENT_KINDS,
        "today": today,
        "chart_src": f"/api/athletes/{athlete.id}/history",
        **extra,
    }
    try:
        case = decisions.stored_case(db, athlete.id, today)
    except ServiceError as exc:
        return {**context, "case": None, "decision": None, "problem": exc.message}
    decision = decide(builtin_protocol(case.protocol), case)
    events = list(reversed(case.clinician_events))
    return {
        **context,
        "case": case,
        "decision": decision,
        "days": recent_days(case),
        "events": events,
    }


@router.get("/athletes/{athlete_id}")
def timeline(
    request: Request, me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today
) -> Response:
    return render(request, "timeline.html", timeline_context(db, athlete, today))


@router.post("/athletes/{athlete_id}/events")
def add_event(
    request: Request,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    db: Db,
    today: Today,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    htmx = request.headers.get("hx-request") == "true"
    try:
        event = ClinicianEvent.model_validate(
            {"date": today, "kind": kind, "reason": reason.strip()[:2000]}
        )
        sharing.record_clinician_event(
            db, athlete.id, event, today=today, clinician_id=me.account.id
        )
    except (ValidationError, ServiceError) as exc:
        message = one_line(exc) if isinstance(exc, ValidationError) else exc.message
        if "reason" in message:
            message = "Give a reason: the athlete reads it with their plan."
        context = timeline_context(db, athlete, today, error=message, form={"kind": kind})
        return render(request, "_events.html" if htmx else "timeline.html", context, status=422)
    if htmx:
        context = timeline_context(db, athlete, today, saved=True)
        return render(request, "_events.html", context)
    return RedirectResponse(f"/athletes/{athlete.id}", status_code=303)
