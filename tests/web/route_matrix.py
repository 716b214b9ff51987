"""The app's route table, and one request per route and persona: shared by test_route_matrix.py
(which compares the statuses with the table it keeps) and by anyone printing a fresh table:

    .venv/bin/python -m tests.web.route_matrix
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi import FastAPI

    from tests.web.conftest import People

PERSONAS = (
    "anonymous",
    "dave",
    "charlie",
    "bob",
    "alice",
)  # the owner last: her POSTs change things


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def route_table(app: FastAPI) -> list[Route]:
    """Every method and path the app serves, from its own routing table."""
    found: list[Route] = []
    for route in app.routes:
        context = getattr(route, "include_context", None)
        if context is None:
            methods = getattr(route, "methods", None) or set()
            found += [Route(m, route.path) for m in methods if m != "HEAD"]  # type: ignore[attr-defined]
            continue
        for inner in context.included_router.routes:
            for method in sorted(inner.methods - {"HEAD"}):
                found.append(Route(method, context.prefix + inner.path))
    return sorted(found, key=lambda r: (r.path, r.method))


def path_values(people: People, folder: Path) -> dict[str, str]:
    """A value for every path parameter: Alice's own things, as the owner would ask for."""
    from restride.services import imports
    from tests.importers.fitbuild import activity
    from tests.importers.test_gpx_tcx import START

    fit = folder / "run.fit"
    fit.write_bytes(activity(start=START, seconds=600).to_bytes())
    report = imports.import_paths(people.db, people.alice.id, [fit], workers=1)
    return {
        "athlete_id": people.alice.id,
        "activity_id": report.new_activity_ids[0],
        "clinician_id": people.bob.id,
        "token": "0" * 43,  # no such calendar feed
        "exercise_id": "cx-calf-raise-double",
        "event_id": "0" * 32,  # no such event: a withdrawal of it is refused
        "key": "walk_run",  # an item not on Alice's plan today
        "job_id": "0" * 32,  # no such import
    }


def status(people: People, persona: str, route: Route, values: dict[str, str]) -> int:
    """The status one persona gets: GET as it is, POST with the persona's CSRF token and no
    other field (so nothing valid is ever submitted)."""
    path = route.path.format(**values)
    if persona == "anonymous":
        client, csrf = people.anonymous(), None
    else:
        who = getattr(people, persona)
        client, csrf = who.client, who.csrf
    if route.method == "GET":
        return client.get(path).status_code
    form = {"csrf_token": csrf} if csrf else {}
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.request(route.method, path, data=form, headers=headers).status_code
