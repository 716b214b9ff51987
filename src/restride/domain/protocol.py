"""The protocol: a recovery program as data, so a clinic can write its own without Python.

Every number the engine uses lives here, and every part of a protocol points at a rule in its
`rules` catalog, which names the seed step it implements and the CLINICAL.md IDs it rests on.
`check_protocol` finds what a schema cannot: dangling references, unknown exercises, week plans
that would break the single-run spike limits of LOAD-1.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from restride.domain.anatomy import SITES
from restride.domain.case import PAIN_FIELDS, CheckIn
from restride.domain.evidence import CLINICAL_IDS
from restride.domain.library import Library

ReferralLevel = Literal["none", "routine", "soon", "urgent"]
ItemKind = Literal[
    "offload",
    "rest",
    "self_massage",
    "mobility",
    "corrective",
    "walk",
    "walk_run",
    "run",
    "functional",
    "test",
    "referral",
]
LOADING_KINDS: frozenset[str] = frozenset(
    {"corrective", "walk", "walk_run", "run", "functional", "test"}
)
# What the engine cites for its own decisions; each must name a rule of the catalog.
ENGINE_RULE_KEYS: tuple[str, ...] = (
    "missing_checkin",
    "rising_pain",
    "pain_above_ceiling",
    "bone_ceiling",
    "flare_bone",
    "soreness_warmup_settled",
    "soreness_warmup_persisted",
    "soreness_after",
    "amber_pain",
    "rest_days",
    "clinician_hold",
    "clinician_clear",
    "clinician_note",
    "referral_answered",
    "therapist",
    "no_hurry",
    "xray_negative",
    "spike_warn",
    "spike_block",
    "sessions_missing",
    "week_progress",
    "phase_progress",
    "setback",
    "flag_stands",
    "clearance_scope",
    "pain_today",
    "flare_severe",
    "failure_to_progress",
    "off_plan",
    "gap",
    "site_is_bone",
    "therapist_shared",
    "non_weight_bearing",
    "tailored",
)
# RF-4's emergency signs: a protocol must send each of them to `urgent` (check_protocol).
EMERGENCY_SIGNS: dict[str, bool] = {
    "fever": True,
    "numbness": True,
    "foot_pale_or_cold": True,
    "redness_spreading": True,
    "can_bear_weight": False,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Tissue = Literal["bone", "tendon", "fascia", "muscle", "back"]
Grade = Literal["P", "S", "I"]


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    step: int | None = Field(
        ge=1,
        le=10,
        description="The seed step (1-10) this rule implements; null when it implements none "
        "(the protocol's `departures` say why).",
    )
    evidence: list[str] = Field(
        min_length=1, description="CLINICAL.md rule IDs, or IDs of the protocol's own evidence."
    )
    text: str = Field(min_length=1, description="What the rule says, for a runner.")


class EvidenceEntry(_Strict):
    """A source a protocol cites beside CLINICAL.md's, graded the way CLINICAL.md grades
    (P: read in a primary record, S: seen in a secondary source, I: our inference). A source
    that could not be confirmed is not evidence, so it has no grade here."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*-[A-Z0-9-]+$")
    citation: str = Field(min_length=1)
    grade: Grade
    text: str = Field(min_length=1, description="What it found, as far as this protocol uses it.")


class Departure(_Strict):
    """Where a protocol departs from the seed's ten steps, and why: said to the runner."""

    step: int = Field(ge=1, le=10)
    seed: str = Field(min_length=1, description="What the seed says.")
    here: str = Field(min_length=1, description="What this protocol does instead.")
    why: str = Field(min_length=1)
    evidence: list[str] = Field(min_length=1)


class ReturnToRun(_Strict):
    """The phase whose first day is the return to running, and the published range for it."""

    phase: str
    weeks: tuple[int, int] = Field(description="Published range, weeks from the program start.")
    evidence: list[str] = Field(min_length=1)
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _range_in_order(self) -> ReturnToRun:
        if not 0 <= self.weeks[0] <= self.weeks[1]:
            raise ValueError("weeks must be [earliest, latest] with 0 <= earliest <= latest")
        return self


