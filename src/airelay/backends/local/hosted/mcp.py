"""An MCP turn: the server's tools listed, then a call or an approval request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from airelay.backends.local.hosted.common import HostedAnswer, Step, _said, _streamed, ident

ECHO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string"}},
    "required": ["text"],
    "additionalProperties": False,
}


def _server_tools(tool: Mapping[str, Any]) -> list[str]:
    """Return the names the local MCP server lists: the allowed names, else `echo`."""
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, Mapping):
        allowed = allowed.get("tool_names")
    names = [str(name) for name in allowed or () if isinstance(name, str)]
    return names or ["echo"]


def _needs_approval(tool: Mapping[str, Any], name: str) -> bool:
    # OpenAI asks for approval by default ("always"); a filter object names the tools that
    # `always` or `never` need it, and a tool it does not name needs it.
    rule = tool.get("require_approval")
    if rule is None or rule == "always":
        return True
    if rule == "never":
        return False
    if isinstance(rule, Mapping):
        never = rule.get("never") or {}
        if name in (never.get("tool_names") or ()):
            return False
        always = rule.get("always")
        if always is not None and "never" not in rule:
            return name in (always.get("tool_names") or ())
    return True


def _approval_request(
    context: Sequence[Mapping[str, Any]], request_id: str
) -> Mapping[str, Any] | None:
    return next(
        (
            item
            for item in context
            if item.get("type") == "mcp_approval_request" and item.get("id") == request_id
        ),
        None,
    )


def _listed(context: Sequence[Mapping[str, Any]], label: Any) -> bool:
    return any(
        item.get("type") == "mcp_list_tools" and item.get("server_label") == label
        for item in context
    )


def mcp(
    tool: Mapping[str, Any],
    last_user: str,
    seed: str,
    context: Sequence[Mapping[str, Any]] = (),
) -> HostedAnswer:
    """Return an MCP turn: the server's tools if not yet listed, then a call or an approval."""
    label = str(tool.get("server_label", ""))
    names = _server_tools(tool)
    steps: list[Step] = []
    if not _listed(context, label):
        steps.append(_mcp_list_tools(label, names, seed))
    last = context[-1] if context else {}
    approval_id: str | None = None
    if last.get("type") == "mcp_approval_response":
        approval_id = str(last.get("approval_request_id"))
        request = _approval_request(context, approval_id) or {}
        name = str(request.get("name") or names[0])
        arguments = str(request.get("arguments") or json.dumps({"text": _said(last_user)}))
        if not last.get("approve"):
            return HostedAnswer(tuple(steps), f"The call to {name} on {label} was not approved")
    else:
        said = last_user.lower()
        name = next((n for n in names if n.lower() in said), names[0])
        arguments = json.dumps({"text": _said(last_user)}, ensure_ascii=False)
        if _needs_approval(tool, name):
            request_item = {
                "id": ident(seed, "mcpr"),
                "arguments": arguments,
                "name": name,
                "server_label": label,
                "type": "mcp_approval_request",
            }
            steps.append(Step(request_item, request_item))
            return HostedAnswer(tuple(steps), None)
    steps.append(_mcp_call(label, name, arguments, approval_id, seed))
    return HostedAnswer(tuple(steps), _echoed(arguments))


def _echoed(arguments: str) -> str:
    """Return what the local server's tools answer: the `text` argument, as sent."""
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return arguments
    return str(parsed.get("text", arguments)) if isinstance(parsed, dict) else arguments


def _mcp_list_tools(label: str, names: list[str], seed: str) -> Step:
    item_id = ident(seed, "mcpl")
    listed = [
        {
            "input_schema": ECHO_SCHEMA,
            "name": name,
            "annotations": {"read_only": True},
            "description": "Answer with the text it is given.",
        }
        for name in names
    ]
    base = {"id": item_id, "server_label": label, "type": "mcp_list_tools"}
    where = {"item_id": item_id}
    return Step(
        added={**base, "tools": []},
        done={**base, "tools": listed},
        events=(
            {"type": "response.mcp_list_tools.in_progress", **where},
            {"type": "response.mcp_list_tools.completed", **where},
        ),
    )


def _mcp_call(label: str, name: str, arguments: str, approval_id: str | None, seed: str) -> Step:
    item_id = ident(seed, "mcp")
    base = {
        "id": item_id,
        "name": name,
        "server_label": label,
        "type": "mcp_call",
        "approval_request_id": approval_id,
        "error": None,
    }
    where = {"item_id": item_id}
    return Step(
        added={**base, "arguments": "", "output": None, "status": "in_progress"},
        done={**base, "arguments": arguments, "output": _echoed(arguments), "status": "completed"},
        events=(
            {"type": "response.mcp_call.in_progress", **where},
            *_streamed("response.mcp_call_arguments", where, "arguments", arguments),
            {"type": "response.mcp_call.completed", **where},
        ),
    )
