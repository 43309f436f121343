"""Which tool types a caller may send: the operator's `ALLOWED_TOOLS`, narrowed by a token.

A request's tools are checked after its body validates: each entry of `tools` (and Chat's
`web_search_options`, `functions`) by its type, and a refused type is a 400 that names the
tool, the setting that refused it and the types that setting allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airelay.core.errors import RelayError

# Every tool type the pinned openai SDK types for the Responses API (`ToolParam`), under one
# name each: dated aliases (`web_search_2025_08_26`) count as their base type.
TOOL_TYPES = (
    "function",
    "custom",
    "namespace",
    "tool_search",
    "web_search",
    "web_search_preview",
    "computer",
    "computer_use_preview",
    "local_shell",
    "apply_patch",
    "shell",
    "file_search",
    "code_interpreter",
    "image_generation",
    "programmatic_tool_calling",
    "mcp",
)
ALL_TOOLS = frozenset(TOOL_TYPES)
# The default: every type that costs no more than the tokens and reaches no place the caller
# picks. Left out: code_interpreter and shell (containers billed per session), image_generation
# and file_search (billed per call; file search reads vector stores), programmatic_tool_calling
# (code run upstream), mcp (the upstream connects to the caller's `server_url` and sends it
# the caller's headers). web_search is billed per call too, but the relay offered it before
# ALLOWED_TOOLS existed and keeps it, so no deployment loses it on upgrade.
DEFAULT_ALLOWED_TOOLS = ALL_TOOLS - {
    "code_interpreter",
    "shell",
    "image_generation",
    "file_search",
    "programmatic_tool_calling",
    "mcp",
}
VARIABLE = "ALLOWED_TOOLS"


def tool_type(kind: str) -> str:
    """Return the type a tool's `type` counts as: its base type for a dated alias."""
    for base in ("web_search_preview", "web_search"):
        if kind.startswith(base + "_20"):
            return base
    return kind


def parse_allowed_tools(raw: str) -> frozenset[str]:
    """Read `ALLOWED_TOOLS`: `*` (all), `none`, or tool types separated by commas."""
    text = raw.strip()
    if text == "*":
        return ALL_TOOLS
    if text.lower() == "none":
        return frozenset()
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALL_TOOLS]
    if unknown or not names:
        raise ValueError(
            f"expected '*', 'none' or tool types separated by commas ({', '.join(TOOL_TYPES)}), "
            f"got {(unknown or [text])[0]!r}"
        )
    return frozenset(names)


def parse_token_tools(raw: Any) -> frozenset[str]:
    """Read a token scope's `tools`: a list of tool types; raise ValueError otherwise."""
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValueError("'tools' must be a list of tool types")
    unknown = sorted({name for name in raw if name not in ALL_TOOLS})
    if unknown:
        raise ValueError(f"'tools' names unknown tool types: {', '.join(unknown)}")
    return frozenset(raw)


def requested(body: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Yield (parameter, tool type) for each tool a validated request body asks for."""
    for index, tool in enumerate(body.get("tools") or ()):
        if isinstance(tool, Mapping) and isinstance(tool.get("type"), str):
            yield f"tools[{index}]", tool_type(tool["type"])
    # Tools a client-run tool search hands the model arrive as input items: checked alike.
    items = body.get("input")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, Mapping) and item.get("type") == "tool_search_output":
            for number, tool in enumerate(item.get("tools") or ()):
                if isinstance(tool, Mapping) and isinstance(tool.get("type"), str):
                    yield f"input[{index}].tools[{number}]", tool_type(tool["type"])
    # Chat Completions: web search is a parameter, and `functions` the old form of tools.
    if body.get("web_search_options") is not None:
        yield "web_search_options", "web_search"
    if body.get("functions"):
        yield "functions", "function"


@dataclass(frozen=True)
class ToolPolicy:
    """The tool types the operator allows, and those the caller's token narrows them to."""

    allowed: frozenset[str] = DEFAULT_ALLOWED_TOOLS
    token: frozenset[str] | None = None

    def check(self, body: Mapping[str, Any]) -> None:
        """Raise a 400 for the first tool of `body` that the operator or the token refuses."""
        for param, kind in requested(body):
            if kind not in self.allowed:
                raise refused(kind, param, self.allowed, f"the relay's {VARIABLE}")
            if self.token is not None and kind not in self.token:
                allowed = self.allowed & self.token
                raise refused(kind, param, allowed, "this token's scope (its 'tools')")


def refused(kind: str, param: str, allowed: frozenset[str], source: str) -> RelayError:
    """Return the 400 for a tool type `source` does not allow."""
    listed = ", ".join(name for name in TOOL_TYPES if name in allowed) or "none"
    return RelayError(
        400,
        f"Tool type '{kind}' ({param}) is not allowed by {source}; allowed tool types: {listed}.",
        param=param,
        code="tool_not_allowed",
    )
