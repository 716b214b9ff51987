"""Logging sessions and criterion tests; on both databases."""

from __future__ import annotations

import pytest

from restride.services import athletes, sessions
from restride.services.errors import InvalidInputError, NotFoundError
from restride.storage import repository as repo
from restride.storage.database import Database
from tests.builders import START, day, make_injury, make_session


def runner(db: Database) -> str:
    account = athletes.create_account(db, email="alice@example.org", name="Alice")
    athletes.start_episode(db, account.id, make_injury(), program_start=START, today=START)
    return account.id


def stored(db: Database, athlete: str) -> list[object]:
    with db.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        return [repo.to_session(r) for r in repo.session_rows(tx, episode.id)]


def test_a_session_is_logged_as_given(database: Database) -> None:
    athlete = runner(database)
    walk = make_session(3, notes="felt fine", warmup_soreness="settled")
    session_id = sessions.log_session(database, athlete, walk, today=day(3))
    assert len(session_id) == 32
    assert stored(database, athlete) == [walk]


def test_a_criterion_test_and_a_run_keep_every_field(database: Database) -> None:
    athlete = runner(database)
    hop = make_session(20, "test", phase="corrective", test="single_leg_hop", planned_min=None)
    run = make_session(21, "walk_run", phase="run", run_min=8.5, minimalist_min=2.0)
    sessions.log_session(database, athlete, hop, today=day(21))
    sessions.log_session(database, athlete, run, today=day(21))
    assert stored(database, athlete) == [hop, run]


def test_sessions_come_back_in_date_order_and_several_a_day_are_kept(database: Database) -> None:
    athlete = runner(database)
    later = make_session(5, "walk")
    first = make_session(4, "mobility", planned_min=10, done_min=10)
    second = make_session(4, "walk")
    for session in (later, first, second):
        sessions.log_session(database, athlete, session, today=day(5))
    assert stored(database, athlete) == [first, second, later]


def test_a_session_dated_in_the_future_is_refused_and_nothing_written(database: Database) -> None:
    athlete = runner(database)
    with pytest.raises(InvalidInputError, match="is in the future"):
        sessions.log_session(database, athlete, make_session(4), today=day(3))
    assert stored(database, athlete) == []


def test_a_session_before_the_program_began_is_refused_and_nothing_written(
    database: Database,
) -> None:
    athlete = runner(database)
    with pytest.raises(InvalidInputError, match="before the program began"):
        sessions.log_session(database, athlete, make_session(-1), today=day(3))
    assert stored(database, athlete) == []


def test_a_session_on_the_first_day_of_the_program_is_fine(database: Database) -> None:
    athlete = runner(database)
    sessions.log_session(database, athlete, make_session(0), today=START)
    assert len(stored(database, athlete)) == 1


def test_without_an_active_episode_a_session_is_refused(database: Database) -> None:
    athlete = runner(database)
    athletes.close_episode(database, athlete, today=day(10))
    with pytest.raises(NotFoundError, match="no active injury episode"):
        sessions.log_session(database, athlete, make_session(9), today=day(10))


def test_sessions_of_a_closed_episode_stay_with_it(database: Database) -> None:
    athlete = runner(database)
    sessions.log_session(database, athlete, make_session(1), today=day(1))
    athletes.close_episode(database, athlete, today=day(10))
    athletes.start_episode(
        database, athlete, make_injury(onset=day(30)), program_start=day(40), today=day(40)
    )
    assert stored(database, athlete) == []
