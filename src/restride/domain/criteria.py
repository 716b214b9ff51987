"""A phase's exit criteria, read against the replayed state: met or not, and the earliest day
each can be met (what `next` promises)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from restride.domain.protocol import (
    CheckinStreak,
    ClinicianClearance,
    Criterion,
    MinDaysFromStart,
    MinDaysInPhase,
    NoFlareWithin,
    ProgramComplete,
    TestPassed,
)
from restride.domain.tailoring import extra_gate, minimum_days, skipped_weeks

if TYPE_CHECKING:
    from restride.domain.engine import Replay

ONE_DAY = dt.timedelta(days=1)


class Criteria:
    def __init__(self, replay: Replay) -> None:
        self._replay = replay

    def unmet(self, day: dt.date, *, bone: bool) -> list[tuple[Criterion, str, dt.date | None]]:
        """The current phase's exit criteria not met on `day`: (criterion, status, earliest)."""
        unmet: list[tuple[Criterion, str, dt.date | None]] = []
        tomorrow = day + ONE_DAY
        for criterion in self.exits():
            status, earliest = self.status(criterion, day, bone=bone)
            if status is not None:
                unmet.append((criterion, status, max(earliest, tomorrow) if earliest else None))
        return unmet

    def exit_ready(self, day: dt.date, *, bone: bool) -> bool:
        # Cheap criteria first: on most days a minimum duration already says no.
        exits = sorted(self.exits(), key=lambda c: isinstance(c, CheckinStreak))
        return all(self.status(c, day, bone=bone)[0] is None for c in exits)

    def needs_clearance(self, day: dt.date, *, bone: bool) -> bool:
        """Whether the phase's exit waits for a clinician's clearance for this injury."""
        return any(
            c.kind == "clinician_clearance" and self.status(c, day, bone=bone)[0] is not None
            for c in self.exits()
        )

    def exits(self) -> list[Criterion]:
        """The phase's exit criteria, with a clearance gate a clinician added (RTR-7)."""
        replay = self._replay
        st = replay.state
        if not st.tailoring:
            return replay.phase.exit
        added = extra_gate(replay.protocol, st.phase_index, st.tailoring)
        return [*replay.phase.exit, added] if added else replay.phase.exit

    def status(
        self, criterion: Criterion, day: dt.date, *, bone: bool
    ) -> tuple[str | None, dt.date | None]:
        """None when met, else where the runner stands and the earliest day it can be met."""
        replay = self._replay
        st = replay.state
        case = replay.case
        phase = replay.phase
        in_phase = (day - st.phase_start).days + 1
        if isinstance(criterion, MinDaysInPhase):
            days = minimum_days(phase, criterion, st.tailoring)
            if in_phase >= days + 1:
                return None, None
            return f"day {in_phase} of at least {days}", st.phase_start + dt.timedelta(days=days)
        if isinstance(criterion, MinDaysFromStart):
            days = minimum_days(phase, criterion, st.tailoring)
            since = (day - case.program_start).days
            if since >= days:
                return None, None
            return (
                f"{since} of at least {days} days since the program began",
                case.program_start + dt.timedelta(days=days),
            )
        if isinstance(criterion, CheckinStreak):
            streak = self.streak(criterion, day)
            if streak >= criterion.days:
                return None, None
            return (
                f"{streak} of {criterion.days} days in a row",
                day + dt.timedelta(days=criterion.days - streak),
            )
        if isinstance(criterion, ProgramComplete):
            if st.program_complete:
                return None, None
            skipped = skipped_weeks(phase, st.tailoring) if st.tailoring else set()
            weeks_left = len(
                [w for w in range(st.week_index + 1, len(phase.weeks)) if w not in skipped]
            )
            end_of_week = max(st.week_start + dt.timedelta(days=7), day + ONE_DAY)
            return (
                f"week {st.week_index + 1} of {len(phase.weeks)}",
                end_of_week + dt.timedelta(days=7 * weeks_left),
            )
        if isinstance(criterion, TestPassed):
            passed = st.tests_passed.get(criterion.test)
            if passed is not None and (day - passed).days <= criterion.within_days:
                return None, None
            skipped = skipped_weeks(phase, st.tailoring) if st.tailoring else set()
            offer_index = criterion.offer_from_week - 1
            weeks_until = len(
                [w for w in range(st.week_index + 1, offer_index + 1) if w not in skipped]
            )
            offer = st.week_start + dt.timedelta(days=7 * weeks_until)
            return "not passed yet", max(offer, day + ONE_DAY)
        if isinstance(criterion, ClinicianClearance):
            needed = (
                criterion.when == "always"
                or (criterion.when == "bone" and bone)
                or (
                    criterion.when == "high_risk_site"
                    and case.injury.site in replay.protocol.high_risk_sites
                )
            )
            # RTR-9: only a clearance given at this gate, in this stay in the phase, opens it.
            cleared = st.gate_clears.get(st.phase_index)
            if not needed or (cleared is not None and cleared >= st.phase_start):
                return None, None
            return "waiting for your clinician to clear you", None
        if isinstance(criterion, NoFlareWithin):
            if st.last_flare is None or (day - st.last_flare).days >= criterion.days:
                return None, None
            last = st.last_flare
            return f"last flare on {last.isoformat()}", last + dt.timedelta(days=criterion.days)
        raise AssertionError(f"unhandled criterion {criterion!r}")

    def streak(self, criterion: CheckinStreak, day: dt.date) -> int:
        """Consecutive check-ins up to `day` that meet the criterion (counted up to its need)."""
        count = 0
        while count < criterion.days:
            checkin = self._replay.streak_checkin(day - dt.timedelta(days=count))
            if checkin is None or not all(c.holds(checkin) for c in criterion.require):
                break
            count += 1
        return count

    def tests_due(self, day: dt.date) -> list[TestPassed]:
        st = self._replay.state
        due: list[TestPassed] = []
        for criterion in self._replay.phase.exit:
            if isinstance(criterion, TestPassed) and st.week_index + 1 >= criterion.offer_from_week:
                passed = st.tests_passed.get(criterion.test)
                if passed is None or (day - passed).days > criterion.within_days:
                    due.append(criterion)
        return due
