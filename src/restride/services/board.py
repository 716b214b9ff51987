"""The clinician's board: every athlete who shares with them, one row each, who needs attention
first; searchable, filterable, sortable and in pages.

`board_page` is the one way in. Each row is the athlete's day as kept (services/day.py): the
decision, the attention signals (domain/attention.py, thresholds in the protocol) and the week's
pain, read with one query for the page and one for the counts per filter, however many athletes
share. Nothing is replayed here; a row not yet composed for today is composed first.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restride.domain.attention import WEIGHTS
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import day
from restride.services.athletes import AccountInfo
from restride.services.errors import InvalidInputError

if TYPE_CHECKING:
    from restride.storage import board_query
    from restride.storage.database import Database

SORTS: dict[str, str] = {
    "attention": "Needs attention first",
    "name": "Name",
    "last_checkin": "Longest since a check-in",
    "pain": "Worst pain this week",
    "phase": "Phase",
}
FILTERS: dict[str, str] = {
    "all": "Everyone",
    "attention": "Needs attention",
    "red_flag": "Red flags",
    "pain": "Pain, limp or a setback",
    "missed_checkins": "Missed check-ins",
    "clearance": "Waiting on you",
    "hold": "On hold",
}
PER_PAGE_CHOICES = (25, 50, 100)
MAX_QUERY = 100
# The worst pain on the board that is marked as high: the protocol's attention threshold.
PAIN_ATTENTION_AT = builtin_protocol().attention.pain_alert


@dataclass(frozen=True)
class Signal:
    kind: str  # one of domain/attention.py's kinds, or "none" (no decision to show)
    text: str

    @property
    def weight(self) -> int:
        return WEIGHTS.get(self.kind, 0)


@dataclass(frozen=True)
class BoardRow:
    athlete: AccountInfo
    decision: Decision | None
    signals: list[Signal] = field(default_factory=list)
    last_checkin: dt.date | None = None
    # The worst pain of each of the last seven days, oldest first; None without a check-in.
    week_pain: list[int | None] = field(default_factory=list)
    phase_index: int = -1

    @property
    def attention(self) -> int:
        return sum(s.weight for s in self.signals)

    @property
    def urgent(self) -> bool:
        return any(s.kind == "red_flag" for s in self.signals)

    @property
    def worst_pain_week(self) -> int | None:
        known = [p for p in self.week_pain if p is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    total: int  # athletes matching the search and filter
    athletes: int  # athletes who share, in all
    counts: dict[str, int]  # athletes per filter, within the search
    page: int
    pages: int
    per_page: int
    query: str
    filter: str
    sort: str
    today: dt.date


def _row(entry: board_query.BoardEntry) -> BoardRow:
    athlete = AccountInfo(entry.athlete_id, entry.email, entry.name, "athlete")
    kept = entry.day
    if kept is None or entry.episode_id is None or not entry.current:
        return BoardRow(athlete, None, [Signal("none", "no active injury episode")])
    return BoardRow(
        athlete=athlete,
        decision=Decision.model_validate_json(kept.decision),
        signals=[Signal(a["kind"], a["text"]) for a in json.loads(kept.attention)],
        last_checkin=kept.last_checkin,
        week_pain=list(json.loads(kept.pain_trend)),
        phase_index=kept.phase_index,
    )


def board_page(
    db: Database,
    clinician_id: str,
    *,
    today: dt.date,
    query: str = "",
    filter: str = "all",
    sort: str = "attention",
    page: int = 1,
    per_page: int = 25,
) -> BoardPage:
    """One page of the clinician's board: search by name or email, one filter, one order."""
    if filter not in FILTERS:
        raise InvalidInputError(f"filter: {filter!r} is not one of {', '.join(FILTERS)}")
    if sort not in SORTS:
        raise InvalidInputError(f"sort: {sort!r} is not one of {', '.join(SORTS)}")
    if per_page not in PER_PAGE_CHOICES:
        choices = ", ".join(str(n) for n in PER_PAGE_CHOICES)
        raise InvalidInputError(f"per_page: {per_page} is not one of {choices}")
    query = query.strip()[:MAX_QUERY]
    page = max(1, page)
    entries, counts = day.board(
        db,
        clinician_id,
        today=today,
        query=query,
        filter_name=filter,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    total = counts[filter]
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end (the list shrank): the last page instead
        return board_page(
            db, clinician_id, today=today, query=query, filter=filter, sort=sort,
            page=pages, per_page=per_page,
        )  # fmt: skip
    athletes = counts["all"] if not query else day.board_size(db, clinician_id)
    return BoardPage(
        rows=[_row(e) for e in entries],
        total=total,
        athletes=athletes,
        counts=counts,
        page=page,
        pages=pages,
        per_page=per_page,
        query=query,
        filter=filter,
        sort=sort,
        today=today,
    )


def hold_in_force(decision: Decision) -> str | None:
    """The clinician's hold the engine applied today, in its words; None without one."""
    rule = builtin_protocol(decision.protocol).engine_rule("clinician_hold")
    for reason in decision.reasons:
        if reason.rule == rule.id:
            return reason.text.removesuffix(rule.text).strip()
    return None
