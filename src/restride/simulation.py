"""A simulated runner who follows the plan day by day: for demo cases, scenarios and benchmarks.

Each day the runner checks in (or not), asks for today's decision, and logs every loading item
it prescribes. Scripts change how they feel, what they skip and what their clinician does, so a
scenario reads as a story: "pain-free from day 8, a flare in run week 4, a week without
check-ins". Everything here is pure: no clock, no files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from restride.domain.case import Case, CheckIn, ClinicianEvent, Imaging, Injury, Session
from restride.domain.decide import decide, decide_day
from restride.domain.decision import Decision, TodayItem
from restride.domain.protocol import LOADING_KINDS, Protocol

if TYPE_CHECKING:
    from restride.domain.memory import Checkpoint

PAIN_FREE: dict[str, Any] = {
    "pain_rest": 0,
    "pain_walking": 0,
    "pain_activity": 0,
    "pain_after": 0,
    "pain_next_morning": 0,
}

# Day index (0 = program start) and the last decision -> check-in fields, or None to skip.
SymptomScript = Callable[[int, Decision | None], dict[str, Any] | None]
# Day index and a prescribed item -> session fields to change, or None to not log it.
SessionScript = Callable[[int, TodayItem], dict[str, Any] | None]


def pain_free(_day: int, _last: Decision | None) -> dict[str, Any] | None:
    return {}


def as_prescribed(_day: int, _item: TodayItem) -> dict[str, Any] | None:
    return {}


@dataclass
class Simulation:
    case: Case
    decisions: list[Decision] = field(default_factory=list)

    def phase_on(self, day: int) -> str:
        return self.decisions[day].phase

    def first_day_of(self, phase: str) -> int | None:
        return next((i for i, d in enumerate(self.decisions) if d.phase == phase), None)


def simulate(
    protocol: Protocol,
    injury: Injury,
    start: dt.date,
    days: int,
    *,
    symptoms: SymptomScript = pain_free,
    sessions: SessionScript = as_prescribed,
    events: Mapping[int, Sequence[tuple[str, str] | dict[str, Any]]] | None = None,
    history: Case | None = None,
    resume: Checkpoint | None = None,
) -> Simulation:
    """Live `days` days of the program from `start`; returns the case and each day's decision.

    With a `history`, the runner carries on from it: day 0 is `start`, which must come after
    the history's last day, and the program start stays the history's.
    """
    checkins: list[CheckIn] = list(history.checkins) if history else []
    logged: list[Session] = list(history.sessions) if history else []
    clinician: list[ClinicianEvent] = list(history.clinician_events) if history else []
    program_start = history.program_start if history else start
    decisions: list[Decision] = []
    last: Decision | None = None
    # Each day resumes from the end of the day before yesterday and keeps yesterday's end:
    # yesterday is complete (its sessions were logged after its decision), today is not yet.
    saved: Checkpoint | None = resume  # of the history, when the caller kept one
    for index in range(days):
        day = start + dt.timedelta(days=index)
        fields = symptoms(index, last)
        if fields is not None:
            checkins.append(CheckIn(date=day, **{**PAIN_FREE, **fields}))
        for given in (events or {}).get(index, []):
            said = given if isinstance(given, dict) else {"kind": given[0], "reason": given[1]}
            clinician.append(ClinicianEvent(date=day, **said))
        case = Case(
            today=day,
            program_start=program_start,
            protocol=protocol.id,
            injury=injury,
            checkins=list(checkins),
            sessions=list(logged),
            clinician_events=list(clinician),
        )
        decided = decide_day(protocol, case, resume=saved, checkpoint_on=day - dt.timedelta(days=1))
        saved = decided.checkpoint or saved
        last = decided.decision
        decisions.append(last)
        for item in last.today:
            if item.kind not in LOADING_KINDS:
                continue
            changes = sessions(index, item)
            if changes is None:
                continue
            logged.append(_session(day, last.phase, item, changes))
    final = Case(
        today=start + dt.timedelta(days=days - 1),
        program_start=program_start,
        protocol=protocol.id,
        injury=injury,
        checkins=checkins,
        sessions=logged,
        clinician_events=clinician,
    )
    return Simulation(case=final, decisions=decisions)


def project(
    protocol: Protocol,
    case: Case,
    days: int,
    *,
    today: Decision | None = None,
    resume: Checkpoint | None = None,
) -> Simulation:
    """The next `days` days if all goes well from here: pain-free, every session as planned,
    and a doctor seen tomorrow for each flag that waits for one (RF-6: a flag stands until it
    is answered, so a plan that never saw the doctor would never move)."""
    start = case.today + dt.timedelta(days=1)
    now = today if today is not None else decide(protocol, case)
    seen = [
        ClinicianEvent(
            date=start,
            kind="clear",
            reason="assumed for the plan: seen by a doctor, who finds nothing that changes it",
            scope="flag",
            flag=flag.rule,
        )
        for flag in now.flag_history
        if flag.ended_on is None and flag.answered_on is None
    ]
    history = case.model_copy(update={"clinician_events": [*case.clinician_events, *seen]})
    return simulate(protocol, case.injury, start, days, history=history, resume=resume)


def _session(day: dt.date, phase: str, item: TodayItem, changes: dict[str, Any]) -> Session:
    run_min = None
    if item.intervals is not None:
        run_min = item.intervals.run_min
    elif item.kind == "run":
        run_min = item.minutes
    fields: dict[str, Any] = {
        "date": day,
        "phase": phase,
        "kind": item.kind,
        "planned_min": item.minutes,
        "done_min": item.minutes,
        "pain_during": 0,
        "pain_after": 0,
        "rpe": 3,
        "run_min": run_min,
        "minimalist_min": item.minimalist_min,
        "test": item.test,
    }
    fields.update(changes)
    return Session(**fields)


# --- The seed's runner C ------------------------------------------------------------------------

SEED_START = dt.date(2026, 3, 2)
SEED_DOCTOR_VISIT: dict[int, list[tuple[str, str]]] = {
    5: [
        (
            "clear",
            "Sports doctor: MRI shows a 4th metatarsal stress reaction; offload, then return.",
        )
    ]
}


def seed_injury() -> Injury:
    """C's injury on the day of the email: 4th metatarsal shaft, X-ray negative two weeks ago."""
    return Injury(
        site="metatarsal_4_shaft",
        side="right",
        kind="unknown",
        onset=SEED_START - dt.timedelta(days=21),
        imaging=[
            Imaging(date=SEED_START - dt.timedelta(days=14), modality="xray", result="negative")
        ],
    )


def seed_runner_symptoms(day: int, _last: Decision | None) -> dict[str, Any] | None:
    """C's first days: walking pain, a limp, a red spot tender to press; settling by day 10."""
    if day < 6:
        return {
            "pain_rest": 1,
            "pain_walking": 4 - day // 2,
            "pain_next_morning": 2,
            "limp": True,
            "redness": day < 3,
            "bone_tenderness": True,
        }
    if day < 10:
        return {"pain_walking": 1, "bone_tenderness": day < 8}
    return {}
