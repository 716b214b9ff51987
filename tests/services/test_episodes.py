"""Injury episodes: one active at a time per athlete; on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from restride.services import athletes
from restride.services.errors import ConflictError, InvalidInputError, NotFoundError
from restride.simulation import seed_injury
from restride.storage import tables as t
from restride.storage.database import Database
from tests.builders import START, day, make_injury


def alice(db: Database) -> str:
    return athletes.create_account(db, email="alice@example.org", name="Alice").id


def episode_count(db: Database) -> int:
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(t.Episode)) or 0


def test_an_episode_is_started_with_its_injury_and_imaging(database: Database) -> None:
    athlete = alice(database)
    started = athletes.start_episode(
        database, athlete, seed_injury(), program_start=START, today=day(3)
    )
    assert started.active
    info = athletes.active_episode_info(database, athlete)
    assert info.id == started.id
    assert info.injury == seed_injury()
    assert info.program_start == START
    assert info.protocol == "ten-steps"
    assert info.closed_on is None


def test_a_second_episode_is_refused_while_one_is_active(database: Database) -> None:
    athlete = alice(database)
    athletes.start_episode(database, athlete, make_injury(), program_start=START, today=START)
    with pytest.raises(ConflictError, match="still active: close it first"):
        athletes.start_episode(
            database,
            athlete,
            make_injury(site="tibia_posteromedial"),
            program_start=day(5),
            today=day(5),
        )
    assert episode_count(database) == 1


def test_after_closing_one_episode_another_can_start(database: Database) -> None:
    athlete = alice(database)
    first = athletes.start_episode(
        database, athlete, make_injury(), program_start=START, today=START
    )
    athletes.close_episode(database, athlete, today=day(90))
    with pytest.raises(NotFoundError, match="no active injury episode"):
        athletes.active_episode_info(database, athlete)
    later = make_injury(site="tibia_posteromedial", onset=day(200))
    second = athletes.start_episode(
        database, athlete, later, program_start=day(210), today=day(210)
    )
    assert second.id != first.id
    assert athletes.active_episode_info(database, athlete).injury == later
    with database.transaction() as tx:
        closed = tx.get(t.Episode, first.id)
        assert closed is not None
        assert (closed.active, closed.closed_on) == (False, day(90))


def test_each_athlete_has_their_own_active_episode(database: Database) -> None:
    first = alice(database)
    second = athletes.create_account(database, email="bea@example.org", name="Bea").id
    athletes.start_episode(database, first, make_injury(), program_start=START, today=START)
    athletes.start_episode(database, second, make_injury(), program_start=START, today=START)
    assert episode_count(database) == 2


def test_a_program_starting_in_the_future_is_refused(database: Database) -> None:
    athlete = alice(database)
    with pytest.raises(InvalidInputError, match=r"program start: .* is in the future"):
        athletes.start_episode(database, athlete, make_injury(), program_start=day(1), today=START)
    assert episode_count(database) == 0


def test_an_onset_in_the_future_is_refused(database: Database) -> None:
    athlete = alice(database)
    with pytest.raises(InvalidInputError, match="onset"):
        athletes.start_episode(
            database, athlete, make_injury(onset=day(1)), program_start=START, today=START
        )
    assert episode_count(database) == 0


def test_an_unknown_protocol_is_refused(database: Database) -> None:
    athlete = alice(database)
    with pytest.raises(InvalidInputError, match="no protocol 'couch-to-5k'"):
        athletes.start_episode(
            database,
            athlete,
            make_injury(),
            program_start=START,
            today=START,
            protocol="couch-to-5k",
        )
    assert episode_count(database) == 0


def test_an_unknown_athlete_cannot_start_an_episode(database: Database) -> None:
    with pytest.raises(NotFoundError, match="no such athlete"):
        athletes.start_episode(database, "0" * 32, make_injury(), program_start=START, today=START)
    assert episode_count(database) == 0


def test_a_clinician_cannot_start_an_episode_for_themselves(database: Database) -> None:
    bob = athletes.create_account(database, email="bob@example.org", name="Bob", role="clinician")
    with pytest.raises(NotFoundError, match="no such athlete"):
        athletes.start_episode(database, bob.id, make_injury(), program_start=START, today=START)
    assert episode_count(database) == 0


def test_closing_without_an_active_episode_is_refused(database: Database) -> None:
    athlete = alice(database)
    with pytest.raises(NotFoundError, match="no active injury episode"):
        athletes.close_episode(database, athlete, today=START)


def test_an_account_email_is_unique_whatever_its_case(database: Database) -> None:
    alice(database)
    with pytest.raises(ConflictError, match="already exists"):
        athletes.create_account(database, email=" Alice@Example.org ", name="Alice again")
    assert athletes.find_account(database, "ALICE@example.org").name == "Alice"


def test_an_episode_start_date_is_kept_as_a_plain_date(database: Database) -> None:
    athlete = alice(database)
    athletes.start_episode(database, athlete, make_injury(), program_start=START, today=START)
    info = athletes.active_episode_info(database, athlete)
    assert type(info.program_start) is dt.date
    assert type(info.injury.onset) is dt.date
