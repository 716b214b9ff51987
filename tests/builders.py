"""Small builders for cases: days are counted from START (day 0 = program start)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from restride.domain.case import Case, CheckIn, ClinicianEvent, Injury, Session
from restride.simulation import PAIN_FREE

START = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def make_injury(**overrides: Any) -> Injury:
    fields: dict[str, Any] = {
        "site": "metatarsal_4_shaft",
        "side": "right",
        "kind": "bone",
        "onset": START - dt.timedelta(days=21),
    }
    fields.update(overrides)
    return Injury(**fields)


def make_checkin(n: int, **overrides: Any) -> CheckIn:
    """A pain-free check-in on day n, with the given fields changed."""
    return CheckIn(date=day(n), **{**PAIN_FREE, **overrides})


def make_session(n: int, kind: str = "walk", **overrides: Any) -> Session:
    fields: dict[str, Any] = {
        "date": day(n),
        "phase": "walk",
        "kind": kind,
        "planned_min": 20,
        "done_min": 20,
        "pain_during": 0,
        "pain_after": 0,
        "rpe": 3,
    }
    fields.update(overrides)
    return Session(**fields)


def make_event(n: int, kind: str, reason: str = "seen in clinic") -> ClinicianEvent:
    return ClinicianEvent(date=day(n), kind=kind, reason=reason)  # type: ignore[arg-type]


def make_case(
    today: int,
    *,
    checkins: list[CheckIn] | None = None,
    sessions: list[Session] | None = None,
    events: list[ClinicianEvent] | None = None,
    injury: Injury | None = None,
) -> Case:
    return Case(
        today=day(today),
        program_start=START,
        injury=injury or make_injury(),
        checkins=checkins or [],
        sessions=sessions or [],
        clinician_events=events or [],
    )


def pain_free_checkins(first: int, last: int, **overrides: Any) -> list[CheckIn]:
    return [make_checkin(n, **overrides) for n in range(first, last + 1)]
