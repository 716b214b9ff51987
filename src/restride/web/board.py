"""The clinician's board: who needs attention first, and why, in words.

Attention comes in this order: red flags (a referral to a doctor, or a stop), then rising pain,
missed check-ins, and a phase gate that waits on the clinician's own clearance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restride.domain.case import PAIN_FIELDS
from restride.domain.decide import decide
from restride.domain.decision import Decision
from restride.loading import builtin_protocol
from restride.services import decisions
from restride.services.athletes import AccountInfo
from restride.services.errors import ServiceError

if TYPE_CHECKING:
    from restride.domain.case import Case, CheckIn
    from restride.storage.database import Database

# A rise of this much in the day's worst pain, on average over three days against the week
# before, is worth a look: PAIN-3's "acceptable" band is 0-2 above baseline.
RISING_BY = 2.0
RECENT_DAYS = 3
BASELINE_DAYS = 7
MISSED_WINDOW_DAYS = 7
MISSED_ALERT = 2


@dataclass(frozen=True)
class Flag:
    kind: str  # red_flag | rising_pain | missed_checkins | clearance | hold
    text: str


@dataclass
class BoardRow:
    athlete: AccountInfo
    decision: Decision | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        return any(f.kind == "red_flag" for f in self.flags)

    def sort_key(self) -> tuple[int, int, str]:
        weighty = [f for f in self.flags if f.kind != "hold"]
        return (0 if self.urgent else 1, -len(weighty), self.athlete.name.lower())


def worst_pain(checkin: CheckIn) -> int | None:
    values = [v for v in (getattr(checkin, f) for f in PAIN_FIELDS) if v is not None]
    return max(values) if values else None


def attention(case: Case, decision: Decision) -> list[Flag]:
    flags: list[Flag] = []
    today = case.today
    if decision.referral in ("soon", "urgent") or decision.action == "stop":
        words = {
            "urgent": "needs medical help today",
            "soon": "should see a sports-medicine doctor within days",
        }
        text = words.get(decision.referral, "was told to stop activity")
        flags.append(Flag("red_flag", f"Red flag: {text}."))
    recent, baseline = [], []
    for checkin in case.checkins:
        pain = worst_pain(checkin)
        if pain is None:
            continue
        age = (today - checkin.date).days
        if age < RECENT_DAYS:
            recent.append(pain)
        elif age < RECENT_DAYS + BASELINE_DAYS:
            baseline.append(pain)
    if recent and baseline:
        before, now = sum(baseline) / len(baseline), sum(recent) / len(recent)
        if now - before >= RISING_BY:
            flags.append(
                Flag("rising_pain", f"Pain rising: worst of the day {before:.1f} → {now:.1f}.")
            )
    first = max(case.program_start, today - dt.timedelta(days=MISSED_WINDOW_DAYS))
    seen = {c.date for c in case.checkins}
    # Today is left out: the runner may simply not have checked in yet.
    missed = sum(1 for n in range((today - first).days) if first + dt.timedelta(days=n) not in seen)
    if missed >= MISSED_ALERT:
        flags.append(Flag("missed_checkins", f"{missed} missed check-ins in the last week."))
    if decision.next is not None:
        for unmet in decision.next.unmet:
            if unmet.kind == "clinician_clearance":
                flags.append(Flag("clearance", f"Waiting on your clearance: {unmet.text}"))
    holds = [e for e in case.clinician_events if e.kind in ("hold", "release_hold")]
    if holds and holds[-1].kind == "hold":
        flags.append(Flag("hold", f"On hold since {holds[-1].date}: {holds[-1].reason}"))
    return flags


def board_rows(db: Database, athletes: list[AccountInfo], today: dt.date) -> list[BoardRow]:
    rows = []
    for athlete in athletes:
        try:
            case = decisions.stored_case(db, athlete.id, today)
        except ServiceError as exc:
            # No episode yet (or one that starts later): listed, with why there is no decision.
            rows.append(BoardRow(athlete, None, [Flag("none", exc.message)]))
            continue
        decision = decide(builtin_protocol(case.protocol), case)
        rows.append(BoardRow(athlete, decision, attention(case, decision)))
    return sorted(rows, key=BoardRow.sort_key)
