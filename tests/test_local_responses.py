"""The local model in the Responses API format, checked with the official SDK's types.

The recorded gpt-5.4-pro responses in the model cards are the reference for its shape; its
events parse with the `openai` SDK's stream event type.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from openai.types.responses import Response
from pydantic import ValidationError

from airelay.backends.local import LocalModel
from airelay.backends.local.response_object import PRO_SNAPSHOT
from airelay.backends.local.schema_instance import instance
from airelay.backends.local.turn import tokens
from airelay.core.catalog import PRO
from airelay.core.errors import BackendError
from airelay.core.sse import Decoder, Event
from airelay.core.types import JsonResult, StreamResult
from tests.conftest import load_examples
from tests.fakes import run
from tests.local_model_support import (
    NOW,
    RESPONSES_TOOLS,
    STREAM_EVENTS,
    USER,
    WEATHER,
    body,
    events,
    fill_upstream_gaps,
)

PRO_EXAMPLES = load_examples("gpt-5.4-pro")
# What the SDK requires but Workers AI's recorded responses lack; the local model matches
# upstream, so SDK checks fill exactly this in (see the test that pins it).
UPSTREAM_GAPS = {(("usage", "input_tokens_details", "cache_write_tokens"), "missing")}


def sdk_errors(data: Any) -> set[tuple[tuple[str | int, ...], str]]:
    """Return the SDK Response type's strict validation errors for `data`."""
    try:
        Response.model_validate(data, strict=True)
    except ValidationError as exc:
        return {(tuple(e["loc"]), e["type"]) for e in exc.errors()}
    return set()


