"""Choosing the hosted tool a turn uses, and dispatching to its builder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airelay.backends.local.hosted.client_calls import apply_patch, computer, local_shell, shell
from airelay.backends.local.hosted.code_interpreter import code_interpreter
from airelay.backends.local.hosted.common import HostedAnswer
from airelay.backends.local.hosted.file_search import file_search
from airelay.backends.local.hosted.image import image_generation
from airelay.backends.local.hosted.mcp import _approval_request, mcp
from airelay.backends.local.hosted.web_search import web_search

# The Responses tool types the local model answers with items of their own; `function`,
# `custom`, `namespace`, `tool_search` and `programmatic_tool_calling` are answered elsewhere.
HOSTED_TYPES = (
    "code_interpreter",
    "mcp",
    "image_generation",
    "file_search",
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "shell",
    "apply_patch",
    "computer",
    "computer_use_preview",
    "local_shell",
)
# Words a user turn may use to ask for a tool under tool_choice "auto", besides its type.
_ALIASES = {
    "code_interpreter": ("code interpreter",),
    "image_generation": ("image generation", "generate an image"),
    "file_search": ("file search",),
    "web_search": ("web search",),
    "web_search_preview": ("web search",),
    "computer_use_preview": ("computer",),
    "local_shell": ("local shell",),
}


def _kind(tool: Mapping[str, Any]) -> str:
    kind = str(tool.get("type"))
    return kind.rsplit("_20", 1)[0] if kind.startswith("web_search") else kind


def chosen(tools: Any, tool_choice: Any, last_user: str) -> Mapping[str, Any] | None:
    """Return the hosted tool this turn uses, following tool_choice like OpenAI documents it."""
    hosted = [t for t in tools or () if isinstance(t, Mapping) and t.get("type") in HOSTED_TYPES]
    if not hosted or tool_choice == "none":
        return None
    if isinstance(tool_choice, Mapping):
        kind = tool_choice.get("type")
        if kind == "mcp":
            label = tool_choice.get("server_label")
            return next((t for t in hosted if t.get("server_label") == label), None)
        if kind == "allowed_tools":
            allowed = {str(t.get("type")) for t in tool_choice.get("tools") or ()}
            hosted = [t for t in hosted if t.get("type") in allowed]
            if tool_choice.get("mode") == "required" and hosted:
                return hosted[0]
        elif isinstance(kind, str):
            wanted = kind.rsplit("_20", 1)[0]
            wanted = {"computer_use": "computer"}.get(wanted, wanted)
            return next((t for t in hosted if _kind(t) == wanted), None)
    if tool_choice == "required" and tools and tools[0] in hosted:
        return hosted[0]
    # Under "auto", a user turn that names a tool (its type, an alias or an MCP server's
    # label) asks for it, as a user turn naming a function does.
    said = last_user.lower()
    for tool in hosted:
        names = (_kind(tool), *_ALIASES.get(_kind(tool), ()))
        if tool.get("type") == "mcp":
            names = ("mcp", str(tool.get("server_label", "")).lower())
        if any(name and name in said for name in names):
            return tool
    return None


def continued(tools: Any, context: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """Return the MCP tool whose approval the last context item answers, if it does."""
    if not context or context[-1].get("type") != "mcp_approval_response":
        return None
    request = _approval_request(context, str(context[-1].get("approval_request_id")))
    label = request.get("server_label") if request else None
    servers = [t for t in tools or () if isinstance(t, Mapping) and t.get("type") == "mcp"]
    return next((t for t in servers if t.get("server_label") == label), None) or next(
        iter(servers), None
    )


def tool_output(item: Mapping[str, Any]) -> str | None:
    """Return the text of a client's result for a call it ran (shell, patch, computer), if any."""
    kind = item.get("type")
    if kind == "shell_call_output":
        chunks = item.get("output") or ()
        return "".join(str(c.get("stdout", "")) for c in chunks if isinstance(c, Mapping))
    if kind in ("local_shell_call_output", "apply_patch_call_output"):
        return str(item.get("output") or item.get("status") or "done")
    if kind == "computer_call_output":
        return "a screenshot"
    return None


def answer(
    tool: Mapping[str, Any],
    last_user: str,
    seed: str,
    include: Sequence[str] = (),
    context: Sequence[Mapping[str, Any]] = (),
) -> HostedAnswer:
    """Return what `tool` adds to a response to `last_user`, by the tool's type."""
    kind = _kind(tool)
    if kind == "mcp":
        return mcp(tool, last_user, seed, context)
    if kind in ("web_search", "web_search_preview"):
        return web_search(tool, last_user, seed, include)
    if kind == "code_interpreter":
        return code_interpreter(tool, last_user, seed, include)
    if kind == "file_search":
        return file_search(tool, last_user, seed, include)
    builder = _BUILDERS[kind]
    return builder(tool, last_user, seed)


_BUILDERS = {
    "image_generation": image_generation,
    "shell": shell,
    "apply_patch": apply_patch,
    "computer": computer,
    "computer_use_preview": computer,
    "local_shell": local_shell,
}
