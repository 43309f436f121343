"""The hosted tools' output items and stream events, as OpenAI documents them, built offline.

Each builder takes the request's tool entry, the last user turn and a seed, and returns the
output items in their added and done forms with the tool's own stream events in between
(without `sequence_number`, which the stream numbers). The shapes are the pinned `openai` SDK's
(`openai.types.responses.ResponseOutputItem` and `ResponseStreamEvent`); tests check each one.
Nothing here runs code, reaches a network or searches anything: the "tool" echoes the user's
words, so a client's handling of each item can be built and tested offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import shlex
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from airelay.backends.local.turn import quoted

Item = dict[str, Any]
Event = dict[str, Any]
_PIECE = re.compile(r"\s*\S+\s*|\s+")

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


@dataclass(frozen=True)
class Step:
    """One output item: as `response.output_item.added` shows it, its own events, and done."""

    added: Item
    done: Item
    events: tuple[Event, ...] = ()

    def stream(self, output_index: int) -> list[Event]:
        """Return this item's events in order at `output_index`, without sequence numbers."""
        return [
            {
                "type": "response.output_item.added",
                "output_index": output_index,
                "item": self.added,
            },
            *({**event, "output_index": output_index} for event in self.events),
            {"type": "response.output_item.done", "output_index": output_index, "item": self.done},
        ]


@dataclass(frozen=True)
class Citation:
    """A span of the answer that a tool's result backs, as an annotation of the output text."""

    quote: str
    annotation: Item

    def place(self, text: str) -> Item | None:
        """Return the annotation placed on `quote` in `text`, or None if the text lacks it."""
        start = text.find(self.quote)
        if start < 0:
            return None
        end = start + len(self.quote)
        if self.annotation["type"] == "url_citation":
            return {**self.annotation, "start_index": start, "end_index": end}
        return {**self.annotation, "index": end}


@dataclass(frozen=True)
class HostedAnswer:
    """What a hosted tool adds to a response: its items, and the result the answer quotes."""

    steps: tuple[Step, ...]
    # The text the answer quotes; None when the response ends with the items (an approval
    # request, or a call the client runs and answers in its next request).
    result: str | None
    citations: tuple[Citation, ...] = field(default=())

    @property
    def items(self) -> list[Item]:
        """Return the finished output items."""
        return [step.done for step in self.steps]

    def annotations(self, text: str) -> list[Item]:
        """Return the annotations of the answer `text`, each placed on the span it backs."""
        placed = (citation.place(text) for citation in self.citations)
        return [annotation for annotation in placed if annotation is not None]


def ident(seed: str, prefix: str, n: int = 0) -> str:
    """Return a deterministic id with OpenAI's prefix for the kind (`ci`, `mcp`, `ig`, ...)."""
    digest = hashlib.sha256(f"{seed}:{prefix}:{n}".encode()).hexdigest()
    return f"{prefix}_local{digest[:40]}"


def pieces(text: str) -> list[str]:
    """Split `text` into the deltas a stream sends; they concatenate back to `text`."""
    return _PIECE.findall(text) or [text]


def _streamed(kind: str, where: Item, field: str, text: str) -> tuple[Item, ...]:
    """Return `text` as `{kind}.delta` events, a piece each, then `{kind}.done` with it whole."""
    return (
        *({"type": f"{kind}.delta", **where, "delta": piece} for piece in pieces(text)),
        {"type": f"{kind}.done", **where, field: text},
    )


def _said(text: str) -> str:
    return quoted(text) or "nothing"


# --- choosing a tool ----------------------------------------------------------------------------


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


# --- code interpreter ---------------------------------------------------------------------------


def code_interpreter(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a code_interpreter_call that prints the user's words, with its code events."""
    said = _said(last_user)
    code = f"print({said!r})"
    logs = f"{said}\n"
    item_id = ident(seed, "ci")
    container = tool.get("container")
    container_id = container if isinstance(container, str) else ident(seed, "cntr")
    base = {"id": item_id, "container_id": container_id, "type": "code_interpreter_call"}
    where = {"item_id": item_id}
    # OpenAI returns `outputs` only when `include` asks for code_interpreter_call.outputs.
    outputs = (
        [{"type": "logs", "logs": logs}] if "code_interpreter_call.outputs" in include else None
    )
    step = Step(
        added={**base, "code": "", "outputs": None, "status": "in_progress"},
        done={**base, "code": code, "outputs": outputs, "status": "completed"},
        events=(
            {"type": "response.code_interpreter_call.in_progress", **where},
            *_streamed("response.code_interpreter_call_code", where, "code", code),
            {"type": "response.code_interpreter_call.interpreting", **where},
            {"type": "response.code_interpreter_call.completed", **where},
        ),
    )
    return HostedAnswer((step,), logs.strip())


# --- MCP ------------------------------------------------------------------------------------------

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


# --- image generation -----------------------------------------------------------------------------

IMAGE_SIDE = 8


def png(rgb: tuple[int, int, int], side: int = IMAGE_SIDE, rows: int | None = None) -> bytes:
    """Return a valid PNG of `side` x `side` pixels, its first `rows` rows in `rgb`, then white."""
    filled = side if rows is None else rows
    scanlines = b"".join(
        b"\x00" + bytes(rgb if y < filled else (255, 255, 255)) * side for y in range(side)
    )

    # PNG specification (ISO/IEC 15948): signature, IHDR, IDAT (zlib), IEND; each chunk is
    # length, type, data and the CRC-32 of type and data.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", binascii.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines, 9))
        + chunk(b"IEND", b"")
    )