def shape(value: Any) -> Any:
    """Return the JSON shape of `value`: keys, list lengths and value kinds, not values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, bool) or value is None:
        return repr(value) if value is None else "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


# --- the object -------------------------------------------------------------------------------


def test_the_recorded_upstream_responses_lack_only_what_the_local_model_lacks() -> None:
    # Pins UPSTREAM_GAPS: the SDK's strict Response type and Workers AI disagree on exactly
    # this, so the local model follows upstream and the SDK checks below fill only this in.
    gaps = set().union(*(sdk_errors(example["response"]) for example in PRO_EXAMPLES))
    assert gaps == UPSTREAM_GAPS
    assert sdk_errors(body(PRO.binding_id, {"input": "hi"})) == UPSTREAM_GAPS


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_has_the_recorded_responses_shape(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    local = body(PRO.binding_id, inputs)
    assert local.keys() == example["response"].keys()
    assert shape(local) == shape(example["response"])


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_echoes_the_request_settings_as_upstream_did(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    local = body(PRO.binding_id, inputs)
    own = {"id", "created_at", "completed_at", "output", "usage", "gatewayMetadata"}
    recorded = example["response"]
    assert {k: v for k, v in local.items() if k not in own} == {
        k: v for k, v in recorded.items() if k not in own
    }


@pytest.mark.parametrize("example", PRO_EXAMPLES, ids=lambda e: e["name"])
def test_a_response_parses_strictly_as_the_sdks_response(example: dict[str, Any]) -> None:
    inputs = {k: v for k, v in example["request"].items() if k != "model"}
    response = Response.model_validate(
        fill_upstream_gaps(body(PRO.binding_id, inputs)), strict=True
    )
    assert response.object == "response"
    assert response.status == "completed"
    assert response.model == PRO_SNAPSHOT
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output_text.startswith("You said: ")


def test_a_response_echoes_every_option_it_was_given() -> None:
    inputs = {
        "input": "hi",
        "instructions": "Be brief.",
        "max_output_tokens": 500,
        "temperature": 0.2,
        "top_p": 0.5,
        "reasoning": {"effort": "high"},
        "text": {"format": {"type": "json_object"}, "verbosity": "low"},
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": {"type": "function", "name": "f"},
    }
    data = body(PRO.binding_id, inputs)
    Response.model_validate(fill_upstream_gaps(data), strict=True)
    for name in (
        "instructions",
        "max_output_tokens",
        "temperature",
        "top_p",
        "text",
        "tools",
        "tool_choice",
    ):
        assert data[name] == inputs[name], name
    assert data["reasoning"]["effort"] == "high"


def test_responses_usage_counts_the_tokens_of_prompt_reply_and_reasoning() -> None:
    inputs = {
        "instructions": "Answer in French.",
        "input": [
            {"role": "user", "content": "How are you?"},
            {"role": "assistant", "content": "Fine."},
            {"role": "user", "content": [{"type": "input_text", "text": "And  now?"}]},
        ],
    }
    data = body(PRO.binding_id, inputs)
    usage = data["usage"]
    text = data["output"][1]["content"][0]["text"]
    prompts = ["Answer in French.", "How are you?", "Fine.", "And  now?"]
    assert usage["input_tokens"] == sum(len(tokens(p)) for p in prompts)
    reasoning = usage["output_tokens_details"]["reasoning_tokens"]
    assert usage["output_tokens"] == len(tokens(text)) + reasoning
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert "And now?" in text


def test_more_reasoning_effort_spends_more_reasoning_tokens() -> None:
    spent = [
        body(PRO.binding_id, {"input": "hi", "reasoning": {"effort": effort}})["usage"][
            "output_tokens_details"
        ]["reasoning_tokens"]
        for effort in ("none", "minimal", "low", "medium", "high", "xhigh")
    ]
    assert spent == sorted(spent)
    assert spent[0] == 0
    assert len(set(spent)) == len(spent)


def test_max_output_tokens_truncates_to_an_incomplete_response() -> None:
    data = body(PRO.binding_id, {"input": "hi", "max_output_tokens": 20})
    Response.model_validate(fill_upstream_gaps(data), strict=True)
    assert data["status"] == "incomplete"
    assert data["incomplete_details"] == {"reason": "max_output_tokens"}
    assert data["completed_at"] is None
    assert data["output"][1]["status"] == "incomplete"
    # Reasoning tokens count against the cap, as upstream.
    assert data["usage"]["output_tokens"] == 20
    text = data["output"][1]["content"][0]["text"]
    reasoning = data["usage"]["output_tokens_details"]["reasoning_tokens"]
    assert len(tokens(text)) == 20 - reasoning


def test_a_cap_below_the_reasoning_leaves_no_text_and_spends_the_cap() -> None:
    data = body(PRO.binding_id, {"input": "hi", "max_output_tokens": 3})
    assert data["status"] == "incomplete"
    assert data["output"][1]["content"][0]["text"] == ""
    assert data["usage"]["output_tokens"] == 3


def test_json_text_format_replies_with_a_json_object() -> None:
    data = body(PRO.binding_id, {"input": "hi", "text": {"format": {"type": "json_object"}}})
    assert isinstance(json.loads(data["output"][1]["content"][0]["text"]), dict)


# --- the stream -------------------------------------------------------------------------------

EVENT_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.output_item.done",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


def collapse(names: list[str]) -> list[str]:
    """Collapse runs of text deltas into one name."""
    out: list[str] = []
    for name in names:
        if not (out and name == out[-1] == "response.output_text.delta"):
            out.append(name)
    return out


def test_a_responses_stream_is_the_full_event_sequence() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea"})
    names = [e.event for e in stream]
    assert collapse(names) == [*EVENT_ORDER, "response.completed"]
    assert names.count("response.output_text.delta") > 1
    assert all(e.json()["type"] == e.event for e in stream)
    assert "[DONE]" not in [e.data for e in stream]


def test_sequence_numbers_run_from_zero_in_order() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea"})
    assert [e.json()["sequence_number"] for e in stream] == list(range(len(stream)))


def test_every_responses_event_parses_strictly_as_the_sdks_stream_event() -> None:
    for event in events(PRO.binding_id, {"input": "Tell me about the sea"}):
        parsed = STREAM_EVENTS.validate_python(fill_upstream_gaps(event.json()), strict=True)
        assert parsed.type == event.event


def test_a_responses_stream_ends_with_the_non_streamed_response() -> None:
    inputs = {"input": "Tell me about the sea", "instructions": "Be brief."}
    whole = body(PRO.binding_id, inputs)
    stream = events(PRO.binding_id, inputs)
    assert stream[-1].json()["response"] == whole
    text = whole["output"][1]["content"][0]["text"]
    assert "".join(e.json()["delta"] for e in stream if e.event.endswith(".delta")) == text
    done = {e.event: e.json() for e in stream}
    assert done["response.output_text.done"]["text"] == text
    assert done["response.content_part.done"]["part"]["text"] == text
    assert done["response.output_item.done"]["item"] == whole["output"][1]


def test_a_responses_stream_starts_with_an_empty_in_progress_response() -> None:
    created = events(PRO.binding_id, {"input": "hi"})[0].json()["response"]
    assert created["status"] == "in_progress"
    assert created["output"] == []
    assert created["usage"] is None


def test_a_truncated_responses_stream_ends_with_response_incomplete() -> None:
    stream = events(PRO.binding_id, {"input": "Tell me about the sea", "max_output_tokens": 20})
    assert stream[-1].event == "response.incomplete"
    final = stream[-1].json()["response"]
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    STREAM_EVENTS.validate_python(fill_upstream_gaps(stream[-1].json()), strict=True)


# --- tools and structured outputs -------------------------------------------------------------


def test_responses_with_a_named_function_answers_with_a_function_call_item() -> None:
    inputs = {
        "input": USER,
        "tools": RESPONSES_TOOLS,
        "tool_choice": {"type": "function", "name": "get_weather"},
    }
    response = Response.model_validate(
        fill_upstream_gaps(body(PRO.binding_id, inputs)), strict=True
    )
    call = response.output[-1]
    assert call.type == "function_call"
    assert json.loads(call.arguments) == instance(WEATHER)


def test_responses_streams_a_call_with_argument_deltas() -> None:
    inputs = {"input": USER, "tools": RESPONSES_TOOLS, "tool_choice": "required"}
    parsed = [
        STREAM_EVENTS.validate_python(fill_upstream_gaps(e.json()), strict=True)
        for e in events(PRO.binding_id, inputs)
    ]
    kinds = [p.type for p in parsed]
    assert "response.function_call_arguments.delta" in kinds
    done = next(p for p in parsed if p.type == "response.function_call_arguments.done")
    assert json.loads(done.arguments) == instance(WEATHER)
    assert kinds[-1] == "response.completed"


def test_responses_after_a_function_call_output_answers_quoting_it() -> None:
    items = [
        *USER,
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "22 degrees"},
    ]
    data = body(PRO.binding_id, {"input": items, "tools": RESPONSES_TOOLS})
    assert "22 degrees" in data["output"][-1]["content"][0]["text"]


def test_responses_json_schema_answers_with_an_instance() -> None:
    fmt = {"type": "json_schema", "name": "w", "schema": WEATHER, "strict": True}
    data = body(PRO.binding_id, {"input": "hi", "text": {"format": fmt}})
    assert json.loads(data["output"][-1]["content"][0]["text"]) == instance(WEATHER)


# --- hosted tools ---------------------------------------------------------------------------------

HOSTED: dict[str, dict[str, Any]] = {
    "code_interpreter": {"type": "code_interpreter", "container": {"type": "auto"}},
    "mcp": {"type": "mcp", "server_label": "docs", "require_approval": "never"},
    "image_generation": {"type": "image_generation", "partial_images": 2},
    "file_search": {"type": "file_search", "vector_store_ids": ["vs_1"]},
    "web_search": {"type": "web_search"},
    "shell": {"type": "shell", "environment": {"type": "container_auto"}},
}
INCLUDE = ["code_interpreter_call.outputs", "file_search_call.results"]


def hosted_request(kind: str, tool: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a request whose user turn names the hosted tool `kind`."""
    return {
        "input": f"Use {kind} for the tide tables",
        "tools": [tool or HOSTED[kind]],
        "include": INCLUDE,
    }


