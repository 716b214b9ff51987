"""The JSON API (OpenAPI at /api/openapi.json). Same sessions and access checks as the pages;
writes need the session's CSRF token in the `X-CSRF-Token` header (from `GET /api/me`)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from restride.domain.case import CheckIn, ClinicianEvent, ClinicianEventKind, Session
from restride.domain.decision import Decision, Referral, TodayItem
from restride.services import audit, checkins, day, decisions, events, sessions
from restride.services import board as board_service
from restride.services.sessions import ItemResult, OtherSession
from restride.web.deps import (
    CurrentAthlete,
    CurrentClinician,
    Db,
    SharedAthleteFor,
    SignedInUser,
    Today,
)
from restride.web.history import DEFAULT_DAYS, history_data


class ErrorOut(BaseModel):
    """Every refusal: what was wrong, in words for the user."""

    error: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# Every status the API answers besides success, for every route: schemathesis holds the API to
# this list (tests/web/test_api_fuzz.py).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Not signed in."),
    403: _error("Signed in with the wrong role, or a write without the session's CSRF token."),
    404: _error("No such athlete, or not one who shares with you."),
    405: _error("That method is not served here (the `Allow` header lists those that are)."),
    409: _error("Already done, e.g. today's check-in exists: send it with `edit=true`."),
    413: _error("The request body is larger than the limit for it."),
    422: _error("The request is not valid: the message names the field and the problem."),
    503: _error("Busy with another change: nothing was saved; retry after `Retry-After` s."),
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
Days = Annotated[int, Query(ge=7, le=3660, description="How many days back, today included.")]


class Me(BaseModel):
    id: str
    email: str
    name: str
    role: str
    csrf_token: str


class Series(BaseModel):
    label: str
    values: list[int | None]


class PhaseBand(BaseModel):
    phase: str
    start: dt.date
    end: dt.date


class EventOut(BaseModel):
    id: str | None
    date: dt.date
    kind: ClinicianEventKind
    label: str
    reason: str
    clinician: str | None
    withdraws: str | None = Field(description="For a withdrawal: the ID of the event it took back.")
    withdrawn: bool = Field(description="Whether a later withdrawal took this event back.")


class NoteOut(BaseModel):
    date: dt.date
    source: Literal["checkin", "session"]
    kind: str | None = Field(description="For a session note: the session's kind.")
    text: str


class History(BaseModel):
    dates: list[dt.date]
    pain: dict[str, Series]
    phases: list[PhaseBand]
    events: list[EventOut]
    notes: list[NoteOut] = Field(description="The runner's check-in and session notes.")
    checked_in: list[bool]


class CheckInBody(CheckIn):
    """A check-in; `date` is today when left out (and only today's can be edited)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date | None = None  # type: ignore[assignment]


class CheckInResult(BaseModel):
    version: int
    red_flags: list[str]
    decision: Decision


class ItemOut(BaseModel):
    key: str = Field(description="Names the item all day, for POST /api/today/items/{key}.")
    item: TodayItem
    prefill: ItemResult = Field(description="What a plain 'done' records.")
    logged: list[Session] = Field(description="Today's sessions that fulfil it.")


class Logged(BaseModel):
    id: str
    session: Session
    decision: Decision = Field(description="Today's decision after the session was logged.")


class BoardEntry(BaseModel):
    id: str
    name: str
    email: str
    phase: str | None
    week: int | None
    action: str | None
    referral: Referral | None
    last_checkin: dt.date | None
    worst_pain_week: int | None
    week_pain: list[int | None] = Field(description="Worst pain of each of the last 7 days.")
    attention: list[str]
    signals: list[str] = Field(description="The kinds of the attention signals, in order.")


class Reminder(BaseModel):
    date: dt.date
    checked_in: bool = Field(description="Whether today's check-in is done.")


class EventBody(BaseModel):
    """A clinician's event; the tailoring kinds (RTR-7) say what they set."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal[
        "clear",
        "hold",
        "release_hold",
        "note",
        "set_minimum",
        "skip_week",
        "add_gate",
        "change_protocol",
    ]
    reason: str = Field(min_length=1, max_length=2000)
    phase: str | None = Field(default=None, max_length=40, description="set_minimum, skip_week.")
    days: int | None = Field(default=None, ge=1, le=365, description="set_minimum.")
    week: int | None = Field(default=None, ge=1, le=52, description="skip_week.")
    gate: str | None = Field(default=None, max_length=40, description="add_gate.")
    protocol: str | None = Field(default=None, max_length=40, description="change_protocol.")

    @model_validator(mode="after")
    def _fits_its_kind(self) -> "EventBody":
        self.event(dt.date.min)  # the case contract's own checks (the day is not one), as a 422
        return self

    def event(self, today: dt.date) -> ClinicianEvent:
        return ClinicianEvent(
            date=today,
            kind=self.kind,
            reason=self.reason.strip() or self.reason,
            phase=self.phase,
            days=self.days,
            week=self.week,
            gate=self.gate,
            protocol=self.protocol,
        )


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class EventResult(BaseModel):
    id: str
    summary: str = Field(description="What was recorded and what it changed, in plain words.")
    decision: Decision = Field(description="The athlete's decision today, after it.")


@router.get("/me", response_model=Me)
def me(session: SignedInUser) -> Me:
    account = session.account
    return Me(
        id=account.id,
        email=account.email,
        name=account.name,
        role=account.role,
        csrf_token=session.csrf_token,
    )


class ReadOut(BaseModel):
    at: dt.datetime
    clinician: str
    what: str


@router.get("/me/reads", response_model=list[ReadOut])
def my_reads(me: CurrentAthlete, db: Db) -> list[ReadOut]:
    """Every time a clinician opened your record, newest first (the audit log)."""
    return [
        ReadOut(at=r.at, clinician=r.clinician, what=r.what)
        for r in audit.reads_of(db, me.account.id)
    ]


@router.get("/today", response_model=Decision)
def today_decision(me: CurrentAthlete, db: Db, today: Today) -> Response:
    # The decision as it was kept, sent as it is: it was composed and checked once.
    found = day.todays_decision_json(db, me.account.id, today=today)
    return Response(content=found, media_type="application/json")


@router.get("/reminder", response_model=Reminder)
def reminder(me: CurrentAthlete, db: Db, today: Today) -> Reminder:
    """What a check-in reminder needs to know, cheaply: has today's check-in been done?"""
    return Reminder(date=today, checked_in=checkins.checked_in_on(db, me.account.id, today))


@router.get("/today/items", response_model=list[ItemOut])
def today_items(me: CurrentAthlete, db: Db, today: Today) -> list[ItemOut]:
    """Today's items a session can be logged for, with what 'done' records and what is logged."""
    record = decisions.todays_record(
        db, me.account.id, today=today, recent_days=decisions.TODAY_PAGE_DAYS
    )
    return [
        ItemOut(key=x.key, item=x.item, prefill=x.prefill, logged=x.logged)
        for x in sessions.loggable_items(record)
    ]


@router.post("/today/items/{key}", response_model=Logged, status_code=201)
def log_item(key: str, body: ItemResult, me: CurrentAthlete, db: Db, today: Today) -> Logged:
    """Log one of today's items; a field left out is what the plan asked for, pain 0."""
    logged = sessions.log_item(db, me.account.id, key, body, today=today)
    return Logged(id=logged.session_id, session=logged.session, decision=logged.decision)


@router.post("/sessions", response_model=Logged, status_code=201)
def log_other(body: OtherSession, me: CurrentAthlete, db: Db, today: Today) -> Logged:
    """Log something done today that was not on today's plan."""
    logged = sessions.log_other(db, me.account.id, body, today=today)
    return Logged(id=logged.session_id, session=logged.session, decision=logged.decision)


@router.post("/checkins", response_model=CheckInResult, status_code=201)
def post_checkin(
    body: CheckInBody, me: CurrentAthlete, db: Db, today: Today, edit: bool = False
) -> CheckInResult:
    checkin = CheckIn.model_validate({**body.model_dump(), "date": body.date or today})
    recorded = checkins.record_checkin(db, me.account.id, checkin, today=today, edit=edit)
    decision = decisions.todays_decision(db, me.account.id, today=today)
    return CheckInResult(
        version=recorded.version,
        red_flags=[flag.rule for flag in recorded.red_flags],
        decision=decision,
    )


def _history(db: Db, athlete_id: str, today: dt.date, days: int) -> History:
    record = decisions.todays_record(db, athlete_id, today=today)
    return History.model_validate(history_data(record.case, record.decision, days))


@router.get("/history", response_model=History)
def my_history(me: CurrentAthlete, db: Db, today: Today, days: Days = DEFAULT_DAYS) -> History:
    return _history(db, me.account.id, today, days)


@router.get("/athletes", response_model=list[BoardEntry])
def board(
    response: Response,
    me: CurrentClinician,
    db: Db,
    today: Today,
    q: Annotated[str, Query(max_length=200, description="Part of a name or email.")] = "",
    filter: Annotated[str, Query(description=", ".join(board_service.FILTERS))] = "all",
    sort: Annotated[str, Query(description=", ".join(board_service.SORTS))] = "attention",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(description="25, 50 or 100")] = 100,
) -> list[BoardEntry]:
    """The athletes who share with you, who needs attention first; one page of them (the
    `X-Total-Count` and `X-Page-Count` headers say how many in all)."""
    found = board_service.board_page(
        db,
        me.account.id,
        today=today,
        query=q,
        filter=filter,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["X-Page-Count"] = str(found.pages)
    return [
        BoardEntry(
            id=row.athlete.id,
            name=row.athlete.name,
            email=row.athlete.email,
            phase=row.decision.phase if row.decision else None,
            week=row.decision.week if row.decision else None,
            action=row.decision.action if row.decision else None,
            referral=row.decision.referral if row.decision else None,
            last_checkin=row.last_checkin,
            worst_pain_week=row.worst_pain_week,
            week_pain=row.week_pain,
            attention=[s.text for s in row.signals],
            signals=[s.kind for s in row.signals],
        )
        for row in found.rows
    ]


@router.get("/athletes/{athlete_id}/today", response_model=Decision)
def athlete_decision(
    me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today
) -> Decision:
    return decisions.todays_decision(db, athlete.id, today=today)


@router.get("/athletes/{athlete_id}/history", response_model=History)
def athlete_history(
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    db: Db,
    today: Today,
    days: Days = DEFAULT_DAYS,
) -> History:
    return _history(db, athlete.id, today, days)


@router.post("/athletes/{athlete_id}/events", response_model=EventResult, status_code=201)
def add_event(
    body: EventBody, me: CurrentClinician, athlete: SharedAthleteFor, db: Db, today: Today
) -> EventResult:
    """Hold, clear, release, note or a tailoring of the program for a shared athlete, dated
    today."""
    event = body.event(today)
    outcome = events.record_for_athlete(
        db, athlete.id, event, athlete_name=athlete.name, today=today, clinician_id=me.account.id
    )
    return EventResult(id=outcome.event_id, summary=outcome.summary, decision=outcome.after)


@router.post(
    "/athletes/{athlete_id}/events/{event_id}/withdraw",
    response_model=EventResult,
    status_code=201,
)
def withdraw_event(
    event_id: str,
    body: WithdrawBody,
    me: CurrentClinician,
    athlete: SharedAthleteFor,
    db: Db,
    today: Today,
) -> EventResult:
    """Take back one of your own events: recorded as a withdrawal, so the history stays whole."""
    outcome = events.withdraw(
        db,
        athlete.id,
        event_id,
        reason=body.reason.strip() or body.reason,
        athlete_name=athlete.name,
        today=today,
        clinician_id=me.account.id,
    )
    return EventResult(id=outcome.event_id, summary=outcome.summary, decision=outcome.after)
