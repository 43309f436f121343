"""The request models: every parameter of the model cards, its bounds, shapes and unknowns."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.core.errors import RelayError
from airelay.core.models import ChatCompletionRequest, RelayRequest, ResponsesRequest
from airelay.core.validation import validate
from tests.conftest import load_examples

Schema = type[RelayRequest]
CHAT = ChatCompletionRequest
RESPONSES = ResponsesRequest
HELLO = [{"role": "user", "content": "Hello"}]


def chat(**fields: Any) -> dict[str, Any]:
    """Return a minimal chat body with `fields` added."""
    return {"messages": HELLO, **fields}


def responses(**fields: Any) -> dict[str, Any]:
    """Return a minimal Responses body with `fields` added."""
    return {"input": "Hello", **fields}


def base(schema: Schema) -> dict[str, Any]:
    """Return the minimal valid body for `schema`."""
    return chat() if schema is CHAT else responses()


def rejected(schema: Schema, body: dict[str, Any]) -> RelayError:
    """Validate `body`, expecting the 400 that validation raises."""
    with pytest.raises(RelayError) as caught:
        validate(schema, body)
    assert caught.value.status == 400
    return caught.value


def case_id(value: object) -> str | None:
    """Name a parametrized case by its API, its param path, or its object's role or type."""
    if value is CHAT or value is RESPONSES:
        return "chat" if value is CHAT else "responses"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        kind = value.get("role") or value.get("type")
        return kind if isinstance(kind, str) else None
    return None


# --- the model cards' examples -----------------------------------------------------------


@pytest.mark.parametrize(
    "example", load_examples("gpt-5.4-mini"), ids=lambda e: f"mini-{e['name']}"
)
def test_every_chat_example_of_the_card_is_accepted(example: dict[str, Any]) -> None:
    parsed = validate(CHAT, example["request"])
    assert len(parsed.messages) == len(example["request"]["messages"])


@pytest.mark.parametrize("example", load_examples("gpt-5.4-pro"), ids=lambda e: f"pro-{e['name']}")
def test_every_responses_example_of_the_card_is_accepted(example: dict[str, Any]) -> None:
    parsed = validate(RESPONSES, example["request"])
    assert parsed.model == example["request"]["model"]


# --- bounds: each on both sides ------------------------------------------------------------

BOUNDS: list[tuple[Schema, str, float, float]] = [
    # (schema, parameter, value at the bound, value just past it)
    (CHAT, "temperature", 0, -0.01),
    (CHAT, "temperature", 2, 2.01),
    (CHAT, "top_p", 0, -0.01),
    (CHAT, "top_p", 1, 1.01),
    (CHAT, "frequency_penalty", -2, -2.01),
    (CHAT, "frequency_penalty", 2, 2.01),
    (CHAT, "presence_penalty", -2, -2.01),
    (CHAT, "presence_penalty", 2, 2.01),
    (CHAT, "max_tokens", 1, 0),
    (CHAT, "max_tokens", 128_000, 128_001),
    (CHAT, "max_completion_tokens", 1, 0),
    (CHAT, "max_completion_tokens", 128_000, 128_001),
    (RESPONSES, "temperature", 0, -0.01),
    (RESPONSES, "temperature", 2, 2.01),
    (RESPONSES, "top_p", 0, -0.01),
    (RESPONSES, "top_p", 1, 1.01),
    (RESPONSES, "max_output_tokens", 1, 0),
    (RESPONSES, "max_output_tokens", 1_000_000, 1_000_001),
]


def _bound_id(case: tuple[Schema, str, float, float]) -> str:
    schema, name, inside, outside = case
    api = "chat" if schema is CHAT else "responses"
    side = "max" if outside > inside else "min"
    return f"{api}-{name}-{side}-{inside}"


@pytest.mark.parametrize("case", BOUNDS, ids=[_bound_id(c) for c in BOUNDS])
def test_a_value_at_the_bound_is_accepted(case: tuple[Schema, str, float, float]) -> None:
    schema, name, inside, _ = case
    parsed = validate(schema, {**base(schema), name: inside})
    assert getattr(parsed, name) == inside


