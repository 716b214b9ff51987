"""schemathesis over the JSON API as each persona: every case must get a documented status
with a body that matches the OpenAPI schema, and never a 5xx. Used by test_api_fuzz.py (a
short run) and scripts/fuzz_api.py (a long one)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from restride.web.deps import SESSION_COOKIE

if TYPE_CHECKING:
    from tests.web.conftest import People

PERSONAS = ("anonymous", "alice", "bob", "charlie")
# "Schema-valid data must be accepted" cannot hold for rules no schema can say: a check-in's
# date must fall between the program's start and today, and one a day (422, 409).
EXCLUDED = [positive_data_acceptance]


def persona_headers(people: People, persona: str) -> dict[str, str]:
    if persona == "anonymous":
        return {}
    who = getattr(people, persona)
    token = who.client.cookies[SESSION_COOKIE]
    return {"Cookie": f"{SESSION_COOKIE}={token}", "X-CSRF-Token": who.csrf}


def run(people: People, examples: int) -> tuple[Counter[str], list[str]]:
    """Cases per persona and status; and every failure, worded. Deterministic: the same cases
    every run (derandomized), at most `examples` per operation, strategy and persona."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", people.app)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy()]
        if "{athlete_id}" in operation.path:  # also Alice's real id, not only random ones
            strategies.append(
                operation.as_strategy(path_parameters={"athlete_id": people.alice.id})
            )
        for persona in PERSONAS:
            _run_one(st.one_of(strategies), persona, people, examples, counts, failures)
    return counts, failures


def _run_one(
    cases: st.SearchStrategy[Any],
    persona: str,
    people: People,
    examples: int,
    counts: Counter[str],
    failures: list[str],
) -> None:
    headers = persona_headers(people, persona)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def check(case: Any) -> None:
        try:
            response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis's failure, in its words
            failures.append(f"{persona} {case.method} {case.formatted_path}: {exc}"[:2000])
            counts[f"{persona} failed"] += 1
            return
        counts[f"{persona} {response.status_code}"] += 1

    check()
