"""The case: everything the engine knows about one runner's injury episode.

Field names and values follow the decision contract in DESIGN.md and are public: other tools
write cases, so fields may be added but never renamed. Unknown fields are refused, because a
misspelt pain field that was silently ignored would read as "no pain".
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from restride.domain.anatomy import SITE_IDS, SITES

Pain = Annotated[
    int | None,
    Field(ge=0, le=10, description="0-10 numeric rating scale (PAIN-1); null when not asked."),
]
Side = Literal["left", "right", "both", "none"]
InjuryKind = Literal["bone", "tendon", "muscle", "fascia", "joint", "other", "unknown"]
Modality = Literal["xray", "mri", "ct", "bone_scan", "ultrasound"]
ImagingResult = Literal["negative", "positive", "healing", "healed"]
SessionKind = Literal[
    "self_massage",
    "mobility",
    "corrective",
    "walk",
    "walk_run",
    "run",
    "functional",
    "cross_training",
    "test",
    "other",
]
WarmupSoreness = Literal["none", "settled", "persisted"]
ClinicianEventKind = Literal[
    "clear",
    "hold",
    "release_hold",
    "note",
    "withdraw",
    "set_minimum",
    "skip_week",
    "add_gate",
    "change_protocol",
]
# RTR-7: a clinician tailors the program with a recorded reason; the engine never does by itself.
TAILORING_KINDS: frozenset[str] = frozenset(
    {"set_minimum", "skip_week", "add_gate", "change_protocol"}
)
# What a `clear` answers (RTR-9): every flag standing when it is given (and the gate the runner
# waits at then), one flag, or one gate.
ClearScope = Literal["standing", "flag", "gate"]

PAIN_FIELDS: tuple[str, ...] = (
    "pain_rest",
    "pain_walking",
    "pain_activity",
    "pain_after",
    "pain_next_morning",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Imaging(_Strict):
    date: dt.date
    modality: Modality
    result: ImagingResult


class Injury(_Strict):
    site: str = Field(
        description="Where it hurts; one of the sites restride knows.",
        json_schema_extra={"enum": list(SITE_IDS)},
    )
    side: Side
    kind: InjuryKind = "unknown"
    onset: dt.date
    prior_bone_stress_injury: bool = False
    imaging: list[Imaging] = Field(default_factory=list)

    @field_validator("site")
    @classmethod
    def _known_site(cls, value: str) -> str:
        if value not in SITES:
            known = ", ".join(SITE_IDS)
            raise ValueError(f"unknown injury site {value!r}; known sites: {known}")
        return value


class CheckIn(_Strict):
    """One day's symptoms. Booleans default to "not present"; pain defaults to "not asked"."""

    date: dt.date
    pain_rest: Pain = None
    pain_walking: Pain = None
    pain_activity: Pain = None
    pain_after: Pain = None
    pain_next_morning: Pain = None
    limp: bool = False
    swelling: bool = False
    redness: bool = False
    night_pain: bool = False
    bone_tenderness: bool = False
    can_bear_weight: bool = True
    fever: bool = False
    numbness: bool = False
    # Added to the contract for RF-4's emergency signs.
    redness_spreading: bool = False
    foot_pale_or_cold: bool = False
    notes: str = ""


class Session(_Strict):
    """A logged session, or a criterion test (kind `test`, with `test` naming which one)."""

    date: dt.date
    phase: str
    kind: SessionKind
    planned_min: float | None = Field(default=None, ge=0)
    done_min: float | None = Field(default=None, ge=0)
    pain_during: Pain = None
    pain_after: Pain = None
    rpe: int | None = Field(default=None, ge=0, le=10, description="Session RPE, 0-10.")
    # PAIN-5 tells warm-up soreness that goes away from soreness that stays.
    warmup_soreness: WarmupSoreness = "none"
    test: str | None = Field(default=None, description="Which criterion test, when kind is test.")
    run_min: float | None = Field(default=None, ge=0, description="Minutes actually running.")
    minimalist_min: float | None = Field(default=None, ge=0)
    activity: str | None = Field(
        default=None, description="For cross-training: which (swimming, cycling, elliptical...)."
    )
    notes: str = ""

    @model_validator(mode="after")
    def _test_named(self) -> Session:
        if self.kind == "test" and not self.test:
            raise ValueError("a session of kind 'test' must say which test in 'test'")
        return self


