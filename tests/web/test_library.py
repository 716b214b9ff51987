"""The exercise library pages: grouped by kind, filtered by region, one page per entry."""

from __future__ import annotations

import pytest

from restride.loading import builtin_library
from tests.web.conftest import People

WITH_DRAWING = "smr-roller-calves"


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave"])
def test_the_library_is_open_to_every_signed_in_person(people: People, who: str) -> None:
    client = getattr(people, who).client
    assert client.get("/library").status_code == 200
    assert client.get(f"/library/{WITH_DRAWING}").status_code == 200


def test_the_library_needs_a_sign_in(people: People) -> None:
    anonymous = people.anonymous()
    for path in ("/library", f"/library/{WITH_DRAWING}", f"/library/{WITH_DRAWING}/drawing.svg"):
        response = anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin")


def test_the_library_groups_by_kind_tool_area_and_plane(people: People) -> None:
    html = people.alice.client.get("/library").text
    for title in ("Self-massage", "Mobility", "Corrective exercise", "Functional movement"):
        assert f">{title}</h2>" in html
    assert "<h3>Foam roller</h3>" in html  # self-massage by tool
    assert "<h3>Sagittal</h3>" in html  # functional by plane
    assert "level 1" in html
    for exercise in builtin_library().exercises.values():
        assert f'href="/library/{exercise.id}"' in html


def test_the_library_filters_by_body_region(people: People) -> None:
    html = people.alice.client.get("/library?region=shoulder").text
    library = builtin_library().exercises.values()
    shoulder = [e for e in library if "shoulder" in e.works]
    others = [e for e in library if "shoulder" not in e.works]
    assert shoulder and others
    assert all(f'href="/library/{e.id}"' in html for e in shoulder)
    assert not any(f'href="/library/{e.id}"' in html for e in others)
    assert '<option value="shoulder" selected>' in html


def test_an_unknown_region_shows_everything(people: People) -> None:
    html = people.alice.client.get("/library?region=<script>").text
    assert "<script>" not in html.split("<main", 1)[1]
    assert f'href="/library/{WITH_DRAWING}"' in html


def test_an_exercise_page_shows_what_to_do_and_when_not_to(people: People) -> None:
    exercise = builtin_library().exercises[WITH_DRAWING]
    html = people.alice.client.get(f"/library/{exercise.id}").text
    assert exercise.name in html
    for text in (exercise.dose, *exercise.steps[:1], *exercise.cues[:1], *exercise.avoid[:1]):
        assert text.replace("'", "&#39;") in html
    assert "Never over a suspected or known stress fracture" in html
    assert f'src="/library/{exercise.id}/drawing.svg"' in html
    assert "EX-5" in html
    harder = builtin_library().exercises[exercise.progression or ""]
    assert f'href="/library/{harder.id}" rel="next"' in html


def test_a_regression_links_back(people: People) -> None:
    library = builtin_library().exercises
    easier = next(e for e in library.values() if e.regression)
    html = people.alice.client.get(f"/library/{easier.id}").text
    assert f'href="/library/{easier.regression}" rel="prev"' in html


def test_the_drawing_is_served_as_inert_svg(people: People) -> None:
    response = people.alice.client.get(f"/library/{WITH_DRAWING}/drawing.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.lstrip().startswith(b"<")


def test_unknown_exercises_and_missing_drawings_are_404(people: People) -> None:
    client = people.alice.client
    assert client.get("/library/no-such-exercise").status_code == 404
    assert client.get("/library/..%2F..%2Fsettings.py/drawing.svg").status_code == 404
    without = next(e for e in builtin_library().exercises.values() if e.drawing is None)
    assert client.get(f"/library/{without.id}/drawing.svg").status_code == 404


def test_todays_exercises_link_to_their_library_page(people: People) -> None:
    html = people.alice.client.get("/today").text
    assert 'href="/library/' in html
    assert 'href="/more"' in html  # the nav, where the library is one tap away
    assert 'href="/library"' in people.alice.client.get("/more").text
