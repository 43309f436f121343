"""Build a small JSON value that a JSON Schema accepts: required properties, types, enums.

The work is bounded whatever the schema: every node built spends from a budget of output
characters, strings and arrays grow to at most a fixed length, and a schema whose smallest
instance does not fit raises `SchemaTooLargeError` instead of building it.
"""

from __future__ import annotations

import json
from typing import Any

_MAX_DEPTH = 16
# The local model's limits on one instance (docs/local-host.md "Limits"): a minLength or
# minItems above these, or an instance longer than the budget, is an error, never built.
MAX_STRING_LENGTH = 4096
MAX_ITEMS = 256
MAX_INSTANCE_CHARS = 65_536


class SchemaTooLargeError(Exception):
    """The schema's smallest instance exceeds the local model's limits; the message says which."""


class _Budget:
    """Characters of output an instance may still spend (its JSON length, roughly)."""

    def __init__(self, chars: int) -> None:
        self.total = chars
        self.left = chars

    def spend(self, chars: int) -> None:
        self.left -= chars
        if self.left < 0:
            raise SchemaTooLargeError(
                f"its instance is longer than the local model's limit of {self.total} characters"
            )


def instance(
    schema: Any,
    hint: str = "local",
    root: Any = None,
    depth: int = 0,
    budget: int = MAX_INSTANCE_CHARS,
) -> Any:
    """Return a minimal instance of `schema` within `budget` characters, or raise an error."""
    return _instance(schema, hint, schema if root is None else root, depth, _Budget(budget))


def _instance(schema: Any, hint: str, root: Any, depth: int, budget: _Budget) -> Any:
    # Every node spends at least one character: no schema makes more calls than the budget.
    budget.spend(1)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        budget.spend(1)
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return _instance(target, hint, root, depth + 1, budget)
    if "const" in schema:
        return _copied(schema["const"], budget)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _copied(schema["enum"][0], budget)
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            # Prefer a branch that is not null: a real value is more useful to a caller.
            chosen = next((b for b in branches if _type_of(b) != "null"), branches[0])
            return _instance(chosen, hint, root, depth + 1, budget)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _instance(part, hint, root, depth + 1, budget)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = _type_of(schema)
    if kind == "object":
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        built: dict[str, Any] = {}
        for name in required:
            if isinstance(name, str):
                budget.spend(len(name) + 4)
                built[name] = _instance(
                    properties.get(name, {}) if isinstance(properties, dict) else {},
                    hint,
                    root,
                    depth + 1,
                    budget,
                )
        return built
    if kind == "array":
        count = schema.get("minItems", 0)
        count = count if isinstance(count, int) and not isinstance(count, bool) else 0
        if count > MAX_ITEMS:
            raise SchemaTooLargeError(
                f"it asks for an array of at least {count} items; the local model writes at "
                f"most {MAX_ITEMS}"
            )
        items = schema.get("items", {})
        return [_instance(items, hint, root, depth + 1, budget) for _ in range(max(count, 0))]
    if kind == "string":
        text = _string(schema, hint)
        budget.spend(len(text) + 2)
        return text
    if kind in ("integer", "number"):
        budget.spend(24)
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low if isinstance(low, int | float) and not isinstance(low, bool) else 0
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            value += 1
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        budget.spend(5)
        return False
    if kind == "null":
        budget.spend(4)
        return None
    budget.spend(1)
    return {}


def _copied(value: Any, budget: _Budget) -> Any:
    """Return a const or enum value from the schema, its length spent from the budget."""
    # Bounded by the request body the schema came in; measured so that n choices share it.
    budget.spend(len(json.dumps(value, ensure_ascii=False)))
    return value


def _type_of(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def _string(schema: dict[str, Any], hint: str) -> str:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    text = hint
    if isinstance(low, int) and len(text) < low:
        if low > MAX_STRING_LENGTH:
            raise SchemaTooLargeError(
                f"it asks for a string of at least {low} characters; the local model writes at "
                f"most {MAX_STRING_LENGTH}"
            )
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[: max(high, 0)]
    return text
