"""Build a small JSON value that a JSON Schema accepts: required properties, types, enums."""

from __future__ import annotations

from typing import Any

_MAX_DEPTH = 16


def instance(schema: Any, hint: str = "local", root: Any = None, depth: int = 0) -> Any:
    """Return a minimal instance of `schema`; strings take `hint` as their value."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return instance(target, hint, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            # Prefer a branch that is not null: a real value is more useful to a caller.
            chosen = next((b for b in branches if _type_of(b) != "null"), branches[0])
            return instance(chosen, hint, root, depth + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = instance(part, hint, root, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = _type_of(schema)
    if kind == "object":
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        return {
            name: instance(properties.get(name, {}), hint, root, depth + 1)
            for name in required
            if isinstance(name, str)
        }
    if kind == "array":
        count = schema.get("minItems", 0)
        count = count if isinstance(count, int) and 0 <= count <= _MAX_DEPTH else 0
        return [instance(schema.get("items", {}), hint, root, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema, hint)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low if isinstance(low, int | float) and not isinstance(low, bool) else 0
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            value += 1
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {}


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
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[: max(high, 0)]
    return text
