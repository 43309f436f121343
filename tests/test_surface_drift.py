"""The accepted request surface matches the pinned `openai` SDK's own request TypedDicts."""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

import pytest
from openai.types import shared_params
from openai.types.chat import (
    ChatCompletionMessage,
    chat_completion_assistant_message_param,
    chat_completion_audio,
    chat_completion_custom_tool_param,
    chat_completion_message,
    chat_completion_stream_options_param,
    chat_completion_tool_message_param,
    chat_completion_user_message_param,
    completion_create_params,
    parsed_chat_completion,
    parsed_function_tool_call,
)
from openai.types.responses import (
    custom_tool_param,
    function_tool_param,
    response_conversation_param_param,
    response_create_params,
    response_format_text_json_schema_config_param,
    response_function_tool_call_param,
    response_input_param,
    response_prompt_param,
    response_reasoning_item_param,
    response_text_config_param,
    web_search_preview_tool_param,
    web_search_tool_param,
)
from pydantic import BaseModel

from airelay.core import models
from airelay.core.errors import RelayError
from airelay.core.models import chat
from airelay.core.validation import validate

# Differences the relay keeps on purpose: (relay model, field) -> why. Keep it short.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # The SDK types `stream` on its two subclasses (Streaming/NonStreaming), not on the base.
    ("ChatCompletionRequest", "stream"): "typed on the SDK's streaming subclasses",
    ("ResponsesRequest", "stream"): "typed on the SDK's streaming subclasses",
    # One model serves both of the SDK's input message shapes; EasyInputMessageParam has phase.
    ("InputMessage", "phase"): "typed on EasyInputMessageParam, which InputMessage also serves",
    # The SDK's answer type has it, and callers send the message they were given back.
    ("AssistantMessage", "annotations"): "on ChatCompletionMessage, which callers send back",
    ("AssistantMessage", "parsed"): "on ParsedChatCompletionMessage, which callers send back",
}

# (relay model, the SDK TypedDict it mirrors)
PAIRS: list[tuple[type[BaseModel], Any]] = [
    (models.ChatCompletionRequest, completion_create_params.CompletionCreateParamsBase),
    (models.ResponsesRequest, response_create_params.ResponseCreateParamsBase),
    (models.Reasoning, shared_params.Reasoning),
    (models.TextOptions, response_text_config_param.ResponseTextConfigParam),
    (
        models.ResponsesJsonSchemaFormat,
        response_format_text_json_schema_config_param.ResponseFormatTextJSONSchemaConfigParam,
    ),
    (models.JsonSchemaSpec, shared_params.response_format_json_schema.JSONSchema),
    (models.StreamOptions, chat_completion_stream_options_param.ChatCompletionStreamOptionsParam),
    (models.ResponsesStreamOptions, response_create_params.StreamOptions),
    (models.Prompt, response_prompt_param.ResponsePromptParam),
    (models.Conversation, response_conversation_param_param.ResponseConversationParamParam),
    (models.FunctionTool, function_tool_param.FunctionToolParam),
    (models.FunctionDefinition, shared_params.FunctionDefinition),
    (models.WebSearchOptions, completion_create_params.WebSearchOptions),
    (models.Moderation, response_create_params.Moderation),
    (models.ResponsesPromptCacheOptions, response_create_params.PromptCacheOptions),
    (models.ChatPromptCacheOptions, completion_create_params.PromptCacheOptions),
    (models.UserMessage, chat_completion_user_message_param.ChatCompletionUserMessageParam),
    (
        models.AssistantMessage,
        chat_completion_assistant_message_param.ChatCompletionAssistantMessageParam,
    ),
    (models.ToolMessage, chat_completion_tool_message_param.ChatCompletionToolMessageParam),
    (models.ChatCustomDefinition, chat_completion_custom_tool_param.Custom),
    (models.CustomTool, custom_tool_param.CustomToolParam),
    (models.WebSearchTool, web_search_tool_param.WebSearchToolParam),
    (models.WebSearchPreviewTool, web_search_preview_tool_param.WebSearchPreviewToolParam),
    (models.FunctionCallItem, response_function_tool_call_param.ResponseFunctionToolCallParam),
    (models.FunctionCallOutputItem, response_input_param.FunctionCallOutput),
    (models.ReasoningItem, response_reasoning_item_param.ResponseReasoningItemParam),
    (models.InputMessage, response_input_param.Message),
]