@pytest.mark.parametrize("case", BOUNDS, ids=[_bound_id(c) for c in BOUNDS])
def test_a_value_just_past_the_bound_is_rejected_naming_the_param(
    case: tuple[Schema, str, float, float],
) -> None:
    schema, name, inside, outside = case
    error = rejected(schema, {**base(schema), name: outside})
    assert error.param == name
    assert error.code == "invalid_value"
    assert f"'{name}'" in error.message
    assert ("less than" in error.message) == (outside > inside)


def test_temperature_above_two_is_rejected_naming_the_param() -> None:
    error = rejected(CHAT, chat(temperature=2.5))
    assert error.param == "temperature"
    assert (
        error.message == "Invalid value for 'temperature': Input should be less than or equal to 2."
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", "1"),
        ("temperature", True),
        ("top_p", "0.5"),
        ("max_tokens", 1.5),
        ("max_tokens", "16"),
        ("max_tokens", True),
        ("stream", "true"),
        ("stream", 1),
    ],
)
def test_values_of_the_wrong_json_type_are_not_coerced(name: str, value: object) -> None:
    # Strict models: what passes is sent upstream as is, so "1" must not pass as 1.
    error = rejected(CHAT, chat(**{name: value}))
    assert error.param == name


def test_whole_numbers_are_accepted_for_number_parameters() -> None:
    parsed = validate(CHAT, chat(temperature=1, top_p=1, frequency_penalty=-1))
    assert (parsed.temperature, parsed.top_p, parsed.frequency_penalty) == (1, 1, -1)


def test_null_means_unset_for_optional_parameters() -> None:
    parsed = validate(CHAT, chat(temperature=None, max_tokens=None, stream=None))
    assert parsed.temperature is None
    assert parsed.max_tokens is None


# --- required fields and unknown fields ----------------------------------------------------


@pytest.mark.parametrize(("schema", "name"), [(CHAT, "messages"), (RESPONSES, "input")])
def test_a_missing_required_field_is_named(schema: Schema, name: str) -> None:
    error = rejected(schema, {"temperature": 1})
    assert (error.param, error.code) == (name, "missing_required_parameter")
    assert error.message == f"Missing required parameter: '{name}'."


@pytest.mark.parametrize(("schema", "name"), [(CHAT, "messages"), (RESPONSES, "input")])
def test_an_empty_conversation_is_rejected(schema: Schema, name: str) -> None:
    error = rejected(schema, {name: []})
    assert error.param == name


@pytest.mark.parametrize("schema", [CHAT, RESPONSES], ids=["chat", "responses"])
def test_an_unknown_top_level_field_is_rejected_naming_it(schema: Schema) -> None:
    error = rejected(schema, {**base(schema), "temprature": 1})
    assert (error.param, error.code) == ("temprature", "unknown_parameter")
    assert error.message == "Unrecognized request argument supplied: temprature"


@pytest.mark.parametrize(
    ("schema", "body", "param"),
    [
        (CHAT, chat(messages=[{"role": "user", "content": "x", "mood": "ok"}]), "messages[0].mood"),
        (
            CHAT,
            chat(stream=True, stream_options={"include_usage": True, "x": 1}),
            "stream_options.x",
        ),
        # A union tag that is also a key of the object ("text", "image_url", "refusal",
        # "json_schema") must not hide the unknown field behind it.
        (
            CHAT,
            chat(messages=[{"role": "user", "content": [{"type": "text", "text": "a", "x": 1}]}]),
            "messages[0].content[0].x",
        ),
        (
            CHAT,
            chat(
                messages=[
                    {
                        "role": "user",
                        "content": [
                            {"type": "image_url", "image_url": {"url": "https://x/y.png"}, "x": 1}
                        ],
                    }
                ]
            ),
            "messages[0].content[0].x",
        ),
        (
            CHAT,
            chat(
                messages=[
                    *HELLO,
                    {
                        "role": "assistant",
                        "content": [{"type": "refusal", "refusal": "no", "x": 1}],
                    },
                ]
            ),
            "messages[1].content[0].x",
        ),
        (
            CHAT,
            chat(response_format={"type": "json_schema", "json_schema": {"name": "n"}, "x": 1}),
            "response_format.x",
        ),
        (
            CHAT,
            chat(tools=[{"type": "function", "function": {"name": "f", "x": 1}}]),
            "tools[0].function.x",
        ),
        (RESPONSES, responses(input=[{"role": "user", "content": "a", "x": 1}]), "input[0].x"),
        (
            RESPONSES,
            responses(
                input=[{"role": "user", "content": [{"type": "input_text", "text": "a", "x": 1}]}]
            ),
            "input[0].content[0].x",
        ),
        (RESPONSES, responses(reasoning={"effort": "low", "budget": 3}), "reasoning.budget"),
        (RESPONSES, responses(text={"verbosity": "low", "x": 1}), "text.x"),
        (RESPONSES, responses(tools=[{"type": "function", "name": "f", "x": 1}]), "tools[0].x"),
    ],
    ids=case_id,
)
def test_an_unknown_nested_field_is_rejected_naming_its_path(
    schema: Schema, body: dict[str, Any], param: str
) -> None:
    error = rejected(schema, body)
    assert (error.param, error.code) == (param, "unknown_parameter")
    assert error.message == f"Unrecognized argument: {param}"


