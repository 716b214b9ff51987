"""Logging a session (or a criterion test) the runner did: from today's items, or anything else.

Today's items are named by a key that stays the same all day (`walk`, `test:test-hop-10`), so
a page rendered this morning still logs the right item this evening. The walking and running
phases move on only on logged sessions and passed tests, so this is the runner's way forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, get_args

from pydantic import BaseModel, ConfigDict, Field

from restride.domain.case import Pain, Session, SessionKind
from restride.domain.decision import Decision, TodayItem
from restride.services import day
from restride.services.athletes import require_active_episode
from restride.services.decisions import TODAY_PAGE_DAYS, TodaysRecord, todays_record
from restride.services.errors import InvalidInputError, NotFoundError
from restride.storage import repository as repo

if TYPE_CHECKING:
    import datetime as dt

    from restride.storage.database import Database

SESSION_KINDS: frozenset[str] = frozenset(get_args(SessionKind))
# What "I did something else" offers: work off the plan, not a second copy of today's items.
OTHER_KINDS: tuple[SessionKind, ...] = ("cross_training", "walk", "run", "functional", "other")
# A typical effort (session RPE 0-10) for each kind, the one-tap "done" records: easy walking is
# light, the walk-run asks for RPE 3-4 (TS-RUN), strength work is moderate.
TYPICAL_RPE: dict[str, int] = {
    "self_massage": 2,
    "mobility": 2,
    "walk": 3,
    "walk_run": 4,
    "run": 4,
    "corrective": 4,
    "functional": 5,
    "test": 4,
}
MAX_NOTES = 2000


def item_key(item: TodayItem) -> str:
    """The stable name of one of today's items: its kind, and for a test which test."""
    return f"test:{item.test}" if item.kind == "test" and item.test else item.kind


def planned_minutes(item: TodayItem) -> float | None:
    """The whole session's minutes: a walk-run's warm-up, intervals and cool-down together."""
    if item.intervals is not None:
        return item.intervals.total_min
    return item.minutes


class ItemResult(BaseModel):
    """How one of today's items went. Left out, each value is what the plan asked for, pain 0,
    and the kind's typical effort: the one-tap "done, no pain"."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    done_min: float | None = Field(default=None, ge=0, le=600)
    pain_during: Pain = 0
    pain_after: Pain = 0
    rpe: int | None = Field(default=None, ge=0, le=10)
    run_min: float | None = Field(default=None, ge=0, le=600)
    notes: str = Field(default="", max_length=MAX_NOTES)


class OtherSession(BaseModel):
    """Something done off the plan: cross-training, a run or walk of one's own, anything."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: SessionKind
    done_min: float = Field(gt=0, le=600)
    pain_during: Pain = None
    pain_after: Pain = None
    rpe: int | None = Field(default=None, ge=0, le=10)
    notes: str = Field(default="", max_length=MAX_NOTES)


@dataclass(frozen=True)
class Loggable:
    """One of today's items with what "done" would record, and what is logged for it today."""

    key: str
    item: TodayItem
    prefill: ItemResult
    logged: list[Session] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.logged)


@dataclass(frozen=True)
class Logged:
    session_id: str
    session: Session
    decision: Decision


def prefill(item: TodayItem) -> ItemResult:
    """What one tap on "done" records: the plan's minutes, no pain, the kind's typical effort."""
    minutes = planned_minutes(item)
    run = item.intervals.run_min if item.intervals else (minutes if item.kind == "run" else None)
    return ItemResult(done_min=minutes, rpe=TYPICAL_RPE.get(item.kind), run_min=run)


def loggable_items(record: TodaysRecord) -> list[Loggable]:
    """Today's items a session can be logged for, each with today's sessions that fulfil it."""
    today = record.case.today
    sessions = [s for s in record.case.sessions if s.date == today]
    found: list[Loggable] = []
    for item in record.decision.today:
        if item.kind not in SESSION_KINDS:
            continue  # crutches, a rest day, a referral: nothing to log
        key = item_key(item)
        logged = [s for s in sessions if s.kind == item.kind and s.test == item.test]
        found.append(Loggable(key, item, prefill(item), logged))
    return found


def unplanned_today(record: TodaysRecord) -> list[Session]:
    """Today's sessions that fulfil none of today's items: the "something else" ones."""
    keys = {(i.kind, i.test) for i in record.decision.today}
    today = record.case.today
    return [s for s in record.case.sessions if s.date == today and (s.kind, s.test) not in keys]


def log_session(db: Database, athlete_id: str, session: Session, *, today: dt.date) -> str:
    if session.date > today:
        raise InvalidInputError(f"date: {session.date} is in the future (today is {today})")
    with db.transaction() as tx:
        episode = require_active_episode(tx, athlete_id)
        if session.date < episode.program_start:
            raise InvalidInputError(
                f"date: {session.date} is before the program began ({episode.program_start})"
            )
        row = repo.session_row(episode.id, session)
        tx.add(row)
        tx.flush()
        day.keep_current(tx, athlete_id, today=today)
        return row.id


def log_item(
    db: Database, athlete_id: str, key: str, result: ItemResult, *, today: dt.date
) -> Logged:
    """Log one of today's items as done, with how it went; returns today's decision after it."""
    record = todays_record(db, athlete_id, today=today, recent_days=TODAY_PAGE_DAYS)
    match = next((x for x in loggable_items(record) if x.key == key), None)
    if match is None:
        raise NotFoundError(
            f'{key!r} is not on today\'s plan any more; log it with "I did something else"'
        )
    item, typical = match.item, match.prefill
    done = typical.done_min if result.done_min is None else result.done_min
    run = result.run_min if result.run_min is not None else typical.run_min
    if done is not None and run is not None:
        run = min(run, done)
    session = Session(
        date=today,
        phase=record.decision.phase,
        kind=item.kind,  # type: ignore[arg-type]  # checked against SESSION_KINDS above
        planned_min=planned_minutes(item),
        done_min=done,
        pain_during=result.pain_during,
        pain_after=result.pain_after,
        rpe=typical.rpe if result.rpe is None else result.rpe,
        test=item.test,
        run_min=run,
        minimalist_min=item.minimalist_min,
        notes=result.notes.strip(),
    )
    return _logged(db, athlete_id, session, today)


def log_other(db: Database, athlete_id: str, other: OtherSession, *, today: dt.date) -> Logged:
    """Log a session that was not on today's plan."""
    if other.kind not in OTHER_KINDS:
        choices = ", ".join(OTHER_KINDS)
        raise InvalidInputError(f"kind: {other.kind!r} is logged from today's plan ({choices})")
    record = todays_record(db, athlete_id, today=today, recent_days=TODAY_PAGE_DAYS)
    session = Session(
        date=today,
        phase=record.decision.phase,
        kind=other.kind,
        done_min=other.done_min,
        pain_during=other.pain_during,
        pain_after=other.pain_after,
        rpe=other.rpe,
        run_min=other.done_min if other.kind == "run" else None,
        notes=other.notes.strip(),
    )
    return _logged(db, athlete_id, session, today)


def _logged(db: Database, athlete_id: str, session: Session, today: dt.date) -> Logged:
    session_id = log_session(db, athlete_id, session, today=today)
    return Logged(session_id, session, todays_record(db, athlete_id, today=today).decision)
