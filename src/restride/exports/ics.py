"""The plan as an iCalendar file: an all-day event for each loading session of the coming weeks,
one on the earliest day each later phase can start, and a daily check-in reminder with an alarm.

Pure, so the web app can serve the same bytes from a subscription URL. Every event's UID comes
from the athlete, the day and the item, never from the text, so importing a newer export (or a
subscription refreshing) updates the events in place rather than adding copies.
See RFC 5545 (https://www.rfc-editor.org/rfc/rfc5545) and RFC 7986 for NAME and REFRESH-INTERVAL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from icalendar import Alarm, Calendar, Event, vDuration, vRecur, vText

from restride.domain.protocol import LOADING_KINDS
from restride.exports.text import item_lines

if TYPE_CHECKING:
    from restride.domain.decision import Decision, TodayItem
    from restride.services.athletes import AccountInfo
    from restride.services.decisions import Plan

PRODID = "-//restride//restride plan//EN"
ONE_DAY = dt.timedelta(days=1)
# How often a subscribed calendar should fetch the plan again: it moves with every check-in.
REFRESH = dt.timedelta(hours=12)
# The daily check-in reminder: when, unless the athlete picks another time for their link.
REMINDER_AT = dt.time(9, 0)
REMINDER_TEXT = (
    "Open restride and check in: under a minute, and today's plan depends on it. "
    "Pain, a limp or anything new goes in the check-in, never only in your head."
)
PLAN_NOTE = (
    "These dates assume that every day from tomorrow is pain-free, with a check-in every day "
    "and every session done as planned. Pain, a missed check-in or a flare moves them later. "
    "restride decides each day: check in, then ask it what to do today."
)


def plan_calendar(
    plan: Plan, athlete: AccountInfo, *, remind_at: dt.time | None = REMINDER_AT
) -> bytes:
    """The plan as an iCalendar file (UTF-8 bytes); the same plan always gives the same bytes.
    `remind_at` is the local time of the daily check-in reminder (None leaves it out)."""
    today = plan.today.date
    owner = _owner_key(athlete.id)
    # DTSTAMP and SEQUENCE come from the plan's day, not the clock: the same plan gives the same
    # file, and a later export outranks an earlier one in clients that compare them.
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    history = plan.today.phase_history
    sequence = (today - history[0].start).days if history else 0
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = f"restride: {athlete.name}'s plan"
    note = _calendar_note(plan)
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    calendar.add("description", note)
    # X- properties have no known type: vText escapes the note's line breaks.
    calendar.add("x-wr-caldesc", vText(note))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for decision in plan.days or [plan.today]:
        counts: dict[str, int] = {}
        for item in decision.today:
            if item.kind not in LOADING_KINDS:
                continue
            counts[item.kind] = counts.get(item.kind, 0) + 1
            uid = f"{decision.date:%Y%m%d}-{item.kind}-{counts[item.kind]}.{owner}@restride"
            event = _all_day(uid, decision.date, item.title, stamp, sequence)
            event.add("description", _session_description(decision, item, today))
            event.add("categories", ["restride", item.kind.replace("_", "-")])
            calendar.add_component(event)
    if remind_at is not None:
        first = history[0].start if history else today
        calendar.add_component(_reminder(owner, first, remind_at, stamp, sequence))
    for phase, start in plan.phase_starts.items():
        if start <= today or phase == plan.today.phase:
            continue
        title = next((d.phase_title for d in plan.days if d.phase == phase), phase)
        uid = f"phase-start-{phase}.{owner}@restride"
        summary = f"Earliest start: {title} (if every day is pain-free)"
        event = _all_day(uid, start, summary, stamp, sequence)
        event.add("description", _phase_description(plan, phase, title, start))
        event.add("categories", ["restride", "phase-start"])
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _owner_key(athlete_id: str) -> str:
    """A short stable key for the athlete in UIDs, which are not the place for their account ID."""
    return hashlib.sha256(athlete_id.encode("utf-8")).hexdigest()[:16]


def _all_day(uid: str, day: dt.date, summary: str, stamp: dt.datetime, sequence: int) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", day)
    event.add("dtend", day + ONE_DAY)
    event.add("summary", summary)
    # An all-day plan item should not mark the day as busy.
    event.add("transp", "TRANSPARENT")
    return event


def _reminder(owner: str, first: dt.date, at: dt.time, stamp: dt.datetime, sequence: int) -> Event:
    """A short daily event at `at`, in the calendar's own time zone (a floating time), with an
    alarm as it starts. It begins on the program's first day, so its UID and start never move."""
    event = Event()
    event.add("uid", f"checkin-reminder.{owner}@restride")
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", dt.datetime.combine(first, at))
    event.add("duration", dt.timedelta(minutes=5))
    event.add("rrule", vRecur(freq="daily"))
    event.add("summary", "Check in on restride")
    event.add("description", REMINDER_TEXT)
    event.add("categories", ["restride", "reminder"])
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Time to check in on restride")
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)
    return event


def _calendar_note(plan: Plan) -> str:
    now = plan.today
    lines = [f"The restride plan as of {now.date.isoformat()}. {PLAN_NOTE}"]
    if now.action == "stop" or now.referral in ("soon", "urgent"):
        lines.append(
            "First: today's decision is to stop and see a doctor; this plan assumes the doctor "
            "finds nothing that changes it."
        )
    lines.append(now.disclaimer)
    return "\n\n".join(lines)


def _session_description(decision: Decision, item: TodayItem, today: dt.date) -> str:
    lines = item_lines(item)
    parts = ["\n".join(lines)] if lines else []
    reasons = [r for r in decision.reasons if r.rule == item.rule]
    why = " ".join(f"{r.text} ({r.rule}, step {r.step})" for r in reasons)
    parts.append(f"Why: {why}" if why else f"Prescribed by {item.rule}.")
    rules = sorted({r.rule for r in decision.reasons} | {item.rule})
    parts.append("Rules behind this day: " + ", ".join(rules) + ".")
    where = f"{decision.phase_title}, week {decision.week}, day {decision.day_in_phase}"
    if decision.date == today:
        parts.append(f"Today's decision ({where}): {decision.summary}")
    else:
        parts.append(
            f"Projected ({where}) if every day until then is pain-free. restride decides each "
            "day: check in first, and do what it says that day."
        )
    return "\n\n".join(parts)


def _phase_description(plan: Plan, phase: str, title: str, start: dt.date) -> str:
    parts = [
        f"The earliest day {title} can begin: {start.isoformat()}, if every day from "
        f"{(plan.today.date + ONE_DAY).isoformat()} is pain-free, with a check-in every day and "
        "every session done as planned. The criteria decide, not the calendar."
    ]
    upcoming = plan.today.next
    if upcoming is not None and upcoming.phase == phase and upcoming.unmet:
        parts.append(
            "Still to meet:\n" + "\n".join(f"- {u.text} (now: {u.status})" for u in upcoming.unmet)
        )
    return "\n\n".join(parts)