def test_responses_stream_options_have_no_include_usage() -> None:
    error = rejected(RESPONSES, responses(stream=True, stream_options={"include_usage": True}))
    assert (error.param, error.code) == ("stream_options.include_usage", "unknown_parameter")


def test_an_empty_model_name_is_rejected() -> None:
    assert rejected(CHAT, chat(model="")).param == "model"


# --- Chat Completions: roles and content shapes ----------------------------------------------

TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


@pytest.mark.parametrize(
    "message",
    [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}], "name": "ops"},
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "ann"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,AA==", "detail": "low"},
                },
                {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                {"type": "file", "file": {"file_id": "file_1", "filename": "a.pdf"}},
            ],
        },
        {"role": "assistant", "content": "Hello!"},
        {"role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]},
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
        {"role": "tool", "content": [{"type": "text", "text": "42"}], "tool_call_id": "call_1"},
    ],
    ids=lambda m: f"{m['role']}-{type(m['content']).__name__}",
)
def test_each_chat_role_and_content_shape_is_accepted(message: dict[str, Any]) -> None:
    parsed = validate(CHAT, chat(messages=[*HELLO, message]))
    assert parsed.messages[1].role == message["role"]


@pytest.mark.parametrize(
    ("message", "param"),
    [
        ({"role": "robot", "content": "x"}, "messages[0]"),
        ({"content": "x"}, "messages[0]"),
        ({"role": "user"}, "messages[0].content"),
        ({"role": "user", "content": 7}, "messages[0].content"),
        ({"role": "user", "content": []}, "messages[0].content"),
        ({"role": "user", "content": [{"type": "video", "video": "x"}]}, "messages[0].content[0]"),
        (
            {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
            "messages[0].content[0].type",
        ),
        ({"role": "tool", "content": "42"}, "messages[0].tool_call_id"),
        ({"role": "user", "content": [{"type": "text", "text": 5}]}, "messages[0].content[0].text"),
        (
            {
                "role": "user",
                "content": [{"type": "image_url", "image_url": {"url": "x", "detail": "max"}}],
            },
            "messages[0].content[0].image_url.detail",
        ),
        (
            {"role": "assistant", "tool_calls": [{**TOOL_CALL, "type": "code"}]},
            "messages[0].tool_calls[0]",
        ),
    ],
    ids=case_id,
)
def test_a_malformed_chat_message_is_rejected_naming_the_spot(
    message: dict[str, Any], param: str
) -> None:
    assert rejected(CHAT, chat(messages=[message])).param == param


# --- Chat Completions: stream, tools, tool_choice, response_format ----------------------------


def test_stream_options_are_accepted_with_stream() -> None:
    parsed = validate(CHAT, chat(stream=True, stream_options={"include_usage": True}))
    assert parsed.stream_options is not None
    assert parsed.stream_options.include_usage is True


@pytest.mark.parametrize("stream", [False, None, "absent"])
def test_stream_options_without_stream_are_rejected_naming_stream_options(
    stream: bool | str | None,
) -> None:
    body = chat(stream_options={"include_usage": True})
    if stream != "absent":
        body["stream"] = stream
    error = rejected(CHAT, body)
    assert error.param == "stream_options"
    assert error.message == "Invalid value for 'stream_options': only allowed when stream is true."


def test_a_bad_stream_is_reported_as_itself_not_as_stream_options() -> None:
    error = rejected(CHAT, chat(stream="yes", stream_options={"include_usage": True}))
    assert error.param == "stream"


def test_include_usage_must_be_a_boolean() -> None:
    error = rejected(CHAT, chat(stream=True, stream_options={"include_usage": "yes"}))
    assert error.param == "stream_options.include_usage"


TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@pytest.mark.parametrize("mode", ["none", "auto", "required"])
def test_chat_tool_choice_modes_are_accepted(mode: str) -> None:
    assert validate(CHAT, chat(tools=[TOOL], tool_choice=mode)).tool_choice == mode


def test_chat_tool_choice_naming_a_function_is_accepted_with_tools() -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    assert validate(CHAT, chat(tools=[TOOL], tool_choice=choice)).tool_choice is not None


def test_chat_tool_choice_naming_a_function_without_tools_is_rejected_naming_tool_choice() -> None:
    error = rejected(CHAT, chat(tool_choice={"type": "function", "function": {"name": "f"}}))
    assert error.param == "tool_choice"
    assert "needs tools" in error.message


def test_an_unknown_chat_tool_choice_is_rejected() -> None:
    assert rejected(CHAT, chat(tool_choice="sometimes")).param == "tool_choice"


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "dots.not.allowed"])
def test_a_function_name_outside_openais_pattern_is_rejected(name: str) -> None:
    tool = {"type": "function", "function": {"name": name}}
    assert rejected(CHAT, chat(tools=[tool])).param == "tools[0].function.name"


