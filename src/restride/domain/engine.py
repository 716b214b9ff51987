"""The engine: replay a case day by day and say where the runner stands at the end of it.

State is never stored: it comes from replaying the case day by day from the program start,
so the same history always gives the same answer. Records dated before the program start are
read first: their red flags and clinician events stand. On each day, in this order: today's
check-in against the red flags, the clinician's events in the order they were given, setbacks,
the pain read of yesterday's sessions (flares step back), gaps in the program, and only then,
if nothing stands in the way, a step up (a new week, or the next phase).

The engine remembers what a careful clinician would (RF-6, RTR-8, RTR-9, PAIN-7): a flag that
earned a referral stands until a clinician answers it; a clearance answers only what was known
when it was given and opens only the gate the runner stood at; a severe or repeated flare steps
back further and refers; weeks without the program's sessions step back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from restride.domain.anatomy import SITES
from restride.domain.case import TAILORING_KINDS, standing_events
from restride.domain.criteria import Criteria
from restride.domain.decision import PhaseSpan
from restride.domain.memory import (
    ENGINE_VERSION,
    Checkpoint,
    FlagMemory,
    Note,
    ProgramState,
    ReplayMemory,
    copy_memory,
)
from restride.domain.pain import (
    Outcome,
    SessionVerdict,
    ceiling,
    checkin_flare,
    hurt,
    is_bone_injury,
    is_loading,
    judge_session,
    kind_disagrees_with_site,
    rising_fields,
    worst_pain,
)
from restride.domain.tailoring import describe, problem, skipped_weeks
from restride.domain.triage import FlagSpec, FlagTracker, StandingFlag, referral_level

if TYPE_CHECKING:
    from collections.abc import Iterator

    from restride.domain.case import Case, CheckIn, ClinicianEvent, Session
    from restride.domain.protocol import Phase, Protocol

ONE_DAY = dt.timedelta(days=1)
PAIN_LABELS = {
    "pain_rest": "pain at rest",
    "pain_walking": "walking pain",
    "pain_activity": "pain during activity",
    "pain_after": "pain after activity",
    "pain_next_morning": "next-morning pain",
}
RISING_LOOKBACK_DAYS = 7
NOTE_DAYS = 7  # a clinician's note (or withdrawal) is shown for a week
GATE_AHEAD_DAYS = 7  # a standing clear opens a gate whose other criteria are this close (RTR-9)
TODAY_PAIN_FIELDS = ("pain_rest", "pain_walking", "pain_next_morning")
# At a bone site, pain today means none of these for exercise today (PAIN-4).
IMPACT_KINDS = frozenset({"walk", "walk_run", "run", "functional", "test"})
ALWAYS_FINE = frozenset({"self_massage", "mobility"})


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
    no_impact: bool = False  # pain at the bone today: no impact items (PAIN-4)
    non_weight_bearing: bool = False  # a flag that allows no weight on the leg stands (RF-9)


class Replay:
    """Day-by-day replay of one case under one protocol."""

    def __init__(self, protocol: Protocol, case: Case, *, resume: Checkpoint | None = None) -> None:
        """A replay of `case`; with `resume` (a checkpoint of this same history, made by this
        engine and protocol, before `case.today`) it carries on from the checkpoint's day."""
        self.protocol = protocol
        self.case = case
        self.rules = protocol.engine_rules
        self._checkins: dict[dt.date, CheckIn] = {c.date: c for c in case.checkins}
        # Input order never matters for sessions: the same sessions in any order give the same
        # answer. Events on one day keep the order they were given in (their `time`, if all
        # have one): a hold after a release is the clinician's last word.
        self._sessions: dict[dt.date, list[Session]] = defaultdict(list)
        for s in case.sessions:
            self._sessions[s.date].append(s)
        for date, logged in self._sessions.items():
            self._sessions[date] = _in_order(logged)
        self._events: dict[dt.date, list[ClinicianEvent]] = defaultdict(list)
        for e in standing_events(case.clinician_events):
            self._events[e.date].append(e)
        for events in self._events.values():
            if all(e.time is not None for e in events):
                events.sort(key=lambda e: e.time or dt.time.min)
        if resume is not None and not self.can_resume(resume):
            resume = None
        self.resumed_from: dt.date | None = resume.memory.day if resume else None
        memory = copy_memory(resume.memory) if resume else self._fresh_memory()
        self.memory = memory
        self.state = memory.state
        self.flags = FlagTracker(protocol, case.injury, self._engine_flags(), memory.flags)
        self._recent: deque[CheckIn] = deque(memory.recent)
        self._run_minutes: deque[tuple[dt.date, float]] = deque(memory.run_minutes)
        self._setback_runs = memory.setback_runs
        self._off_plan = memory.off_plan
        self.criteria = Criteria(self)

    def can_resume(self, checkpoint: Checkpoint) -> bool:
        day = checkpoint.memory.day
        by_id = {e.id: e for e in self.case.clinician_events if e.id}
        # A withdrawal after the checkpoint of an event before it changes the days before it.
        reaches_back = any(
            e.kind == "withdraw"
            and e.date > day
            and e.withdraws in by_id
            and by_id[e.withdraws].date <= day
            for e in self.case.clinician_events
        )
        return (
            checkpoint.engine_version == ENGINE_VERSION
            and checkpoint.protocol == self.protocol.id
            and checkpoint.protocol_version == self.protocol.version
            and self.case.program_start <= day < self.case.today
            and not reaches_back
        )

    def _fresh_memory(self) -> ReplayMemory:
        start = self.case.program_start
        first = self.protocol.phases[0]
        state = ProgramState(
            phase_index=0,
            phase_start=start,
            week_start=start,
            gap_from=start,
            resting_since=None if first.loading else start,
        )
        state.spans.append(PhaseSpan(phase=first.id, start=start, end=None, how_it_ended="ongoing"))
        return ReplayMemory(
            day=start - ONE_DAY,
            state=state,
            flags=FlagMemory(runs=[]),
            setback_runs=[0] * len(self.protocol.setbacks),
        )

    def checkpoint(self) -> Checkpoint:
        """The memory at the end of the last replayed day, to resume from later."""
        memory = self.memory
        memory.recent = list(self._recent)
        memory.run_minutes = list(self._run_minutes)
        return Checkpoint(
            engine_version=ENGINE_VERSION,
            protocol=self.protocol.id,
            protocol_version=self.protocol.version,
            memory=copy_memory(memory),
        )

    def _engine_flags(self) -> list[FlagSpec]:
        return [
            FlagSpec(rule=self.rules["flare_severe"], referral="soon", by_engine=True),
            FlagSpec(rule=self.rules["failure_to_progress"], referral="soon", by_engine=True),
        ]

    # -- the loop ------------------------------------------------------------------------

    def run(self, *, checkpoint_on: dt.date | None = None) -> DayState:
        """Replay up to `case.today`; with `checkpoint_on`, keep a checkpoint of that day's end
        in `self.saved` on the way."""
        *_, last = self.days(checkpoint_on=checkpoint_on)
        return last

    def days(self, *, checkpoint_on: dt.date | None = None) -> Iterator[DayState]:
        """Each replayed day's state, up to `case.today`."""
        self.saved: Checkpoint | None = None
        if self.resumed_from is None:
            self._before_the_start()
            day = self.case.program_start
        else:
            day = self.resumed_from + ONE_DAY
        yield self._step(day)
        while day < self.case.today:
            if day == checkpoint_on:
                self.saved = self.checkpoint()
            day += ONE_DAY
            yield self._step(day)

    def _before_the_start(self) -> None:
        """Records dated before the program start are not dropped: their flags and events stand,
        and earlier runs are what LOAD-1 compares the first runs with."""
        start = self.case.program_start
        days = sorted({d for d in [*self._checkins, *self._events] if d < start})
        for day in days:
            checkin = self._checkins.get(day)
            if checkin is not None and checkin.bone_tenderness:
                self.state.tenderness_seen = True
            self.flags.update(day, checkin, bone=self._bone())
            self._apply_clinician_events(day, [])
        for day in sorted(d for d in self._sessions if d < start):
            for session in self._sessions[day]:
                self._check_spike(session, [])

    def _bone(self) -> bool:
        return is_bone_injury(self.case.injury, tenderness_seen=self.state.tenderness_seen)

    def _step(self, day: dt.date) -> DayState:
        st = self.state
        p = self.protocol
        notes: list[Note] = []
        checkin = self._checkins.get(day)
        st.checkin_run = st.checkin_run + 1 if checkin else 0
        if checkin is not None and checkin.bone_tenderness:
            st.tenderness_seen = True
        bone = self._bone()
        if bone and kind_disagrees_with_site(self.case.injury):
            notes.append(Note(self.rules["site_is_bone"], self._site_text()))

        # Today's check-in against the red flags, then the clinician's word on it.
        self.flags.update(day, checkin, bone=bone)
        self._apply_clinician_events(day, notes)
        hold_reasons = 0
        if st.hold is not None:
            notes.append(Note(self.rules["clinician_hold"], _event_text(st.hold)))
            hold_reasons += 1

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

        # Yesterday's sessions are judged this morning; a flare steps back.
        worst = self._judge_yesterday(day, checkin, bone=bone, phase=phase, notes=notes)
        if checkin is not None and phase.loading:
            worst = max(worst, checkin_flare(p.pain, p.flare, checkin, bone=bone))
            if checkin.night_pain and worst < Outcome.REGRESS_PERSISTED:
                # PAIN-6: pain that wakes the runner means total rest and a step back.
                worst = Outcome.REGRESS_PERSISTED
        if worst.steps_back and action != "regress":
            self._step_back(day, worst, bone=bone, notes=notes)
            action = "regress"
        elif worst in (Outcome.REPEAT_AFTER,):
            self._rest(day, p.flare.after_soreness_rest_days)
            notes.append(
                Note(self.rules["rest_days"], _rest_text(p.flare.after_soreness_rest_days))
            )
        if action != "regress" and self._gap_step_back(day, phase, notes):
            action = "regress"
        self._watch_failure_to_progress(day, phase, notes)

        # Triage: a standing red flag beats every progression rule.
        standing = self.flags.standing()
        referral = referral_level(standing)
        stopped = referral in ("soon", "urgent")
        hold_reasons += self._flag_notes(day, standing, notes)
        if stopped and bone and self._negative_xray_recent(day):
            notes.append(Note(self.rules["xray_negative"], self._negative_xray_text(day)))
        if referral == "none" and self.case.shared_with:
            notes.append(Note(self.rules["therapist_shared"], _names(self.case.shared_with)))
        elif referral == "none" and not st.seen_clinician:
            referral = "routine"
            notes.append(Note(self.rules["therapist"]))
        non_weight_bearing = any(f.spec.non_weight_bearing and not f.answered for f in standing)
        if non_weight_bearing:
            notes.append(Note(self.rules["non_weight_bearing"]))

        resting = st.rest_until is not None and day <= st.rest_until
        if resting and action != "regress":
            hold_reasons += 1
            if not any(n.rule_id == self.rules["rest_days"] for n in notes):
                notes.append(Note(self.rules["rest_days"], f"rest until {st.rest_until}"))

        # Today's own check-in: missing, rising or above the ceiling all hold.
        hold_reasons += self._checkin_notes(day, checkin, notes)
        no_impact = False
        if checkin is not None:
            limit = ceiling(p.pain, bone=bone)
            worst_now = worst_pain(checkin)
            if worst_now is not None and worst_now > limit and phase.loading:
                notes.append(
                    Note(
                        self.rules["pain_above_ceiling"],
                        f"worst pain today {worst_now}/10, limit {limit}/10",
                    )
                )
                hold_reasons += 1
            today_pain = [
                f"{PAIN_LABELS[f]} {getattr(checkin, f)}/10"
                for f in TODAY_PAIN_FIELDS
                if (getattr(checkin, f) or 0) > p.pain.bone_ceiling
            ]
            if bone and phase.loading and today_pain:
                no_impact = True
                notes.append(Note(self.rules["pain_today"], ", ".join(today_pain)))
        if bone and phase.loading:
            notes.append(Note(self.rules["bone_ceiling"]))

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

        self._note_todays_sessions(day, stopped=stopped, resting=resting)
        notes += self._off_plan.get(day - ONE_DAY, []) + self._off_plan.get(day, [])
        self._remember(day, checkin)
        self.memory.day = day
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
            no_impact=no_impact,
            non_weight_bearing=non_weight_bearing,
        )

    # -- pieces of a day -------------------------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self.protocol.phases[self.state.phase_index]

    def _apply_clinician_events(self, day: dt.date, notes: list[Note]) -> None:
        st = self.state
        rules = self.rules
        for event in self._events.get(day, ()):
            st.seen_clinician = True
            if event.kind == "hold":
                st.hold = event
            elif event.kind == "release_hold":
                if st.hold is not None:
                    released = "hold released: " + _event_text(event)
                    notes.append(Note(rules["clinician_note"], released))
                st.hold = None
            elif event.kind == "clear":
                self._clear(day, event, notes)
            elif event.kind in TAILORING_KINDS:
                self._tailor(day, event, notes)
            else:
                st.last_note = event  # a note, or a withdrawal said as one
        if st.tailoring:
            self._tailoring_notes(day, notes)
        if st.last_note is not None and (day - st.last_note.date).days < NOTE_DAYS:
            text = _event_text(st.last_note)
            if st.last_note.kind == "withdraw":
                text = "an earlier decision was withdrawn: " + text
            notes.append(Note(self.rules["clinician_note"], text))

    def _tailoring_notes(self, day: dt.date, notes: list[Note]) -> None:
        """The tailoring of the phase the runner is in is a reason every day it shapes."""
        st = self.state
        phase_id = self.phase.id
        next_id = self.protocol.phases[min(st.phase_index + 1, len(self.protocol.phases) - 1)].id
        for event in st.tailoring:
            if (
                event.date == day
                or event.phase == phase_id
                or (event.kind == "add_gate" and event.gate == next_id)
                or (event.kind == "change_protocol" and (day - event.date).days < NOTE_DAYS)
            ):
                notes.append(Note(self.rules["tailored"], describe(self.protocol, event)))

    def _tailor(self, day: dt.date, event: ClinicianEvent, notes: list[Note]) -> None:
        """RTR-7: a clinician's change to the program stands from its day on; one that does not
        fit this protocol is said, and changes nothing."""
        st = self.state
        if event.kind == "change_protocol":
            if event.protocol == self.protocol.id:
                st.tailoring.append(event)
            return
        why = problem(self.protocol, event, st.tailoring)
        if why is not None:
            notes.append(
                Note(self.rules["tailored"], f"not applied ({_event_text(event)}): {why}", True)
            )
            return
        st.tailoring.append(event)
        phase = self.phase
        if event.kind == "skip_week" and event.phase == phase.id:
            skipped = skipped_weeks(phase, st.tailoring)
            if st.week_index in skipped:
                # Skipped while in it: the next week starts today.
                st.week_index = self._next_week(phase, st.week_index - 1, skipped)
                st.week_start = day
                st.counted = set()

    def _next_week(self, phase: Phase, index: int, skipped: set[int] | None = None) -> int:
        """The week after `index` that is not skipped (the last week is never skipped)."""
        skipped = skipped_weeks(phase, self.state.tailoring) if skipped is None else skipped
        index += 1
        while index in skipped and index < len(phase.weeks) - 1:
            index += 1
        return index

    def _clear(self, day: dt.date, event: ClinicianEvent, notes: list[Note]) -> None:
        """A clear answers what it names (RTR-9): the flags standing, one flag, or one gate."""
        st = self.state
        p = self.protocol
        what: list[str] = []
        if event.scope in ("standing", "flag"):
            answered = self.flags.answer(day, event.flag if event.scope == "flag" else None)
            for flag in answered:
                if flag.rule == self.rules["failure_to_progress"]:
                    st.resting_since = day  # six more weeks before it is raised again
            if answered:
                what.append("the signs reported up to then")
        next_index = st.phase_index + 1
        if event.scope == "standing" and next_index < len(p.phases):
            if self._at_the_gate(day):
                st.gate_clears[st.phase_index] = day
                what.append(f"the start of {p.phases[next_index].title}")
            elif self.criteria.needs_clearance(day, bone=self._bone()):
                notes.append(
                    Note(
                        self.rules["clearance_scope"],
                        f"the clearance of {day.isoformat()} comes weeks before "
                        f"{p.phases[next_index].title} can start, so it does not open that "
                        "gate: it needs a clearance when you get there",
                    )
                )
        if event.scope == "gate":
            if next_index < len(p.phases) and p.phases[next_index].id == event.gate:
                st.gate_clears[st.phase_index] = day
                what.append(f"the start of {p.phases[next_index].title}")
            else:
                notes.append(
                    Note(
                        self.rules["clearance_scope"],
                        f"the clearance of {day.isoformat()} for {event.gate!r} counts only when "
                        f"it is given at that gate; today's gate is "
                        + (p.phases[next_index].id if next_index < len(p.phases) else "none"),
                    )
                )
        if event.scope != "flag" and st.hold is not None:
            st.hold = None  # the clinician's later word: cleared, so no longer held
            what.append("the hold")
        if what or event.scope != "gate":
            detail = _event_text(event) + ("; cleared " + ", ".join(what) if what else "")
            notes.append(Note(self.rules["clinician_clear"], detail))

    def _at_the_gate(self, day: dt.date) -> bool:
        """RTR-9: a standing clear opens the gate the runner waits at: one whose other exit
        criteria are met, or can be within a week. A clear weeks ahead opens nothing."""
        horizon = day + dt.timedelta(days=GATE_AHEAD_DAYS)
        for criterion, _status, earliest in self.criteria.unmet(day, bone=self._bone()):
            if criterion.kind == "clinician_clearance":
                continue
            if earliest is None or earliest > horizon:
                return False
        return True

    def _flag_notes(self, day: dt.date, standing: list[StandingFlag], notes: list[Note]) -> int:
        """The reasons each standing flag gives; returns how many of them hold progress."""
        holds = 0
        stands_note = False
        for flag in standing:
            words = flag.spec.words
            if flag.answered:
                if flag.showing and not flag.spec.condition:
                    holds += 1
                what = f"{words} since {flag.since.isoformat()}" if words else flag.rule
                notes.append(
                    Note(
                        self.rules["referral_answered"],
                        f"{what}: seen on {flag.answered_on}",
                    )
                )
                continue
            if flag.spec.by_engine:
                detail = f"since {flag.since.isoformat()}"
            elif flag.spec.condition:
                detail = f"your injury is at the {SITES[self.case.injury.site].name}"
            elif flag.showing and flag.since == day:
                detail = "You reported this today"
            elif flag.showing:
                detail = f"You have reported this since {flag.since.isoformat()}"
            else:
                detail = (
                    f"You reported {words} on {flag.since.isoformat()} (last on "
                    f"{flag.last_shown.isoformat()}); it stands until a clinician has seen you"
                )
                stands_note = True
            notes.append(Note(flag.rule, detail))
            if flag.referral == "routine":
                holds += 1
        if stands_note:
            notes.append(Note(self.rules["flag_stands"]))
        return holds

    def _checkin_notes(self, day: dt.date, checkin: CheckIn | None, notes: list[Note]) -> int:
        st = self.state
        p = self.protocol
        if checkin is None:
            notes.append(Note(self.rules["missing_checkin"], f"no check-in for {day.isoformat()}"))
            return 1
        holds = 0
        if (
            st.checkin_run < p.checkins_to_progress
            and st.checkin_run <= (day - self.case.program_start).days
        ):
            # After a gap, say why nothing moves on although today looks fine.
            notes.append(
                Note(
                    self.rules["missing_checkin"],
                    f"{st.checkin_run} of {p.checkins_to_progress} check-ins in a row since a gap",
                )
            )
        rising = rising_fields(p.pain, checkin, list(self._recent))
        if rising:
            facts = ", ".join(f"{PAIN_LABELS[f]} went from {lo} to {now}" for f, lo, now in rising)
            notes.append(Note(self.rules["rising_pain"], facts))
            holds += 1
        return holds

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
        loading: list[Outcome] = []
        for session in self._sessions.get(yesterday, ()):
            # Cross-training that hurt counts like any other session at a bone site.
            judged = is_loading(session) or (bone and hurt(p.pain, session, bone=bone))
            if not judged or session.kind in ALWAYS_FINE:
                continue
            verdict = judge_session(
                p.pain,
                p.flare,
                session,
                bone=bone,
                same_day=self._checkins.get(yesterday),
                next_morning=checkin,
            )
            self._note_verdict(verdict, notes)
            outcome = verdict.outcome
            if self._check_spike(session, notes):
                # LOAD-1 block: the week waits until the planned distance is run again.
                outcome = max(outcome, Outcome.REPEAT_AFTER)
            if session.kind == "test" and session.test and verdict.outcome.counts:
                if session.pain_during is not None:
                    st.tests_passed[session.test] = session.date
            if session.date >= st.week_start and outcome.counts and self._counts(session, phase):
                # The same item logged twice on one day counts once.
                st.counted.add((session.date, session.kind))
            if is_loading(session) or outcome > Outcome.CLEAN:
                loading.append(outcome)
            worst = max(worst, verdict.outcome)
        if loading:
            # The day's worst session decides whether the week may move on, whatever the order.
            st.last_outcome = max(loading)
        return worst

    def _counts(self, session: Session, phase: Phase) -> bool:
        if session.kind == "test" or not phase.weeks:
            return False
        kinds = phase.weeks[self.state.week_index].count_kinds
        return session.kind in LOADING_COUNTED if not kinds else session.kind in kinds

    def _note_verdict(self, verdict: SessionVerdict, notes: list[Note]) -> None:
        key = {
            Outcome.UNKNOWN: "missing_checkin",
            Outcome.AMBER_SETTLED: "amber_pain",
            Outcome.REPEAT_WARMUP_SETTLED: "soreness_warmup_settled",
            Outcome.REPEAT_AFTER: "soreness_after",
            Outcome.REGRESS_PERSISTED: "soreness_warmup_persisted",
            Outcome.FLARE_BONE: "flare_bone",
            Outcome.FLARE_BONE_SEVERE: "flare_severe",
        }.get(verdict.outcome)
        if key is not None:
            notes.append(Note(self.rules[key], verdict.detail))

    def _check_spike(self, session: Session, notes: list[Note]) -> bool:
        """LOAD-1: a run against the longest run of the previous 30 days; True if it blocks."""
        minutes = session.run_min
        if minutes is None and session.kind == "run":
            minutes = session.done_min
        if not minutes:
            return False
        load = self.protocol.load
        horizon = session.date - dt.timedelta(days=load.spike_lookback_days)
        while self._run_minutes and self._run_minutes[0][0] < horizon:
            self._run_minutes.popleft()
        previous = max((m for d, m in self._run_minutes if d < session.date), default=0.0)
        self._run_minutes.append((session.date, minutes))
        if previous <= 0:
            return False
        rise = minutes / previous - 1
        facts = (
            f"{minutes:g} min of running vs {previous:g} min, the longest in the previous "
            f"{load.spike_lookback_days} days (+{rise:.0%})"
        )
        # A run exactly 10% longer is within LOAD-1's limit: compare without float noise.
        if rise > load.spike_block + 1e-9:
            notes.append(Note(self.rules["spike_block"], facts))
            return True
        if rise > load.spike_warn + 1e-9:
            notes.append(Note(self.rules["spike_warn"], facts, warning=True))
        return False

    def _rest(self, day: dt.date, days: int) -> None:
        st = self.state
        until = day + dt.timedelta(days=days - 1)
        st.rest_until = until if st.rest_until is None else max(st.rest_until, until)

    def _step_back(self, day: dt.date, outcome: Outcome, *, bone: bool, notes: list[Note]) -> None:
        st = self.state
        flare = self.protocol.flare
        repeated = (
            bone
            and st.last_flare is not None
            and (day - st.last_flare).days <= flare.repeat_within_days
        )
        severe = outcome == Outcome.FLARE_BONE_SEVERE or repeated
        if severe:
            days, stages = flare.severe_rest_days, flare.severe_stages_back
            self.flags.raise_flag(self.rules["flare_severe"], day)
            if repeated and outcome != Outcome.FLARE_BONE_SEVERE:
                notes.append(
                    Note(
                        self.rules["flare_severe"],
                        f"a second flare within {flare.repeat_within_days} days "
                        f"(the last on {st.last_flare})",
                    )
                )
        elif outcome == Outcome.FLARE_BONE:
            days, stages = flare.bone_rest_days, 1
        else:
            days, stages = flare.persisted_rest_days, 1
        self._rest(day, days)
        st.last_flare = day
        where = self._move_back(stages, (st.rest_until or day) + ONE_DAY)
        notes.append(Note(self.rules["rest_days"], _rest_text(days) + f"; {where}"))

    def _move_back(self, weeks: int, restart: dt.date) -> str:
        st = self.state
        before = st.week_index
        st.week_index = max(0, st.week_index - weeks)
        skipped = skipped_weeks(self.phase, st.tailoring)
        while st.week_index in skipped and st.week_index < before:
            st.week_index += 1  # a skipped week is not gone back to
        st.week_start = restart
        st.counted = set()
        st.program_complete = False
        st.last_outcome = Outcome.CLEAN
        if not self.phase.weeks:
            return "no change of week"
        return f"week {before + 1} → week {st.week_index + 1}"

    def _gap_step_back(self, day: dt.date, phase: Phase, notes: list[Note]) -> bool:
        """RTR-8: weeks without the phase's counted sessions step back a week per week missed."""
        st = self.state
        if phase.gap_days is None or not phase.weeks:
            return False
        missed = (day - st.gap_from).days
        if missed < phase.gap_days:
            return False
        weeks_missed = missed // 7
        due = weeks_missed - st.gap_weeks_taken
        if due <= 0:
            return False
        st.gap_weeks_taken = weeks_missed
        if st.week_index == 0:
            return False  # never past the phase's start
        where = self._move_back(due, day)
        notes.append(
            Note(
                self.rules["gap"],
                f"no {_kinds_words(phase, st.week_index)} logged since "
                f"{st.gap_from.isoformat()} ({missed} days): {where}",
            )
        )
        return True

    def _watch_failure_to_progress(self, day: dt.date, phase: Phase, notes: list[Note]) -> None:
        """RF-7: no way out of the phases that load nothing after about six weeks: a doctor."""
        st = self.state
        if phase.loading or st.resting_since is None:
            return
        days = (day - st.resting_since).days
        if days >= self.protocol.failure_to_progress_days:
            self.flags.raise_flag(self.rules["failure_to_progress"], day)
            notes.append(
                Note(
                    self.rules["failure_to_progress"],
                    f"{days} days without moving on to loading, since "
                    f"{st.resting_since.isoformat()}",
                )
            )

    def _note_todays_sessions(self, day: dt.date, *, stopped: bool, resting: bool) -> None:
        """Every logged session is judged: one the day's plan does not allow is a warning, and
        each counted session closes a gap (RTR-8)."""
        st = self.state
        phase = self.phase
        found: list[Note] = []
        for session in self._sessions.get(day, ()):
            if self._counts(session, phase):
                st.gap_from = day
                st.gap_weeks_taken = 0
            why = self._not_allowed(session, phase, stopped=stopped, resting=resting)
            if why:
                found.append(
                    Note(
                        self.rules["off_plan"],
                        f"the {_session_words(session)} logged on {day.isoformat()}: {why}",
                        warning=True,
                    )
                )
        for old in [d for d in self._off_plan if d < day - ONE_DAY]:
            del self._off_plan[old]
        if found:
            self._off_plan[day] = found

    def _not_allowed(self, session: Session, phase: Phase, *, stopped: bool, resting: bool) -> str:
        if session.kind in ALWAYS_FINE:
            return ""
        if session.kind == "cross_training":
            options = phase.cross_training
            named = [o for o in options if session.activity and o.activity == session.activity]
            if stopped:
                return "no exercise until a doctor has seen you"
            if resting:
                return "it was a rest day"
            if named and not named[0].allowed:
                return named[0].note
            if options and not any(o.allowed for o in options):
                return options[0].note
            return ""
        if session.kind not in IMPACT_KINDS | {"corrective", "other"}:
            return ""
        if stopped:
            return "no loading until a doctor has seen you"
        if resting:
            return "it was a rest day"
        if session.kind == "other":
            return ""
        if session.kind not in prescribed_kinds(phase):
            return f"{phase.title} does not include it"
        return ""

    def _try_step_up(
        self, day: dt.date, phase: Phase, *, bone: bool, notes: list[Note]
    ) -> str | None:
        st = self.state
        p = self.protocol
        week_done = self._week_done(day, phase, notes)
        if week_done and st.week_index == len(phase.weeks) - 1:
            st.program_complete = True
        if st.phase_index + 1 < len(p.phases) and self.criteria.exit_ready(day, bone=bone):
            met = ", ".join(sorted({c.rule for c in phase.exit}))
            self._enter_phase(st.phase_index + 1, day, how="progress")
            notes.append(Note(self.rules["phase_progress"], f"criteria met: {met}"))
            return "phase"
        if week_done and st.week_index < len(phase.weeks) - 1:
            done = st.week_index + 1
            st.week_index = self._next_week(phase, st.week_index)
            st.week_start = day
            st.counted = set()
            notes.append(Note(self.rules["week_progress"], f"week {done} done cleanly"))
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
                    self.rules["sessions_missing"],
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
        loading_before = self.phase.loading
        st.phase_index = index
        st.phase_start = day
        st.week_index = self._next_week(self.phase, -1) if self.phase.weeks else 0
        st.week_start = day
        st.counted = set()
        st.program_complete = False
        st.last_outcome = Outcome.CLEAN
        st.gap_from = day
        st.gap_weeks_taken = 0
        if self.phase.loading:
            st.resting_since = None
        elif loading_before or st.resting_since is None:
            st.resting_since = day
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

    # -- facts --------------------------------------------------------------------------------

    def streak_checkin(self, day: dt.date) -> CheckIn | None:
        """A check-in that can count towards a streak: none from before the program start."""
        if day < self.case.program_start:
            return None
        return self._checkins.get(day)

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

    def _site_text(self) -> str:
        injury = self.case.injury
        return f"recorded as a {injury.kind} injury at the {SITES[injury.site].name}, a bone"