def wire_names(model: type[BaseModel]) -> set[str]:
    """Return the JSON names `model` accepts."""
    return {field.alias or name for name, field in model.model_fields.items()}


# (relay model, the SDK answer model whose dump a caller may send back to the relay)
RETURNED: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (chat.AssistantMessage, ChatCompletionMessage),
    (chat.AssistantMessage, parsed_chat_completion.ParsedChatCompletionMessage),
    (chat.ToolCall, parsed_function_tool_call.ParsedFunctionToolCall),
    (chat.ToolCallFunction, parsed_function_tool_call.ParsedFunction),
    (chat.AudioReference, chat_completion_audio.ChatCompletionAudio),
    (chat.MessageAnnotation, chat_completion_message.Annotation),
    (chat.UrlCitation, chat_completion_message.AnnotationURLCitation),
]

# One of everything the SDK puts on an assistant message it returns, as `create` and as
# `parse` return it (the latter's calls are functions only).
FUNCTION_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "look", "arguments": "{}"},
}
FULL_ANSWER: dict[str, Any] = {
    "role": "assistant",
    "content": "See the sea.",
    "refusal": None,
    "annotations": [
        {
            "type": "url_citation",
            "url_citation": {
                "start_index": 0,
                "end_index": 7,
                "title": "The sea",
                "url": "https://example.com/sea",
            },
        }
    ],
    "audio": {"id": "audio_1", "data": "UklGRg==", "expires_at": 1, "transcript": "See"},
    "function_call": {"name": "look", "arguments": "{}"},
    "tool_calls": [
        FUNCTION_CALL,
        {"id": "call_2", "type": "custom", "custom": {"name": "write", "input": "x"}},
    ],
}
RETURNED_MESSAGES: dict[str, BaseModel] = {
    "create": ChatCompletionMessage.model_validate(FULL_ANSWER),
    "parse": parsed_chat_completion.ParsedChatCompletionMessage[dict[str, Any]].model_validate(
        {
            **FULL_ANSWER,
            "parsed": {"sea": "calm"},
            "tool_calls": [
                {
                    **FUNCTION_CALL,
                    "function": {**FUNCTION_CALL["function"], "parsed_arguments": {}},  # type: ignore[dict-item]
                }
            ],
        }
    ),
}


def literal_values(annotation: Any) -> set[str]:
    """Return every string of the Literals inside `annotation`."""
    if get_origin(annotation) is Literal:
        return {v for v in get_args(annotation) if isinstance(v, str)}
    return {v for arg in get_args(annotation) for v in literal_values(arg)}


@pytest.mark.parametrize(("model", "sdk"), PAIRS, ids=[m.__name__ for m, _ in PAIRS])
def test_the_relay_accepts_exactly_the_sdks_fields(model: type[BaseModel], sdk: Any) -> None:
    ours = wire_names(model)
    theirs = set(typing.get_type_hints(sdk))
    excused = {field for (name, field) in EXCEPTIONS if name == model.__name__}
    missing = sorted(theirs - ours - excused)
    extra = sorted(ours - theirs - excused)
    assert not missing, (
        f"The pinned openai SDK types {sdk.__name__} fields that {model.__name__} refuses: "
        f"{missing}. Add them to {model.__name__} in src/airelay/core/models.py with their "
        "documented types and bounds, or to EXCEPTIONS here with the reason."
    )
    assert not extra, (
        f"{model.__name__} accepts fields the pinned SDK's {sdk.__name__} does not type: "
        f"{extra}. Remove them, or add them to EXCEPTIONS here with the reason."
    )


def test_every_include_value_of_the_sdk_is_accepted() -> None:
    theirs = literal_values(
        typing.get_type_hints(response_create_params.ResponseCreateParamsBase)["include"]
    )
    assert literal_values(models.Include) == theirs


def test_every_reasoning_effort_of_the_sdk_is_accepted() -> None:
    assert literal_values(models.Effort) == literal_values(shared_params.ReasoningEffort)


