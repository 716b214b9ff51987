"""The engine: `decide(protocol, library, case)` says what the runner does today, and why.

State is never stored: it comes from replaying the case day by day from the program start,
so the same history always gives the same answer. On each day, in this order: clinician
events, triage (red flags win), setbacks, the pain read of yesterday's sessions, and only
then, if nothing stands in the way, a step up (a new week, or the next phase).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field

from restride.domain.case import Case, CheckIn, ClinicianEvent, Session
from restride.domain.decision import PhaseSpan
from restride.domain.pain import (
    Outcome,
    SessionVerdict,
    ceiling,
    checkin_flare,
    is_bone_injury,
    is_loading,
    judge_session,
    rising_fields,
    worst_pain,
)
from restride.domain.protocol import (
    CheckinStreak,
    ClinicianClearance,
    Criterion,
    MinDaysFromStart,
    MinDaysInPhase,
    NoFlareWithin,
    Phase,
    ProgramComplete,
    Protocol,
    TestPassed,
)
from restride.domain.triage import FlagTracker, StandingFlag, referral_level

ONE_DAY = dt.timedelta(days=1)
PAIN_LABELS = {
    "pain_rest": "pain at rest",
    "pain_walking": "walking pain",
    "pain_activity": "pain during activity",
    "pain_after": "pain after activity",
    "pain_next_morning": "next-morning pain",
}
RISING_LOOKBACK_DAYS = 7


@dataclass
class Note:
    """Something that shaped a day's decision: an engine or protocol rule and the facts."""

    rule_id: str
    detail: str = ""
    warning: bool = False


@dataclass
class DayState:
    """Where the runner stands at the end of one replayed day."""

    date: dt.date
    phase_index: int
    phase_start: dt.date
    week_index: int
    week_start: dt.date
    action: str
    referral: str
    notes: list[Note]
    standing_flags: list[StandingFlag]
    resting: bool
    stopped: bool
    bone: bool
    progressed: str | None  # "week" or "phase" when today stepped up
    program_complete: bool


@dataclass
class _State:
    phase_index: int
    phase_start: dt.date
    week_index: int = 0
    week_start: dt.date = dt.date.min
    clean_sessions: int = 0
    last_outcome: Outcome = Outcome.CLEAN
    program_complete: bool = False
    rest_until: dt.date | None = None
    last_flare: dt.date | None = None
    hold: ClinicianEvent | None = None
    last_clear: dt.date | None = None
    last_note: ClinicianEvent | None = None
    seen_clinician: bool = False
    tenderness_seen: bool = False
    checkin_run: int = 0  # consecutive days with a check-in, ending today
    tests_passed: dict[str, dt.date] = field(default_factory=dict)
    spans: list[PhaseSpan] = field(default_factory=list)


