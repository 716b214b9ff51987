"""The JSON API (OpenAPI at /api/openapi.json). Same sessions and access checks as the pages;
writes need the session's CSRF token in the `X-CSRF-Token` header (from `GET /api/me`)."""

# No `from __future__ import annotations`: FastAPI reads these signatures at run time.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from restride.domain.case import CheckIn, ClinicianEventKind
from restride.domain.decide import decide
from restride.domain.decision import Decision, Referral
from restride.loading import builtin_protocol
from restride.services import audit, checkins, decisions, sharing
from restride.web.board import board_rows
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
    date: dt.date
    kind: ClinicianEventKind
    label: str
    reason: str
    clinician: str | None


class History(BaseModel):
    dates: list[dt.date]
    pain: dict[str, Series]
    phases: list[PhaseBand]
    events: list[EventOut]
    checked_in: list[bool]


class CheckInBody(CheckIn):
    """A check-in; `date` is today when left out (and only today's can be edited)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date | None = None  # type: ignore[assignment]


class CheckInResult(BaseModel):
    version: int
    red_flags: list[str]
    decision: Decision


class BoardEntry(BaseModel):
    id: str
    name: str
    email: str
    phase: str | None
    action: str | None
    referral: Referral | None
    attention: list[str]


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
def today_decision(me: CurrentAthlete, db: Db, today: Today) -> Decision:
    return decisions.todays_decision(db, me.account.id, today=today)


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
    case = decisions.stored_case(db, athlete_id, today)
    decision = decide(builtin_protocol(case.protocol), case)
    return History.model_validate(history_data(case, decision, days))


@router.get("/history", response_model=History)
def my_history(me: CurrentAthlete, db: Db, today: Today, days: Days = DEFAULT_DAYS) -> History:
    return _history(db, me.account.id, today, days)


@router.get("/athletes", response_model=list[BoardEntry])
def board(me: CurrentClinician, db: Db, today: Today) -> list[BoardEntry]:
    """The athletes who share with you, who needs attention first."""
    rows = board_rows(db, sharing.shared_athletes(db, me.account.id), today)
    return [
        BoardEntry(
            id=row.athlete.id,
            name=row.athlete.name,
            email=row.athlete.email,
            phase=row.decision.phase if row.decision else None,
            action=row.decision.action if row.decision else None,
            referral=row.decision.referral if row.decision else None,
            attention=[flag.text for flag in row.flags],
        )
        for row in rows
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
