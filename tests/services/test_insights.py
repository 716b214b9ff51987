"""Insights and shoes from stored activities, on both databases: the demo runner's post-mortem,
shoes described by hand, and warnings on new runs once back to maintaining."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from restride.domain.activity import Activity
from restride.services import athletes, insights, shoes
from restride.services.demo import DEMO_NOTE, DEMO_SOURCE, load_seed_runner
from restride.services.errors import InvalidInputError
from restride.simulation import seed_injury
from restride.storage import tables as t
from restride.storage.database import Database
from restride.storage.repository import activity_row

TODAY = dt.date(2026, 3, 2)


def run(day: dt.date, minutes: float, gear: str | None = None) -> Activity:
    start = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
    return Activity(
        start=start,
        sport="running",
        source=f"{day}.fit",
        content_sha256=hashlib.sha256(str(start).encode()).hexdigest(),
        duration_s=minutes * 60,
        distance_m=minutes / 6 * 1000,
        gear=gear,
    )


def store(db: Database, athlete_id: str, *activities: Activity) -> list[str]:
    with db.transaction() as tx:
        made = [activity_row(athlete_id, a, None) for a in activities]
        tx.add_all(made)
        tx.flush()
        return [r.id for r in made]


def test_the_demo_runner_comes_with_a_labelled_history_and_its_post_mortem(
    database: Database,
) -> None:
    loaded = load_seed_runner(database, today=TODAY)

    with database.transaction() as tx:
        stored = list(tx.scalars(select(t.Activity)))
        demo_shoes = {s.name: s.minimalist_index for s in tx.scalars(select(t.Shoe))}
    assert len(stored) == loaded.activities > 48
    assert all(r.source == DEMO_SOURCE and r.warnings == DEMO_NOTE for r in stored)
    assert demo_shoes == {"Vibram FiveFingers": 98.5, "Newton Gravity": pytest.approx(53.9)}
    assert max(r.start_time for r in stored if r.sport == "running").date() == dt.date(2026, 2, 9)

    found = insights.injury_post_mortem(database, loaded.athlete.id, today=TODAY)

    assert (found.onset_from, found.site) == ("the active episode", "metatarsal_4_shaft")
    first, second = found.post_mortem.findings[:2]
    assert first.kind == "progression" and "40 to 45 min" in first.detail
    assert "+12.5%" in first.detail
    assert second.kind == "shoes" and "Vibram FiveFingers" in second.detail


def test_an_onset_can_be_given_and_without_activities_nothing_stands_out(
    database: Database,
) -> None:
    runner = athletes.create_account(database, email="c@example.org", name="C").id

    found = insights.injury_post_mortem(database, runner, today=TODAY, onset=dt.date(2026, 2, 1))

    assert found.onset_from == "--episode-onset"
    assert (found.post_mortem.activities, found.post_mortem.findings) == (0, ())
    with pytest.raises(InvalidInputError, match="in the future"):
        insights.injury_post_mortem(database, runner, today=TODAY, onset=dt.date(2026, 4, 1))


def test_a_shoe_described_by_hand_gets_its_minimalist_index_and_its_distance(
    database: Database,
) -> None:
    runner = athletes.create_account(database, email="c@example.org", name="C").id
    store(database, runner, run(dt.date(2026, 1, 5), 30, "Newton Gravity"))
    with database.transaction() as tx:
        row = tx.scalar(select(t.Activity))
        assert row is not None
        shoe = t.Shoe(athlete_id=runner, name="Newton Gravity")
        tx.add(shoe)
        tx.flush()
        row.shoe_id = shoe.id

    partly, created = shoes.describe_shoe(database, runner, "Newton Gravity", weight_g=258)
    assert not created and partly.minimalist_index is None
    whole, _ = shoes.describe_shoe(
        database,
        runner,
        "Newton Gravity",
        stack_mm=29,
        drop_mm=3,
        flexibility=2,
        motion_control=5,
    )
    assert (whole.weight_g, whole.minimalist_index, whole.type) == (258, 53.9, "cushioned")
    _trail, created = shoes.describe_shoe(database, runner, "Trail", flexibility=3)
    assert created

    listed = shoes.list_shoes(database, runner)

    assert [(s.name, s.runs, s.km) for s in listed] == [
        ("Newton Gravity", 1, pytest.approx(5.0)),
        ("Trail", 0, 0.0),
    ]
    with pytest.raises(InvalidInputError, match="flexibility: must be a whole number 0-5"):
        shoes.describe_shoe(database, runner, "Trail", flexibility=9)


def test_new_runs_are_checked_once_back_to_maintaining_but_not_during_the_program(
    database: Database,
) -> None:
    runner = athletes.create_account(database, email="c@example.org", name="C").id
    store(database, runner, *(run(dt.date(2026, 1, d), 30) for d in range(1, 28, 3)))
    (jump,) = store(database, runner, run(dt.date(2026, 1, 29), 50))

    (warning,) = insights.new_activity_warnings(database, runner, [jump], today=TODAY)

    assert warning.evidence == ("LOAD-1",) and "+66.7%" in warning.detail
    athletes.start_episode(database, runner, seed_injury(), program_start=TODAY, today=TODAY)
    assert insights.new_activity_warnings(database, runner, [jump], today=TODAY) == []
