"""A clinician's events as both sides see them, what each changed in plain words, and taking
one back with a recorded withdrawal; on both databases."""

from __future__ import annotations

import pytest

from restride.domain.case import ClinicianEvent
from restride.services import athletes, checkins, decisions, events, sharing
from restride.services.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from restride.storage.database import Database
from tests.builders import START, day, make_checkin, make_injury, pain_free_checkins

BOB = "bob@example.org"


class Clinic:
    """Alice (three pain-free days in), her clinicians Bob and Charlie, and Dave."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.alice = athletes.create_account(db, email="alice@example.org", name="Alice").id
        self.dave = athletes.create_account(db, email="dave@example.org", name="Dave").id
        self.bob = athletes.create_account(db, email=BOB, name="Bob", role="clinician").id
        self.charlie = athletes.create_account(
            db, email="charlie@example.org", name="Charlie", role="clinician"
        ).id
        for athlete in (self.alice, self.dave):
            athletes.start_episode(db, athlete, make_injury(), program_start=START, today=START)
        sharing.share_with(db, self.alice, BOB)
        sharing.share_with(db, self.alice, "charlie@example.org")
        for checkin in pain_free_checkins(0, 3):
            checkins.record_checkin(db, self.alice, checkin, today=checkin.date)
        # A first word from Bob: with a clinician involved, "find a therapist" is answered.
        self.act("note", "Seen in clinic", n=2)

    def act(
        self, kind: str, reason: str, *, by: str | None = None, n: int = 3
    ) -> events.EventOutcome:
        event = ClinicianEvent(date=day(n), kind=kind, reason=reason)  # type: ignore[arg-type]
        return events.record_for_athlete(
            self.db,
            self.alice,
            event,
            athlete_name="Alice",
            today=day(n),
            clinician_id=by or self.bob,
        )


def test_a_hold_says_what_it_changed_and_a_withdrawal_takes_it_back(database: Database) -> None:
    clinic = Clinic(database)
    held = clinic.act("hold", "Wait for the MRI")
    assert held.before.action != "hold" and held.after.action == "hold"
    assert held.summary.startswith("Hold recorded. Today's action was “")
    assert held.summary.endswith(
        "and is now “hold”; nothing moves on until you release or withdraw it."
    )

    taken_back = events.withdraw(
        database,
        clinic.alice,
        held.event_id,
        reason="MRI was clear",
        athlete_name="Alice",
        today=day(3),
        clinician_id=clinic.bob,
    )
    assert taken_back.after.action == held.before.action
    assert taken_back.summary.startswith("Withdrawn: the hold no longer counts")
    # The engine answers as if the hold had never been given, and says it was taken back.
    same = ("phase", "week", "action", "referral", "today", "next")
    assert [getattr(taken_back.after, f) for f in same] == [getattr(held.before, f) for f in same]
    assert any(
        "withdrawn" in r.text and "MRI was clear" in r.text for r in taken_back.after.reasons
    )
    view, first_note = events.event_views(database, clinic.alice, today=day(3))  # newest first
    assert (first_note.kind, first_note.withdrawn) == ("note", False)
    assert (view.kind, view.withdrawn, view.withdrawn_on, view.withdrawn_because) == (
        "hold",
        True,
        day(3),
        "MRI was clear",
    )


def test_a_note_changes_nothing_and_says_so(database: Database) -> None:
    clinic = Clinic(database)
    noted = clinic.act("note", "Hop test next week")
    same = ("phase", "week", "action", "referral", "today", "next")
    assert [getattr(noted.before, f) for f in same] == [getattr(noted.after, f) for f in same]
    assert any("Hop test next week" in r.text for r in noted.after.reasons)
    assert noted.summary == "Note saved. Alice reads it with today's plan; nothing else changed."


def test_only_whoever_recorded_an_event_can_withdraw_it_and_only_once(database: Database) -> None:
    clinic = Clinic(database)
    held = clinic.act("hold", "Wait")

    def withdraw(event_id: str, by: str | None) -> None:
        events.withdraw(
            database,
            clinic.alice,
            event_id,
            reason="changed my mind",
            athlete_name="Alice",
            today=day(3),
            clinician_id=by,
        )

    with pytest.raises(ForbiddenError, match="only whoever recorded"):
        withdraw(held.event_id, clinic.charlie)
    with pytest.raises(ForbiddenError, match="only whoever recorded"):
        withdraw(held.event_id, None)  # the athlete cannot take back their clinician's hold
    withdraw(held.event_id, clinic.bob)
    with pytest.raises(ConflictError, match="already withdrawn"):
        withdraw(held.event_id, clinic.bob)
    withdrawal = next(
        e
        for e in decisions.stored_case(database, clinic.alice, day(3)).clinician_events
        if e.kind == "withdraw"
    )
    assert withdrawal.withdraws == held.event_id
    with pytest.raises(InvalidInputError, match="cannot itself be withdrawn"):
        withdraw(withdrawal.id or "", clinic.bob)


def test_an_event_of_another_athlete_or_none_at_all_cannot_be_withdrawn(
    database: Database,
) -> None:
    clinic = Clinic(database)
    daves = sharing.record_clinician_event(
        database, clinic.dave, ClinicianEvent(date=day(3), kind="hold", reason="his"), today=day(3)
    )
    for event_id in (daves, "0" * 32, "not-an-id" * 10):
        with pytest.raises(NotFoundError, match="no such event"):
            events.withdraw(
                database,
                clinic.alice,
                event_id,
                reason="x",
                athlete_name="Alice",
                today=day(3),
                clinician_id=clinic.bob,
            )


def test_a_clear_that_answers_a_red_flag_says_the_day_changed(database: Database) -> None:
    clinic = Clinic(database)
    checkins.record_checkin(
        database, clinic.alice, make_checkin(4, pain_walking=3, bone_tenderness=True), today=day(4)
    )
    cleared = clinic.act("clear", "MRI: a stress reaction, managed here", n=4)
    assert cleared.before.action == "stop"
    assert cleared.after.action != "stop"
    assert "Clearance recorded." in cleared.summary
    assert "“stop until seen”" in cleared.summary
