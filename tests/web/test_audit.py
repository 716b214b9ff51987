"""Every clinician view of an athlete's record is written down, and the athlete sees the list:
Bob's views are there, with the page and his name; Charlie's refused attempt is not a read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.testing import CliRunner

from restride.cli import app as cli

if TYPE_CHECKING:
    from tests.web.conftest import People


def test_bobs_views_of_alices_record_are_listed_for_her(people: People) -> None:
    alice = people.alice.id
    assert people.bob.client.get(f"/athletes/{alice}").status_code == 200
    assert people.bob.client.get(f"/api/athletes/{alice}/today").status_code == 200
    assert people.bob.client.get(f"/athletes/{alice}").status_code == 200  # again: one entry
    assert people.charlie.client.get(f"/athletes/{alice}").status_code == 404

    reads = people.alice.client.get("/api/me/reads").json()

    assert sorted((r["clinician"], r["what"]) for r in reads) == [
        ("Bob", "GET /api/athletes/{athlete_id}/today"),
        ("Bob", "GET /athletes/{athlete_id}"),
    ]
    assert people.dave.client.get("/api/me/reads").json() == []
    assert people.bob.client.get("/api/me/reads").status_code == 403


def test_the_cli_lists_the_reads_too(people: People) -> None:
    assert people.bob.client.get(f"/athletes/{people.alice.id}/report").status_code == 200

    result = CliRunner().invoke(
        cli,
        ["reads", "--athlete", people.alice.email],
        env={"RESTRIDE_DATABASE_URL": people.db.url},
    )

    assert result.exit_code == 0, result.output
    assert "Bob  GET /athletes/{athlete_id}/report" in result.stdout
