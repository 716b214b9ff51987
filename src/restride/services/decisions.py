"""Today's decision and the plan ahead, from the stored history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restride.domain.decision import Decision
from restride.services import day
from restride.simulation import project

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.storage.database import Database


def stored_case(db: Database, athlete_id: str, today: dt.date) -> Case:
    """The athlete's stored history up to `today` (for charts and exports; the decision comes
    from `todays_decision`, composed once in services/day.py)."""
    with db.read() as tx:
        return day.stored_case(tx, athlete_id, today)[1]


def todays_decision(db: Database, athlete_id: str, *, today: dt.date) -> Decision:
    return day.todays_decision(db, athlete_id, today=today)


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


@dataclass
class Plan:
    today: Decision
    weeks: list[PlannedWeek]
    phase_starts: dict[str, dt.date]
    # Today's decision, then one projected decision a day (for calendars and workouts).
    days: list[Decision] = field(default_factory=list)


def plan_ahead(db: Database, athlete_id: str, *, today: dt.date, weeks: int = 12) -> Plan:
    """The coming weeks as far as the criteria allow: the earliest each phase can start."""
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
    return Plan(today=now, weeks=planned, phase_starts=starts, days=days)
