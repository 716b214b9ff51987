"""The clinician report: one self-contained HTML page (inline CSS, an inline SVG pain chart, no
script, nothing fetched), and the same page as a PDF through WeasyPrint.

`build_report` is pure: it replays the case to find the red flags, the phase history and what
was prescribed each of the past four weeks. The template only lays out what it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, StrictUndefined

from restride.domain.anatomy import SITES
from restride.domain.case import TAILORING_KINDS, Case
from restride.domain.decide import as_of, decide_each_day
from restride.domain.decision import Decision
from restride.domain.findings import Finding
from restride.domain.protocol import LOADING_KINDS
from restride.domain.tailoring import describe
from restride.exports.chart import PainChart, pain_chart
from restride.exports.text import item_lines

if TYPE_CHECKING:
    from restride.domain.case import Session
    from restride.domain.decision import TodayItem
    from restride.domain.protocol import Protocol
    from restride.services.athletes import AccountInfo

ONE_DAY = dt.timedelta(days=1)
ADHERENCE_DAYS = 28
ACTION_WORDS = {
    "continue": "carry on",
    "progress": "step up",
    "hold": "hold",
    "regress": "step back",
    "stop": "stop until seen by a clinician",
}
REFERRAL_WORDS = {
    "none": "none",
    "routine": "routine: find a qualified therapist",
    "soon": "soon: a sports-medicine doctor within days",
    "urgent": "urgent: medical help today",
}
HOW_ENDED = {"progress": "moved on", "setback": "stepped back", "ongoing": "ongoing"}
EVENT_WORDS = {
    "clear": "Cleared by a clinician",
    "hold": "Held by a clinician",
    "release_hold": "Hold released",
    "note": "Clinician note",
    "withdraw": "Withdrawn by a clinician",
    "set_minimum": "Minimum changed by a clinician",
    "skip_week": "Week skipped by a clinician",
    "add_gate": "Clearance gate added by a clinician",
    "change_protocol": "Program changed by a clinician",
}


@dataclass(frozen=True)
class PhaseRow:
    title: str
    start: dt.date
    end: dt.date | None
    days: int
    how_it_ended: str


@dataclass(frozen=True)
class AdherenceRow:
    """One stretch of days: what the plan gave each day, against what was logged that day."""

    label: str  # "week" or "all"
    first: dt.date
    last: dt.date
    days: int
    checkins: int
    prescribed: int
    done: int
    optional_offered: int
    optional_done: int
    unplanned: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.prescribed) if self.prescribed else None


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: str  # "red-flag" | "clinician" | "athlete" (the athlete's own notes)
    title: str
    text: str


@dataclass(frozen=True)
class Report:
    athlete_name: str
    athlete_email: str
    generated_on: dt.date
    protocol_title: str
    site_name: str
    case: Case
    decision: Decision
    phases: list[PhaseRow]
    chart: PainChart
    adherence: list[AdherenceRow]
    timeline: list[TimelineEntry]
    activities: int  # imported activities (the post-mortem's material)
    findings: tuple[Finding, ...] = ()  # the post-mortem, best first
    changes: list[TimelineEntry] = field(default_factory=list)  # RTR-7: every tailoring
    item_lines: dict[int, list[str]] = field(default_factory=dict)

    @property
    def action_words(self) -> str:
        return ACTION_WORDS[self.decision.action]

    @property
    def referral_words(self) -> str:
        return REFERRAL_WORDS[self.decision.referral]


def build_report(
    protocol: Protocol,
    athlete: AccountInfo,
    case: Case,
    decision: Decision,
    *,
    activities: int = 0,
    findings: tuple[Finding, ...] = (),
) -> Report:
    """Everything the report shows: today's `decision` (as composed for every screen) and the
    stored case up to its `today`."""
    titles = {phase.id: phase.title for phase in protocol.phases}
    phases = [
        PhaseRow(
            title=titles.get(span.phase, span.phase),
            start=span.start,
            end=span.end,
            days=((span.end or case.today) - span.start).days + 1,
            how_it_ended=HOW_ENDED[span.how_it_ended],
        )
        for span in decision.phase_history
    ]
    return Report(
        athlete_name=athlete.name,
        athlete_email=athlete.email,
        generated_on=case.today,
        protocol_title=protocol.title,
        site_name=SITES[case.injury.site].name,
        case=case,
        decision=decision,
        phases=phases,
        chart=pain_chart(case, decision.phase_history, titles),
        adherence=adherence(protocol, case),
        timeline=timeline(protocol, case, decision),
        activities=activities,
        findings=findings,
        changes=changes(protocol, case),
        item_lines={index: item_lines(item) for index, item in enumerate(decision.today)},
    )


# --- Adherence ----------------------------------------------------------------------------------


def adherence(protocol: Protocol, case: Case, days: int = ADHERENCE_DAYS) -> list[AdherenceRow]:
    """Sessions logged against sessions prescribed, a row a week over the last `days` whole days
    (today is not over yet), then the total. Empty when no whole day has passed.

    Each day is decided again from the history up to it, so "prescribed" is what restride said
    that day. A prescribed item counts as done when a session of its kind (and test) was logged
    the same day; an optional item (its title says so) is counted apart.
    """
    last = case.today - ONE_DAY
    first = max(case.program_start, case.today - dt.timedelta(days=days))
    if last < first:
        return []
    checkin_days = {c.date for c in case.checkins}
    decided = {d.date: d for d in decide_each_day(protocol, as_of(case, last), first)}
    logged: dict[dt.date, list[Session]] = {}
    for session in case.sessions:
        if session.kind in LOADING_KINDS:
            logged.setdefault(session.date, []).append(session)
    daily: list[_Day] = []
    day = first
    while day <= last:
        counted = _Day(day, checked_in=day in checkin_days)
        unmatched = list(logged.get(day, []))
        for item in decided[day].today:
            if item.kind not in LOADING_KINDS:
                continue
            optional = _optional(item)
            match = next((s for s in unmatched if _fulfils(s, item)), None)
            if match is not None:
                unmatched.remove(match)
            if optional:
                counted.optional_offered += 1
                counted.optional_done += match is not None
            else:
                counted.prescribed += 1
                counted.done += match is not None
        counted.unplanned = len(unmatched)
        daily.append(counted)
        day += ONE_DAY
    # Weeks counted back from yesterday: the oldest may be a short one.
    weeks = [daily[max(0, end - 7) : end] for end in range(len(daily), 0, -7)][::-1]
    return [*(_row(week, "week") for week in weeks), _row(daily, "all")]


@dataclass
class _Day:
    day: dt.date
    checked_in: bool
    prescribed: int = 0
    done: int = 0
    optional_offered: int = 0
    optional_done: int = 0
    unplanned: int = 0


def _optional(item: TodayItem) -> bool:
    return item.title.rstrip().lower().endswith("(optional)")


def _fulfils(session: Session, item: TodayItem) -> bool:
    if session.kind != item.kind:
        return False
    return item.kind != "test" or session.test == item.test


def _row(days: list[_Day], label: str) -> AdherenceRow:
    return AdherenceRow(
        label=label,
        first=days[0].day,
        last=days[-1].day,
        days=len(days),
        checkins=sum(d.checked_in for d in days),
        prescribed=sum(d.prescribed for d in days),
        done=sum(d.done for d in days),
        optional_offered=sum(d.optional_offered for d in days),
        optional_done=sum(d.optional_done for d in days),
        unplanned=sum(d.unplanned for d in days),
    )


# --- Red flags and clinician events -------------------------------------------------------------


def timeline(protocol: Protocol, case: Case, decision: Decision) -> list[TimelineEntry]:
    """Each red flag as the engine remembers it (the decision's flag history), every clinician
    event (a withdrawn one says so) and the athlete's notes, oldest first."""
    entries = []
    for flag in decision.flag_history:
        rule = protocol.rule(flag.rule)
        if flag.answered_on is not None:
            state = f"Seen by a clinician on {flag.answered_on.isoformat()}."
        elif flag.ended_on is None:
            state = "Standing today; no clinician has seen it yet."
        else:
            state = "Not seen by a clinician."
        if flag.last_shown < case.today:
            state += f" The sign was last reported on {flag.last_shown.isoformat()}."
        entries.append(
            TimelineEntry(
                date=flag.since,
                kind="red-flag",
                title=f"Red flag, referral {flag.referral} ({flag.rule})",
                text=f"{rule.text} {state}",
            )
        )
    by_id = {e.id: e for e in case.clinician_events if e.id}
    withdrawn = {e.withdraws: e for e in case.clinician_events if e.kind == "withdraw"}
    for event in case.clinician_events:
        who = f" ({event.clinician})" if event.clinician else ""
        text = event.reason
        taken_back = withdrawn.get(event.id) if event.id else None
        if taken_back is not None:
            text += f" [Withdrawn on {taken_back.date.isoformat()}: it no longer counts.]"
        if event.kind == "withdraw" and event.withdraws in by_id:
            target = by_id[event.withdraws]
            what = target.kind.replace("_", " ")
            text = f"Takes back the {what} of {target.date.isoformat()}: {text}"
        entries.append(
            TimelineEntry(
                date=event.date, kind="clinician", title=EVENT_WORDS[event.kind] + who, text=text
            )
        )
    for checkin in case.checkins:
        if checkin.notes:
            entries.append(
                TimelineEntry(checkin.date, "athlete", "Athlete's check-in note", checkin.notes)
            )
    for session in case.sessions:
        if session.notes:
            what = session.kind.replace("_", " ")
            entries.append(
                TimelineEntry(session.date, "athlete", f"Athlete's note on a {what}", session.notes)
            )
    order = {"red-flag": 0, "clinician": 1, "athlete": 2}
    return sorted(entries, key=lambda e: (e.date, order[e.kind]))


def changes(protocol: Protocol, case: Case) -> list[TimelineEntry]:
    """Every change a clinician made to the program (RTR-7), oldest first, with what it set and
    why; a withdrawn one says so."""
    withdrawn = {e.withdraws: e for e in case.clinician_events if e.kind == "withdraw"}
    rows = []
    for event in case.clinician_events:
        if event.kind not in TAILORING_KINDS:
            continue
        text = describe(protocol, event)
        taken_back = withdrawn.get(event.id) if event.id else None
        if taken_back is not None:
            text += f" [Withdrawn on {taken_back.date.isoformat()}: it no longer counts.]"
        rows.append(TimelineEntry(event.date, "clinician", EVENT_WORDS[event.kind], text))
    return sorted(rows, key=lambda r: r.date)


# --- Rendering ----------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("restride", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    return _environment().get_template("report.html").render(report=report)


def render_pdf(html: str) -> bytes:
    """The report's HTML as PDF. It fetches nothing: the page holds all it shows."""
    # WeasyPrint takes a second to import: only when a PDF is asked for.
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
