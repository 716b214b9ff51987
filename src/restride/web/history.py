"""A record as chart data: pain by kind over time, with the phases as bands behind it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from restride.domain.case import PAIN_FIELDS
from restride.web.rendering import EVENT_WORDS, PAIN_LABELS

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.domain.decision import Decision

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
    events = [
        {
            "date": e.date.isoformat(),
            "kind": e.kind,
            "label": EVENT_WORDS[e.kind],
            "reason": e.reason,
            "clinician": e.clinician,
        }
        for e in case.clinician_events
        if e.date >= first
    ]
    return {
        "dates": [d.isoformat() for d in dates],
        "pain": series,
        "phases": phases,
        "events": events,
        "checked_in": [d in checkins for d in dates],
    }
