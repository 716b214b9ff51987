"""Sharing with a clinician and the clinician's events: Alice shares with Bob, never with
Charlie; on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from restride.domain.case import ClinicianEvent
from restride.services import athletes, sharing
from restride.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from restride.storage import repository as repo
from restride.storage import tables as t
from restride.storage.database import Database
from tests.builders import START, day, make_event, make_injury

BOB = "bob@example.org"
CHARLIE = "charlie@example.org"


class People:
    def __init__(self, db: Database) -> None:
        self.alice = athletes.create_account(db, email="alice@example.org", name="Alice").id
        self.bob = athletes.create_account(db, email=BOB, name="Bob", role="clinician").id
        self.charlie = athletes.create_account(
            db, email=CHARLIE, name="Charlie", role="clinician"
        ).id
        athletes.start_episode(db, self.alice, make_injury(), program_start=START, today=START)


def stored_events(db: Database, athlete: str) -> list[ClinicianEvent]:
    """The stored events as given: each carries its row's ID, checked here and then left out."""
    with db.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        events = [repo.to_event(tx, r) for r in repo.event_rows(tx, episode.id)]
    assert [e.id for e in events] == [r.id for r in rows_of(db, athlete)]
    return [e.model_copy(update={"id": None}) for e in events]


def rows_of(db: Database, athlete: str) -> list[t.ClinicianEvent]:
    with db.transaction() as tx:
        episode = repo.active_episode(tx, athlete)
        assert episode is not None
        return repo.event_rows(tx, episode.id)


def share_count(db: Database) -> int:
    with db.transaction() as tx:
        return tx.scalar(select(func.count()).select_from(t.Share)) or 0


def test_a_shared_athlete_is_listed_for_that_clinician_only(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, " Bob@Example.org ")
    assert [a.name for a in sharing.shared_athletes(database, people.bob)] == ["Alice"]
    assert sharing.shared_athletes(database, people.charlie) == []


def test_sharing_twice_with_the_same_clinician_is_refused(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    with pytest.raises(ConflictError, match=re.escape(f"already shared with {BOB}")):
        sharing.share_with(database, people.alice, BOB)
    assert share_count(database) == 1


def test_sharing_with_someone_who_is_not_a_clinician_is_refused(database: Database) -> None:
    people = People(database)
    athletes.create_account(database, email="dan@example.org", name="Dan")
    with pytest.raises(NotFoundError, match=re.escape("no clinician account for dan@example.org")):
        sharing.share_with(database, people.alice, "dan@example.org")
    with pytest.raises(
        NotFoundError, match=re.escape("no clinician account for nobody@example.org")
    ):
        sharing.share_with(database, people.alice, "nobody@example.org")
    assert share_count(database) == 0


def test_a_revoked_share_is_no_longer_listed_and_can_be_given_again(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    sharing.revoke_share(database, people.alice, BOB)
    assert sharing.shared_athletes(database, people.bob) == []
    with pytest.raises(NotFoundError, match=re.escape(f"not shared with {BOB}")):
        sharing.revoke_share(database, people.alice, BOB)

    sharing.share_with(database, people.alice, BOB)
    assert [a.name for a in sharing.shared_athletes(database, people.bob)] == ["Alice"]
    assert share_count(database) == 2


def test_revoking_a_share_that_was_never_given_is_refused(database: Database) -> None:
    people = People(database)
    with pytest.raises(NotFoundError, match=re.escape(f"not shared with {CHARLIE}")):
        sharing.revoke_share(database, people.alice, CHARLIE)
    with pytest.raises(NotFoundError, match=re.escape("not shared with nobody@example.org")):
        sharing.revoke_share(database, people.alice, "nobody@example.org")


def test_shared_athletes_lists_every_current_share_by_name(database: Database) -> None:
    people = People(database)
    zoe = athletes.create_account(database, email="zoe@example.org", name="Zoe").id
    eve = athletes.create_account(database, email="eve@example.org", name="Eve").id
    for athlete in (zoe, people.alice, eve):
        sharing.share_with(database, athlete, BOB)
    sharing.revoke_share(database, eve, BOB)
    sharing.share_with(database, eve, CHARLIE)
    assert [a.name for a in sharing.shared_athletes(database, people.bob)] == ["Alice", "Zoe"]
    assert [a.name for a in sharing.shared_athletes(database, people.charlie)] == ["Eve"]


def test_charlie_without_a_share_cannot_record_an_event(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    with pytest.raises(ForbiddenError, match="not shared their record with you"):
        sharing.record_clinician_event(
            database,
            people.alice,
            make_event(3, "clear"),
            today=day(3),
            clinician_id=people.charlie,
        )
    assert stored_events(database, people.alice) == []


def test_bob_with_a_share_records_an_event_under_his_name(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    sharing.record_clinician_event(
        database,
        people.alice,
        make_event(3, "hold", "bone scan first"),
        today=day(3),
        clinician_id=people.bob,
    )
    assert stored_events(database, people.alice) == [
        ClinicianEvent(date=day(3), kind="hold", reason="bone scan first", clinician="Bob")
    ]


def test_after_revoking_bob_can_no_longer_record_events(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    sharing.record_clinician_event(
        database, people.alice, make_event(3, "note"), today=day(3), clinician_id=people.bob
    )
    sharing.revoke_share(database, people.alice, BOB)
    with pytest.raises(ForbiddenError):
        sharing.record_clinician_event(
            database, people.alice, make_event(4, "clear"), today=day(4), clinician_id=people.bob
        )
    assert [e.date for e in stored_events(database, people.alice)] == [day(3)]


def test_the_athlete_records_what_their_clinician_said(database: Database) -> None:
    people = People(database)
    sharing.record_clinician_event(database, people.alice, make_event(5, "clear"), today=day(5))
    assert stored_events(database, people.alice) == [make_event(5, "clear")]


def test_an_event_in_the_future_or_before_the_program_is_refused(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    with pytest.raises(InvalidInputError, match="in the future"):
        sharing.record_clinician_event(
            database, people.alice, make_event(4, "clear"), today=day(3), clinician_id=people.bob
        )
    with pytest.raises(InvalidInputError, match="before the program began"):
        sharing.record_clinician_event(
            database, people.alice, make_event(-2, "clear"), today=day(3), clinician_id=people.bob
        )
    assert stored_events(database, people.alice) == []


def test_a_deleted_clinician_leaves_their_events_behind_unnamed(database: Database) -> None:
    people = People(database)
    sharing.share_with(database, people.alice, BOB)
    sharing.record_clinician_event(
        database, people.alice, make_event(3, "clear"), today=day(3), clinician_id=people.bob
    )
    with database.transaction() as tx:
        tx.delete(tx.get(t.Account, people.bob))
    assert stored_events(database, people.alice) == [make_event(3, "clear")]
    assert share_count(database) == 0


def test_only_an_athlete_can_share_a_record(database: Database) -> None:
    people = People(database)
    with pytest.raises(NotFoundError, match="no such athlete"):
        sharing.share_with(database, people.charlie, BOB)
    with pytest.raises(NotFoundError, match="no such athlete"):
        sharing.share_with(database, "0" * 32, BOB)
    assert share_count(database) == 0
