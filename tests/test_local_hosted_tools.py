"""The hosted tools' items and events, checked against the pinned openai SDK's own types."""

from __future__ import annotations

import base64
import binascii
import json
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import pytest
from openai.types.chat import ChatCompletionMessage
from openai.types.responses import ResponseOutputItem, ResponseStreamEvent
from pydantic import BaseModel, TypeAdapter

from airelay.backends.local import hosted as hosted_tools
from airelay.backends.local.hosted import HostedAnswer

ITEMS: TypeAdapter[Any] = TypeAdapter(ResponseOutputItem)
EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
SEED = "0" * 64
ALL_INCLUDES = (
    "code_interpreter_call.outputs",
    "file_search_call.results",
    "web_search_call.action.sources",
)
# One entry of each hosted tool type, as a request's `tools` would carry it.
TOOLS: dict[str, dict[str, Any]] = {
    "code_interpreter": {"type": "code_interpreter", "container": {"type": "auto"}},
    "mcp_never": {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://mcp.example.com/sse",
        "require_approval": "never",
    },
    "mcp_always": {"type": "mcp", "server_label": "docs", "server_url": "https://x.example"},
    "image_generation": {"type": "image_generation", "partial_images": 2},
    "file_search": {"type": "file_search", "vector_store_ids": ["vs_1"]},
    "web_search": {"type": "web_search"},
    "web_search_preview": {"type": "web_search_preview"},
    "shell_local": {"type": "shell", "environment": {"type": "local"}},
    "shell_container": {"type": "shell", "environment": {"type": "container_auto"}},
    "apply_patch": {"type": "apply_patch"},
    "computer": {"type": "computer"},
    "computer_use_preview": {
        "type": "computer_use_preview",
        "display_width": 1024,
        "display_height": 768,
        "environment": "browser",
    },
    "local_shell": {"type": "local_shell"},
}


def no_extra_fields(model: Any, where: str = "") -> None:
    """Fail if `model` or anything inside it carries a field its SDK type does not define."""
    if isinstance(model, BaseModel):
        assert not model.model_extra, f"{where}: fields the SDK does not type: {model.model_extra}"
        for name in type(model).model_fields:
            no_extra_fields(getattr(model, name), f"{where}.{name}")
    elif isinstance(model, list):
        for index, value in enumerate(model):
            no_extra_fields(value, f"{where}[{index}]")


def check_item(item: Mapping[str, Any]) -> Any:
    """Return `item` parsed strictly by the SDK's ResponseOutputItem, with no extra fields."""
    parsed = ITEMS.validate_python(item, strict=True)
    no_extra_fields(parsed, str(item["type"]))
    return parsed


def check_events(answer: HostedAnswer, first_index: int = 1) -> list[Any]:
    """Return the answer's events, numbered and parsed strictly by the SDK's union."""
    events = [e for i, s in enumerate(answer.steps) for e in s.stream(first_index + i)]
    parsed = []
    for number, event in enumerate(events):
        one = EVENTS.validate_python({**event, "sequence_number": number}, strict=True)
        no_extra_fields(one, event["type"])
        parsed.append(one)
    return parsed


def build(name: str, text: str = "What is 2+2?", **kwargs: Any) -> HostedAnswer:
    """Return the named tool's answer to `text`."""
    return hosted_tools.answer(TOOLS[name], text, SEED, **kwargs)


@pytest.mark.parametrize("name", sorted(TOOLS))
@pytest.mark.parametrize("include", [(), ALL_INCLUDES], ids=["plain", "include"])
def test_every_item_and_event_of_every_tool_parses_with_the_sdks_types(
    name: str, include: tuple[str, ...]
) -> None:
    answer = build(name, include=include)
    assert answer.steps
    for step in answer.steps:
        assert check_item(step.added).id == check_item(step.done).id
    parsed = check_events(answer)
    assert parsed[0].type == "response.output_item.added"
    assert parsed[-1].type == "response.output_item.done"


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_tool_answers_the_same_way_twice(name: str) -> None:
    assert build(name) == build(name)
    assert build(name).items != hosted_tools.answer(TOOLS[name], "x", "1" * 64).items


def test_code_interpreter_streams_its_code_and_returns_logs_when_included() -> None:
    answer = build("code_interpreter", include=("code_interpreter_call.outputs",))
    kinds = [e.type for e in check_events(answer)]
    assert kinds == [
        "response.output_item.added",
        "response.code_interpreter_call.in_progress",
        *["response.code_interpreter_call_code.delta"]
        * kinds.count("response.code_interpreter_call_code.delta"),
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
        "response.output_item.done",
    ]
    deltas = "".join(e.delta for e in check_events(answer) if e.type.endswith("call_code.delta"))
    item = answer.items[0]
    assert deltas == item["code"] == "print('What is 2+2?')"
    assert item["outputs"] == [{"type": "logs", "logs": "What is 2+2?\n"}]
    assert answer.result == "What is 2+2?"


