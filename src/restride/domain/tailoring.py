"""A clinician's tailoring of the program (RTR-7): a phase's minimum set shorter or longer, a
week of a weekly plan skipped, a clearance gate added, or another protocol chosen.

Each is a recorded event with a reason, so the history stays replayable; the engine applies it
from its day on, never below the protocol's floors, and never tailors anything by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from restride.domain.case import standing_events
from restride.domain.protocol import (
    ClinicianClearance,
    MinDaysFromStart,
    MinDaysInPhase,
    Phase,
    Protocol,
    check_run_spikes,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from restride.domain.case import Case, ClinicianEvent

Minimum = MinDaysInPhase | MinDaysFromStart


def in_force(case: Case) -> Case:
    """The case under the protocol a clinician last chose: a `change_protocol` starts the new
    program on its day, and everything recorded before it is read as history before the start
    (its red flags and clinician events stand)."""
    changes = [e for e in standing_events(case.clinician_events) if e.kind == "change_protocol"]
    if not changes:
        return case
    last = max(changes, key=lambda e: (e.date, e.time or dt.time.min))
    if last.protocol == case.protocol and last.date <= case.program_start:
        return case
    return case.model_copy(
        update={
            "protocol": last.protocol,
            "program_start": max(case.program_start, last.date),
        }
    )


def minimum_of(phase: Phase) -> Minimum | None:
    """The phase's minimum duration a clinician may tailor: its days in the phase, else its
    days from the program start."""
    for kind in (MinDaysInPhase, MinDaysFromStart):
        for criterion in phase.exit:
            if isinstance(criterion, kind):
                return criterion
    return None


def tailored_plan(phase: Phase, tailoring: Iterable[ClinicianEvent]) -> tuple[int | None, set[int]]:
    """The phase's minimum in days as tailored (None when it has none) and the week indexes
    (0-based) it skips.

    A skipped week takes a week off the minimum. A minimum set shorter than the weekly plan
    skips weeks too, so the plan fits it: repeated levels first ("level 1 again"), from the end,
    then other weeks; never the first or the last. Never below the floor.
    """
    events = [e for e in tailoring if e.phase == phase.id]
    criterion = minimum_of(phase)
    skipped = {e.week - 1 for e in events if e.kind == "skip_week" and e.week is not None}
    set_to = [e.days for e in events if e.kind == "set_minimum" and e.days is not None]
    if criterion is None:
        return None, skipped
    days = set_to[-1] if set_to else criterion.days - 7 * len(skipped)
    days = max(days, criterion.hard_floor)
    if set_to and phase.weeks and isinstance(criterion, MinDaysInPhase):
        weeks_left = len(phase.weeks) - len(skipped)
        extra = weeks_left - max(1, -(-days // 7))
        for index in _skippable(phase, skipped):
            if extra <= 0:
                break
            skipped.add(index)
            extra -= 1
    return days, skipped


def _skippable(phase: Phase, skipped: set[int]) -> list[int]:
    inner = [i for i in range(len(phase.weeks) - 2, 0, -1) if i not in skipped]
    repeats = [
        i
        for i in inner
        if phase.weeks[i].level and phase.weeks[i].level == phase.weeks[i - 1].level
    ]
    return repeats + [i for i in inner if i not in repeats]


def minimum_days(phase: Phase, criterion: Minimum, tailoring: list[ClinicianEvent]) -> int:
    """The minimum in force for `criterion`, as the clinician's tailoring set it."""
    if not tailoring or criterion is not minimum_of(phase):
        return criterion.days
    days, _ = tailored_plan(phase, tailoring)
    return criterion.days if days is None else days


def skipped_weeks(phase: Phase, tailoring: Iterable[ClinicianEvent]) -> set[int]:
    """Week indexes (0-based) of `phase` a clinician's tailoring skips."""
    return tailored_plan(phase, tailoring)[1]


def extra_gate(
    protocol: Protocol, phase_index: int, tailoring: Iterable[ClinicianEvent]
) -> ClinicianClearance | None:
    """The clearance a clinician added before the phase after `phase_index`, if any."""
    if phase_index + 1 >= len(protocol.phases):
        return None
    target = protocol.phases[phase_index + 1]
    for event in tailoring:
        if event.kind == "add_gate" and event.gate == target.id:
            return ClinicianClearance(
                kind="clinician_clearance",
                rule=protocol.engine_rules["tailored"],
                text=f"Your clinician asked to see you and clear you before {target.title}.",
                when="always",
            )
    return None


def problem(
    protocol: Protocol, event: ClinicianEvent, earlier: Sequence[ClinicianEvent] = ()
) -> str | None:
    """Why `event` cannot tailor `protocol` after the `earlier` tailoring, in a clinician's
    words; None when it can."""
    ids = [p.id for p in protocol.phases]
    if event.kind in ("set_minimum", "skip_week"):
        if event.phase not in ids:
            return f"no phase {event.phase!r} in {protocol.id}; phases: {', '.join(ids)}"
        phase = protocol.phases[ids.index(event.phase)]
        why = _misfit(phase, event)
        if why is not None:
            return why
        _, skipped = tailored_plan(phase, [*earlier, event])
        kept = [w for i, w in enumerate(phase.weeks) if i not in skipped]
        spikes = check_run_spikes("", phase.model_copy(update={"weeks": kept}), protocol.load)
        if spikes:
            return "the weeks left would make the runs grow too fast: " + spikes[0].message
    if event.kind == "add_gate":
        if event.gate not in ids or ids.index(event.gate) == 0:
            return (
                f"no phase {event.gate!r} after the first in {protocol.id}; phases: "
                + ", ".join(ids[1:])
            )
    return None


def _misfit(phase: Phase, event: ClinicianEvent) -> str | None:
    """Why a minimum or a skipped week does not fit `phase`, or None."""
    if event.kind == "set_minimum":
        criterion = minimum_of(phase)
        if criterion is None:
            return f"{phase.title} has no minimum duration to change"
        if event.days is not None and event.days < criterion.hard_floor:
            return (
                f"{event.days} days is below {phase.title}'s floor of "
                f"{criterion.hard_floor} days (RTR-7: the protocol's hard floor)"
            )
        return None
    if not phase.weeks:
        return f"{phase.title} has no weekly plan to skip a week of"
    if event.week is not None and event.week > len(phase.weeks):
        return f"{phase.title} has {len(phase.weeks)} weeks; there is no week {event.week}"
    if event.week == len(phase.weeks):
        return f"week {event.week} is {phase.title}'s last week, the one its exit tests"
    return None


def describe(protocol: Protocol, event: ClinicianEvent) -> str:
    """What a tailoring event changed, in a runner's words."""
    who = f" ({event.clinician})" if event.clinician else ""
    titles = {p.id: p.title for p in protocol.phases}
    if event.kind == "set_minimum":
        what = f"{titles.get(event.phase or '', event.phase)} lasts at least {event.days} days"
    elif event.kind == "skip_week":
        what = f"week {event.week} of {titles.get(event.phase or '', event.phase)} is skipped"
    elif event.kind == "add_gate":
        what = (
            f"{titles.get(event.gate or '', event.gate)} starts only once your clinician clears it"
        )
    else:
        what = f"the program is now {event.protocol}"
    return f"{event.date.isoformat()}{who}: {what}, because {event.reason}"
