"""JSON Schemas of the public formats (case, decision, protocol), generated from the models.

The committed copies under `schemas/` are what clinics and other tools write against; a test
fails when they differ from what the models generate (`restride schema --write schemas`).
"""

from __future__ import annotations

import json
from typing import Any

from restride.domain.case import Case
from restride.domain.decision import Decision
from restride.domain.protocol import Protocol

SCHEMA_ID = "urn:restride:schema:{name}"


def contract_schemas() -> dict[str, dict[str, Any]]:
    schemas = {
        "case": Case.model_json_schema(),
        "decision": Decision.model_json_schema(mode="serialization"),
        "protocol": _protocol_file_schema(),
    }
    for name, schema in schemas.items():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = SCHEMA_ID.format(name=name)
    return schemas


def _protocol_file_schema() -> dict[str, Any]:
    # In a file the library is implied (the built-in one, plus an optional `exercises` list),
    # and `x-` keys hold YAML anchors for reuse.
    schema = Protocol.model_json_schema()
    schema["properties"].pop("library")
    schema["required"] = [r for r in schema["required"] if r != "library"]
    schema["properties"]["exercises"] = {
        "type": "array",
        "description": "Extra exercises, added to the built-in library.",
        "items": {"$ref": "#/$defs/Exercise"},
    }
    schema["patternProperties"] = {"^x-": {}}
    schema["$defs"].pop("Library", None)
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
