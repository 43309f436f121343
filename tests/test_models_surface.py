"""The parameters beyond the model cards: accepted with their documented bounds, checked."""

from __future__ import annotations

from typing import Any

import pytest

from airelay.core.errors import RelayError
from airelay.core.models import ChatCompletionRequest, ResponsesRequest
from airelay.core.validation import validate

HELLO = [{"role": "user", "content": "Hello"}]
CHAT = ChatCompletionRequest
RESPONSES = ResponsesRequest

ACCEPTED: list[tuple[type[Any], dict[str, Any]]] = [
    (CHAT, {"stop": "END"}),
    (CHAT, {"stop": ["a", "b", "c", "d"]}),
    (CHAT, {"seed": 7, "n": 2, "user": "u1", "store": False}),
    (CHAT, {"metadata": {"k" * 64: "v" * 512}}),
    (CHAT, {"metadata": {f"k{i}": "v" for i in range(16)}}),
    (CHAT, {"parallel_tool_calls": False, "logprobs": True, "top_logprobs": 20}),
    (CHAT, {"logit_bias": {"50256": -100, "1": 100}}),
    (CHAT, {"reasoning_effort": "low", "verbosity": "low", "service_tier": "flex"}),
    (CHAT, {"prompt_cache_key": "k", "safety_identifier": "s", "prompt_cache_retention": "24h"}),
    (RESPONSES, {"include": [], "store": False, "previous_response_id": None}),
    (RESPONSES, {"include": ["reasoning.encrypted_content"]}),
    (RESPONSES, {"reasoning": {"effort": "high", "summary": "auto", "context": "all_turns"}}),
    (RESPONSES, {"metadata": {"a": "b"}, "parallel_tool_calls": True, "truncation": "auto"}),
    (RESPONSES, {"user": "u", "safety_identifier": "s", "prompt_cache_key": "k"}),
    (RESPONSES, {"service_tier": "default", "top_logprobs": 0, "max_tool_calls": 3}),
    (RESPONSES, {"conversation": "conv_1"}),
    (RESPONSES, {"conversation": {"id": "conv_1"}}),
    (RESPONSES, {"prompt": {"id": "pmpt_1", "version": "2", "variables": {"city": "Paris"}}}),
    (RESPONSES, {"stream": True, "stream_options": {"include_obfuscation": False}}),
    (RESPONSES, {"text": {"verbosity": "high", "format": {"type": "text"}}}),
]

REFUSED: list[tuple[type[Any], dict[str, Any], str]] = [
    (CHAT, {"n": 0}, "n"),
    (CHAT, {"top_logprobs": 21}, "top_logprobs"),
    (CHAT, {"top_logprobs": -1}, "top_logprobs"),
    (CHAT, {"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    (CHAT, {"stop": 5}, "stop"),
    (CHAT, {"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
    # A caller's key is echoed at most 64 characters long (validation.MAX_ECHO).
    (CHAT, {"metadata": {"k" * 65: "v"}}, "metadata." + "k" * 64 + "..."),
    (CHAT, {"metadata": {"k": "v" * 513}}, "metadata.k"),
    (CHAT, {"metadata": {"k": 1}}, "metadata.k"),
    (CHAT, {"logit_bias": {"50256": 101}}, "logit_bias.50256"),
    (CHAT, {"logit_bias": {"50256": -101}}, "logit_bias.50256"),
    (CHAT, {"reasoning_effort": "extreme"}, "reasoning_effort"),
    (CHAT, {"seed": "7"}, "seed"),
    (RESPONSES, {"include": ["reasoning.secrets"]}, "include[0]"),
    (RESPONSES, {"reasoning": {"context": "everything"}}, "reasoning.context"),
    (RESPONSES, {"top_logprobs": 21}, "top_logprobs"),
    (RESPONSES, {"truncation": "middle"}, "truncation"),
    (RESPONSES, {"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
    (RESPONSES, {"prompt": {"version": "1"}}, "prompt.id"),
    (RESPONSES, {"conversation": {"id": "c", "x": 1}}, "conversation.x"),
]


def base(schema: type[Any]) -> dict[str, Any]:
    """Return the minimal valid body for `schema`."""
    return {"messages": HELLO} if schema is CHAT else {"input": "Hello"}


@pytest.mark.parametrize(("schema", "fields"), ACCEPTED, ids=lambda v: None)
def test_a_parameter_of_the_openai_surface_is_accepted(
    schema: type[Any], fields: dict[str, Any]
) -> None:
    parsed = validate(schema, {**base(schema), **fields})
    for name in fields:
        assert name in parsed.model_fields_set


@pytest.mark.parametrize(("schema", "fields", "param"), REFUSED, ids=lambda v: None)
def test_a_value_past_a_documented_bound_is_refused_naming_it(
    schema: type[Any], fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(RelayError) as caught:
        validate(schema, {**base(schema), **fields})
    assert caught.value.status == 400
    assert caught.value.param == param


def test_a_typo_deep_inside_a_new_object_is_still_named() -> None:
    body = {**base(RESPONSES), "reasoning": {"effort": "low", "contxt": "all_turns"}}
    with pytest.raises(RelayError) as caught:
        validate(RESPONSES, body)
    assert (caught.value.param, caught.value.code) == ("reasoning.contxt", "unknown_parameter")