@pytest.mark.parametrize("kind", sorted(HOSTED))
def test_each_hosted_tool_answers_with_its_items_then_a_message_quoting_it(kind: str) -> None:
    data = body(PRO.binding_id, hosted_request(kind))
    response = Response.model_validate(fill_upstream_gaps(data), strict=True)
    kinds = [item.type for item in response.output]
    assert kinds[0] == "reasoning"
    assert kinds[-1] == "message"
    assert len(kinds) > 2
    assert "The tool returned: " in response.output_text
    assert response.tools[0].type == HOSTED[kind]["type"]


@pytest.mark.parametrize("kind", sorted(HOSTED))
def test_each_hosted_tool_streams_its_events_and_ends_with_the_same_response(kind: str) -> None:
    parsed = [
        STREAM_EVENTS.validate_python(fill_upstream_gaps(e.json()), strict=True)
        for e in events(PRO.binding_id, hosted_request(kind))
    ]
    assert [p.sequence_number for p in parsed] == list(range(len(parsed)))
    final = parsed[-1]
    assert final.type == "response.completed"
    plain = body(PRO.binding_id, hosted_request(kind))
    assert final.response.model_dump(exclude_unset=True)["output"] == plain["output"]
    prefix = {"mcp": "response.mcp_call", "shell": "response.shell_call"}.get(
        kind, f"response.{kind}_call"
    )
    assert any(p.type.startswith(prefix) for p in parsed), kind
    added = [p.output_index for p in parsed if p.type == "response.output_item.added"]
    assert added == list(range(len(plain["output"])))