def test_code_interpreter_outputs_are_null_unless_included() -> None:
    assert build("code_interpreter").items[0]["outputs"] is None


def test_code_interpreter_keeps_the_callers_container_id() -> None:
    tool = {"type": "code_interpreter", "container": "cntr_abc"}
    answer = hosted_tools.answer(tool, "hi", SEED)
    assert answer.items[0]["container_id"] == "cntr_abc"


def test_mcp_without_approval_lists_the_servers_tools_then_calls_one() -> None:
    answer = build("mcp_never", "echo this")
    listed, call = answer.items
    assert listed["type"] == "mcp_list_tools"
    assert listed["server_label"] == "docs"
    assert [t["name"] for t in listed["tools"]] == ["echo"]
    assert call["type"] == "mcp_call"
    assert call["status"] == "completed"
    assert json.loads(call["arguments"]) == {"text": "echo this"}
    assert call["output"] == answer.result == "echo this"
    kinds = [e.type for e in check_events(answer)]
    assert "response.mcp_list_tools.completed" in kinds
    assert kinds.index("response.mcp_call.in_progress") < kinds.index(
        "response.mcp_call_arguments.done"
    )
    assert kinds[-2] == "response.mcp_call.completed"


def test_mcp_by_default_asks_for_approval_and_ends_the_response() -> None:
    answer = build("mcp_always", "echo this")
    assert [i["type"] for i in answer.items] == ["mcp_list_tools", "mcp_approval_request"]
    assert answer.result is None


def test_mcp_after_an_approval_calls_the_approved_tool_without_listing_again() -> None:
    first = build("mcp_always", "echo this")
    request = first.items[1]
    approval = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    context = [{"role": "user", "content": "echo this"}, *first.items, approval]
    assert hosted_tools.continued([TOOLS["mcp_always"]], context) == TOOLS["mcp_always"]
    second = hosted_tools.answer(TOOLS["mcp_always"], "echo this", "1" * 64, context=context)
    (call,) = second.items
    assert call["type"] == "mcp_call"
    assert call["approval_request_id"] == request["id"]
    assert call["arguments"] == request["arguments"]
    check_events(second)


def test_mcp_after_a_refusal_answers_without_calling() -> None:
    first = build("mcp_always", "echo this")
    refusal = {
        "type": "mcp_approval_response",
        "approval_request_id": first.items[1]["id"],
        "approve": False,
    }
    second = hosted_tools.answer(
        TOOLS["mcp_always"], "echo this", SEED, context=[*first.items, refusal]
    )
    assert second.items == []
    assert second.result is not None
    assert "not approved" in second.result


def test_mcp_approval_filters_decide_per_tool() -> None:
    tool = {
        "type": "mcp",
        "server_label": "s",
        "allowed_tools": ["read", "write"],
        "require_approval": {"never": {"tool_names": ["read"]}},
    }
    assert hosted_tools.answer(tool, "read it", SEED).items[-1]["type"] == "mcp_call"
    assert hosted_tools.answer(tool, "write it", SEED).items[-1]["type"] == "mcp_approval_request"


