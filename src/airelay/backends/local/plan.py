"""How the local model answers a request: in text, as JSON, quoting a tool, or by a call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Plan:
    """How to answer: in text, with a JSON schema's instance, by quoting a tool, or by a call."""

    json_mode: bool = False
    schema: Mapping[str, Any] | None = None
    tool_result: str | None = None
    call: tuple[str, Mapping[str, Any]] | None = None
    stop: tuple[str, ...] = ()
    # The user's turn before the last, which the answer recalls (Responses, with context).
    earlier: str | None = None
    # Where the request holds the schema answered (`schema` or the call's), for its errors.
    source: str = ""


# What most requests ask for: a plain text answer, made once (a frozen dataclass costs about
# 0.9 us to make, timeit).
PLAIN = Plan()


def _functions(tools: Any, chat: bool) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Return the function tools by name, with where their parameters schema is, and it."""
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for index, tool in enumerate(tools or ()):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        spec = tool.get("function") if chat else tool
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            where = f"tools[{index}].function.parameters" if chat else f"tools[{index}].parameters"
            found[spec["name"]] = (where, spec.get("parameters") or {"type": "object"})
    return found


def _chosen_function(functions: Mapping[str, object], choice: Any, last_user: str) -> str | None:
    """Return the function to call, following tool_choice like OpenAI documents it."""
    if not functions or choice == "none":
        return None
    if isinstance(choice, dict):
        named = (choice.get("function") or {}).get("name") or choice.get("name")
        if choice.get("type") == "function" and named in functions:
            return str(named)
        if choice.get("type") == "allowed_tools":
            allowed = choice.get("allowed_tools", choice)
            if allowed.get("mode") == "required":
                return next(iter(functions))
        return None
    if choice == "required":
        return next(iter(functions))
    # Under "auto", a user turn that names a tool asks for it.
    return next((name for name in functions if name in last_user), None)


def call_plan(inputs: Mapping[str, Any], last_user: str, chat: bool) -> Plan | None:
    """Return the plan to call a function tool, when the request's tools and choice ask for one."""
    if not inputs.get("tools"):
        return None
    functions = _functions(inputs.get("tools"), chat)
    name = _chosen_function(functions, inputs.get("tool_choice"), last_user)
    if name is None:
        return None
    where, parameters = functions[name]
    return Plan(call=(name, parameters), source=where)
