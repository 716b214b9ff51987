"""The route x persona access matrix, generated from the app's own route table: every route
the app serves must be in EXPECTED (a new route without its row fails here), and every persona
gets exactly the status written for it. Personas: signed out, Dave (another athlete), Charlie
(a clinician Alice does not share with), Bob (her clinician), Alice (the owner). GETs as they
are; POSTs with the persona's CSRF token and nothing else, so no valid change is submitted.

Read a row as: who may see or do this. Whatever the route, a signed-out visitor is sent to sign
in (303 for pages, 401 under /api) or refused by the CSRF check (403), Dave and Charlie never
get Alice's record (403 for the wrong role, 404 for "no athlete with that link shares with
you"), and 200s go to the people the route is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web.route_matrix import PERSONAS, path_values, route_table, status

if TYPE_CHECKING:
    from pathlib import Path

    from tests.web.conftest import People

A, D, C, B, O = PERSONAS  # noqa: E741 - anonymous, dave, charlie, bob, alice (the owner)

EXPECTED: dict[str, dict[str, int]] = {
    "GET /": {A: 303, D: 303, C: 303, B: 303, O: 303},
    "GET /activities": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /activities": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /activities/{activity_id}": {A: 303, D: 404, C: 403, B: 403, O: 200},
    "GET /activities/jobs/{job_id}": {A: 303, D: 404, C: 403, B: 403, O: 404},
    "GET /api/athletes": {A: 401, D: 403, C: 200, B: 200, O: 403},
    "GET /api/athletes/{athlete_id}/history": {A: 401, D: 403, C: 404, B: 200, O: 403},
    "GET /api/athletes/{athlete_id}/today": {A: 401, D: 403, C: 404, B: 200, O: 403},
    "POST /api/checkins": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /api/history": {A: 401, D: 200, C: 403, B: 403, O: 200},
    "GET /api/me": {A: 401, D: 200, C: 200, B: 200, O: 200},
    "GET /api/me/reads": {A: 401, D: 200, C: 403, B: 403, O: 200},
    "GET /api/openapi.json": {A: 200, D: 200, C: 200, B: 200, O: 200},
    "GET /api/today": {A: 401, D: 200, C: 403, B: 403, O: 200},
    "GET /athletes/{athlete_id}": {A: 303, D: 403, C: 404, B: 200, O: 403},
    "POST /athletes/{athlete_id}/events": {A: 403, D: 403, C: 404, B: 422, O: 403},
    "POST /athletes/{athlete_id}/tailor": {A: 403, D: 403, C: 404, B: 422, O: 403},
    "GET /athletes/{athlete_id}/report": {A: 303, D: 403, C: 404, B: 200, O: 403},
    "GET /athletes/{athlete_id}/report.pdf": {A: 303, D: 403, C: 404, B: 200, O: 403},
    "GET /board": {A: 303, D: 403, C: 200, B: 200, O: 403},
    "POST /board/redeem": {A: 403, D: 403, C: 422, B: 422, O: 403},
    "GET /calendar/{token}.ics": {A: 404, D: 404, C: 404, B: 404, O: 404},
    "GET /checkin": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /checkin": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /history": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /history/load.json": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /insights": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /library": {A: 303, D: 200, C: 200, B: 200, O: 200},
    "GET /library/{exercise_id}": {A: 303, D: 200, C: 200, B: 200, O: 200},
    "GET /library/{exercise_id}/drawing.svg": {A: 303, D: 200, C: 200, B: 200, O: 200},
    "GET /onboarding": {A: 303, D: 303, C: 403, B: 403, O: 303},
    "POST /onboarding": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /plan": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /reset": {A: 200, D: 200, C: 200, B: 200, O: 200},
    "POST /reset": {A: 403, D: 422, C: 422, B: 422, O: 422},
    "GET /settings": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /settings/calendar-feed": {A: 403, D: 200, C: 403, B: 403, O: 200},
    "POST /settings/calendar-feed/revoke": {A: 403, D: 303, C: 403, B: 403, O: 303},
    "POST /settings/delete": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /settings/exports/plan.ics": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /settings/exports/records.zip": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "GET /settings/exports/workouts.zip": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /settings/invite": {A: 403, D: 200, C: 403, B: 403, O: 200},
    "POST /settings/shares/{clinician_id}/revoke": {A: 403, D: 404, C: 403, B: 403, O: 303},
    "POST /settings/units": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /shoes": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /shoes": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /signin": {A: 200, D: 200, C: 200, B: 200, O: 200},
    "POST /signin": {A: 403, D: 422, C: 422, B: 422, O: 422},
    "POST /signout": {A: 403, D: 303, C: 303, B: 303, O: 303},
    "POST /signout-everywhere": {A: 403, D: 303, C: 303, B: 303, O: 303},
    "GET /signup": {A: 200, D: 200, C: 200, B: 200, O: 200},
    "POST /signup": {A: 403, D: 422, C: 422, B: 422, O: 422},
    "GET /today": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /api/athletes/{athlete_id}/events/{event_id}/withdraw": {
        A: 403,
        D: 403,
        C: 404,
        B: 422,
        O: 403,
    },
    "GET /api/reminder": {A: 401, D: 200, C: 403, B: 403, O: 200},
    "POST /api/sessions": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /api/today/items": {A: 401, D: 200, C: 403, B: 403, O: 200},
    "POST /api/today/items/{key}": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "POST /athletes/{athlete_id}/events/{event_id}/withdraw": {
        A: 403,
        D: 403,
        C: 404,
        B: 422,
        O: 403,
    },
    "GET /coach/{key}": {A: 303, D: 404, C: 403, B: 403, O: 404},
    "GET /more": {A: 303, D: 200, C: 200, B: 200, O: 200},
    "POST /today/items/{key}": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "POST /today/other": {A: 403, D: 422, C: 403, B: 403, O: 422},
    "GET /today/updates": {A: 303, D: 200, C: 403, B: 403, O: 200},
    "POST /api/athletes/{athlete_id}/events": {A: 403, D: 403, C: 404, B: 422, O: 403},
}


def test_every_route_has_its_row(people: People) -> None:
    served = {route.key for route in route_table(people.app)}

    assert sorted(served - set(EXPECTED)) == [], "add a row to EXPECTED for each new route"
    assert sorted(set(EXPECTED) - served) == [], "remove the rows of routes that are gone"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_persona_gets_the_status_written_for_it(
    people: People, tmp_path: Path, key: str
) -> None:
    (route,) = [r for r in route_table(people.app) if r.key == key]
    values = path_values(people, tmp_path)

    got = {persona: status(people, persona, route, values) for persona in PERSONAS}

    assert got == EXPECTED[key]


def test_no_one_else_ever_gets_alices_record(people: People, tmp_path: Path) -> None:
    """Whatever the table says: on a route naming Alice, only Bob (and Alice) may succeed."""
    values = path_values(people, tmp_path)
    for route in route_table(people.app):
        if "{athlete_id}" not in route.path and "{activity_id}" not in route.path:
            continue
        for persona in (A, D, C):
            assert status(people, persona, route, values) >= 300, (persona, route.key)
