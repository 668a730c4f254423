"""The JSON Schema of the policy format: the shipped copy is exactly the one derived from the
model (so it never drifts), and the shipped policy files validate against it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from helpers import POLICY_DIR

import policyengine
from policyengine.policy.schema import policy_json_schema
from policyengine.policy.source import parse_yaml

SHIPPED_SCHEMA = Path(policyengine.__file__).parent / "schema" / "policy.schema.json"


def _as_json(data: Any) -> Any:
    """YAML data as a JSON document would carry it (dates as ISO strings)."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()
                                 if isinstance(v, date) else str(v)))


def _policy_file(path: Path) -> Any:
    doc, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert problems == [] and doc is not None
    return _as_json(doc.data)


def test_the_shipped_schema_file_is_the_generated_one() -> None:
    shipped = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    assert shipped == policy_json_schema(), (
        "policyengine/schema/policy.schema.json is stale: regenerate it with "
        "`policyengine schema > policyengine/schema/policy.schema.json`")


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = policy_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(p.name for p in POLICY_DIR.glob("*.yaml")))
def test_each_shipped_file_validates(name: str) -> None:
    jsonschema.validate(_policy_file(POLICY_DIR / name), policy_json_schema(),
                        cls=jsonschema.Draft202012Validator)


def test_the_merged_shipped_policy_validates() -> None:
    merged: dict[str, Any] = {}
    for path in sorted(POLICY_DIR.glob("*.yaml")):
        for section, body in _policy_file(path).items():
            if isinstance(body, dict):
                merged.setdefault(section, {}).update(body)
            else:
                merged[section] = body
    assert {"policy", "calendar", "cases", "roles", "fact_types", "duties", "penalties",
            "rewards"} <= set(merged)
    jsonschema.validate(merged, policy_json_schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("document", [
    {"duties": {"R1": {"trigger": "a", "fulfiled_by": "b", "responsible": "r",
                       "penalty": "none", "deadline": {"within": "1h"}}}},   # unknown key
    {"policy": {"id": "x", "name": "x", "version": 1}},                      # wrong type
    {"penalties": {"P1": {"versions": [{"effective": "2014-07-01", "per_instance": -5}]}}},
    {"calendar": {"working_hours": {"end": "25:00"}}},                       # not a clock time
    {"sections": {}},                                                        # unknown section
])
def test_the_schema_rejects_mistakes(document: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, policy_json_schema(), cls=jsonschema.Draft202012Validator)