def image_generation(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return an image_generation_call holding a small PNG whose colour the prompt decides."""
    said = _said(last_user)
    rgb = tuple(hashlib.sha256(said.encode()).digest()[:3])
    colour = (rgb[0], rgb[1], rgb[2])
    item_id = ident(seed, "ig")
    size = f"{IMAGE_SIDE}x{IMAGE_SIDE}"
    background = "opaque"
    quality = str(tool.get("quality") or "low")
    # Partial images (0..3, OpenAI's bound) show the picture filling in, row by row.
    partial = min(max(int(tool.get("partial_images") or 0), 0), 3)
    where = {"item_id": item_id}
    shown = {"background": background, "output_format": "png", "quality": quality, "size": size}
    partials = tuple(
        {
            "type": "response.image_generation_call.partial_image",
            **where,
            "partial_image_index": index,
            "partial_image_b64": base64.b64encode(
                png(colour, rows=IMAGE_SIDE * (index + 1) // (partial + 1))
            ).decode(),
            **shown,
        }
        for index in range(partial)
    )
    base = {"id": item_id, "type": "image_generation_call"}
    details = {
        "action": "generate",
        "background": background,
        "output_format": "png",
        "quality": quality,
        "revised_prompt": said,
        "size": size,
    }
    step = Step(
        added={**base, "result": None, "status": "in_progress"},
        done={
            **base,
            "result": base64.b64encode(png(colour)).decode(),
            "status": "completed",
            **details,
        },
        events=(
            {"type": "response.image_generation_call.in_progress", **where},
            {"type": "response.image_generation_call.generating", **where},
            *partials,
            {"type": "response.image_generation_call.completed", **where},
        ),
    )
    return HostedAnswer((step,), f"an image of {said}")


# --- file search ----------------------------------------------------------------------------------


def file_search(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a file_search_call that finds the user's words in one local file, cited."""
    said = _said(last_user)
    item_id = ident(seed, "fs")
    file_id = f"file-local{hashlib.sha256(seed.encode()).hexdigest()[:22]}"
    filename = "local.txt"
    stores = [str(s) for s in tool.get("vector_store_ids") or ()]
    result = {
        "attributes": {"vector_store_id": stores[0]} if stores else {},
        "file_id": file_id,
        "filename": filename,
        "score": 1.0,
        "text": said,
    }
    base = {"id": item_id, "type": "file_search_call"}
    where = {"item_id": item_id}
    # OpenAI returns `results` only when `include` asks for file_search_call.results.
    results = [result] if "file_search_call.results" in include else None
    step = Step(
        added={**base, "queries": [], "results": None, "status": "in_progress"},
        done={**base, "queries": [said], "results": results, "status": "completed"},
        events=(
            {"type": "response.file_search_call.in_progress", **where},
            {"type": "response.file_search_call.searching", **where},
            {"type": "response.file_search_call.completed", **where},
        ),
    )
    citation = Citation(
        said, {"type": "file_citation", "file_id": file_id, "filename": filename, "index": 0}
    )
    return HostedAnswer((step,), said, (citation,))


# --- web search -----------------------------------------------------------------------------------


def web_search(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a web_search_call with its search action, and a url_citation for its one source."""
    said = _said(last_user)
    domains = (tool.get("filters") or {}).get("allowed_domains") or ()
    # example.com is reserved for examples (RFC 2606): no real site is cited.
    host = str(domains[0]) if domains else "example.com"
    url = f"https://{host}/search?q={quote(said)}"
    title = f"Search results for {said}"
    item_id = ident(seed, "ws")
    action: dict[str, Any] = {"type": "search", "query": said, "queries": [said]}
    if "web_search_call.action.sources" in include:
        action["sources"] = [{"type": "url", "url": url}]
    base = {"id": item_id, "type": "web_search_call", "action": action}
    where = {"item_id": item_id}
    step = Step(
        added={**base, "status": "in_progress"},
        done={**base, "status": "completed"},
        events=(
            {"type": "response.web_search_call.in_progress", **where},
            {"type": "response.web_search_call.searching", **where},
            {"type": "response.web_search_call.completed", **where},
        ),
    )
    annotation = {"type": "url_citation", "url": url, "title": title}
    citation = Citation(title, {**annotation, "start_index": 0, "end_index": 0})
    return HostedAnswer((step,), title, (citation,))


def chat_web_search(options: Mapping[str, Any], last_user: str) -> HostedAnswer:
    """Return what Chat's `web_search_options` adds: no items, a quoted title and its citation."""
    # Chat has no search items: the answer quotes the source and cites it (message.annotations).
    search = web_search({"type": "web_search"}, last_user, "chat")
    return HostedAnswer((), search.result, search.citations)


def chat_annotations(answer: HostedAnswer, text: str) -> list[Item]:
    """Return `answer`'s annotations of `text` in Chat's shape (`url_citation` nested)."""
    return [
        {
            "type": "url_citation",
            "url_citation": {key: value for key, value in note.items() if key != "type"},
        }
        for note in answer.annotations(text)
        if note["type"] == "url_citation"
    ]


def annotation_events(
    item_id: str, output_index: int, annotations: Sequence[Item], content_index: int = 0
) -> list[Event]:
    """Return the `response.output_text.annotation.added` events of an answer's annotations."""
    return [
        {
            "type": "response.output_text.annotation.added",
            "item_id": item_id,
            "output_index": output_index,
            "content_index": content_index,
            "annotation_index": index,
            "annotation": annotation,
        }
        for index, annotation in enumerate(annotations)
    ]


# --- calls the client runs: shell, apply_patch, computer, local_shell ---------------------------


def shell(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a shell_call echoing the user's words; in a hosted container, also its output."""
    said = _said(last_user)
    command = f"echo {shlex.quote(said)}"
    item_id, call_id = ident(seed, "sh"), ident(seed, "call")
    environment = tool.get("environment") or {"type": "local"}
    hosted = environment.get("type") in ("container_auto", "container_reference")
    shown_environment: Item | None = {"type": "local"}
    if hosted:
        container = environment.get("container_id") or ident(seed, "cntr")
        shown_environment = {"type": "container_reference", "container_id": container}
    base = {"id": item_id, "call_id": call_id, "type": "shell_call"}
    action = {"commands": [command], "max_output_length": None, "timeout_ms": None}
    where = {"command_index": 0}
    call = Step(
        added={
            **base,
            "action": {**action, "commands": []},
            "environment": shown_environment,
            "status": "in_progress",
        },
        done={**base, "action": action, "environment": shown_environment, "status": "completed"},
        events=(
            {"type": "response.shell_call_command.added", **where, "command": ""},
            *_streamed("response.shell_call_command", where, "command", command),
        ),
    )
    if not hosted:
        return HostedAnswer((call,), None)
    output_id = ident(seed, "sho")
    stdout = f"{said}\n"
    chunk = {"outcome": {"type": "exit", "exit_code": 0}, "stderr": "", "stdout": stdout}
    output_base = {
        "id": output_id,
        "call_id": call_id,
        "max_output_length": None,
        "type": "shell_call_output",
    }
    output = Step(
        added={**output_base, "output": [], "status": "in_progress"},
        done={**output_base, "output": [chunk], "status": "completed"},
        events=(
            {
                "type": "response.shell_call_output_content.delta",
                "item_id": output_id,
                **where,
                "delta": {"stdout": stdout, "stderr": ""},
            },
            {
                "type": "response.shell_call_output_content.done",
                "item_id": output_id,
                **where,
                "output": [chunk],
            },
        ),
    )
    return HostedAnswer((call, output), said)


def apply_patch(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return an apply_patch_call that creates a file holding the user's words."""
    said = _said(last_user)
    base = {"id": ident(seed, "apc"), "call_id": ident(seed, "call"), "type": "apply_patch_call"}
    operation = {"type": "create_file", "path": "local.txt", "diff": f"+{said}\n"}
    return HostedAnswer(
        (
            Step(
                added={**base, "operation": operation, "status": "in_progress"},
                done={**base, "operation": operation, "status": "completed"},
            ),
        ),
        None,
    )


def computer(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a computer_call that asks for a screenshot, the first step of any computer task."""
    base: Item = {
        "id": ident(seed, "cu"),
        "call_id": ident(seed, "call"),
        "pending_safety_checks": [],
        "type": "computer_call",
    }
    screenshot = {"type": "screenshot"}
    # The preview tool's calls carry one `action`; the GA `computer` tool's, a list `actions`.
    if tool.get("type") == "computer_use_preview":
        base["action"] = screenshot
    else:
        base["actions"] = [screenshot]
    return HostedAnswer(
        (Step({**base, "status": "in_progress"}, {**base, "status": "completed"}),), None
    )


def local_shell(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return a local_shell_call that echoes the user's words."""
    base = {"id": ident(seed, "lsh"), "call_id": ident(seed, "call"), "type": "local_shell_call"}
    action: Item = {
        "type": "exec",
        "command": ["echo", _said(last_user)],
        "env": {},
        "timeout_ms": None,
        "user": None,
        "working_directory": None,
    }
    return HostedAnswer(
        (
            Step(
                {**base, "action": action, "status": "in_progress"},
                {**base, "action": action, "status": "completed"},
            ),
        ),
        None,
    )


_BUILDERS = {
    "image_generation": image_generation,
    "shell": shell,
    "apply_patch": apply_patch,
    "computer": computer,
    "computer_use_preview": computer,
    "local_shell": local_shell,
}
