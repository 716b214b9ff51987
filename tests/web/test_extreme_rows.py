"""No page fails for any stored row: rows at the edges of what the columns hold (dates in year
1 and 9999, figures of 1e300 and infinity, 200-character names in any script), written
straight into the database as an old version, an archive or another tool might have left
them, and then every page and API route that shows them is asked for."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from restride.storage import repository as repo
from restride.storage import tables as t
from restride.web.deps import SESSION_COOKIE
from tests.web.conftest import TODAY
from tests.web.route_matrix import path_values, route_table

if TYPE_CHECKING:
    from pathlib import Path

    from tests.web.conftest import People

FIRST, LAST = dt.date(1, 1, 1), dt.date(9999, 12, 31)
HUGE = 1e300
NAME = "Ω" * 100 + "🦶" * 100


def store_extremes(people: People) -> None:
    with people.db.transaction() as tx:
        episode = repo.active_episode(tx, people.alice.id)
        assert episode is not None
        episode.onset = FIRST
        tx.add(t.Imaging(episode_id=episode.id, date=LAST, modality="xray", result="negative"))
        for day in (FIRST, LAST, TODAY):
            tx.add(
                t.CheckIn(
                    episode_id=episode.id,
                    date=day,
                    version=1,
                    pain_rest=10,
                    pain_walking=0,
                    limp=True,
                    swelling=True,
                    redness=True,
                    night_pain=True,
                    bone_tenderness=True,
                    can_bear_weight=False,
                    fever=True,
                    numbness=True,
                    redness_spreading=True,
                    foot_pale_or_cold=True,
                    notes=NAME * 10,
                )
            )
        tx.add(
            t.SessionLog(
                episode_id=episode.id,
                date=LAST,
                phase="run",
                kind="run",
                planned_min=HUGE,
                done_min=float("inf"),
                pain_during=10,
                pain_after=10,
                rpe=10,
                notes=NAME,
            )
        )
        tx.add(
            t.ClinicianEvent(
                episode_id=episode.id,
                clinician_id=people.bob.id,
                date=LAST,
                kind="hold",
                reason=NAME * 50,
            )
        )
        shoe = t.Shoe(
            athlete_id=people.alice.id,
            name=NAME,
            weight_g=float("inf"),
            stack_mm=HUGE,
            drop_mm=-HUGE,
            flexibility=5,
            motion_control=0,
        )
        tx.add(shoe)
        tx.flush()
        for n, start in enumerate(
            (
                dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),
                dt.datetime.combine(TODAY, dt.time(7), tzinfo=dt.UTC),
            )
        ):
            tx.add(
                t.Activity(
                    athlete_id=people.alice.id,
                    shoe_id=shoe.id,
                    content_hash=f"{n:064d}",
                    source=NAME,
                    sport="running",
                    start_time=start,
                    duration_s=HUGE,
                    moving_s=float("inf"),
                    distance_m=HUGE,
                    elevation_gain_m=-HUGE,
                    avg_hr=HUGE,
                    max_hr=float("inf"),
                    avg_cadence=HUGE,
                    device=NAME,
                    gear_name=NAME,
                    name=NAME,
                    warnings=NAME,
                )
            )


def test_every_page_shows_rows_at_the_edges_without_failing(people: People, tmp_path: Path) -> None:
    values = path_values(people, tmp_path)
    store_extremes(people)
    failed = []
    for who in (people.alice, people.bob):
        # A 500 is an answer here, to count, not an exception to stop at.
        client = TestClient(people.app, follow_redirects=False, raise_server_exceptions=False)
        client.cookies.set(SESSION_COOKIE, who.client.cookies[SESSION_COOKIE])
        for route in route_table(people.app):
            if route.method == "GET":
                path = route.path.format(**values)
                response = client.get(path)
                if response.status_code >= 500:
                    failed.append(f"{who.name} {route.path}: {response.status_code}")

    assert failed == []


def onboard(people: People, **fields: str) -> str:
    form = {"site": "metatarsal_4_shaft", "side": "right", "onset": "2026-02-01", **fields}
    response = people.dave.post("/onboarding", form)
    assert response.status_code == 422, response.text
    return response.text


def test_impossible_dates_are_refused_where_they_enter_with_the_field_named(
    people: People,
) -> None:
    from restride.services import athletes

    athletes.close_episode(people.db, people.dave.id, today=TODAY)  # Dave onboards again
    assert "onset: 0001-01-01 is before 1900: check the year" in onboard(people, onset="0001-01-01")
    ahead = onboard(
        people, imaging_date="9999-12-31", imaging_modality="xray", imaging_result="negative"
    )
    assert "imaging date: 9999-12-31 is not a day between 1900 and today" in ahead
    api = {"X-CSRF-Token": people.alice.csrf}
    for day, words in (("0001-01-01", "before the program began"), ("9999-12-31", "future")):
        response = people.alice.client.post(
            "/api/checkins", json={"date": day, "pain_walking": 0}, headers=api
        )
        assert response.status_code == 422 and words in response.json()["error"]
