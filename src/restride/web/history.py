"""A record as chart data (pain by kind over time, with the phases as bands behind it), and as
the day-by-day table the runner's history and the clinician's timeline show."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from restride.domain.case import PAIN_FIELDS
from restride.web.rendering import EVENT_WORDS, PAIN_LABELS

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.domain.decision import Decision
    from restride.services.events import EventView

DEFAULT_DAYS = 84


def history_data(case: Case, decision: Decision, days: int = DEFAULT_DAYS) -> dict[str, Any]:
    """One entry a day from `days` ago (or the program start) to today; null where not asked."""
    first = max(case.program_start, case.today - dt.timedelta(days=days - 1))
    checkins = {c.date: c for c in case.checkins}
    dates = [first + dt.timedelta(days=n) for n in range((case.today - first).days + 1)]
    series = {
        field: {
            "label": PAIN_LABELS[field],
            "values": [getattr(checkins[d], field) if d in checkins else None for d in dates],
        }
        for field in PAIN_FIELDS
    }
    phases = [
        {
            "phase": span.phase,
            "start": max(span.start, first).isoformat(),
            "end": (span.end or case.today).isoformat(),
        }
        for span in decision.phase_history
        if (span.end or case.today) >= first
    ]
    withdrawn = {e.withdraws: e for e in case.clinician_events if e.kind == "withdraw"}
    events = [
        {
            "id": e.id,
            "date": e.date.isoformat(),
            "kind": e.kind,
            "label": EVENT_WORDS[e.kind],
            "reason": e.reason,
            "clinician": e.clinician,
            "withdraws": e.withdraws,
            "withdrawn": e.id in withdrawn,
        }
        for e in case.clinician_events
        if e.date >= first
    ]
    notes = [
        {"date": c.date.isoformat(), "source": "checkin", "kind": None, "text": c.notes}
        for c in case.checkins
        if c.notes and c.date >= first
    ] + [
        {"date": s.date.isoformat(), "source": "session", "kind": s.kind, "text": s.notes}
        for s in case.sessions
        if s.notes and s.date >= first
    ]
    return {
        "dates": [d.isoformat() for d in dates],
        "pain": series,
        "phases": phases,
        "events": events,
        "notes": sorted(notes, key=lambda n: n["date"]),
        "checked_in": [d in checkins for d in dates],
    }


def recent_days(case: Case, events: list[EventView], days: int = 28) -> list[dict[str, Any]]:
    """Newest first: each day's check-in, sessions, clinician events and withdrawals."""
    checkins_by_day = {c.date: c for c in case.checkins}
    first = max(case.program_start, case.today - dt.timedelta(days=days - 1))
    out: list[dict[str, Any]] = []
    day = case.today
    while day >= first:
        out.append(
            {
                "date": day,
                "checkin": checkins_by_day.get(day),
                "sessions": [s for s in case.sessions if s.date == day],
                "events": [e for e in events if e.date == day][::-1],
                "withdrawals": [e for e in events if e.withdrawn_on == day][::-1],
            }
        )
        day -= dt.timedelta(days=1)
    return out