class Replay:
    """Day-by-day replay of one case under one protocol."""

    def __init__(self, protocol: Protocol, case: Case) -> None:
        self.protocol = protocol
        self.case = case
        self._checkins: dict[dt.date, CheckIn] = {c.date: c for c in case.checkins}
        # Input order never matters: the same history in any order gives the same answer.
        self._sessions: dict[dt.date, list[Session]] = defaultdict(list)
        for s in sorted(case.sessions, key=_session_order):
            self._sessions[s.date].append(s)
        self._events: dict[dt.date, list[ClinicianEvent]] = defaultdict(list)
        for e in sorted(standing_events(case.clinician_events), key=_event_order):
            self._events[e.date].append(e)
        self._recent: deque[CheckIn] = deque()
        self._run_minutes: deque[tuple[dt.date, float]] = deque()
        self._setback_runs = [0] * len(protocol.setbacks)
        self.flags = FlagTracker(protocol, case.injury)
        start = case.program_start
        self.state = _State(phase_index=0, phase_start=start, week_start=start)
        self.state.spans.append(
            PhaseSpan(phase=protocol.phases[0].id, start=start, end=None, how_it_ended="ongoing")
        )

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> DayState:
        day = self.case.program_start
        result = self._step(day)
        while day < self.case.today:
            day += ONE_DAY
            result = self._step(day)
        return result

    def _step(self, day: dt.date) -> DayState:
        st = self.state
        p = self.protocol
        notes: list[Note] = []
        checkin = self._checkins.get(day)
        st.checkin_run = st.checkin_run + 1 if checkin else 0
        if checkin is not None and checkin.bone_tenderness:
            st.tenderness_seen = True
        bone = is_bone_injury(self.case.injury, tenderness_seen=st.tenderness_seen)

        self._apply_clinician_events(day, notes)
        hold_reasons = 0
        if st.hold is not None:
            notes.append(Note(p.engine_rules["clinician_hold"], _event_text(st.hold)))
            hold_reasons += 1

        # Triage first: a standing red flag beats every progression rule.
        self.flags.update(day, checkin, bone=bone)
        standing = self.flags.standing(st.last_clear)
        referral = referral_level(standing)
        stopped = referral in ("soon", "urgent")
        for flag in standing:
            when = (
                "today"
                if flag.since == day
                else f"on every check-in since {flag.since.isoformat()}"
            )
            notes.append(Note(flag.flag.rule, f"You reported this {when}"))
            if flag.answered:
                notes.append(
                    Note(p.engine_rules["referral_answered"], f"seen on {flag.answered_on}")
                )
            if (flag.answered and flag.flag.when_any) or flag.flag.referral == "routine":
                # A sign that does not stop the runner still keeps them where they are; a
                # standing condition (a high-risk site) is gated by clearances instead.
                hold_reasons += 1
        if stopped and bone and self._negative_xray_recent(day):
            notes.append(Note(p.engine_rules["xray_negative"], self._negative_xray_text(day)))
        if referral in ("none",) and not st.seen_clinician:
            referral = "routine"
            notes.append(Note(p.engine_rules["therapist"]))

        action = "continue"
        progressed: str | None = None
        phase = self.phase

        # Setbacks: signs that send the runner back to an earlier phase.
        setback = self._setback(checkin, phase)
        if setback is not None:
            rule_id, target = setback
            self._enter_phase(p.phase_index(target), day, how="setback")
            notes.append(Note(rule_id, f"back to {p.phases[st.phase_index].title}"))
            action = "regress"
            phase = self.phase

        # Yesterday's loading sessions are judged this morning.
        worst = self._judge_yesterday(day, checkin, bone=bone, phase=phase, notes=notes)
        if checkin is not None and phase.loading:
            worst = max(worst, checkin_flare(p.pain, checkin, bone=bone))
        if worst.steps_back and action != "regress":
            self._step_back(day, worst, notes)
            action = "regress"
        elif worst in (Outcome.REPEAT_AFTER,):
            self._rest(day, p.flare.after_soreness_rest_days)
            notes.append(
                Note(p.engine_rules["rest_days"], _rest_text(p.flare.after_soreness_rest_days))
            )
        resting = st.rest_until is not None and day <= st.rest_until
        if resting and action != "regress":
            hold_reasons += 1
            if not any(n.rule_id == p.engine_rules["rest_days"] for n in notes):
                notes.append(Note(p.engine_rules["rest_days"], f"rest until {st.rest_until}"))

        # Today's own check-in: missing, rising or above the ceiling all hold.
        if checkin is None:
            notes.append(
                Note(p.engine_rules["missing_checkin"], f"no check-in for {day.isoformat()}")
            )
            hold_reasons += 1
        elif (
            st.checkin_run < p.checkins_to_progress
            and st.checkin_run <= (day - self.case.program_start).days
        ):
            # After a gap, say why nothing moves on although today looks fine.
            notes.append(
                Note(
                    p.engine_rules["missing_checkin"],
                    f"{st.checkin_run} of {p.checkins_to_progress} check-ins in a row since a gap",
                )
            )
        if checkin is not None:
            rising = rising_fields(p.pain, checkin, list(self._recent))
            if rising:
                facts = ", ".join(
                    f"{PAIN_LABELS[f]} went from {lo} to {now}" for f, lo, now in rising
                )
                notes.append(Note(p.engine_rules["rising_pain"], facts))
                hold_reasons += 1
            worst_now = worst_pain(checkin)
            limit = ceiling(p.pain, bone=bone)
            if worst_now is not None and worst_now > limit and phase.loading:
                notes.append(
                    Note(
                        p.engine_rules["pain_above_ceiling"],
                        f"worst pain today {worst_now}/10, limit {limit}/10",
                    )
                )
                hold_reasons += 1
        if bone and phase.loading:
            notes.append(Note(p.engine_rules["bone_ceiling"]))

        can_step_up = (
            not stopped
            and hold_reasons == 0
            and action == "continue"
            and st.checkin_run >= p.checkins_to_progress
            and st.last_outcome
            not in (Outcome.UNKNOWN, Outcome.REPEAT_WARMUP_SETTLED, Outcome.REPEAT_AFTER)
        )
        if can_step_up:
            progressed = self._try_step_up(day, phase, bone=bone, notes=notes)
            if progressed:
                action = "progress"
        if action == "continue" and (stopped or hold_reasons):
            action = "hold"
        if stopped:
            action = "stop"

        self._remember(day, checkin)
        return DayState(
            date=day,
            phase_index=st.phase_index,
            phase_start=st.phase_start,
            week_index=st.week_index,
            week_start=st.week_start,
            action=action,
            referral=referral,
            notes=notes,
            standing_flags=standing,
            resting=resting or (st.rest_until is not None and day <= st.rest_until),
            stopped=stopped,
            bone=bone,
            progressed=progressed,
            program_complete=st.program_complete,
        )

    # -- pieces of a day -------------------------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self.protocol.phases[self.state.phase_index]

    def _apply_clinician_events(self, day: dt.date, notes: list[Note]) -> None:
        st = self.state
        rules = self.protocol.engine_rules
        for event in self._events.get(day, ()):
            st.seen_clinician = True
            if event.kind == "hold":
                st.hold = event
            elif event.kind == "release_hold":
                st.hold = None
                notes.append(Note(rules["clinician_hold"], "released: " + _event_text(event)))
            elif event.kind == "clear":
                st.last_clear = day
                notes.append(Note(rules["clinician_clear"], _event_text(event)))
            else:
                st.last_note = event
        if st.last_note is not None and (day - st.last_note.date).days < 7:
            notes.append(Note(rules["clinician_note"], _event_text(st.last_note)))

    def _streak(self, criterion: CheckinStreak, day: dt.date) -> int:
        """Consecutive check-ins up to `day` that meet the criterion (counted up to its need)."""
        count = 0
        while count < criterion.days:
            checkin = self._checkins.get(day - dt.timedelta(days=count))
            if checkin is None or not all(c.holds(checkin) for c in criterion.require):
                break
            count += 1
        return count

    def _setback(self, checkin: CheckIn | None, phase: Phase) -> tuple[str, str] | None:
        found: tuple[str, str] | None = None
        for index, setback in enumerate(self.protocol.setbacks):
            if checkin is None:
                continue
            if any(c.holds(checkin) for c in setback.when_any):
                self._setback_runs[index] += 1
            else:
                self._setback_runs[index] = 0
            due = self._setback_runs[index] >= setback.for_checkins
            if due and phase.id in setback.from_phases and found is None:
                found = (setback.rule, setback.to_phase)
                self._setback_runs[index] = 0
        return found

    def _judge_yesterday(
        self, day: dt.date, checkin: CheckIn | None, *, bone: bool, phase: Phase, notes: list[Note]
    ) -> Outcome:
        st = self.state
        p = self.protocol
        yesterday = day - ONE_DAY
        worst = Outcome.CLEAN
        for session in self._sessions.get(yesterday, ()):
            if not is_loading(session):
                continue
            verdict = judge_session(
                p.pain,
                session,
                bone=bone,
                same_day=self._checkins.get(yesterday),
                next_morning=checkin,
            )
            self._note_verdict(verdict, notes)
            self._check_spike(session, notes)
            if session.kind == "test" and session.test and verdict.outcome.counts:
                if session.pain_during is not None:
                    st.tests_passed[session.test] = session.date
            if (
                session.date >= st.week_start
                and verdict.outcome.counts
                and self._counts(session, phase)
            ):
                st.clean_sessions += 1
            st.last_outcome = verdict.outcome
            worst = max(worst, verdict.outcome)
        return worst

    def _counts(self, session: Session, phase: Phase) -> bool:
        if session.kind == "test" or not phase.weeks:
            return False
        kinds = phase.weeks[self.state.week_index].count_kinds
        return not kinds or session.kind in kinds

    def _note_verdict(self, verdict: SessionVerdict, notes: list[Note]) -> None:
        rules = self.protocol.engine_rules
        key = {
            Outcome.UNKNOWN: "missing_checkin",
            Outcome.AMBER_SETTLED: "amber_pain",
            Outcome.REPEAT_WARMUP_SETTLED: "soreness_warmup_settled",
            Outcome.REPEAT_AFTER: "soreness_after",
            Outcome.REGRESS_PERSISTED: "soreness_warmup_persisted",
            Outcome.FLARE_BONE: "flare_bone",
        }.get(verdict.outcome)
        if key is not None:
            notes.append(Note(rules[key], verdict.detail))

    def _check_spike(self, session: Session, notes: list[Note]) -> None:
        # LOAD-1: a run against the longest run of the previous 30 days.
        minutes = session.run_min
        if minutes is None and session.kind == "run":
            minutes = session.done_min
        if not minutes:
            return
        load = self.protocol.load
        horizon = session.date - dt.timedelta(days=load.spike_lookback_days)
        while self._run_minutes and self._run_minutes[0][0] < horizon:
            self._run_minutes.popleft()
        previous = max((m for d, m in self._run_minutes if d < session.date), default=0.0)
        self._run_minutes.append((session.date, minutes))
        if previous <= 0:
            return
        rise = minutes / previous - 1
        facts = (
            f"{minutes:g} min of running vs {previous:g} min, the longest in the previous "
            f"{load.spike_lookback_days} days (+{rise:.0%})"
        )
        if rise > load.spike_block:
            notes.append(Note(self.protocol.engine_rules["spike_block"], facts))
            self.state.last_outcome = Outcome.REPEAT_AFTER
        elif rise > load.spike_warn:
            notes.append(Note(self.protocol.engine_rules["spike_warn"], facts, warning=True))

    def _rest(self, day: dt.date, days: int) -> None:
        st = self.state
        until = day + dt.timedelta(days=days - 1)
        st.rest_until = until if st.rest_until is None else max(st.rest_until, until)

    def _step_back(self, day: dt.date, outcome: Outcome, notes: list[Note]) -> None:
        st = self.state
        flare = self.protocol.flare
        days = flare.bone_rest_days if outcome == Outcome.FLARE_BONE else flare.persisted_rest_days
        self._rest(day, days)
        st.last_flare = day
        before = st.week_index
        st.week_index = max(0, st.week_index - 1)
        st.week_start = (st.rest_until or day) + ONE_DAY
        st.clean_sessions = 0
        st.program_complete = False
        st.last_outcome = Outcome.CLEAN
        where = (
            f"week {before + 1} → week {st.week_index + 1}"
            if self.phase.weeks
            else "no change of week"
        )
        notes.append(Note(self.protocol.engine_rules["rest_days"], _rest_text(days) + f"; {where}"))

    def _try_step_up(
        self, day: dt.date, phase: Phase, *, bone: bool, notes: list[Note]
    ) -> str | None:
        st = self.state
        p = self.protocol
        week_done = self._week_done(day, phase, notes)
        if week_done and st.week_index == len(phase.weeks) - 1:
            st.program_complete = True
        if st.phase_index + 1 < len(p.phases) and self._exit_ready(day, bone=bone):
            met = ", ".join(sorted({c.rule for c in phase.exit}))
            self._enter_phase(st.phase_index + 1, day, how="progress")
            notes.append(Note(p.engine_rules["phase_progress"], f"criteria met: {met}"))
            return "phase"
        if week_done and st.week_index < len(phase.weeks) - 1:
            st.week_index += 1
            st.week_start = day
            st.clean_sessions = 0
            notes.append(
                Note(p.engine_rules["week_progress"], f"week {st.week_index} done cleanly")
            )
            return "week"
        return None

    def _week_done(self, day: dt.date, phase: Phase, notes: list[Note]) -> bool:
        st = self.state
        if not phase.weeks:
            return False
        if (day - st.week_start).days < 7:
            return False
        week = phase.weeks[st.week_index]
        if st.clean_sessions < week.min_sessions:
            notes.append(
                Note(
                    self.protocol.engine_rules["sessions_missing"],
                    f"{st.clean_sessions} of {week.min_sessions} sessions logged "
                    "without soreness this week",
                )
            )
            return False
        return True

    def _enter_phase(self, index: int, day: dt.date, *, how: str) -> None:
        st = self.state
        last = st.spans[-1]
        st.spans[-1] = last.model_copy(update={"end": day - ONE_DAY, "how_it_ended": how})
        st.phase_index = index
        st.phase_start = day
        st.week_index = 0
        st.week_start = day
        st.clean_sessions = 0
        st.program_complete = False
        st.last_outcome = Outcome.CLEAN
        st.spans.append(
            PhaseSpan(
                phase=self.protocol.phases[index].id, start=day, end=None, how_it_ended="ongoing"
            )
        )

    def _remember(self, day: dt.date, checkin: CheckIn | None) -> None:
        if checkin is not None:
            self._recent.append(checkin)
        horizon = day - dt.timedelta(days=RISING_LOOKBACK_DAYS - 1)
        while self._recent and self._recent[0].date < horizon:
            self._recent.popleft()

    # -- criteria ---------------------------------------------------------------------------

    def unmet(self, day: dt.date, *, bone: bool) -> list[tuple[Criterion, str, dt.date | None]]:
        """The current phase's exit criteria not met on `day`: (criterion, status, earliest)."""
        st = self.state
        unmet: list[tuple[Criterion, str, dt.date | None]] = []
        tomorrow = day + ONE_DAY
        for index, criterion in enumerate(self.phase.exit):
            status, earliest = self._status(index, criterion, day, bone=bone)
            if status is not None:
                unmet.append((criterion, status, max(earliest, tomorrow) if earliest else None))
        del st
        return unmet

    def _exit_ready(self, day: dt.date, *, bone: bool) -> bool:
        # Cheap criteria first: on most days a minimum duration already says no.
        order = sorted(
            range(len(self.phase.exit)),
            key=lambda i: isinstance(self.phase.exit[i], CheckinStreak),
        )
        return all(self._status(i, self.phase.exit[i], day, bone=bone)[0] is None for i in order)

    def _status(
        self, index: int, criterion: Criterion, day: dt.date, *, bone: bool
    ) -> tuple[str | None, dt.date | None]:
        st = self.state
        in_phase = (day - st.phase_start).days + 1
        if isinstance(criterion, MinDaysInPhase):
            if in_phase >= criterion.days + 1:
                return None, None
            return f"day {in_phase} of at least {criterion.days}", st.phase_start + dt.timedelta(
                days=criterion.days
            )
        if isinstance(criterion, MinDaysFromStart):
            since = (day - self.case.program_start).days
            if since >= criterion.days:
                return None, None
            return (
                f"{since} of at least {criterion.days} days since the program began",
                self.case.program_start + dt.timedelta(days=criterion.days),
            )
        if isinstance(criterion, CheckinStreak):
            streak = self._streak(criterion, day)
            if streak >= criterion.days:
                return None, None
            return (
                f"{streak} of {criterion.days} days in a row",
                day + dt.timedelta(days=criterion.days - streak),
            )
        if isinstance(criterion, ProgramComplete):
            if st.program_complete:
                return None, None
            weeks_left = len(self.phase.weeks) - st.week_index - 1
            end_of_week = max(st.week_start + dt.timedelta(days=7), day + ONE_DAY)
            return (
                f"week {st.week_index + 1} of {len(self.phase.weeks)}",
                end_of_week + dt.timedelta(days=7 * weeks_left),
            )
        if isinstance(criterion, TestPassed):
            passed = st.tests_passed.get(criterion.test)
            if passed is not None and (day - passed).days <= criterion.within_days:
                return None, None
            offer = st.week_start + dt.timedelta(
                days=7 * (criterion.offer_from_week - 1 - st.week_index)
            )
            return "not passed yet", max(offer, day + ONE_DAY)
        if isinstance(criterion, ClinicianClearance):
            needed = (
                criterion.when == "always"
                or (criterion.when == "bone" and bone)
                or (
                    criterion.when == "high_risk_site"
                    and self.case.injury.site in self.protocol.high_risk_sites
                )
            )
            if not needed or (st.last_clear is not None and st.last_clear >= st.phase_start):
                return None, None
            return "waiting for your clinician to clear you", None
        if isinstance(criterion, NoFlareWithin):
            if st.last_flare is None or (day - st.last_flare).days >= criterion.days:
                return None, None
            last = st.last_flare
            return f"last flare on {last.isoformat()}", last + dt.timedelta(days=criterion.days)
        raise AssertionError(f"unhandled criterion {criterion!r}")

    def tests_due(self, day: dt.date) -> list[TestPassed]:
        st = self.state
        due: list[TestPassed] = []
        for criterion in self.phase.exit:
            if isinstance(criterion, TestPassed) and st.week_index + 1 >= criterion.offer_from_week:
                passed = st.tests_passed.get(criterion.test)
                if passed is None or (day - passed).days > criterion.within_days:
                    due.append(criterion)
        return due

    # -- facts --------------------------------------------------------------------------------

    def _negative_xray_recent(self, day: dt.date) -> bool:
        window = dt.timedelta(days=self.protocol.negative_xray_window_days)
        return any(
            i.modality == "xray" and i.result == "negative" and day - i.date <= window
            for i in self.case.injury.imaging
        )

    def _negative_xray_text(self, day: dt.date) -> str:
        dates = [
            i.date.isoformat()
            for i in self.case.injury.imaging
            if i.modality == "xray" and i.result == "negative"
        ]
        return "negative X-ray on " + ", ".join(dates)


EVENT_ORDER = {"note": 0, "clear": 1, "hold": 2, "release_hold": 3, "withdraw": 4}


def standing_events(events: list[ClinicianEvent]) -> list[ClinicianEvent]:
    """The events that still count: a withdrawn event counts as never given (a mistake taken
    back), and the withdrawals themselves decide nothing."""
    withdrawn = {e.withdraws for e in events if e.kind == "withdraw"}
    return [e for e in events if e.kind != "withdraw" and (e.id is None or e.id not in withdrawn)]


def _session_order(session: Session) -> tuple[str, ...]:
    return (session.date.isoformat(), session.model_dump_json())


def _event_order(event: ClinicianEvent) -> tuple[str, int, str]:
    # On one day a release follows a hold: the clinician's last word stands.
    return (event.date.isoformat(), EVENT_ORDER[event.kind], event.model_dump_json())


def _event_text(event: ClinicianEvent) -> str:
    who = f" ({event.clinician})" if event.clinician else ""
    return f"{event.date.isoformat()}{who}: {event.reason}"


def _rest_text(days: int) -> str:
    return f"{days} day{'s' if days > 1 else ''} off"
