"""The clinician's board: attention signals, search, filters, order and pages, and rows that
follow every new write; on both databases."""

from __future__ import annotations

import pytest

from restride.domain.case import Imaging
from restride.services import athletes, board, checkins, decisions, sessions, sharing
from restride.services.errors import InvalidInputError
from restride.storage.database import Database
from tests.builders import START, day, make_checkin, make_event, make_injury, make_session

BOB = "bob@example.org"


def clinic(db: Database, names: list[str]) -> tuple[str, dict[str, str]]:
    bob = athletes.create_account(db, email=BOB, name="Bob", role="clinician").id
    ids = {}
    for name in names:
        account = athletes.create_account(db, email=f"{name.lower()}@example.org", name=name)
        athletes.start_episode(db, account.id, make_injury(), program_start=START, today=START)
        sharing.share_with(db, account.id, BOB)
        ids[name] = account.id
    return bob, ids


def test_pain_and_a_limp_on_a_new_athletes_first_check_in_need_attention(
    database: Database,
) -> None:
    bob, ids = clinic(database, ["Nell", "Olga"])
    checkins.record_checkin(
        database, ids["Nell"], make_checkin(0, pain_walking=4, limp=True), today=day(0)
    )
    checkins.record_checkin(database, ids["Olga"], make_checkin(0), today=day(0))

    page = board.board_page(database, bob, today=day(0))

    nell, olga = page.rows
    assert nell.athlete.name == "Nell" and nell.decision is not None
    assert nell.decision.referral not in ("soon", "urgent")  # no red flag, and still flagged
    assert [s.text for s in nell.signals][:2] == [
        "Pain 4/10 walking on the latest check-in.",
        "Limping on the latest check-in.",
    ]
    assert olga.signals == [] and olga.attention == 0
    assert page.counts == {
        "all": 2,
        "attention": 1,
        "red_flag": 0,
        "pain": 1,
        "missed_checkins": 0,
        "clearance": 0,
        "hold": 0,
    }
    assert nell.worst_pain_week == 4 and nell.week_pain[-1] == 4 and nell.week_pain[0] is None


def test_red_flags_come_first_then_missed_check_ins_and_holds_are_shown(
    database: Database,
) -> None:
    bob, ids = clinic(database, ["Ann", "Ben", "Cy"])
    checkins.record_checkin(
        database, ids["Cy"], make_checkin(4, pain_walking=3, bone_tenderness=True), today=day(4)
    )
    for n in range(5):
        checkins.record_checkin(database, ids["Ann"], make_checkin(n), today=day(n))
    sharing.record_clinician_event(
        database,
        ids["Ann"],
        make_event(4, "hold", "wait for the scan"),
        today=day(4),
        clinician_id=bob,
    )
    page = board.board_page(database, bob, today=day(4))
    assert [r.athlete.name for r in page.rows] == ["Cy", "Ben", "Ann"]
    cy, ben, ann = page.rows
    assert cy.urgent and cy.signals[0].text.startswith("Red flag")
    assert [s.kind for s in ben.signals] == ["missed_checkins"]
    assert ben.signals[0].text == "4 missed check-ins in the last week."
    assert [s.kind for s in ann.signals] == ["hold"]
    assert "wait for the scan" in ann.signals[0].text
    on_hold = board.board_page(database, bob, today=day(4), filter="hold")
    assert [r.athlete.name for r in on_hold.rows] == ["Ann"]


def test_search_order_and_pages(database: Database) -> None:
    names = [f"Runner {n:02d}" for n in range(30)] + ["Zed Quinn"]
    bob, ids = clinic(database, names)
    for n in range(30):
        checkins.record_checkin(
            database, ids[f"Runner {n:02d}"], make_checkin(0, pain_rest=n % 4), today=day(0)
        )

    first = board.board_page(database, bob, today=day(0), sort="name", per_page=25)
    assert (first.total, first.pages, len(first.rows)) == (31, 2, 25)
    assert first.rows[0].athlete.name == "Runner 00"
    second = board.board_page(database, bob, today=day(0), sort="name", page=2)
    assert [r.athlete.name for r in second.rows][-1] == "Zed Quinn"
    beyond = board.board_page(database, bob, today=day(0), sort="name", page=99)
    assert beyond.page == 2

    found = board.board_page(database, bob, today=day(0), query="  quinn ")
    assert [r.athlete.name for r in found.rows] == ["Zed Quinn"] and found.query == "quinn"
    by_mail = board.board_page(database, bob, today=day(0), query="runner 07@")
    assert [r.athlete.name for r in by_mail.rows] == ["Runner 07"]

    by_pain = board.board_page(database, bob, today=day(0), sort="pain", per_page=100)
    pains = [r.worst_pain_week for r in by_pain.rows]
    assert pains[:3] == [3, 3, 3] and pains[-1] is None  # Zed never checked in: last
    by_wait = board.board_page(database, bob, today=day(0), sort="last_checkin")
    assert by_wait.rows[0].athlete.name == "Zed Quinn"


def test_a_row_follows_each_new_write(database: Database) -> None:
    bob, ids = clinic(database, ["Ann"])
    ann = ids["Ann"]

    def row() -> board.BoardRow:
        return board.board_page(database, bob, today=day(0)).rows[0]

    assert row().last_checkin is None
    checkins.record_checkin(database, ann, make_checkin(0), today=day(0))
    assert row().last_checkin == day(0) and row().worst_pain_week == 0
    edited = make_checkin(0, pain_walking=5)
    checkins.record_checkin(database, ann, edited, today=day(0), edit=True)
    assert row().worst_pain_week == 5
    sharing.record_clinician_event(
        database, ann, make_event(0, "hold", "wait"), today=day(0), clinician_id=bob
    )
    assert "hold" in [s.kind for s in row().signals]


def test_record_stamps_change_with_every_kind_of_write_and_only_for_that_athlete(
    database: Database,
) -> None:
    _bob, ids = clinic(database, ["Ann", "Ben"])
    ann, ben = ids["Ann"], ids["Ben"]

    def stamps() -> dict[str, str]:
        return decisions.record_stamps(database, [ann, ben], today=day(1))

    seen = [stamps()]
    checkins.record_checkin(database, ann, make_checkin(1), today=day(1))
    seen.append(stamps())
    sessions.log_session(database, ann, make_session(1, "walk"), today=day(1))
    seen.append(stamps())
    sharing.record_clinician_event(database, ann, make_event(1, "note"), today=day(1))
    seen.append(stamps())
    athletes.add_imaging(
        database, ann, Imaging(date=day(1), modality="mri", result="negative"), today=day(1)
    )
    seen.append(stamps())
    assert len({s[ann] for s in seen}) == len(seen)
    assert len({s[ben] for s in seen}) == 1
    assert decisions.record_stamps(database, [ben], today=day(2))[ben] != seen[0][ben]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"filter": "everything"}, "filter: 'everything' is not one of"),
        ({"sort": "age"}, "sort: 'age' is not one of"),
        ({"per_page": 7}, "per_page: 7 is not one of 25, 50, 100"),
    ],
)
def test_an_unknown_filter_order_or_page_size_is_refused(
    database: Database, change: dict[str, object], message: str
) -> None:
    bob, _ids = clinic(database, ["Ann"])
    with pytest.raises(InvalidInputError, match=message):
        board.board_page(database, bob, today=day(0), **change)  # type: ignore[arg-type]
