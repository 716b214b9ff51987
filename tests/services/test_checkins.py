"""Recording check-ins: one a day, editable that day, earlier versions kept; on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from restride.domain.case import CheckIn
from restride.services import athletes, checkins
from restride.services.errors import ConflictError, InvalidInputError
from restride.simulation import PAIN_FREE, seed_injury
from restride.storage import repository as repo
from restride.storage.database import Database

START = dt.date(2026, 3, 2)


def runner(db: Database) -> str:
    account = athletes.create_account(db, email="c@example.org", name="C")
    athletes.start_episode(db, account.id, seed_injury(), program_start=START, today=START)
    return account.id


def checkin(date: dt.date, **fields: object) -> CheckIn:
    return CheckIn(date=date, **{**PAIN_FREE, **fields})


def test_a_check_in_is_stored_and_its_red_flags_returned(database: Database) -> None:
    athlete = runner(database)
    recorded = checkins.record_checkin(
        database, athlete, checkin(START, bone_tenderness=True), today=START
    )
    assert recorded.version == 1
    assert [f.rule for f in recorded.red_flags] == ["TS-RF-BONE-TENDER"]


def test_a_second_check_in_for_a_day_is_refused_without_edit(database: Database) -> None:
    athlete = runner(database)
    checkins.record_checkin(database, athlete, checkin(START), today=START)
    with pytest.raises(ConflictError, match="already a check-in") as refused:
        checkins.record_checkin(database, athlete, checkin(START, pain_rest=3), today=START)
    assert refused.value.hint == "edit_checkin"  # the CLI says --edit, the web its own words


def test_editing_today_keeps_every_earlier_version(database: Database) -> None:
    athlete = runner(database)
    checkins.record_checkin(database, athlete, checkin(START, pain_walking=4), today=START)
    edited = checkins.record_checkin(
        database, athlete, checkin(START, pain_walking=2), today=START, edit=True
    )
    assert edited.version == 2
    with database.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        versions = [(r.version, r.pain_walking) for r in repo.checkin_rows(tx, episode.id)]
        current = [r.pain_walking for r in repo.current_checkin_rows(tx, episode.id)]
    assert versions == [(1, 4), (2, 2)]
    assert current == [2]


def test_yesterdays_check_in_can_no_longer_be_changed(database: Database) -> None:
    athlete = runner(database)
    checkins.record_checkin(database, athlete, checkin(START), today=START)
    tomorrow = START + dt.timedelta(days=1)
    with pytest.raises(ConflictError, match="only today's"):
        checkins.record_checkin(
            database, athlete, checkin(START, pain_rest=5), today=tomorrow, edit=True
        )


def test_a_check_in_dated_in_the_future_is_refused_and_nothing_written(
    database: Database,
) -> None:
    athlete = runner(database)
    with pytest.raises(InvalidInputError, match="in the future"):
        checkins.record_checkin(
            database, athlete, checkin(START + dt.timedelta(days=1)), today=START
        )
    with database.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        assert repo.checkin_rows(tx, episode.id) == []