def test_web_search_answers_with_a_url_citation_on_its_text_plain_and_streamed() -> None:
    data = body(PRO.binding_id, hosted_request("web_search"))
    part = data["output"][-1]["content"][0]
    (note,) = part["annotations"]
    assert note["type"] == "url_citation"
    assert part["text"][note["start_index"] : note["end_index"]] == note["title"]
    streamed = [e.json() for e in events(PRO.binding_id, hosted_request("web_search"))]
    added = [e for e in streamed if e["type"] == "response.output_text.annotation.added"]
    assert [e["annotation"] for e in added] == [note]


def test_an_mcp_tool_that_needs_approval_ends_the_response_with_the_request() -> None:
    tool = {"type": "mcp", "server_label": "docs"}
    data = body(PRO.binding_id, hosted_request("mcp", tool))
    assert [i["type"] for i in data["output"]] == [
        "reasoning",
        "mcp_list_tools",
        "mcp_approval_request",
    ]
    assert data["status"] == "completed"
    request = data["output"][-1]
    approval = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    follow_up = {
        "input": [{"role": "user", "content": "Use mcp"}, *data["output"], approval],
        "tools": [tool],
    }
    done = Response.model_validate(fill_upstream_gaps(body(PRO.binding_id, follow_up)), strict=True)
    assert [i.type for i in done.output] == ["reasoning", "mcp_call", "message"]
    assert done.output[1].approval_request_id == request["id"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("tool", "kind"),
    [
        ({"type": "shell", "environment": {"type": "local"}}, "shell_call"),
        ({"type": "apply_patch"}, "apply_patch_call"),
        ({"type": "computer"}, "computer_call"),
        ({"type": "local_shell"}, "local_shell_call"),
    ],
)
def test_a_call_the_client_runs_ends_the_response_and_its_output_is_quoted(
    tool: dict[str, Any], kind: str
) -> None:
    inputs = {"input": "go", "tools": [tool], "tool_choice": "required"}
    data = body(PRO.binding_id, inputs)
    assert [i["type"] for i in data["output"]] == ["reasoning", kind]
    streamed = events(PRO.binding_id, inputs)
    assert streamed[-1].json()["response"]["output"] == data["output"]
    outputs: dict[str, dict[str, Any]] = {
        "shell_call": {
            "type": "shell_call_output",
            "output": [
                {"outcome": {"type": "exit", "exit_code": 0}, "stdout": "ran it", "stderr": ""}
            ],
        },
        "apply_patch_call": {"type": "apply_patch_call_output", "status": "completed"},
        "computer_call": {
            "type": "computer_call_output",
            "output": {"type": "computer_screenshot"},
        },
        "local_shell_call": {"type": "local_shell_call_output", "output": "ran it"},
    }
    call = data["output"][-1]
    result = {**outputs[kind], "call_id": call["call_id"], "id": "out_1"}
    follow_up = {"input": [{"role": "user", "content": "go"}, call, result], "tools": [tool]}
    answer = body(PRO.binding_id, follow_up)
    assert answer["output"][-1]["content"][0]["text"].startswith("The tool returned: ")