class ClinicianEvent(_Strict):
    """A clinician's decision. On one day, events apply in `time` order, else in the order given."""

    date: dt.date
    kind: ClinicianEventKind
    reason: str = Field(min_length=1)
    clinician: str | None = None
    id: str | None = Field(default=None, description="A stable ID, so a `withdraw` can name it.")
    time: dt.time | None = Field(default=None, description="When on its day it was given.")
    scope: ClearScope = Field(
        default="standing",
        description="For a clear: every flag standing when it is given and the gate the runner "
        "waits at then (`standing`), one red flag (`flag`), or one phase gate (`gate`).",
    )
    flag: str | None = Field(default=None, description="The red-flag rule a `flag` clear answers.")
    gate: str | None = Field(
        default=None, description="The phase a `gate` clear lets the runner start."
    )
    withdraws: str | None = Field(
        default=None, description="For a withdraw: the ID of the event it takes back."
    )
    phase: str | None = Field(
        default=None, description="For set_minimum and skip_week: the phase it changes."
    )
    days: int | None = Field(
        default=None, ge=1, le=365, description="For set_minimum: the phase's new minimum."
    )
    week: int | None = Field(default=None, ge=1, description="For skip_week: which week.")
    protocol: str | None = Field(
        default=None, description="For change_protocol: the protocol from this day on."
    )

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> ClinicianEvent:
        if self.kind == "withdraw" and not self.withdraws:
            raise ValueError("a withdraw must name the event it takes back in 'withdraws'")
        if self.kind != "withdraw" and self.withdraws:
            raise ValueError("only a withdraw takes 'withdraws'")
        needs = {
            "set_minimum": ("phase", "days"),
            "skip_week": ("phase", "week"),
            "add_gate": ("gate",),
            "change_protocol": ("protocol",),
        }.get(self.kind, ())
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} must say '{name}'")
        for name in ("phase", "days", "week", "protocol"):
            if getattr(self, name) is not None and name not in needs:
                raise ValueError(f"'{name}' is only for " + _kinds_taking(name))
        if self.kind == "add_gate":
            if self.scope != "standing" or self.flag:
                raise ValueError("only a clear takes 'scope' or 'flag'")
            return self
        if self.kind != "clear" and (self.scope != "standing" or self.flag or self.gate):
            raise ValueError("only a clear takes 'scope', 'flag' or 'gate'")
        if self.scope == "flag" and not self.flag:
            raise ValueError("a clear with scope 'flag' must name the flag's rule in 'flag'")
        if self.scope == "gate" and not self.gate:
            raise ValueError("a clear with scope 'gate' must name the phase in 'gate'")
        if self.scope != "flag" and self.flag:
            raise ValueError("'flag' needs scope 'flag'")
        if self.scope != "gate" and self.gate:
            raise ValueError("'gate' needs scope 'gate'")
        return self


def standing_events(events: list[ClinicianEvent]) -> list[ClinicianEvent]:
    """The events that still count: a withdrawn event counts as never given (a mistake taken
    back); the withdrawal itself is kept as a note the runner reads."""
    withdrawn = {e.withdraws for e in events if e.kind == "withdraw"}
    return [e for e in events if e.id is None or e.id not in withdrawn]


def _kinds_taking(name: str) -> str:
    return {
        "phase": "set_minimum and skip_week",
        "days": "set_minimum",
        "week": "skip_week",
        "protocol": "change_protocol",
    }[name]


class Case(_Strict):
    today: dt.date
    program_start: dt.date
    protocol: str = "ten-steps"
    injury: Injury
    checkins: list[CheckIn] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    clinician_events: list[ClinicianEvent] = Field(default_factory=list)
    body_mass_kg: float | None = Field(default=None, gt=0, le=400)
    shared_with: list[str] = Field(
        default_factory=list,
        description="The clinicians who can see this record (names), when the runner shares it.",
    )

    @model_validator(mode="after")
    def _dates_make_sense(self) -> Case:
        if self.program_start > self.today:
            raise ValueError("program_start is after today")
        seen: set[dt.date] = set()
        for index, checkin in enumerate(self.checkins):
            if checkin.date > self.today:
                raise ValueError(
                    f"checkins[{index}].date {checkin.date} is after today ({self.today})"
                )
            if checkin.date in seen:
                raise ValueError(
                    f"checkins[{index}].date {checkin.date}: a second check-in for that day"
                )
            seen.add(checkin.date)
        for index, session in enumerate(self.sessions):
            if session.date > self.today:
                raise ValueError(
                    f"sessions[{index}].date {session.date} is after today ({self.today})"
                )
        for index, event in enumerate(self.clinician_events):
            if event.date > self.today:
                raise ValueError(
                    f"clinician_events[{index}].date {event.date} is after today ({self.today})"
                )
        return self
