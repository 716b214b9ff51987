"""The clinician's pages: the board of every athlete who shares with them, an athlete's timeline,
and the hold, clear, release, note and withdrawal that feed the engine."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from restride.domain.anatomy import SITES
from restride.domain.case import ClinicianEvent
from restride.domain.protocol import Phase
from restride.domain.tailoring import minimum_of
from restride.loading import builtin_protocol, builtin_protocol_names
from restride.services import board, decisions, events
from restride.services.errors import ServiceError
from restride.web import invites
from restride.web.deps import CurrentClinician, Db, SharedAthleteFor, Today
from restride.web.history import recent_days
from restride.web.rendering import render
from restride.web.routes.athlete import one_line

router = APIRouter(include_in_schema=False)

EVENT_KINDS = {
    "hold": "Hold: keep them at this step",
    "release_hold": "Release the hold",
    "clear": "Clear: e.g. after imaging or an examination",
    "note": "Note only",
}
TAILOR_KINDS = {
    "set_minimum": "A phase's minimum: shorter or longer",
    "skip_week": "Skip a week of the phase",
    "add_gate": "Clear them before the phase starts",
    "change_protocol": "Another program",
}
IMAGING_WORDS = {"xray": "X-ray", "mri": "MRI", "ct": "CT", "bone_scan": "Bone scan"}
IMAGING_WORDS["ultrasound"] = "Ultrasound"
RESULT_WORDS = {
    "negative": "nothing found",
    "positive": "found an injury",
    "healing": "healing",
    "healed": "healed",
}


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# --- the board ------------------------------------------------------------------------------


def board_context(
    db: Db,
    me: CurrentClinician,
    today: Today,
    *,
    q: str = "",
    filter: str = "all",
    sort: str = "attention",
    page: int = 1,
    per_page: int = 25,
) -> dict[str, object]:
    found = board.board_page(
        db,
        me.account.id,
        today=today,
        query=q,
        filter=filter,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return {
        "board": found,
        "filters": board.FILTERS,
        "sorts": board.SORTS,
        "per_page_choices": board.PER_PAGE_CHOICES,
        "pain_at": board.PAIN_ATTENTION_AT,
    }


@router.get("/board")
def board_view(
    request: Request,
    me: CurrentClinician,
    db: Db,
    today: Today,
    q: Annotated[str, Query(max_length=200)] = "",
    filter: str = "all",
    sort: str = "attention",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: int = 25,
) -> Response:
    context = board_context(
        db, me, today, q=q, filter=filter, sort=sort, page=page, per_page=per_page
    )
    return render(request, "board.html", context)


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


# --- an athlete's timeline ------------------------------------------------------------------


def timeline_context(
    db: Db, me: CurrentClinician, athlete: SharedAthleteFor, today: Today, **extra: object
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "athlete": athlete,
        "kinds": EVENT_KINDS,
        "chart_src": f"/api/athletes/{athlete.id}/history",
        "imaging_words": IMAGING_WORDS,
        "result_words": RESULT_WORDS,
        "my_id": me.account.id,
        **extra,
    }
    try:
        record = decisions.todays_record(db, athlete.id, today=today)
    except ServiceError as exc:
        return {**context, "case": None, "decision": None, "problem": exc.message}
    views = events.event_views(db, athlete.id, today=today)
    injury = record.case.injury
    protocol = builtin_protocol(record.decision.protocol)
    return {
        **context,
        "tailor_kinds": TAILOR_KINDS,
        "phase_titles": {p.id: p.title for p in protocol.phases},
        "minimums": {p.id: _minimum(p) for p in protocol.phases},
        "protocol_ids": builtin_protocol_names(),
        "case": record.case,
        "decision": record.decision,
        "site": SITES[injury.site].name,
        "days": recent_days(record.case, views),
        "events": views,
        "hold": board.hold_in_force(record.decision),
    }


@router.get("/athletes/{athlete_id}")
def timeline(
    request: Request, me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today
) -> Response:
    return render(request, "timeline.html", timeline_context(db, me, athlete, today))


def acted(
    request: Request,
    db: Db,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    today: Today,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    """After an event: the timeline's live part for htmx, else back to the page."""
    if is_htmx(request):
        context = timeline_context(db, me, athlete, today, **extra)
        return render(request, "_timeline_live.html", context, status=status)
    if status != 200:
        context = timeline_context(db, me, athlete, today, **extra)
        return render(request, "timeline.html", context, status=status)
    return RedirectResponse(f"/athletes/{athlete.id}#events", status_code=303)


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
    fields = {"date": today, "kind": kind, "reason": reason.strip()[:2000]}
    return record_event(request, db, me, athlete, today, fields, form={"kind": kind})


def record_event(
    request: Request,
    db: Db,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    today: Today,
    fields: dict[str, object],
    **on_error: object,
) -> Response:
    """Record the event `fields` describe and show what it changed; a refusal shows the form
    again with the reason (and `on_error`'s context)."""
    try:
        event = ClinicianEvent.model_validate(fields)
        if event.kind == "withdraw":
            raise ServiceError("Withdraw an event with the button beside it.")
        outcome = events.record_for_athlete(
            db,
            athlete.id,
            event,
            athlete_name=athlete.name,
            today=today,
            clinician_id=me.account.id,
        )
    except (ValidationError, ServiceError) as exc:
        message = one_line(exc) if isinstance(exc, ValidationError) else exc.message
        if message.startswith("reason"):
            message = "Give a reason: the athlete reads it with their plan."
        return acted(request, db, me, athlete, today, status=422, error=message, **on_error)
    return acted(request, db, me, athlete, today, outcome=outcome.summary)


@router.post("/athletes/{athlete_id}/tailor")
def tailor(
    request: Request,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    db: Db,
    today: Today,
    kind: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
    week: Annotated[str, Form()] = "",
    protocol: Annotated[str, Form()] = "",
) -> Response:
    """RTR-7: a clinician's change to the athlete's program, with a reason."""
    fields: dict[str, object] = {"date": today, "kind": kind, "reason": reason.strip()[:2000]}
    if kind == "set_minimum":
        fields |= {"phase": phase, "days": days.strip() or None}
    elif kind == "skip_week":
        fields |= {"phase": phase, "week": week.strip() or None}
    elif kind == "add_gate":
        fields |= {"gate": phase}
    elif kind == "change_protocol":
        fields |= {"protocol": protocol}
    else:
        return acted(request, db, me, athlete, today, status=422, error="Choose what to change.")
    return record_event(request, db, me, athlete, today, fields, tailor_open=True)


def _minimum(phase: Phase) -> tuple[int, int] | None:
    criterion = minimum_of(phase)
    return (criterion.days, criterion.hard_floor) if criterion else None


@router.post("/athletes/{athlete_id}/events/{event_id}/withdraw")
def withdraw_event(
    request: Request,
    event_id: str,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    db: Db,
    today: Today,
    reason: Annotated[str, Form()] = "",
) -> Response:
    if not reason.strip():
        message = "Say why you withdraw it: the athlete reads it with their plan."
        return acted(request, db, me, athlete, today, status=422, error=message, open=event_id)
    try:
        outcome = events.withdraw(
            db,
            athlete.id,
            event_id,
            reason=reason.strip()[:2000],
            athlete_name=athlete.name,
            today=today,
            clinician_id=me.account.id,
        )
    except ServiceError as exc:
        return acted(request, db, me, athlete, today, status=422, error=exc.message)
    return acted(request, db, me, athlete, today, outcome=outcome.summary)
