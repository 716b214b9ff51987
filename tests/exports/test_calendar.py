"""The plan as an iCalendar file: read back by the icalendar library and by a strict reader of
our own, it lists the plan's sessions on the plan's days."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar
import pytest

from restride.domain.protocol import LOADING_KINDS
from restride.services import checkins, decisions, exports, sessions
from restride.simulation import project
from tests.exports.icsread import read_calendar

if TYPE_CHECKING:
    from restride.domain.protocol import Protocol
    from tests.exports.records import Stored

WEEKS = 4


Exported = tuple[decisions.Plan, bytes]


@pytest.fixture(scope="module")
def exported(runner: Stored) -> Exported:
    """The plan and its calendar, four weeks ahead."""
    plan = decisions.plan_ahead(runner.db, runner.athlete.id, today=runner.today, weeks=WEEKS)
    data = exports.plan_calendar(runner.db, runner.athlete.id, today=runner.today, weeks=WEEKS)
    return plan, data


def planned_sessions(plan: decisions.Plan) -> list[tuple[dt.date, str]]:
    return sorted(
        (day.date, item.title)
        for day in plan.days
        for item in day.today
        if item.kind in LOADING_KINDS
    )


def test_the_calendar_lists_each_planned_session_on_its_day(exported: Exported) -> None:
    plan, data = exported

    calendar = icalendar.Calendar.from_ical(data)
    events = [
        e for e in calendar.walk("VEVENT") if not {"phase-start", "reminder"} & set(e.categories)
    ]
    found = sorted((e.decoded("dtstart"), str(e["summary"])) for e in events)
    assert found == planned_sessions(plan)
    # Running starts within these weeks: the first walk-run is on the first run day.
    first_run = next(d for d in plan.days if any(i.kind == "walk_run" for i in d.today))
    assert (first_run.date, "Walk-run: 12 × (run 1 min, walk 2 min)") in found
    # All-day events: a date, and the next day as the (exclusive) end.
    for event in events:
        start = event.decoded("dtstart")
        assert type(start) is dt.date
        assert event.decoded("dtend") == start + dt.timedelta(days=1)


def test_the_strict_reader_finds_the_same_sessions_with_their_instructions_and_rules(
    exported: Exported,
) -> None:
    plan, data = exported

    calendar = read_calendar(data)
    assert calendar.value("VERSION") == "2.0"
    sessions = [
        e
        for e in calendar.all("VEVENT")
        if not {"phase-start", "reminder"} & set(e.value("CATEGORIES").split(","))
    ]
    found = sorted((dt.date.fromisoformat(e.value("DTSTART")), e.text("SUMMARY")) for e in sessions)
    assert found == planned_sessions(plan)
    assert all(e.params("DTSTART") == {"VALUE": "DATE"} for e in sessions)
    walk_run = next(e for e in sessions if e.text("SUMMARY").startswith("Walk-run: 12 ×"))
    description = walk_run.text("DESCRIPTION")
    assert "Walk 5 min to warm up; then 12 × (run 1 min, walk 2 min)" in description
    assert "TS-RUN" in description
    assert "if every day until then is pain-free" in description


def test_each_later_phase_gets_an_event_on_its_earliest_start(exported: Exported) -> None:
    plan, data = exported

    starts = [
        e for e in read_calendar(data).all("VEVENT") if "phase-start" in e.value("CATEGORIES")
    ]
    found = {(dt.date.fromisoformat(e.value("DTSTART")), e.text("SUMMARY")) for e in starts}
    assert found == {
        (plan.phase_starts["run"], "Earliest start: Walk-run program (if every day is pain-free)")
    }


def test_the_calendar_says_its_dates_assume_pain_free_days(exported: Exported) -> None:
    calendar = read_calendar(exported[1])
    note = calendar.text("DESCRIPTION")
    assert "assume that every day from tomorrow is pain-free" in note
    assert "restride decides each day" in note
    assert "restride does not diagnose" in note
    assert calendar.text("X-WR-CALNAME") == "restride: Alice's plan"


def test_a_later_export_updates_the_same_events_instead_of_adding_copies(
    stored: Stored, protocol: Protocol
) -> None:
    db, athlete, today = stored.db, stored.athlete.id, stored.today
    first = exports.plan_calendar(db, athlete, today=today, weeks=WEEKS)
    assert exports.plan_calendar(db, athlete, today=today, weeks=WEEKS) == first

    # Tomorrow goes as planned: a pain-free check-in and every session done.
    lived = project(protocol, decisions.stored_case(db, athlete, today), 1).case
    tomorrow = lived.today
    for checkin in (c for c in lived.checkins if c.date == tomorrow):
        checkins.record_checkin(db, athlete, checkin, today=tomorrow)
    for session in (s for s in lived.sessions if s.date == tomorrow):
        sessions.log_session(db, athlete, session, today=tomorrow)
    second = exports.plan_calendar(db, athlete, today=tomorrow, weeks=WEEKS)

    def by_uid(data: bytes) -> dict[str, tuple[str, str, int]]:
        return {
            e.value("UID"): (e.value("DTSTART"), e.text("SUMMARY"), int(e.value("SEQUENCE")))
            for e in read_calendar(data).all("VEVENT")
        }

    before, after = by_uid(first), by_uid(second)
    still_ahead = {uid for uid, (start, _, _) in before.items() if start > f"{today:%Y%m%d}"}
    assert still_ahead
    assert still_ahead <= set(after)
    for uid in still_ahead:
        assert after[uid][:2] == before[uid][:2], uid
        assert after[uid][2] > before[uid][2], "a later export must outrank the earlier one"
    # UIDs name the athlete by a digest, never by their account ID.
    assert athlete not in first.decode()