@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "text"},
        {"type": "json_object"},
        {
            "type": "json_schema",
            "json_schema": {"name": "reply", "strict": True, "schema": {"type": "object"}},
        },
    ],
    ids=lambda f: f["type"],
)
def test_each_chat_response_format_is_accepted(response_format: dict[str, Any]) -> None:
    assert validate(CHAT, chat(response_format=response_format)).response_format is not None


@pytest.mark.parametrize(
    ("response_format", "param"),
    [
        ({"type": "yaml"}, "response_format"),
        ({"type": "json_schema"}, "response_format.json_schema"),
        (
            {"type": "json_schema", "json_schema": {"schema": {}}},
            "response_format.json_schema.name",
        ),
    ],
    ids=case_id,
)
def test_a_malformed_chat_response_format_is_rejected(
    response_format: dict[str, Any], param: str
) -> None:
    assert rejected(CHAT, chat(response_format=response_format)).param == param


# --- Responses: input shapes --------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        {"role": "user", "content": "Hi"},
        {"type": "message", "role": "system", "content": "Be brief."},
        {"role": "developer", "content": [{"type": "input_text", "text": "Be brief."}]},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {"type": "input_image", "image_url": "https://x/y.png", "detail": "high"},
                {"type": "input_file", "file_id": "file_1"},
            ],
        },
        {"role": "assistant", "content": "Hello!"},
        {
            "type": "message",
            "role": "assistant",
            "id": "msg_1",
            "status": "completed",
            "phase": "final_answer",
            "content": [
                {"type": "output_text", "text": "Hello!", "annotations": [], "logprobs": []}
            ],
        },
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "42"},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}]},
        {"type": "item_reference", "id": "msg_1"},
    ],
    ids=lambda i: i.get("type") or i["role"],
)
def test_each_responses_input_item_is_accepted(item: dict[str, Any]) -> None:
    parsed = validate(RESPONSES, responses(input=[item]))
    assert isinstance(parsed.input, list)
    assert len(parsed.input) == 1


@pytest.mark.parametrize(
    ("item", "param"),
    [
        ({"type": "telepathy"}, "input[0]"),
        ({"role": "robot", "content": "x"}, "input[0].role"),
        (
            {"role": "user", "content": [{"type": "output_text", "text": "x"}]},
            "input[0].content[0]",
        ),
        (
            {"role": "assistant", "content": [{"type": "input_text", "text": "x"}]},
            "input[0].content[0]",
        ),
        ({"type": "function_call", "name": "f", "arguments": "{}"}, "input[0].call_id"),
        ({"role": "user", "content": "x", "status": "done"}, "input[0].status"),
    ],
    ids=case_id,
)
def test_a_malformed_input_item_is_rejected_naming_the_spot(
    item: dict[str, Any], param: str
) -> None:
    assert rejected(RESPONSES, responses(input=[item])).param == param


