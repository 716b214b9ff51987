"""The decision: what the runner does today, and why. A public contract (DESIGN.md)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from restride.domain.protocol import IntervalBlock, ItemKind

Action = Literal["continue", "progress", "hold", "regress", "stop"]
Referral = Literal["none", "routine", "soon", "urgent"]
Side = Literal["left", "right"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reason(_Out):
    rule: str = Field(description="The protocol rule ID.")
    step: int | None = Field(description="The seed step it implements (1-10).")
    text: str = Field(description="A sentence a runner understands.")
    evidence: list[str] = Field(default_factory=list, description="CLINICAL.md rule IDs.")


class ExerciseItem(_Out):
    id: str
    name: str
    summary: str
    sets: int | None = None
    reps: int | None = None
    hold_s: int | None = None
    minutes: float | None = None
    sides: list[Side] = Field(description="Sides to do it on; both unless one is spared.")
    note: str = ""


class IntervalPlan(_Out):
    warmup_walk_min: float
    blocks: list[IntervalBlock]
    cooldown_walk_min: float
    run_min: float
    total_min: float


class TodayItem(_Out):
    kind: ItemKind
    title: str
    rule: str
    instructions: str = ""
    minutes: float | None = None
    exercises: list[ExerciseItem] = Field(default_factory=list)
    intervals: IntervalPlan | None = None
    minimalist_min: float | None = None
    test: str | None = None
    spared: list[str] = Field(
        default_factory=list, description="What was left out to protect the injured site."
    )


class CrossTrainingAnswer(_Out):
    activity: str
    allowed: bool
    note: str
    rule: str


class Unmet(_Out):
    rule: str
    kind: str
    text: str
    status: str = Field(description="Where the runner stands on it now.")
    earliest: dt.date | None = Field(description="When it can be met at the soonest, if known.")


class NextPhase(_Out):
    phase: str
    title: str
    earliest_date: dt.date | None
    unmet: list[Unmet]


class Decision(_Out):
    date: dt.date
    protocol: str
    phase: str
    phase_title: str
    week: int = Field(ge=1)
    day_in_phase: int = Field(ge=1)
    level: int | None = None
    action: Action
    referral: Referral
    summary: str = Field(description="Today's answer in one or two plain sentences.")
    reasons: list[Reason]
    today: list[TodayItem]
    next: NextPhase | None
    cross_training: list[CrossTrainingAnswer] = Field(default_factory=list)
    warnings: list[Reason] = Field(default_factory=list)
    phase_history: list[PhaseSpan] = Field(default_factory=list)
    flag_history: list[FlagRecord] = Field(
        default_factory=list, description="Every red flag raised so far, oldest first."
    )
    disclaimer: str


class FlagRecord(_Out):
    """One red flag from the day it was raised: when it was answered, when it ended."""

    rule: str
    referral: Referral
    since: dt.date
    last_shown: dt.date = Field(description="The last day a check-in showed the sign.")
    answered_on: dt.date | None = Field(description="The clinician's clear that answered it.")
    ended_on: dt.date | None = Field(description="Null while it stands.")


class PhaseSpan(_Out):
    phase: str
    start: dt.date
    end: dt.date | None = Field(description="Last day in the phase; null while it goes on.")
    how_it_ended: Literal["progress", "setback", "ongoing"]


Decision.model_rebuild()
