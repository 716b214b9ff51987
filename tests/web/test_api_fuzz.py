"""The JSON API under schemathesis, signed out and as Alice, Bob and Charlie, on both
databases: no 5xx, every status documented in the OpenAPI, every body as the schema says,
405s with their Allow header. A short, deterministic run here (derandomized, a bounded count);
`scripts/fuzz_api.py` runs the same with many more cases."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tests.web.api_fuzz import PERSONAS, run

if TYPE_CHECKING:
    from tests.web.conftest import People

EXAMPLES = int(os.environ.get("RESTRIDE_API_FUZZ_EXAMPLES", "15"))


def test_the_api_answers_every_generated_request_as_its_schema_says(people: People) -> None:
    counts, failures = run(people, EXAMPLES)

    print(f"schemathesis on {people.db.dialect}: {sum(counts.values())} cases", dict(counts))
    assert failures == []
    assert all(any(k.startswith(p) for k in counts) for p in PERSONAS)
    assert not any(k.endswith(("500", "502", "503")) for k in counts)


def test_a_method_the_api_does_not_serve_gets_405_with_allow(people: People) -> None:
    response = people.alice.client.delete("/api/me", headers={"X-CSRF-Token": people.alice.csrf})

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {"error": "That cannot be done here."}
