"""Red-flag triage (RF-1..RF-9, RTR-3, PAIN-6) and the memory of every flag. A standing red flag
beats every progression rule.

A sign that earns a `soon` or `urgent` referral raises a flag that stands until a clinician
answers it with a clear dated on or after it (RF-6), even when the next check-in no longer shows
the sign: a sign that is gone is not a sign that was seen. A clear answers only the flags raised
by the time it is given (RTR-9); a sign that starts later raises a new flag with its full
urgency. An answered flag still holds progress while its sign lasts, and ends when the sign goes;
if the sign comes back, that is a new flag and needs a new visit. A `routine` sign (swelling)
stands while it shows. The engine raises flags of its own (a severe flare, no way out of rest)
that follow the same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.memory import FlagEpisode, FlagMemory, FlagRun
from restride.domain.protocol import Condition, Protocol, RedFlag

if TYPE_CHECKING:
    from restride.domain.case import CheckIn, Injury

LEVELS = ("none", "routine", "soon", "urgent")
STICKY = ("soon", "urgent")

# How a check-in field reads in a sentence ("you reported night pain").
SIGN_WORDS = {
    "can_bear_weight": "not being able to take weight on the leg",
    "fever": "a fever",
    "numbness": "numbness",
    "foot_pale_or_cold": "a pale or cold foot",
    "redness_spreading": "spreading redness",
    "redness": "redness over the painful spot",
    "bone_tenderness": "pain when pressing on the bone",
    "night_pain": "night pain",
    "swelling": "swelling",
    "limp": "a limp",
    "pain_rest": "pain at rest",
    "pain_walking": "walking pain",
    "pain_activity": "pain during activity",
    "pain_after": "pain after activity",
    "pain_next_morning": "next-morning pain",
}


@dataclass(frozen=True)
class FlagSpec:
    """One flag restride watches for: a protocol red flag, or one the engine raises itself."""

    rule: str
    referral: str
    when_any: tuple[Condition, ...] = ()
    for_checkins: int = 1
    condition: bool = False  # a standing condition of the injury itself (a high-risk site)
    non_weight_bearing: bool = False
    bone_only: bool = False
    by_engine: bool = False
    words: str = ""

    @property
    def sticky(self) -> bool:
        return self.referral in STICKY


@dataclass(frozen=True)
class StandingFlag:
    spec: FlagSpec
    since: dt.date
    answered_on: dt.date | None
    showing: bool  # whether the latest check-in (or the injury itself) still shows the sign
    last_shown: dt.date

    @property
    def answered(self) -> bool:
        return self.answered_on is not None

    @property
    def rule(self) -> str:
        return self.spec.rule

    @property
    def referral(self) -> str:
        return self.spec.referral


def flag_applies(protocol: Protocol, flag: RedFlag, injury: Injury, *, bone: bool) -> bool:
    if flag.sites is not None and injury.site not in flag.sites:
        return False
    if flag.bone_only and not bone:
        return False
    return not (flag.high_risk_site_only and injury.site not in protocol.high_risk_sites)


def flag_shows(flag: RedFlag, checkin: CheckIn | None) -> bool:
    if not flag.when_any:
        return True  # a standing condition of the injury itself (a high-risk site)
    return checkin is not None and any(c.holds(checkin) for c in flag.when_any)


def assess_red_flags(
    protocol: Protocol, injury: Injury, checkin: CheckIn, *, bone: bool
) -> list[RedFlag]:
    """The flags one check-in raises on its own (for instant feedback when it is saved)."""
    return [
        f
        for f in protocol.red_flags
        if f.for_checkins == 1
        and f.when_any
        and flag_applies(protocol, f, injury, bone=bone)
        and flag_shows(f, checkin)
    ]


def sign_words(conditions: tuple[Condition, ...] | list[Condition]) -> str:
    words = [SIGN_WORDS.get(c.field, c.field.replace("_", " ")) for c in conditions]
    unique = list(dict.fromkeys(words))
    if len(unique) <= 2:
        return " or ".join(unique)
    return ", ".join(unique[:-1]) + " or " + unique[-1]


def spec_of(protocol: Protocol, flag: RedFlag) -> FlagSpec:
    return FlagSpec(
        rule=flag.rule,
        referral=flag.referral,
        when_any=tuple(flag.when_any),
        for_checkins=flag.for_checkins,
        condition=not flag.when_any,
        non_weight_bearing=flag.non_weight_bearing,
        bone_only=flag.bone_only,
        words=sign_words(flag.when_any) if flag.when_any else "",
    )


class FlagTracker:
    """Follows each red flag through the days of a case; its memory can be saved and resumed."""

    def __init__(
        self,
        protocol: Protocol,
        injury: Injury,
        engine_flags: list[FlagSpec],
        memory: FlagMemory | None = None,
    ) -> None:
        self._specs: list[FlagSpec] = [spec_of(protocol, f) for f in protocol.red_flags]
        # Whether a flag can apply to this injury at all, before the bone question.
        self._possible = [
            flag_applies(protocol, flag, injury, bone=True) for flag in protocol.red_flags
        ]
        self._engine: dict[str, int] = {}
        for spec in engine_flags:
            self._engine[spec.rule] = len(self._specs)
            self._specs.append(spec)
            self._possible.append(True)
        self.memory = memory if memory is not None else FlagMemory(runs=[])
        if not self.memory.runs:  # a fresh memory: one run for each flag
            self.memory.runs.extend(FlagRun() for _ in self._specs)
        self._runs = self.memory.runs

    @property
    def history(self) -> list[FlagEpisode]:
        return self.memory.history

    # -- a day ---------------------------------------------------------------------------------

    def update(self, day: dt.date, checkin: CheckIn | None, *, bone: bool) -> None:
        """Read the day's check-in (None: no check-in, so nothing new is known)."""
        for spec, possible, run in zip(self._specs, self._possible, self._runs, strict=True):
            if spec.by_engine:
                if run.since is not None and run.answered_on is not None:
                    self._end(run, day)  # nothing keeps an answered engine flag up
                else:
                    run.showing = False
                continue
            if not possible or (spec.bone_only and not bone):
                self._end(run, day)
                continue
            if spec.condition:
                shows = True
            elif checkin is None:
                continue
            else:
                shows = any(c.holds(checkin) for c in spec.when_any)
            if shows:
                if run.since is None:
                    run.since, run.count, run.answered_on = day, 0, None
                run.count += 1
                run.showing = True
                run.last_shown = day
                if run.count >= spec.for_checkins:
                    self._record(spec, run)
                continue
            run.showing = False
            if run.count < spec.for_checkins or run.answered_on is not None or not spec.sticky:
                # Never raised, answered and gone, or a routine sign that has passed.
                self._end(run, day)

    def raise_flag(self, rule: str, day: dt.date) -> None:
        """An engine flag (a severe flare, no way out of rest) raised on `day`."""
        index = self._engine[rule]
        run = self._runs[index]
        if run.since is None or run.answered_on is not None:
            self._end(run, day)
            run.since, run.count = day, 1
        run.showing = True
        run.last_shown = day
        self._record(self._specs[index], run)

    def answer(self, day: dt.date, rule: str | None = None) -> list[StandingFlag]:
        """A clinician's clear on `day`: answers the flags raised by then (or only `rule`)."""
        answered: list[StandingFlag] = []
        for spec, run in zip(self._specs, self._runs, strict=True):
            if not _raised(spec, run) or run.since is None or run.since > day:
                continue
            if rule is not None and spec.rule != rule:
                continue
            if run.answered_on is None:
                run.answered_on = day
                if run.episode is not None:
                    self.history[run.episode].answered_on = day
                answered.append(_standing(spec, run))
        return answered

    def standing(self) -> list[StandingFlag]:
        return [
            _standing(spec, run)
            for spec, run in zip(self._specs, self._runs, strict=True)
            if _raised(spec, run)
        ]

    # -- bookkeeping ---------------------------------------------------------------------------

    def _record(self, spec: FlagSpec, run: FlagRun) -> None:
        if run.since is None or run.last_shown is None:
            return
        if run.episode is None:
            run.episode = len(self.history)
            self.history.append(FlagEpisode(spec.rule, spec.referral, run.since, run.last_shown))
        self.history[run.episode].last_shown = run.last_shown

    def _end(self, run: FlagRun, day: dt.date) -> None:
        if run.episode is not None:
            self.history[run.episode].ended_on = day
        run.since, run.count, run.answered_on, run.showing = None, 0, None, False
        run.last_shown, run.episode = None, None


def _raised(spec: FlagSpec, run: FlagRun) -> bool:
    return run.since is not None and run.count >= spec.for_checkins


def _standing(spec: FlagSpec, run: FlagRun) -> StandingFlag:
    since = run.since or dt.date.min  # only called for raised runs, which have both
    return StandingFlag(spec, since, run.answered_on, run.showing, run.last_shown or since)


def referral_level(flags: list[StandingFlag]) -> str:
    """The most urgent referral among flags nobody has answered yet."""
    level = "none"
    for standing in flags:
        if not standing.answered and LEVELS.index(standing.referral) > LEVELS.index(level):
            level = standing.referral
    return level
