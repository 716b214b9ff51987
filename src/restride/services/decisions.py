"""Today's decision and the plan ahead, from the stored history."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from restride.domain.case import Case
from restride.domain.decision import Decision
from restride.services import day
from restride.storage import tables as t

if TYPE_CHECKING:
    from collections.abc import Iterable

    from restride.domain.protocol import Protocol
    from restride.storage.database import Database


def stored_case(db: Database, athlete_id: str, today: dt.date) -> Case:
    """The athlete's stored history up to `today` (for charts and exports; the decision comes
    from `todays_decision`, composed once in services/day.py)."""
    with db.read() as tx:
        return day.stored_case(tx, athlete_id, today)[1]


# What today's page, its items and the coach show of the record: today, and the last weeks.
TODAY_PAGE_DAYS = 35


@dataclass(frozen=True)
class TodaysRecord:
    """The stored case up to today and today's decision from it, for pages that show both."""

    case: Case
    decision: Decision

    @property
    def checked_in(self) -> bool:
        return any(c.date == self.case.today for c in self.case.checkins)

    @property
    def waits_for_checkin(self) -> bool:
        """Today's answer is not given before today's check-in, unless a stop stands: a stop
        is said first whatever the day brings."""
        return not self.checked_in and self.decision.action != "stop"


def todays_decision(db: Database, athlete_id: str, *, today: dt.date) -> Decision:
    return day.todays_decision(db, athlete_id, today=today)


def todays_record(
    db: Database, athlete_id: str, *, today: dt.date, recent_days: int | None = None
) -> TodaysRecord:
    """The stored case and today's decision, as composed once for every screen; with
    `recent_days`, the case holds only the last that many days (today's page needs no more)."""
    composed = day.athlete_day(db, athlete_id, today=today, recent_days=recent_days)
    return TodaysRecord(composed.case, composed.decision)


@dataclass
class PlannedWeek:
    """One week of the plan ahead, as it goes if every day is pain-free."""

    start: dt.date
    phase: str
    phase_title: str
    week: int
    focus: str
    sessions: list[str] = field(default_factory=list)
    gates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Gate:
    text: str
    status: str | None = None  # where the runner stands on it now (the current phase only)


@dataclass(frozen=True)
class OutlookStep:
    """A phase still to get through before running, and what lets the runner leave it."""

    phase: str
    title: str
    start: dt.date  # the earliest it can start (today for the current one)
    current: bool
    gates: list[Gate]


@dataclass(frozen=True)
class RunOutlook:
    """The runner's question: when can I run, and what stands in the way?"""

    phase: str  # the walk-run phase's ID
    title: str
    running: bool  # already in it, or past it
    earliest: dt.date | None  # None when it cannot be known yet (a doctor must see them first)
    steps: list[OutlookStep]


@dataclass
class Plan:
    today: Decision
    weeks: list[PlannedWeek]
    phase_starts: dict[str, dt.date]
    # Today's decision, then one projected decision a day (for calendars and workouts).
    days: list[Decision] = field(default_factory=list)
    outlook: RunOutlook | None = None


# The phase that answers "when can I run?", and how far ahead to look for it.
RUN_PHASE = "run"
OUTLOOK_MAX_WEEKS = 40
OUTLOOK_CHUNK_WEEKS = 8


def plan_ahead(db: Database, athlete_id: str, *, today: dt.date, weeks: int = 12) -> Plan:
    """The coming weeks as far as the criteria allow: the earliest each phase can start."""
    from restride.simulation import project  # the projection replays: import it when asked

    now_day = day.athlete_day(db, athlete_id, today=today)
    protocol, now = now_day.protocol, now_day.decision
    ahead = project(protocol, now_day.case, weeks * 7, today=now, resume=now_day.resume_from())
    planned: list[PlannedWeek] = []
    starts: dict[str, dt.date] = {}
    days = [now, *ahead.decisions]
    for decision in days:
        starts.setdefault(decision.phase, decision.date)
        key = (decision.phase, decision.week)
        if not planned or (planned[-1].phase, planned[-1].week) != key:
            phase = protocol.phases[protocol.phase_index(decision.phase)]
            focus = phase.weeks[decision.week - 1].focus if phase.weeks else phase.purpose
            gates = [u.text for u in decision.next.unmet] if decision.next else []
            planned.append(
                PlannedWeek(
                    decision.date,
                    decision.phase,
                    decision.phase_title,
                    decision.week,
                    focus,
                    gates=gates,
                )
            )
        for item in decision.today:
            if item.kind in ("walk", "walk_run", "run", "corrective", "functional", "test"):
                label = f"{decision.date.strftime('%a %d %b')}: {item.title}"
                if label not in planned[-1].sessions:
                    planned[-1].sessions.append(label)
    outlook = run_outlook(protocol, now, days, ahead.case) if protocol.phases else None
    return Plan(today=now, weeks=planned, phase_starts=starts, days=days, outlook=outlook)


def run_outlook(
    protocol: Protocol, now: Decision, days: list[Decision], projected: Case
) -> RunOutlook | None:
    """The earliest day of the walk-run phase if all goes well, and each phase's gates on the
    way, looking further ahead than the plan when it must."""
    from restride.simulation import project

    ids = [p.id for p in protocol.phases]
    if RUN_PHASE not in ids:
        return None
    target = protocol.phases[ids.index(RUN_PHASE)]
    if ids.index(now.phase) >= ids.index(RUN_PHASE):
        return RunOutlook(target.id, target.title, True, None, [])
    days = list(days)
    while (
        all(d.phase != RUN_PHASE for d in days)
        and (days[-1].date - now.date).days < OUTLOOK_MAX_WEEKS * 7
        and days[-1].action != "stop"
    ):
        more = project(protocol, projected, OUTLOOK_CHUNK_WEEKS * 7)
        projected = more.case
        days += more.decisions
    first_of: dict[str, Decision] = {}
    for decision in days:
        first_of.setdefault(decision.phase, decision)
    steps = []
    for phase in protocol.phases[ids.index(now.phase) : ids.index(RUN_PHASE)]:
        first = now if phase.id == now.phase else first_of.get(phase.id)
        unmet = first.next.unmet if first is not None and first.next else []
        current = phase.id == now.phase
        gates = [Gate(u.text, u.status if current else None) for u in unmet]
        start = first.date if first is not None else None
        if start is None:
            gates = gates or [Gate(c.text) for c in phase.exit]
        steps.append(OutlookStep(phase.id, phase.title, start or now.date, current, gates))
    run_day = first_of.get(RUN_PHASE)
    return RunOutlook(target.id, target.title, False, run_day.date if run_day else None, steps)


def record_stamps(db: Database, athlete_ids: Iterable[str], *, today: dt.date) -> dict[str, str]:
    """A short fingerprint of each athlete's record as today's decision reads it: the day, the
    episode and its revision, which every write to the record bumps (storage/day_cache.py), so
    a page can ask "has anything changed?" without working the decision out."""
    ids = list(athlete_ids)
    stamps = {a: today.isoformat() for a in ids}
    with db.read() as tx:
        for athlete_id, episode_id, revision in tx.execute(
            select(t.Episode.athlete_id, t.Episode.id, t.Episode.revision).where(
                t.Episode.athlete_id.in_(ids), t.Episode.active.is_(True)
            )
        ):
            stamps[athlete_id] = f"{today.isoformat()}:{episode_id}:{revision}"
    return {a: hashlib.sha256(s.encode()).hexdigest()[:16] for a, s in stamps.items()}
