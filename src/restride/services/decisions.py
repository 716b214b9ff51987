"""Today's decision and the plan ahead, from the stored history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restride.domain.decide import decide
from restride.domain.decision import Decision, Reason
from restride.loading import builtin_protocol
from restride.services.athletes import require_active_episode
from restride.services.errors import InvalidInputError
from restride.simulation import project
from restride.storage import repository as repo

if TYPE_CHECKING:
    from restride.domain.case import Case
    from restride.storage.database import Database


def stored_case(db: Database, athlete_id: str, today: dt.date) -> Case:
    with db.read() as tx:
        episode = require_active_episode(tx, athlete_id)
        if today < episode.program_start:
            raise InvalidInputError(
                f"today ({today}) is before the program began ({episode.program_start})"
            )
        return repo.episode_case(tx, episode, today)


# Load findings are shown under the protocol's spike warning; the others (monotony, a
# left-right imbalance) under the maintain phase's own rule. Their evidence IDs stay their own.
LOAD_FINDINGS = frozenset({"progression", "spike", "ramp", "shoes", "shoe_switch"})


def todays_decision(db: Database, athlete_id: str, *, today: dt.date) -> Decision:
    case = stored_case(db, athlete_id, today)
    protocol = builtin_protocol(case.protocol)
    decision = decide(protocol, case)
    if decision.phase != "maintain":
        return decision
    # Back to running, restride keeps watching: the runs imported this week are checked like
    # the post-mortem checks the weeks before an injury, and shown as warnings (never gating).
    from restride.services.insights import recent_warnings

    found = recent_warnings(db, athlete_id, today=today)
    if not found:
        return decision
    phase_rule = protocol.rule(protocol.phases[protocol.phase_index("maintain")].rule)
    extra = [
        Reason(
            rule=rule.id,
            step=rule.step,
            text=f"{f.title}: {f.detail}. {f.caveat}",
            evidence=list(f.evidence),
        )
        for f in found
        for rule in [protocol.engine_rule("spike_warn") if f.kind in LOAD_FINDINGS else phase_rule]
    ]
    return decision.model_copy(update={"warnings": [*decision.warnings, *extra]})


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
    case = stored_case(db, athlete_id, today)
    protocol = builtin_protocol(case.protocol)
    now = decide(protocol, case)
    ahead = project(protocol, case, weeks * 7)
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
