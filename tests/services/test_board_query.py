"""The clinician board read from the kept athletes' days: a constant number of queries however
many athletes share, and the order, filters, search and pages a working clinic needs; on both
databases."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from restride.domain.case import CheckIn
from restride.services import athletes, checkins, day, refresh, sharing
from restride.simulation import PAIN_FREE
from tests.builders import START, make_injury

if TYPE_CHECKING:
    from collections.abc import Iterator

    from restride.storage.database import Database

TODAY = START + dt.timedelta(days=3)


def clinic(db: Database, athletes_sharing: int, *, hurt: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    """A clinician and `athletes_sharing` athletes who share with them, each checked in daily."""
    bob = athletes.create_account(db, email="bob@clinic.org", name="Bob", role="clinician")
    for n in range(athletes_sharing):
        runner = athletes.create_account(
            db, email=f"runner{n:03}@example.org", name=f"Runner {n:03}"
        )
        athletes.start_episode(db, runner.id, make_injury(), program_start=START, today=START)
        sharing.share_with(db, runner.id, bob.email)
        for d in range(4):
            date = START + dt.timedelta(days=d)
            fields: dict[str, Any] = dict(PAIN_FREE)
            if n in hurt and d == 3:
                fields.update(pain_walking=5, limp=True)
            checkins.record_checkin(db, runner.id, CheckIn(date=date, **fields), today=date)
    return bob.id


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_args: Any) -> None:
        self.statements += 1


def counted(db: Database) -> Iterator[Counter]:
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)


def queries_for_a_board_page(db: Database, clinician: str) -> int:
    refresh.refresh_all(db, today=TODAY)  # the nightly job has run
    for counter in counted(db):
        entries, counts = day.board(db, clinician, today=TODAY)
        assert all(e.current for e in entries)
        assert counts["all"] == len(entries) or counts["all"] > len(entries)
        return counter.statements
    raise AssertionError("unreachable")


def test_the_board_costs_the_same_queries_for_4_or_40_athletes(database: Database) -> None:
    few = queries_for_a_board_page(database, clinic(database, 4))
    from tests.conftest import empty

    empty(database)
    many = queries_for_a_board_page(database, clinic(database, 40))
    assert few == many
    assert many <= 4  # the page, the counts, and the transaction around them


def test_the_board_puts_pain_and_a_limp_first_and_filters_searches_and_pages(
    database: Database,
) -> None:
    clinician = clinic(database, 6, hurt={4})
    refresh.refresh_all(database, today=TODAY)

    first, counts = day.board(database, clinician, today=TODAY)
    assert first[0].name == "Runner 004"
    assert first[0].day is not None and ",pain," in first[0].day.signals
    assert ",limp," in first[0].day.signals
    assert counts["pain"] == 1 and counts["all"] == 6

    hurt, _ = day.board(database, clinician, today=TODAY, filter_name="pain")
    assert [e.name for e in hurt] == ["Runner 004"]
    found, found_counts = day.board(database, clinician, today=TODAY, query="RUNNER002@")
    assert [e.name for e in found] == ["Runner 002"] and found_counts["all"] == 1
    by_name, _ = day.board(database, clinician, today=TODAY, sort="name", offset=2, limit=2)
    assert [e.name for e in by_name] == ["Runner 002", "Runner 003"]


def test_a_stale_row_is_composed_before_the_board_shows_it(database: Database) -> None:
    clinician = clinic(database, 2)
    tomorrow = TODAY + dt.timedelta(days=1)  # no refresh ran for the new day
    entries, _ = day.board(database, clinician, today=tomorrow)
    assert all(e.current and e.day is not None and e.day.day == tomorrow for e in entries)
    assert all(e.day is not None and ",missed_checkins," not in e.day.signals for e in entries)
