"""What a clinician decided, as both sides see it: each event with whether it was withdrawn,
and, when one is recorded, what it changed in the runner's day, in plain words.

A withdrawal is an event of its own (kind `withdraw`), so the history stays replayable: the
engine drops the withdrawn event as if it had never been given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from restride.domain.case import ClinicianEvent
from restride.domain.decision import Decision
from restride.services import sharing
from restride.services.decisions import todays_decision
from restride.services.errors import NotFoundError
from restride.storage import repository as repo
from restride.storage import tables as t

if TYPE_CHECKING:
    from restride.storage.database import Database

# The runner's day in a few words, for "was ..., is now ...".
ACTION_SHORT = {
    "continue": "carry on",
    "progress": "step up",
    "hold": "hold",
    "regress": "step back",
    "stop": "stop until seen",
}
REFERRAL_SHORT = {
    "routine": "find a therapist",
    "soon": "see a sports-medicine doctor within days",
    "urgent": "get medical help today",
}
KIND_DONE = {
    "hold": "Hold recorded",
    "clear": "Clearance recorded",
    "release_hold": "Hold released",
    "note": "Note saved",
    "withdraw": "Withdrawn",
    "set_minimum": "Minimum changed",
    "skip_week": "Week skipped",
    "add_gate": "Clearance gate added",
    "change_protocol": "Program changed",
}


@dataclass(frozen=True)
class EventView:
    """One event as the timeline and the runner's page show it."""

    id: str
    date: dt.date
    kind: str
    reason: str
    clinician_id: str | None
    clinician: str | None
    recorded_at: dt.datetime
    withdrawn_on: dt.date | None = None
    withdrawn_because: str | None = None
    withdrawn_at: dt.datetime | None = None
    detail: str = ""  # what a tailoring event sets, in a few words

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def withdrawable_by(self, clinician_id: str | None) -> bool:
        return not self.withdrawn and self.clinician_id == clinician_id


@dataclass(frozen=True)
class EventOutcome:
    event_id: str
    before: Decision
    after: Decision
    summary: str


def event_views(db: Database, athlete_id: str, *, today: dt.date) -> list[EventView]:
    """The active episode's events up to today, newest first; each withdrawal is shown on the
    event it took back, not as an event of its own."""
    with db.read() as tx:
        episode = repo.active_episode(tx, athlete_id)
        if episode is None:
            return []
        rows = [r for r in repo.event_rows(tx, episode.id) if r.date <= today]
        authors = {r.clinician_id for r in rows if r.clinician_id}
        names = {
            a.id: a.name for a in tx.scalars(select(t.Account).where(t.Account.id.in_(authors)))
        }
    withdrawals = {r.withdraws: r for r in rows if r.kind == "withdraw" and r.withdraws}
    views = []
    for row in rows:
        if row.kind == "withdraw":
            continue
        taken_back = withdrawals.get(row.id)
        views.append(
            EventView(
                id=row.id,
                date=row.date,
                kind=row.kind,
                reason=row.reason,
                clinician_id=row.clinician_id,
                clinician=names.get(row.clinician_id or ""),
                recorded_at=row.recorded_at,
                withdrawn_on=taken_back.date if taken_back else None,
                withdrawn_because=taken_back.reason if taken_back else None,
                withdrawn_at=taken_back.recorded_at if taken_back else None,
                detail=_detail(row),
            )
        )
    return views[::-1]


def _detail(row: t.ClinicianEvent) -> str:
    if row.kind == "set_minimum":
        return f"{row.phase}: at least {row.days} days"
    if row.kind == "skip_week":
        return f"{row.phase}: week {row.week} skipped"
    if row.kind == "add_gate":
        return f"a clearance before {row.gate}"
    if row.kind == "change_protocol":
        return f"now {row.protocol}"
    return ""


def record_for_athlete(
    db: Database,
    athlete_id: str,
    event: ClinicianEvent,
    *,
    athlete_name: str,
    today: dt.date,
    clinician_id: str | None,
) -> EventOutcome:
    """Record a clinician's event and say what it changed in the athlete's day."""
    before = todays_decision(db, athlete_id, today=today)
    event_id = sharing.record_clinician_event(
        db, athlete_id, event, today=today, clinician_id=clinician_id
    )
    after = todays_decision(db, athlete_id, today=today)
    kind: str = event.kind
    if kind == "withdraw":
        kind = f"withdraw:{_withdrawn_kind(db, event.withdraws or '')}"
    return EventOutcome(event_id, before, after, what_changed(before, after, kind, athlete_name))


def withdraw(
    db: Database,
    athlete_id: str,
    event_id: str,
    *,
    reason: str,
    athlete_name: str,
    today: dt.date,
    clinician_id: str | None,
) -> EventOutcome:
    event = ClinicianEvent(date=today, kind="withdraw", reason=reason, withdraws=event_id)
    return record_for_athlete(
        db, athlete_id, event, athlete_name=athlete_name, today=today, clinician_id=clinician_id
    )


def _withdrawn_kind(db: Database, event_id: str) -> str:
    with db.transaction() as tx:
        row = tx.get(t.ClinicianEvent, event_id)
        if row is None:
            raise NotFoundError("no such event")
        return row.kind


def where_they_are(decision: Decision) -> str:
    return f"{decision.phase_title}, week {decision.week}"


def what_changed(before: Decision, after: Decision, kind: str, name: str) -> str:
    """One or two plain sentences: what was recorded, and what it did to the athlete's day."""
    done = KIND_DONE.get(kind.split(":")[0], "Saved")
    if kind.startswith("withdraw:"):
        taken = kind.split(":", 1)[1].replace("release_hold", "release")
        done = f"Withdrawn: the {taken} no longer counts, as if it had never been given"
    changes = []
    if (before.phase, before.week) != (after.phase, after.week):
        changes.append(f"{name} moves from {where_they_are(before)} to {where_they_are(after)}")
    if before.action != after.action:
        was, now = ACTION_SHORT[before.action], ACTION_SHORT[after.action]
        changes.append(f"today's action was “{was}” and is now “{now}”")
    if before.referral != after.referral:
        was = f"“{REFERRAL_SHORT[before.referral]}”" if before.referral != "none" else "none"
        now = f"“{REFERRAL_SHORT[after.referral]}”" if after.referral != "none" else "none"
        changes.append(f"the referral was {was} and is now {now}")
    if not changes:
        if kind == "hold" or (kind.startswith("withdraw:") and after.action == "hold"):
            tail = f"{name} stays at {where_they_are(after)} until you release or withdraw it."
        elif kind == "note":
            tail = f"{name} reads it with today's plan; nothing else changed."
        else:
            tail = f"{name}'s day did not change: {where_they_are(after)}."
        return f"{done}. {tail}"
    if kind == "hold":
        changes.append("nothing moves on until you release or withdraw it")
    sentence = "; ".join(changes)
    return f"{done}. {sentence[0].upper()}{sentence[1:]}."
