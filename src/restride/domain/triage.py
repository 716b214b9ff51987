"""Red-flag triage on every check-in (RF-1..RF-4, RTR-3). A standing red flag beats every
progression rule.

A flag stands from the first check-in that shows it until a check-in no longer does; a day
without a check-in leaves it standing, since nothing says it has gone. A clinician's `clear`
dated on or after the day a flag began answers that flag: the runner has been seen for it.
When the sign goes away and comes back, it is a new flag and needs a new visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.protocol import Protocol, RedFlag

if TYPE_CHECKING:
    from restride.domain.case import CheckIn, Injury

LEVELS = ("none", "routine", "soon", "urgent")


@dataclass(frozen=True)
class StandingFlag:
    flag: RedFlag
    since: dt.date
    answered_on: dt.date | None

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


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
        and flag_applies(protocol, f, injury, bone=bone)
        and flag_shows(f, checkin)
    ]


class FlagTracker:
    """Follows each red flag through the days of a case."""

    def __init__(self, protocol: Protocol, injury: Injury) -> None:
        self._protocol = protocol
        self._injury = injury
        self._runs: list[tuple[dt.date | None, int]] = [(None, 0) for _ in protocol.red_flags]
        # Whether a flag can apply to this injury at all, before the bone question.
        self._possible = [
            flag_applies(protocol, flag, injury, bone=True) for flag in protocol.red_flags
        ]

    def update(self, day: dt.date, checkin: CheckIn | None, *, bone: bool) -> None:
        for index, flag in enumerate(self._protocol.red_flags):
            since, count = self._runs[index]
            if not self._possible[index] or (flag.bone_only and not bone):
                self._runs[index] = (None, 0)
            elif checkin is None and flag.when_any:
                continue
            elif flag_shows(flag, checkin):
                self._runs[index] = (since or day, count + 1)
            else:
                self._runs[index] = (None, 0)

    def standing(self, last_clear: dt.date | None) -> list[StandingFlag]:
        flags: list[StandingFlag] = []
        for flag, (since, count) in zip(self._protocol.red_flags, self._runs, strict=True):
            if since is None or count < flag.for_checkins:
                continue
            answered = last_clear if last_clear is not None and last_clear >= since else None
            flags.append(StandingFlag(flag, since, answered))
        return flags


def referral_level(flags: list[StandingFlag]) -> str:
    """The most urgent referral among flags nobody has answered yet."""
    level = "none"
    for standing in flags:
        if not standing.answered and LEVELS.index(standing.flag.referral) > LEVELS.index(level):
            level = standing.flag.referral
    return level
