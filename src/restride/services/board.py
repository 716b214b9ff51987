"""The clinician's board: every athlete who shares with them, one row each, who needs attention
first; searchable, filterable, sortable and in pages.

`board_page` is the one way in. For now each row is worked out from the athlete's stored record
and today's decision; a per-athlete summary kept current on each write can replace that behind
the same function without a change to the pages or the API.

Attention comes in this order: red flags (a referral to a doctor, or a stop), pain or a limp on
the latest check-in, rising pain or a step back, missed check-ins, then a phase gate that waits
on the clinician's own clearance. A hold is shown, but needs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from restride.domain.case import PAIN_FIELDS
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import decisions, sharing
from restride.services.athletes import AccountInfo
from restride.services.errors import InvalidInputError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable

    from restride.domain.case import Case, CheckIn
    from restride.storage.database import Database

# --- Attention thresholds: all of them, here. ---------------------------------------------------
# Pain at this level or above on the latest check-in is worth a look: PAIN-3's "acceptable"
# band ends at 2, and a bone injury's ceiling is 0.
PAIN_ATTENTION_AT = 3
# A rise of this much in the day's worst pain, on average over three days against the week
# before, is worth a look: PAIN-3's "acceptable" band is 0-2 above baseline.
RISING_BY = 2.0
RECENT_DAYS = 3
BASELINE_DAYS = 7
MISSED_WINDOW_DAYS = 7
MISSED_ALERT = 2
# The days a row's "worst pain this week" and its sparkline cover, today included.
WEEK_DAYS = 7
# How much each signal weighs when the board is sorted by attention.
WEIGHTS = {
    "red_flag": 100,
    "pain": 40,
    "limp": 40,
    "rising_pain": 30,
    "setback": 30,
    "missed_checkins": 20,
    "clearance": 10,
    "hold": 0,
    "none": 0,
}

SignalKind = Literal[
    "red_flag",
    "pain",
    "limp",
    "rising_pain",
    "setback",
    "missed_checkins",
    "clearance",
    "hold",
    "none",
]
Sort = Literal["attention", "name", "last_checkin", "pain", "phase"]
Filter = Literal["all", "attention", "red_flag", "pain", "missed_checkins", "clearance", "hold"]
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


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    text: str

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


@dataclass(frozen=True)
class BoardRow:
    athlete: AccountInfo
    decision: Decision | None
    signals: list[Signal] = field(default_factory=list)
    last_checkin: dt.date | None = None
    # The worst pain of each of the last WEEK_DAYS days, oldest first; None without a check-in.
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

    def matches(self, wanted: str) -> bool:
        kinds = {s.kind for s in self.signals}
        if wanted == "all":
            return True
        if wanted == "attention":
            return self.attention > 0
        if wanted == "pain":
            return bool(kinds & {"pain", "limp", "rising_pain", "setback"})
        return wanted in kinds


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


def worst_pain(checkin: CheckIn) -> int | None:
    values = [v for v in (getattr(checkin, f) for f in PAIN_FIELDS) if v is not None]
    return max(values) if values else None


def _worst_named(checkin: CheckIn) -> tuple[int, str] | None:
    """The day's worst pain and what kind it was, in words."""
    words = {
        "pain_rest": "at rest",
        "pain_walking": "walking",
        "pain_activity": "during exercise",
        "pain_after": "after exercise",
        "pain_next_morning": "on waking",
    }
    known = [
        (getattr(checkin, f), words[f]) for f in PAIN_FIELDS if getattr(checkin, f) is not None
    ]
    return max(known, key=lambda pair: pair[0]) if known else None


def signals(case: Case, decision: Decision) -> list[Signal]:
    """What about this athlete needs the clinician today, most pressing first."""
    found: list[Signal] = []
    today = case.today
    if decision.referral in ("soon", "urgent") or decision.action == "stop":
        words = {
            "urgent": "needs medical help today",
            "soon": "should see a sports-medicine doctor within days",
        }
        text = words.get(decision.referral, "was told to stop activity")
        found.append(Signal("red_flag", f"Red flag: {text}."))
    latest = max(case.checkins, key=lambda c: c.date, default=None)
    if latest is not None and (today - latest.date).days < MISSED_WINDOW_DAYS:
        named = _worst_named(latest)
        if named is not None and named[0] >= PAIN_ATTENTION_AT:
            found.append(Signal("pain", f"Pain {named[0]}/10 {named[1]} on the latest check-in."))
        if latest.limp:
            found.append(Signal("limp", "Limping on the latest check-in."))
    rising = _rising(case)
    if rising is not None:
        found.append(Signal("rising_pain", rising))
    if decision.action == "regress":
        where = f"{decision.phase_title}, week {decision.week}"
        found.append(Signal("setback", f"Stepped back today, to {where}."))
    first = max(case.program_start, today - dt.timedelta(days=MISSED_WINDOW_DAYS))
    seen = {c.date for c in case.checkins}
    # Today is left out: the runner may simply not have checked in yet.
    missed = sum(1 for n in range((today - first).days) if first + dt.timedelta(days=n) not in seen)
    if missed >= MISSED_ALERT:
        found.append(Signal("missed_checkins", f"{missed} missed check-ins in the last week."))
    if decision.next is not None:
        for unmet in decision.next.unmet:
            if unmet.kind == "clinician_clearance":
                found.append(Signal("clearance", f"Waiting on your clearance: {unmet.text}"))
    hold = hold_in_force(decision)
    if hold is not None:
        found.append(Signal("hold", f"On hold: {hold}"))
    return found


