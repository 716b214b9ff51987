"""The public formats: the committed JSON Schemas, the files that must match them, the names.

Other tools write cases and read decisions against `schemas/`; these tests fail when the models
and the committed schemas drift apart, or when a contract field is renamed or dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from restride.contract import contract_schemas, render
from restride.domain.decide import decide
from restride.loading import DATA, builtin_protocol, demo_case, demo_names
from restride.simulation import simulate

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
NAMES = ("case", "decision", "protocol")


def committed(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    return schema


def validator(name: str) -> Draft202012Validator:
    schema = committed(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, instance: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and unwrap `anyOf: [X, null]`, to reach the object or enum a field holds."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
        elif "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"]
            assert len(options) == 1, node
            node = options[0]
        elif node.get("type") == "array" and "items" in node:
            node = node["items"]
        else:
            return node


def fields(schema: dict[str, Any], *path: str) -> set[str]:
    node = resolve(schema, schema)
    for name in path:
        node = resolve(schema, node["properties"][name])
    return set(node["properties"])


def enum(schema: dict[str, Any], *path: str) -> set[str]:
    node = resolve(schema, schema)
    for name in path:
        node = resolve(schema, node["properties"][name])
    return set(node["enum"])


def demo_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "demo" / f"{name}.json").read_text("utf-8"))
    return data


# -- the committed schemas are what the models generate -----------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_committed_schema_matches_what_the_models_generate(name: str) -> None:
    generated = render(contract_schemas()[name])
    on_disk = (SCHEMAS / f"{name}.schema.json").read_text("utf-8")

    assert on_disk == generated, (
        f"schemas/{name}.schema.json is out of date with the models: "
        "run `restride schema --write schemas` and commit the result"
    )


def test_contract_has_exactly_the_three_public_schemas() -> None:
    assert set(contract_schemas()) == set(NAMES)
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == [
        f"{n}.schema.json" for n in sorted(NAMES)
    ]


# -- files written against the schemas ----------------------------------------------------------


def test_there_is_at_least_one_bundled_demo_case() -> None:
    assert "seed-runner" in demo_names()


@pytest.mark.parametrize("name", demo_names())
def test_every_demo_case_matches_the_case_schema(name: str) -> None:
    assert problems("case", demo_data(name)) == []


@pytest.mark.parametrize("name", demo_names())
def test_every_demo_decision_matches_the_decision_schema(name: str) -> None:
    decision = decide(builtin_protocol(), demo_case(name))

    assert problems("decision", decision.model_dump(mode="json")) == []


def test_decisions_through_a_whole_recovery_match_the_decision_schema() -> None:
    # One decision from every phase a pain-free runner passes through, with their intervals,
    # tests and next-phase criteria, not only the first day's stop.
    protocol = builtin_protocol()
    sim = simulate(
        protocol,
        demo_case("seed-runner").injury,
        dt.date(2026, 3, 2),
        215,
        events={0: [("clear", "Seen in clinic; cleared to follow the program.")]},
    )
    firsts = {d.phase: d for d in reversed(sim.decisions)}

    assert set(firsts) == {p.id for p in protocol.phases}
    for decision in [*firsts.values(), sim.decisions[-1]]:
        assert problems("decision", decision.model_dump(mode="json")) == [], decision.phase


def test_the_simulated_case_matches_the_case_schema() -> None:
    sim = simulate(builtin_protocol(), demo_case("seed-runner").injury, dt.date(2026, 3, 2), 60)

    assert problems("case", sim.case.model_dump(mode="json")) == []


def test_the_case_schema_refuses_a_misspelt_field_as_the_engine_does() -> None:
    data = demo_data("seed-runner")
    data["checkins"][0]["pain_walkng"] = data["checkins"][0].pop("pain_walking")

    assert any("pain_walkng" in p for p in problems("case", data))


def test_the_case_schema_refuses_an_unknown_injury_site() -> None:
    data = demo_data("seed-runner")
    data["injury"]["site"] = "metatarsal_9"

    assert any(p.startswith("injury/site") for p in problems("case", data))


def test_the_built_in_protocol_file_matches_the_protocol_schema() -> None:
    data = yaml.safe_load((DATA / "protocols" / "ten-steps.yaml").read_text("utf-8"))

    assert problems("protocol", data) == []


def test_the_protocol_schema_refuses_a_misspelt_top_level_key() -> None:
    data = yaml.safe_load((DATA / "protocols" / "ten-steps.yaml").read_text("utf-8"))
    data["red_flag"] = data.pop("red_flags")

    assert problems("protocol", data) != []


# -- the contract's field names -----------------------------------------------------------------


def test_case_schema_keeps_the_contract_field_names() -> None:
    case = committed("case")

    assert {"today", "program_start", "protocol", "injury"} <= fields(case)
    assert {"checkins", "sessions", "clinician_events"} <= fields(case)
    assert {
        "site",
        "side",
        "kind",
        "onset",
        "prior_bone_stress_injury",
        "imaging",
    } <= fields(case, "injury")
    assert {
        "date",
        "pain_rest",
        "pain_walking",
        "pain_activity",
        "pain_after",
        "pain_next_morning",
        "limp",
        "swelling",
        "redness",
        "night_pain",
        "bone_tenderness",
        "can_bear_weight",
        "fever",
        "numbness",
    } <= fields(case, "checkins")
    assert {
        "date",
        "phase",
        "kind",
        "planned_min",
        "done_min",
        "pain_during",
        "pain_after",
        "rpe",
    } <= fields(case, "sessions")
    assert {"date", "kind", "reason"} <= fields(case, "clinician_events")
    # Kinds may grow (withdraw came later), never be renamed.
    assert {"clear", "hold", "release_hold", "note"} <= enum(case, "clinician_events", "kind")
    assert set(resolve(case, case)["required"]) >= {"today", "program_start", "injury"}


def test_decision_schema_keeps_the_contract_field_names() -> None:
    decision = committed("decision")

    assert {"phase", "week", "action", "referral", "reasons", "today", "next"} <= fields(decision)
    assert enum(decision, "action") == {"continue", "progress", "hold", "regress", "stop"}
    assert enum(decision, "referral") == {"none", "routine", "soon", "urgent"}
    assert {"rule", "step", "text"} <= fields(decision, "reasons")
    assert {"phase", "earliest_date", "unmet"} <= fields(decision, "next")
    required = set(resolve(decision, decision)["required"])
    assert {"phase", "week", "action", "referral", "reasons", "today", "next"} <= required