def png_size(data: bytes) -> tuple[int, int]:
    """Return a PNG's width and height after checking its signature, chunk CRCs and pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == binascii.crc32(kind + body), kind
        chunks[kind] = body
        offset += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert b"IEND" in chunks
    return width, height


def test_image_generation_returns_a_valid_png_and_its_partial_images() -> None:
    answer = build("image_generation", "a red fox")
    item = answer.items[0]
    assert png_size(base64.b64decode(item["result"])) == (8, 8)
    assert item["size"] == "8x8"
    assert item["output_format"] == "png"
    partials = [
        e for e in check_events(answer) if e.type == "response.image_generation_call.partial_image"
    ]
    assert [p.partial_image_index for p in partials] == [0, 1]
    for partial in partials:
        assert png_size(base64.b64decode(partial.partial_image_b64)) == (8, 8)
    assert build("image_generation", "a red fox").items == answer.items
    assert build("image_generation", "a blue fox").items[0]["result"] != item["result"]


def test_file_search_returns_results_when_included_and_cites_the_file() -> None:
    answer = build("file_search", "tides", include=("file_search_call.results",))
    (item,) = answer.items
    assert item["queries"] == ["tides"]
    assert item["results"][0]["text"] == "tides"
    text = f"The tool returned: {answer.result} (local pro)"
    (annotation,) = answer.annotations(text)
    assert annotation["type"] == "file_citation"
    assert annotation["file_id"] == item["results"][0]["file_id"]
    assert text[: annotation["index"]].endswith("tides")
    assert build("file_search", "tides").items[0]["results"] is None


def test_web_search_has_a_search_action_and_a_url_citation_on_the_quoted_title() -> None:
    answer = build("web_search", "tide tables", include=("web_search_call.action.sources",))
    (item,) = answer.items
    assert item["action"]["type"] == "search"
    assert item["action"]["query"] == "tide tables"
    source = item["action"]["sources"][0]["url"]
    text = f"The tool returned: {answer.result} (local pro)"
    (annotation,) = answer.annotations(text)
    assert annotation["url"] == source
    assert text[annotation["start_index"] : annotation["end_index"]] == annotation["title"]
    events = hosted_tools.annotation_events("msg_1", 1, answer.annotations(text))
    parsed = EVENTS.validate_python({**events[0], "sequence_number": 0}, strict=True)
    assert parsed.annotation.type == "url_citation"
    assert answer.annotations("a truncated answer") == []


def test_web_search_cites_an_allowed_domain_when_the_caller_names_some() -> None:
    tool = {"type": "web_search", "filters": {"allowed_domains": ["docs.python.org"]}}
    citation = hosted_tools.answer(tool, "json", SEED).citations[0]
    assert citation.annotation["url"].startswith("https://docs.python.org/")


def test_a_local_shell_call_is_left_to_the_client_and_a_container_one_runs() -> None:
    local = build("shell_local", "hello")
    assert [i["type"] for i in local.items] == ["shell_call"]
    assert local.result is None
    assert local.items[0]["action"]["commands"] == ["echo hello"]
    hosted = build("shell_container", "hello")
    call, output = hosted.items
    assert output["call_id"] == call["call_id"]
    assert output["output"][0]["stdout"] == "hello\n"
    assert hosted.result == "hello"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("apply_patch", "apply_patch_call"),
        ("computer", "computer_call"),
        ("computer_use_preview", "computer_call"),
        ("local_shell", "local_shell_call"),
    ],
)
def test_calls_the_client_runs_end_the_response(name: str, kind: str) -> None:
    answer = build(name)
    assert [i["type"] for i in answer.items] == [kind]
    assert answer.result is None


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ({"type": "shell_call_output", "output": [{"stdout": "hi\n", "stderr": ""}]}, "hi\n"),
        ({"type": "local_shell_call_output", "output": "done 1"}, "done 1"),
        ({"type": "apply_patch_call_output", "status": "completed"}, "completed"),
        ({"type": "computer_call_output", "output": {}}, "a screenshot"),
        ({"type": "message", "role": "user", "content": "x"}, None),
    ],
)
def test_a_clients_result_for_a_call_it_ran_is_read_back(
    item: dict[str, Any], text: str | None
) -> None:
    assert hosted_tools.tool_output(item) == text


@pytest.mark.parametrize(
    ("choice", "said", "expected"),
    [
        ("none", "use code_interpreter", None),
        ("auto", "use code_interpreter", "code_interpreter"),
        ("auto", "please do a web search", "web_search"),
        ("auto", "hello", None),
        ("required", "hello", "code_interpreter"),
        ({"type": "image_generation"}, "hello", "image_generation"),
        ({"type": "web_search_preview_2025_03_11"}, "hello", None),
        ({"type": "mcp", "server_label": "docs"}, "hello", "mcp"),
        ({"type": "allowed_tools", "mode": "required", "tools": [{"type": "mcp"}]}, "x", "mcp"),
    ],
)
def test_the_chosen_hosted_tool_follows_tool_choice(
    choice: Any, said: str, expected: str | None
) -> None:
    tools = [
        TOOLS["code_interpreter"],
        TOOLS["web_search"],
        TOOLS["image_generation"],
        TOOLS["mcp_never"],
    ]
    found = hosted_tools.chosen(tools, choice, said)
    assert (found or {}).get("type") == expected


def test_the_ids_are_deterministic_and_distinct_per_kind() -> None:
    assert hosted_tools.ident(SEED, "ci") == hosted_tools.ident(SEED, "ci")
    assert hosted_tools.ident(SEED, "ci") != hosted_tools.ident(SEED, "ig")
    assert hosted_tools.ident(SEED, "ci").startswith("ci_local")


def test_chat_web_search_cites_its_source_in_chats_annotation_shape() -> None:
    answer = hosted_tools.chat_web_search({"search_context_size": "low"}, "tide tables")
    assert answer.steps == ()
    text = f"The tool returned: {answer.result}"
    (note,) = hosted_tools.chat_annotations(answer, text)
    message = ChatCompletionMessage.model_validate(
        {"role": "assistant", "content": text, "annotations": [note]}, strict=True
    )
    no_extra_fields(message, "message")
    citation = message.annotations[0].url_citation  # type: ignore[index]
    assert text[citation.start_index : citation.end_index] == citation.title