LOADING_COUNTED = frozenset({"corrective", "walk", "walk_run", "run", "functional"})


def prescribed_kinds(phase: Phase) -> set[str]:
    kinds: set[str] = {item.kind for item in phase.daily}
    for week in phase.weeks:
        kinds |= {item.kind for item in week.items}
    if any(c.kind == "test_passed" for c in phase.exit):
        kinds.add("test")
    return kinds


def _in_order(sessions: list[Session]) -> list[Session]:
    """One day's sessions in an order that does not depend on the order they were given in."""
    ordered = sorted(sessions, key=lambda s: (s.kind, s.test or ""))
    if len({(s.kind, s.test) for s in ordered}) < len(ordered):
        ordered.sort(key=lambda s: s.model_dump_json())  # the same kind twice: all of it decides
    return ordered


def _event_text(event: ClinicianEvent) -> str:
    who = f" ({event.clinician})" if event.clinician else ""
    return f"{event.date.isoformat()}{who}: {event.reason}"


def _rest_text(days: int) -> str:
    return f"{days} day{'s' if days > 1 else ''} off"


def _names(names: list[str]) -> str:
    return "shared with " + ", ".join(names)


def _session_words(session: Session) -> str:
    if session.kind == "cross_training":
        return f"{session.activity or 'cross-training'} session"
    if session.kind == "test":
        return f"{session.test} test"
    return f"{session.kind.replace('_', '-')} session"


def _kinds_words(phase: Phase, week_index: int) -> str:
    kinds: list[str] = list(phase.weeks[week_index].count_kinds) or sorted(LOADING_COUNTED)
    return " or ".join(k.replace("_", "-") for k in kinds) + " sessions"
