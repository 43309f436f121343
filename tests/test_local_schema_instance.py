"""Schema instances: the smallest JSON value a JSON Schema accepts, for tool calls."""

from __future__ import annotations

from airelay.backends.local.schema_instance import instance
from tests.local_model_support import WEATHER


def test_a_schema_instance_has_the_required_properties_with_their_types_and_enums() -> None:
    assert instance(WEATHER) == {"city": "local", "unit": "celsius", "days": 1}


def test_a_schema_instance_follows_refs_and_picks_a_non_null_branch() -> None:
    schema = {
        "type": "object",
        "properties": {"item": {"$ref": "#/$defs/Item"}},
        "required": ["item"],
        "$defs": {
            "Item": {
                "type": "object",
                "properties": {
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "n": {"anyOf": [{"type": "null"}, {"type": "number"}]},
                },
                "required": ["tags", "n"],
            }
        },
    }
    assert instance(schema) == {"item": {"tags": [], "n": 0}}
