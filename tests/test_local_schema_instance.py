"""Schema instances: the smallest JSON value a JSON Schema accepts, for tool calls."""

from __future__ import annotations

import pytest

from airelay.backends.local.schema_instance import (
    MAX_ITEMS,
    MAX_STRING_LENGTH,
    SchemaTooLargeError,
    instance,
)
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


def test_a_self_referencing_schema_that_branches_raises_instead_of_building() -> None:
    names = [f"p{i}" for i in range(10)]
    node = {
        "type": "object",
        "properties": {name: {"$ref": "#/$defs/Node"} for name in names},
        "required": names,
    }
    with pytest.raises(SchemaTooLargeError, match="limit of 65536 characters"):
        instance({"$ref": "#/$defs/Node", "$defs": {"Node": node}})


def test_min_items_and_min_length_beyond_the_limits_raise_and_within_them_are_honoured() -> None:
    items = {"type": "array", "items": {"type": "boolean"}, "minItems": MAX_ITEMS}
    assert instance(items) == [False] * MAX_ITEMS
    with pytest.raises(SchemaTooLargeError, match="at least 257 items"):
        instance({**items, "minItems": MAX_ITEMS + 1})
    text = {"type": "string", "minLength": MAX_STRING_LENGTH}
    assert len(instance(text)) == MAX_STRING_LENGTH
    with pytest.raises(SchemaTooLargeError, match="at least 4097 characters"):
        instance({**text, "minLength": MAX_STRING_LENGTH + 1})


def test_a_const_value_spends_its_length_from_the_budget() -> None:
    schema = {"const": "x" * 100}
    assert instance(schema, budget=200) == "x" * 100
    with pytest.raises(SchemaTooLargeError):
        instance(schema, budget=50)