def test_input_must_be_a_string_or_a_list_of_items() -> None:
    error = rejected(RESPONSES, responses(input=42))
    assert error.param == "input"
    assert (
        error.message
        == "Invalid value for 'input': Input should be a valid string or a valid list."
    )


# --- Responses: reasoning, text, tools, tool_choice ------------------------------------------


@pytest.mark.parametrize("effort", ["none", "minimal", "low", "medium", "high", "xhigh"])
def test_each_reasoning_effort_is_accepted(effort: str) -> None:
    parsed = validate(RESPONSES, responses(reasoning={"effort": effort, "summary": "auto"}))
    assert parsed.reasoning is not None
    assert parsed.reasoning.effort == effort


def test_an_unknown_reasoning_effort_is_rejected_naming_it() -> None:
    error = rejected(RESPONSES, responses(reasoning={"effort": "extreme"}))
    assert error.param == "reasoning.effort"
    assert "'medium'" in error.message


@pytest.mark.parametrize(
    "text",
    [
        {"format": {"type": "text"}},
        {"format": {"type": "json_object"}, "verbosity": "low"},
        {
            "format": {
                "type": "json_schema",
                "name": "reply",
                "schema": {"type": "object"},
                "strict": True,
            },
            "verbosity": "high",
        },
        {"verbosity": "medium"},
    ],
)
def test_each_text_option_is_accepted(text: dict[str, Any]) -> None:
    assert validate(RESPONSES, responses(text=text)).text is not None


@pytest.mark.parametrize(
    ("text", "param"),
    [
        ({"verbosity": "loud"}, "text.verbosity"),
        ({"format": {"type": "json_schema", "name": "reply"}}, "text.format.schema"),
        ({"format": {"type": "json_schema", "schema": {}}}, "text.format.name"),
        ({"format": {"type": "xml"}}, "text.format"),
    ],
    ids=case_id,
)
def test_a_malformed_text_option_is_rejected_naming_it(text: dict[str, Any], param: str) -> None:
    assert rejected(RESPONSES, responses(text=text)).param == param


FUNCTION_TOOL = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}


@pytest.mark.parametrize(
    "tool",
    [
        FUNCTION_TOOL,
        {"type": "web_search"},
        {
            "type": "web_search_preview",
            "search_context_size": "low",
            "user_location": {"type": "approximate", "country": "NL"},
        },
    ],
    ids=lambda t: t["type"],
)
def test_each_responses_tool_is_accepted(tool: dict[str, Any]) -> None:
    assert validate(RESPONSES, responses(tools=[tool])).tools is not None


def test_an_unknown_responses_tool_is_rejected() -> None:
    assert rejected(RESPONSES, responses(tools=[{"type": "mind_reader"}])).param == "tools[0]"


@pytest.mark.parametrize(
    "choice",
    [
        "none",
        "auto",
        "required",
        {"type": "function", "name": "get_weather"},
        {"type": "web_search_preview"},
    ],
    ids=str,
)
def test_each_responses_tool_choice_is_accepted(choice: str | dict[str, str]) -> None:
    tools = [FUNCTION_TOOL, {"type": "web_search_preview"}]
    assert validate(RESPONSES, responses(tools=tools, tool_choice=choice)).tool_choice is not None


def test_responses_tool_choice_naming_a_missing_function_is_rejected_naming_tool_choice() -> None:
    error = rejected(
        RESPONSES, responses(tools=[FUNCTION_TOOL], tool_choice={"type": "function", "name": "g"})
    )
    assert error.param == "tool_choice"
    assert (
        error.message == "Invalid value for 'tool_choice': names a function that is not in tools."
    )


def test_responses_tool_choice_web_search_is_rejected_as_openai_has_no_such_choice() -> None:
    # OpenAI's tool_choice types (and the SDK's ToolChoiceTypes) force `web_search_preview`
    # only; `{"type": "web_search"}` would be refused upstream after a billed round trip.
    error = rejected(
        RESPONSES, responses(tools=[{"type": "web_search"}], tool_choice={"type": "web_search"})
    )
    assert error.param == "tool_choice.type"


def test_an_assistant_message_that_says_nothing_is_rejected() -> None:
    error = rejected(CHAT, {"messages": [{"role": "user", "content": "x"}, {"role": "assistant"}]})
    assert error.param == "messages[1]"
    assert "content, tool_calls or refusal" in error.message