def test_every_chat_tool_kind_of_the_sdk_is_accepted() -> None:
    hints = typing.get_type_hints(completion_create_params.CompletionCreateParamsBase)
    kinds = {
        v
        for tool in get_args(get_args(hints["tools"])[0])
        for v in literal_values(typing.get_type_hints(tool)["type"])
    }
    for kind in kinds:
        body = {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": kind}]}
        with pytest.raises(RelayError) as caught:
            validate(models.ChatCompletionRequest, body)
        # A known kind fails on its missing fields, not on its type.
        assert caught.value.code == "missing_required_parameter", kind


def sdk_kinds(union: Any) -> set[str]:
    """Return every `type` value of the TypedDicts in an SDK union."""
    return {
        value
        for member in get_args(union)
        for value in literal_values(typing.get_type_hints(member).get("type", Literal["message"]))
    }


def refusals(bodies: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Return, by kind, the error code of each body the Responses model refuses."""
    codes = {}
    for kind, body in bodies.items():
        try:
            validate(models.ResponsesRequest, body)
        except RelayError as error:
            codes[kind] = str(error.code)
    return codes


def test_every_responses_tool_kind_of_the_sdk_is_accepted() -> None:
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    kinds = sdk_kinds(get_args(hints["tools"])[0])
    codes = refusals({kind: {"input": "x", "tools": [{"type": kind}]} for kind in kinds})
    # A known kind fails on its missing fields, if any, not on its type.
    assert {
        kind: code for kind, code in codes.items() if code != "missing_required_parameter"
    } == {}


def test_every_responses_tool_choice_kind_of_the_sdk_is_accepted() -> None:
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    choices = [c for c in get_args(hints["tool_choice"]) if get_origin(c) is not Literal]
    kinds = {v for c in choices for v in literal_values(typing.get_type_hints(c)["type"])}
    codes = refusals({kind: {"input": "x", "tool_choice": {"type": kind}} for kind in kinds})
    assert {
        kind: code for kind, code in codes.items() if code != "missing_required_parameter"
    } == {}


# Responses input items the relay refuses: items of server-side context features (compaction,
# configuration updates, tools added mid-conversation) that no tool of the relay produces.
UNOFFERED_ITEM_KINDS = {
    "additional_tools",
    "configuration_update",
    "compaction",
    "compaction_trigger",
}


def test_every_responses_input_item_kind_is_accepted_or_listed_as_unoffered() -> None:
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    kinds = sdk_kinds(get_args(get_args(hints["input"])[1])[0])
    accepted = set()
    for kind in kinds:
        try:
            validate(models.ResponsesRequest, {"input": [{"type": kind}]})
        except RelayError as error:
            if error.param == "input[0]" and error.code == "invalid_value":
                continue
        accepted.add(kind)
    unlisted = kinds - accepted - UNOFFERED_ITEM_KINDS
    assert not unlisted, (
        f"The pinned SDK has Responses input item kinds the relay neither accepts nor lists: "
        f"{sorted(unlisted)}"
    )
    assert not accepted & UNOFFERED_ITEM_KINDS


@pytest.mark.parametrize(("model", "sdk"), RETURNED, ids=[m.__name__ for m, _ in RETURNED])
def test_every_field_of_a_returned_message_is_accepted_back(
    model: type[BaseModel], sdk: type[BaseModel]
) -> None:
    missing = sorted(set(sdk.model_fields) - wire_names(model))
    assert not missing, (
        f"The pinned SDK's {sdk.__name__} returns fields that {model.__name__} refuses when the "
        f"caller sends the message back: {missing}."
    )


@pytest.mark.parametrize("dump", ["full", "set", "none"])
@pytest.mark.parametrize("method", sorted(RETURNED_MESSAGES))
def test_a_returned_assistant_message_validates_as_the_sdk_sends_it(method: str, dump: str) -> None:
    # What the SDK sends for a message object: its fields as set by the answer (the SDK's
    # `_transform` dumps with exclude_unset), or every field, nulls included.
    message = RETURNED_MESSAGES[method].model_dump(
        mode="json", exclude_unset=dump == "set", exclude_none=dump == "none", warnings=False
    )
    body = {"messages": [{"role": "user", "content": "x"}, message]}
    assert validate(models.ChatCompletionRequest, body).messages[1].role == "assistant"