def test_under_auto_a_turn_that_names_no_hosted_tool_is_answered_in_text() -> None:
    data = body(PRO.binding_id, {"input": "hello", "tools": list(HOSTED.values())})
    assert [i["type"] for i in data["output"]] == ["reasoning", "message"]


# --- stored responses -----------------------------------------------------------------------------


def stateful() -> tuple[LocalModel, Any]:
    """Return a local model on a fixed clock and a function answering through it."""
    local = LocalModel(clock=lambda: NOW)

    def ask(inputs: dict[str, Any]) -> dict[str, Any]:
        result = run(local.run(PRO.binding_id, inputs, {}))
        assert isinstance(result, JsonResult)
        data: dict[str, Any] = result.data
        return data

    return local, ask


def test_a_stored_response_gets_a_fresh_id_and_says_store_true() -> None:
    _, ask = stateful()
    first, second = ask({"input": "hi", "store": True}), ask({"input": "hi", "store": True})
    assert first["id"] != second["id"]
    assert first["output"][-1]["id"] != second["output"][-1]["id"]
    assert first["store"] is True
    assert ask({"input": "hi"})["store"] is False


def test_previous_response_id_continues_from_the_stored_input_and_output() -> None:
    _, ask = stateful()
    first = ask({"input": "My name is Ada", "store": True})
    second = ask({"input": "What is my name?", "previous_response_id": first["id"]})
    assert second["previous_response_id"] == first["id"]
    text = second["output"][-1]["content"][0]["text"]
    assert "What is my name?" in text
    assert "earlier you said: My name is Ada" in text
    inline = ask(
        {
            "input": [
                {"role": "user", "content": "My name is Ada"},
                *first["output"],
                {"role": "user", "content": "What is my name?"},
            ]
        }
    )
    assert second["usage"]["input_tokens"] == inline["usage"]["input_tokens"]
    alone = ask({"input": "What is my name?"})
    assert second["usage"]["input_tokens"] > alone["usage"]["input_tokens"]


def test_a_streamed_stored_response_is_stored_when_it_completes() -> None:
    local, ask = stateful()
    result = run(
        local.run(PRO.binding_id, {"input": "My name is Ada", "store": True, "stream": True}, {})
    )
    assert isinstance(result, StreamResult)

    stream = cast(AsyncIterator[bytes], result.stream)

    async def drain() -> list[Event]:
        decoder = Decoder()
        return [e async for chunk in stream for e in decoder.decode(chunk)]

    streamed = run(drain())
    first_id = streamed[-1].json()["response"]["id"]
    second = ask({"input": "What is my name?", "previous_response_id": first_id})
    assert "earlier you said: My name is Ada" in second["output"][-1]["content"][0]["text"]


@pytest.mark.parametrize("store", [None, False])
def test_an_unstored_response_cannot_be_continued(store: bool | None) -> None:
    _, ask = stateful()
    first = ask({"input": "hi"} if store is None else {"input": "hi", "store": store})
    with pytest.raises(BackendError) as caught:
        ask({"input": "again", "previous_response_id": first["id"]})
    assert caught.value.code == "previous_response_not_found"


def test_an_unknown_previous_response_id_gets_openais_error() -> None:
    _, ask = stateful()
    with pytest.raises(BackendError) as caught:
        ask({"input": "again", "previous_response_id": "resp_abc"})
    error = caught.value
    assert (error.status, error.param) == (400, "previous_response_id")
    assert error.message == "Previous response with id 'resp_abc' not found."


def test_a_chained_mcp_approval_continues_from_the_stored_request() -> None:
    _, ask = stateful()
    tool = {"type": "mcp", "server_label": "docs"}
    first = ask({"input": "Ask docs to echo hi", "tools": [tool], "store": True})
    request = first["output"][-1]
    approval = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    second = ask({"input": [approval], "tools": [tool], "previous_response_id": first["id"]})
    assert [i["type"] for i in second["output"]] == ["reasoning", "mcp_call", "message"]
    assert second["output"][1]["arguments"] == request["arguments"]