def hold_in_force(decision: Decision) -> str | None:
    """The clinician's hold the engine applied today, in its words; None without one."""
    rule = builtin_protocol(decision.protocol).engine_rule("clinician_hold")
    for reason in decision.reasons:
        # On the day of a release the engine cites the same rule, saying "released".
        if reason.rule == rule.id and not reason.text.lower().startswith("released"):
            return reason.text.removesuffix(rule.text).strip()
    return None


def _rising(case: Case) -> str | None:
    recent, baseline = [], []
    for checkin in case.checkins:
        pain = worst_pain(checkin)
        if pain is None:
            continue
        age = (case.today - checkin.date).days
        if age < RECENT_DAYS:
            recent.append(pain)
        elif age < RECENT_DAYS + BASELINE_DAYS:
            baseline.append(pain)
    if not (recent and baseline):
        return None
    before, now = sum(baseline) / len(baseline), sum(recent) / len(recent)
    if now - before < RISING_BY:
        return None
    return f"Pain rising: worst of the day {before:.1f} → {now:.1f}."


def board_row(athlete: AccountInfo, record: decisions.TodaysRecord) -> BoardRow:
    case, decision = record.case, record.decision
    pain_by_day = {c.date: worst_pain(c) for c in case.checkins}
    days = [case.today - dt.timedelta(days=n) for n in range(WEEK_DAYS - 1, -1, -1)]
    phases = [span.phase for span in decision.phase_history]
    return BoardRow(
        athlete=athlete,
        decision=decision,
        signals=signals(case, decision),
        last_checkin=max(pain_by_day, default=None),
        week_pain=[pain_by_day.get(d) for d in days],
        phase_index=len(phases),
    )


# Rows already worked out, by athlete and the stamp of their record: anything new in a record
# (or a new day) gives a new stamp, so a row kept here is never stale, in any worker. Working a
# row out replays the athlete's history; paging and filtering should not do that again.
_KEPT: OrderedDict[tuple[str, str], BoardRow] = OrderedDict()
KEEP_ROWS = 5000


def _rows(db: Database, clinician_id: str, today: dt.date) -> list[BoardRow]:
    athletes = sharing.shared_athletes(db, clinician_id)
    stamps = decisions.record_stamps(db, (a.id for a in athletes), today=today)
    rows = []
    for athlete in athletes:
        key = (athlete.id, stamps[athlete.id])
        kept = _KEPT.get(key)
        if kept is None:
            kept = _work_out(db, athlete, today)
            _KEPT[key] = kept
            while len(_KEPT) > KEEP_ROWS:
                _KEPT.popitem(last=False)
        # The name and email are read fresh; only what the record gives is kept.
        rows.append(replace(kept, athlete=athlete))
    return rows


def _work_out(db: Database, athlete: AccountInfo, today: dt.date) -> BoardRow:
    try:
        record = decisions.todays_record(db, athlete.id, today=today)
    except ServiceError as exc:
        # No episode yet (or one that starts later): listed, with why there is no decision.
        return BoardRow(athlete, None, [Signal("none", exc.message)])
    return board_row(athlete, record)


def _sort_key(sort: str, today: dt.date) -> Callable[[BoardRow], tuple[Any, ...]]:
    def name(row: BoardRow) -> str:
        return row.athlete.name.lower()

    def since(row: BoardRow) -> float:
        return (today - row.last_checkin).days if row.last_checkin else math.inf

    def pain(row: BoardRow) -> int:
        return row.worst_pain_week if row.worst_pain_week is not None else -1

    keys: dict[str, Callable[[BoardRow], tuple[Any, ...]]] = {
        "attention": lambda r: (-r.attention, name(r)),
        "name": lambda r: (name(r),),
        "last_checkin": lambda r: (-since(r), name(r)),
        "pain": lambda r: (-pain(r), name(r)),
        "phase": lambda r: (r.phase_index, -(r.decision.week if r.decision else 0), name(r)),
    }
    return keys[sort]


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
    everyone = _rows(db, clinician_id, today)
    needle = query.lower()
    found = [
        r for r in everyone if needle in r.athlete.name.lower() or needle in r.athlete.email.lower()
    ]
    counts = {name: sum(1 for r in found if r.matches(name)) for name in FILTERS}
    chosen = sorted((r for r in found if r.matches(filter)), key=_sort_key(sort, today))
    pages = max(1, math.ceil(len(chosen) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return BoardPage(
        rows=chosen[start : start + per_page],
        total=len(chosen),
        athletes=len(everyone),
        counts=counts,
        page=page,
        pages=pages,
        per_page=per_page,
        query=query,
        filter=filter,
        sort=sort,
        today=today,
    )
