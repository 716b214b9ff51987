"""What the replay remembers from one day to the next, in one value that can be saved.

A replay's memory at the end of a day is everything the days after it need: where the runner
stands in the program, each red flag's run, the last week's check-ins, the last month's runs.
Saved as a checkpoint, it lets the next day's decision resume from there instead of replaying the
whole history: a new day costs one day's work. The same history gives the same answer either way
(a property test replays fully and resumed, for any history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from pydantic import TypeAdapter

from restride.domain.case import CheckIn, ClinicianEvent
from restride.domain.decision import PhaseSpan
from restride.domain.pain import Outcome

# Bump when the meaning of the memory changes: older checkpoints are then ignored.
ENGINE_VERSION = 2


@dataclass
class Note:
    """Something that shaped a day's decision: an engine or protocol rule and the facts."""

    rule_id: str
    detail: str = ""
    warning: bool = False


@dataclass
class ProgramState:
    """Where the runner stands in the program."""

    phase_index: int
    phase_start: dt.date
    week_index: int = 0
    week_start: dt.date = dt.date.min
    counted: set[tuple[dt.date, str]] = field(default_factory=set)  # this week's sessions
    last_outcome: Outcome = Outcome.CLEAN
    program_complete: bool = False
    rest_until: dt.date | None = None
    last_flare: dt.date | None = None
    hold: ClinicianEvent | None = None
    last_note: ClinicianEvent | None = None
    seen_clinician: bool = False
    tenderness_seen: bool = False
    checkin_run: int = 0  # consecutive days with a check-in, ending today
    tests_passed: dict[str, dt.date] = field(default_factory=dict)
    gate_clears: dict[int, dt.date] = field(default_factory=dict)  # phase index -> clear date
    gap_from: dt.date = dt.date.min  # the last day a counted session was logged in this phase
    gap_weeks_taken: int = 0
    resting_since: dt.date | None = None  # first day of the current run of no-loading phases
    tailoring: list[ClinicianEvent] = field(default_factory=list)  # RTR-7, in the order given
    spans: list[PhaseSpan] = field(default_factory=list)

    @property
    def clean_sessions(self) -> int:
        return len(self.counted)


@dataclass
class FlagEpisode:
    """One flag from the day it was raised to the day it ended (for the record)."""

    rule: str
    referral: str
    since: dt.date
    last_shown: dt.date
    answered_on: dt.date | None = None
    ended_on: dt.date | None = None


@dataclass
class FlagRun:
    """One flag's current run of days; `episode` indexes the flag history."""

    since: dt.date | None = None
    count: int = 0
    answered_on: dt.date | None = None
    showing: bool = False
    last_shown: dt.date | None = None
    episode: int | None = None


@dataclass
class FlagMemory:
    runs: list[FlagRun]
    history: list[FlagEpisode] = field(default_factory=list)


@dataclass
class ReplayMemory:
    """Everything a replay carries from the end of `day` into the next."""

    day: dt.date
    state: ProgramState
    flags: FlagMemory
    recent: list[CheckIn] = field(default_factory=list)  # the last week's check-ins
    run_minutes: list[tuple[dt.date, float]] = field(default_factory=list)  # LOAD-1 window
    setback_runs: list[int] = field(default_factory=list)
    off_plan: dict[dt.date, list[Note]] = field(default_factory=dict)  # today's and yesterday's


def copy_memory(memory: ReplayMemory) -> ReplayMemory:
    """A copy that shares only what never changes (the frozen check-ins, events and spans):
    cheaper than a deep copy, and the replay's hot path between days."""
    state = memory.state
    return ReplayMemory(
        day=memory.day,
        state=replace(
            state,
            counted=set(state.counted),
            tests_passed=dict(state.tests_passed),
            gate_clears=dict(state.gate_clears),
            spans=list(state.spans),
            tailoring=list(state.tailoring),
        ),
        flags=FlagMemory(
            runs=[replace(run) for run in memory.flags.runs],
            history=[replace(episode) for episode in memory.flags.history],
        ),
        recent=list(memory.recent),
        run_minutes=list(memory.run_minutes),
        setback_runs=list(memory.setback_runs),
        off_plan={day: list(notes) for day, notes in memory.off_plan.items()},
    )


@dataclass(frozen=True)
class Checkpoint:
    """A saved memory and what it was made with: it resumes only the same engine and protocol."""

    engine_version: int
    protocol: str
    protocol_version: int
    memory: ReplayMemory


_CHECKPOINT = TypeAdapter(Checkpoint)


def dump_checkpoint(checkpoint: Checkpoint) -> bytes:
    return _CHECKPOINT.dump_json(checkpoint)


def load_checkpoint(data: bytes | str) -> Checkpoint:
    return _CHECKPOINT.validate_json(data)