class Condition(_Strict):
    """A test on one check-in field: `is` for yes/no signs, `at_least`/`at_most` for pain."""

    field: str
    is_: bool | None = Field(default=None, alias="is")
    at_least: int | None = Field(default=None, ge=0, le=10)
    at_most: int | None = Field(default=None, ge=0, le=10)

    @model_validator(mode="after")
    def _one_test_that_fits_the_field(self) -> Condition:
        fields = CheckIn.model_fields
        if self.field not in fields or self.field in ("date", "notes"):
            raise ValueError(f"unknown check-in field {self.field!r}")
        given = [n for n in ("is_", "at_least", "at_most") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'is', 'at_least', 'at_most'")
        if self.field in PAIN_FIELDS and self.is_ is not None:
            raise ValueError(f"{self.field} is a 0-10 score: use at_least or at_most")
        if self.field not in PAIN_FIELDS and self.is_ is None:
            raise ValueError(f"{self.field} is yes/no: use 'is'")
        return self

    def holds(self, checkin: CheckIn) -> bool:
        value = getattr(checkin, self.field)
        if self.is_ is not None:
            return bool(value) is self.is_
        # A pain score that was not asked can never show the runner is pain-free.
        if value is None:
            return False
        if self.at_least is not None:
            return int(value) >= self.at_least
        return self.at_most is not None and int(value) <= self.at_most


class RedFlag(_Strict):
    rule: str
    referral: Literal["routine", "soon", "urgent"]
    when_any: list[Condition] = Field(default_factory=list)
    for_checkins: int = Field(default=1, ge=1, description="Consecutive check-ins it must show on.")
    sites: list[str] | None = Field(default=None, description="Only for these injury sites.")
    high_risk_site_only: bool = False
    bone_only: bool = False
    non_weight_bearing: bool = Field(
        default=False,
        description="While it stands unanswered, no weight at all on the leg (RF-9).",
    )

    @model_validator(mode="after")
    def _has_a_trigger(self) -> RedFlag:
        if not self.when_any and not self.high_risk_site_only and not self.sites:
            raise ValueError(
                "a red flag needs when_any conditions, or it is a standing condition of some "
                "sites (sites or high_risk_site_only)"
            )
        return self


class Setback(_Strict):
    """Signs that send the runner back to an earlier phase (e.g. a limp: back on crutches)."""

    rule: str
    when_any: list[Condition] = Field(min_length=1)
    for_checkins: int = Field(default=1, ge=1)
    from_phases: list[str] = Field(min_length=1)
    to_phase: str


class ExerciseDose(_Strict):
    id: str
    sets: int | None = Field(default=None, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_s: int | None = Field(default=None, ge=1)
    minutes: float | None = Field(default=None, gt=0)
    note: str = ""


class IntervalBlock(_Strict):
    repeats: int = Field(ge=1)
    run_s: int = Field(ge=0)
    walk_s: int = Field(ge=0)


class Intervals(_Strict):
    warmup_walk_min: float = Field(ge=0)
    blocks: list[IntervalBlock] = Field(min_length=1)
    cooldown_walk_min: float = Field(ge=0)

    @property
    def run_min(self) -> float:
        return sum(b.repeats * b.run_s for b in self.blocks) / 60

    @property
    def total_min(self) -> float:
        moving = sum(b.repeats * (b.run_s + b.walk_s) for b in self.blocks) / 60
        return self.warmup_walk_min + moving + self.cooldown_walk_min


class Prescription(_Strict):
    kind: ItemKind
    rule: str
    title: str = Field(min_length=1)
    instructions: str = ""
    minutes: float | None = Field(default=None, gt=0)
    exercises: list[ExerciseDose] = Field(default_factory=list)
    intervals: Intervals | None = None
    minimalist_min: float | None = Field(default=None, ge=0)
    days: list[int] = Field(
        default=[1, 2, 3, 4, 5, 6, 7], description="Days of the program week (1-7) it falls on."
    )
    test: str | None = None

    @field_validator("days")
    @classmethod
    def _days_in_week(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 7 for d in value) or len(set(value)) != len(value):
            raise ValueError("days must be distinct numbers from 1 to 7")
        return sorted(value)


class Week(_Strict):
    week: int = Field(ge=1)
    level: int | None = Field(default=None, ge=1)
    focus: str = Field(min_length=1)
    min_sessions: int = Field(
        default=0, ge=0, description="Logged loading sessions needed before the week can advance."
    )
    count_kinds: list[ItemKind] = Field(
        default_factory=list,
        description="Session kinds that count towards min_sessions (any loading kind if empty).",
    )
    items: list[Prescription] = Field(min_length=1)


class CrossTraining(_Strict):
    activity: str
    allowed: bool
    note: str
    rule: str


class _Criterion(_Strict):
    rule: str
    text: str = Field(min_length=1, description="The criterion in a runner's words.")


class _Minimum(_Criterion):
    days: int = Field(ge=1)
    floor: int | None = Field(
        default=None,
        ge=1,
        description="RTR-7: the least a clinician's tailoring may set it to (default: `days`, "
        "which cannot be shortened).",
    )

    @model_validator(mode="after")
    def _floor_not_above(self) -> _Minimum:
        if self.floor is not None and self.floor > self.days:
            raise ValueError(f"floor {self.floor} is above the minimum of {self.days} days")
        return self

    @property
    def hard_floor(self) -> int:
        return self.days if self.floor is None else self.floor


class MinDaysInPhase(_Minimum):
    kind: Literal["min_days_in_phase"]


class MinDaysFromStart(_Minimum):
    kind: Literal["min_days_from_start"]


class CheckinStreak(_Criterion):
    kind: Literal["checkin_streak"]
    days: int = Field(ge=1)
    require: list[Condition] = Field(min_length=1)


class ProgramComplete(_Criterion):
    kind: Literal["program_complete"]


class TestPassed(_Criterion):
    kind: Literal["test_passed"]
    test: str
    within_days: int = Field(default=14, ge=1)
    offer_from_week: int = Field(default=1, ge=1)
    minutes: float | None = Field(default=None, gt=0)


class ClinicianClearance(_Criterion):
    kind: Literal["clinician_clearance"]
    when: Literal["always", "high_risk_site", "bone"] = "high_risk_site"


class NoFlareWithin(_Criterion):
    kind: Literal["no_flare_within"]
    days: int = Field(ge=1)


Criterion = Annotated[
    MinDaysInPhase
    | MinDaysFromStart
    | CheckinStreak
    | ProgramComplete
    | TestPassed
    | ClinicianClearance
    | NoFlareWithin,
    Field(discriminator="kind"),
]


class Phase(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    rule: str
    purpose: str = Field(min_length=1, description="What this phase is for, in plain words.")
    loading: bool = Field(description="Whether the phase loads the injured tissue.")
    spare_injured_region: bool = Field(
        default=False, description="Leave out every exercise that loads the injured region."
    )
    massage_injured_site: bool = Field(
        default=False,
        description="Self-massage may work the injured region (rolling the sole for plantar "
        "fasciitis). Never at a bone, or once bone tenderness is reported (EX-5): the engine "
        "spares it then whatever this says.",
    )
    cite: list[str] = Field(
        default_factory=list, description="Further rules every decision in this phase cites."
    )
    daily: list[Prescription] = Field(default_factory=list)
    weeks: list[Week] = Field(default_factory=list)
    exit: list[Criterion] = Field(default_factory=list)
    cross_training: list[CrossTraining] = Field(default_factory=list)
    gap_days: int | None = Field(
        default=None,
        ge=7,
        description="RTR-8: this many days without a counted session step back a week per week "
        "missed.",
    )


class PainSettings(_Strict):
    green_max: int = Field(default=3, ge=0, le=10)
    amber_max: int = Field(default=5, ge=0, le=10)
    meaningful_change: int = Field(default=2, ge=1, le=10)
    bone_ceiling: int = Field(default=0, ge=0, le=10)

    @model_validator(mode="after")
    def _bands_in_order(self) -> PainSettings:
        if not self.bone_ceiling <= self.green_max <= self.amber_max:
            raise ValueError("need bone_ceiling <= green_max <= amber_max")
        return self


class FlareSettings(_Strict):
    bone_rest_days: int = Field(default=1, ge=1)
    persisted_rest_days: int = Field(default=2, ge=1)
    after_soreness_rest_days: int = Field(default=1, ge=1)
    # PAIN-7: a severe bone flare, or a second flare within `repeat_within_days`.
    severe_pain: int = Field(default=6, ge=1, le=10, description="Pain during or after, 0-10.")
    severe_next_morning: int = Field(default=3, ge=1, le=10)
    severe_rest_days: int = Field(default=5, ge=1, description="Days without impact loading.")
    severe_stages_back: int = Field(default=2, ge=2)
    repeat_within_days: int = Field(default=28, ge=1)


class LoadSettings(_Strict):
    spike_lookback_days: int = Field(default=30, ge=1)
    spike_warn: float = Field(default=0.10, ge=0)
    spike_block: float = Field(default=0.30, ge=0)


class AttentionSettings(_Strict):
    """When the clinician board puts an athlete near the top, and why."""

    rising_by: float = Field(
        default=2.0, gt=0, description="Rise in the day's worst pain, recent days vs before."
    )
    recent_days: int = Field(default=3, ge=1)
    baseline_days: int = Field(default=7, ge=1)
    missed_window_days: int = Field(default=7, ge=1)
    missed_alert: int = Field(default=2, ge=1, description="Missed check-ins in the window.")
    pain_alert: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Worst pain on the latest check-in (away from a bone site: there any pain).",
    )


class Protocol(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str
    summary: str
    tissue: Tissue = Field(default="bone", description="What kind of injury it is written for.")
    evidence: list[EvidenceEntry] = Field(
        default_factory=list, description="Sources it cites beside CLINICAL.md's IDs."
    )
    departures: list[Departure] = Field(default_factory=list)
    return_to_run: ReturnToRun | None = None
    pain: PainSettings = PainSettings()
    flare: FlareSettings = FlareSettings()
    load: LoadSettings = LoadSettings()
    attention: AttentionSettings = AttentionSettings()
    high_risk_sites: list[str] = Field(default_factory=list)
    checkins_to_progress: int = Field(
        default=3, ge=1, description="Consecutive days of check-ins needed before any step up."
    )
    negative_xray_window_days: int = Field(default=42, ge=1)
    failure_to_progress_days: int = Field(
        default=42,
        ge=7,
        description="RF-7: this many days without leaving the phases that load nothing refer "
        "the runner to a doctor again.",
    )
    library: Library = Field(description="The exercises, self-massage and tests it may name.")
    rules: list[Rule] = Field(min_length=1)
    engine_rules: dict[str, str]
    red_flags: list[RedFlag] = Field(default_factory=list)
    setbacks: list[Setback] = Field(default_factory=list)
    phases: list[Phase] = Field(min_length=1)

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id()[rule_id]

    def engine_rule(self, key: str) -> Rule:
        return self.rule(self.engine_rules[key])

    def evidence_ids(self) -> frozenset[str]:
        return CLINICAL_IDS | {e.id for e in self.evidence}

    def phase_index(self, phase_id: str) -> int:
        for index, phase in enumerate(self.phases):
            if phase.id == phase_id:
                return index
        raise KeyError(phase_id)

    def _rules_by_id(self) -> dict[str, Rule]:
        cached: dict[str, Rule] | None = self.__dict__.get("_rule_index")
        if cached is None:
            cached = {r.id: r for r in self.rules}
            # Frozen model: cache outside pydantic's fields.
            object.__setattr__(self, "_rule_index", cached)
        return cached


class Problem(BaseModel):
    """One thing wrong with a protocol, at a field path such as `phases[2].exit[0].rule`."""

    path: str
    message: str


def check_protocol(protocol: Protocol) -> list[Problem]:
    """Find dangling references and unsafe week plans; an empty list means the protocol is sound."""
    problems: list[Problem] = []
    library = protocol.library
    rule_ids = [r.id for r in protocol.rules]
    known_rules = set(rule_ids)
    phase_ids = [p.id for p in protocol.phases]

    def need_rule(path: str, rule_id: str) -> None:
        if rule_id not in known_rules:
            problems.append(Problem(path=path, message=f"no rule {rule_id!r} in rules"))

    problems += _check_evidence(protocol)
    if protocol.return_to_run is not None and protocol.return_to_run.phase not in phase_ids:
        problems.append(
            Problem(
                path="return_to_run.phase",
                message=f"no phase {protocol.return_to_run.phase!r}",
            )
        )

    for dup in sorted({r for r in rule_ids if rule_ids.count(r) > 1}):
        problems.append(Problem(path="rules", message=f"rule id {dup!r} is used twice"))
    for dup in sorted({p for p in phase_ids if phase_ids.count(p) > 1}):
        problems.append(Problem(path="phases", message=f"phase id {dup!r} is used twice"))
    for key in ENGINE_RULE_KEYS:
        if key not in protocol.engine_rules:
            problems.append(Problem(path=f"engine_rules.{key}", message="missing"))
    for key, rule_id in protocol.engine_rules.items():
        if key not in ENGINE_RULE_KEYS:
            problems.append(
                Problem(path=f"engine_rules.{key}", message="not a key the engine uses")
            )
        need_rule(f"engine_rules.{key}", rule_id)
    for i, site in enumerate(protocol.high_risk_sites):
        if site not in SITES:
            problems.append(Problem(path=f"high_risk_sites[{i}]", message=f"unknown site {site!r}"))
    for i, flag in enumerate(protocol.red_flags):
        need_rule(f"red_flags[{i}].rule", flag.rule)
        for j, site in enumerate(flag.sites or []):
            if site not in SITES:
                problems.append(
                    Problem(path=f"red_flags[{i}].sites[{j}]", message=f"unknown site {site!r}")
                )
    for i, setback in enumerate(protocol.setbacks):
        need_rule(f"setbacks[{i}].rule", setback.rule)
        for j, phase_id in enumerate([*setback.from_phases, setback.to_phase]):
            if phase_id not in phase_ids:
                where = f"from_phases[{j}]" if j < len(setback.from_phases) else "to_phase"
                problems.append(
                    Problem(path=f"setbacks[{i}].{where}", message=f"no phase {phase_id!r}")
                )
    for p, phase in enumerate(protocol.phases):
        base = f"phases[{p}]"
        need_rule(f"{base}.rule", phase.rule)
        for c, rule_id in enumerate(phase.cite):
            need_rule(f"{base}.cite[{c}]", rule_id)
        for c, cross in enumerate(phase.cross_training):
            need_rule(f"{base}.cross_training[{c}].rule", cross.rule)
        for i, item in enumerate(phase.daily):
            problems += _check_item(f"{base}.daily[{i}]", item, known_rules, library)
        for w, week in enumerate(phase.weeks):
            if week.week != w + 1:
                problems.append(
                    Problem(path=f"{base}.weeks[{w}].week", message=f"expected week {w + 1}")
                )
            for i, item in enumerate(week.items):
                problems += _check_item(f"{base}.weeks[{w}].items[{i}]", item, known_rules, library)
        for c, criterion in enumerate(phase.exit):
            need_rule(f"{base}.exit[{c}].rule", criterion.rule)
            if isinstance(criterion, TestPassed) and criterion.test not in library.tests():
                problems.append(
                    Problem(
                        path=f"{base}.exit[{c}].test",
                        message=f"no test {criterion.test!r} in the exercise library",
                    )
                )
            if isinstance(criterion, ProgramComplete) and not phase.weeks:
                problems.append(
                    Problem(path=f"{base}.exit[{c}]", message="program_complete needs weeks")
                )
        problems += check_run_spikes(base, phase, protocol.load)
        if not phase.exit and p < len(protocol.phases) - 1:
            problems.append(
                Problem(
                    path=f"{base}.exit",
                    message="a phase before the last needs at least one exit criterion: "
                    "nothing may move on by itself",
                )
            )
    if protocol.tissue == "bone":
        for p, phase in enumerate(protocol.phases):
            if phase.massage_injured_site:
                problems.append(
                    Problem(
                        path=f"phases[{p}].massage_injured_site",
                        message="a bone protocol never rolls over the injured site (EX-5)",
                    )
                )
    problems += _check_safety(protocol)
    return problems


def _check_evidence(protocol: Protocol) -> list[Problem]:
    """Every cited ID is CLINICAL.md's or the protocol's own: a typo cannot invent evidence."""
    problems: list[Problem] = []
    own = [e.id for e in protocol.evidence]
    for i, entry_id in enumerate(own):
        if entry_id in CLINICAL_IDS:
            problems.append(
                Problem(
                    path=f"evidence[{i}].id",
                    message=f"{entry_id} is a CLINICAL.md ID: give the protocol's own source "
                    "another ID",
                )
            )
        elif own.count(entry_id) > 1 and own.index(entry_id) < i:
            problems.append(Problem(path=f"evidence[{i}].id", message=f"{entry_id} is used twice"))
    known = protocol.evidence_ids()

    def cited(path: str, ids: list[str]) -> None:
        unknown = [e for e in ids if e not in known]
        if unknown:
            problems.append(
                Problem(
                    path=path,
                    message=f"unknown CLINICAL.md ID(s) {', '.join(unknown)} (and not in the "
                    "protocol's own evidence list)",
                )
            )

    for i, rule in enumerate(protocol.rules):
        cited(f"rules[{i}].evidence", rule.evidence)
    for i, departure in enumerate(protocol.departures):
        cited(f"departures[{i}].evidence", departure.evidence)
    if protocol.return_to_run is not None:
        cited("return_to_run.evidence", protocol.return_to_run.evidence)
    return problems


def _check_safety(protocol: Protocol) -> list[Problem]:
    """What no protocol may leave out, however a clinic writes it (RF-4, PAIN-4)."""
    problems: list[Problem] = []
    if not protocol.red_flags:
        problems.append(
            Problem(path="red_flags", message="a protocol needs red-flag rules (RF-1..RF-4)")
        )
    if protocol.pain.bone_ceiling != 0:
        problems.append(
            Problem(
                path="pain.bone_ceiling",
                message=f"must be 0: a bone injury allows no pain at the bone (PAIN-4); "
                f"got {protocol.pain.bone_ceiling}",
            )
        )
    for sign, value in EMERGENCY_SIGNS.items():
        urgent = False
        for i, flag in enumerate(protocol.red_flags):
            for j, condition in enumerate(flag.when_any):
                if condition.field != sign or condition.is_ is not value:
                    continue
                if flag.referral == "urgent" and flag.sites is None and flag.for_checkins == 1:
                    urgent = True
                elif flag.referral != "urgent":
                    problems.append(
                        Problem(
                            path=f"red_flags[{i}].when_any[{j}]",
                            message=f"{sign} is an emergency sign (RF-4): its flag must refer "
                            f"'urgent', not {flag.referral!r}",
                        )
                    )
        if not urgent:
            problems.append(
                Problem(
                    path="red_flags",
                    message=f"no flag sends the emergency sign {sign} "
                    f"({'yes' if value else 'no'}) to 'urgent' on the first check-in, for "
                    "every site (RF-4)",
                )
            )
    return problems


def _check_item(path: str, item: Prescription, rules: set[str], library: Library) -> list[Problem]:
    problems: list[Problem] = []
    if item.rule not in rules:
        problems.append(Problem(path=f"{path}.rule", message=f"no rule {item.rule!r} in rules"))
    for e, dose in enumerate(item.exercises):
        if dose.id not in library.exercises:
            problems.append(
                Problem(
                    path=f"{path}.exercises[{e}].id",
                    message=f"no exercise {dose.id!r} in the exercise library",
                )
            )
    if item.kind == "self_massage" and item.minutes is not None:
        # Imported here: prescription builds on this module.
        from restride.domain.prescription import dosed_minutes

        total = dosed_minutes(item, library)
        if total is not None and abs(total - item.minutes) > 0.01:
            problems.append(
                Problem(
                    path=f"{path}.minutes",
                    message=f"{item.minutes:g} minutes, but its exercises add up to {total:g} "
                    "(a minute a side counts twice)",
                )
            )
    if item.kind in ("walk_run", "run") and item.intervals is None and item.minutes is None:
        problems.append(Problem(path=path, message="a run needs intervals or minutes"))
    if item.kind == "test" and (item.test is None or item.test not in library.tests()):
        problems.append(Problem(path=f"{path}.test", message=f"no test {item.test!r} in library"))
    return problems


def run_minutes(item: Prescription) -> float:
    """Minutes of running in one prescribed session (0 for anything that is not a run)."""
    if item.kind not in ("walk_run", "run"):
        return 0.0
    if item.intervals is not None:
        return item.intervals.run_min
    return item.minutes or 0.0


def check_run_spikes(base: str, phase: Phase, load: LoadSettings) -> list[Problem]:
    # LOAD-1 compares a run with the longest of the previous 30 days; a planned week may not
    # exceed the block limit over the longest run of the weeks that fit in that window.
    problems: list[Problem] = []
    longest = [max((run_minutes(i) for i in w.items), default=0.0) for w in phase.weeks]
    window_weeks = max(1, load.spike_lookback_days // 7)
    for w in range(1, len(longest)):
        previous = max(longest[max(0, w - window_weeks) : w])
        if previous > 0 and longest[w] > previous * (1 + load.spike_block) + 1e-9:
            rise = longest[w] / previous - 1
            problems.append(
                Problem(
                    path=f"{base}.weeks[{w}]",
                    message=(
                        f"longest run {longest[w]:g} min is {rise:.0%} over the previous "
                        f"{load.spike_lookback_days} days' longest ({previous:g} min); "
                        f"LOAD-1 blocks more than {load.spike_block:.0%}"
                    ),
                )
            )
    return problems
