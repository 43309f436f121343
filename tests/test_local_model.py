"""The local model as a backend: deterministic, offline, answering in the model's own format."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from airelay.backends.local import LocalModel
from airelay.core.catalog import MINI, PRO
from airelay.core.errors import BackendError
from airelay.core.types import JsonResult, StreamResult
from tests.fakes import run
from tests.local_model_support import answer, body, chat, events


@pytest.mark.parametrize(
    ("name", "inputs"),
    [(MINI.binding_id, chat()), (PRO.binding_id, {"input": "Tell me about the sea"})],
    ids=["chat", "responses"],
)
def test_the_same_request_gives_the_same_answer(name: str, inputs: dict[str, Any]) -> None:
    assert body(name, inputs) == body(name, inputs)
    assert events(name, inputs) == events(name, inputs)


def test_different_prompts_give_different_ids_and_texts() -> None:
    one, two = body(PRO.binding_id, {"input": "one"}), body(PRO.binding_id, {"input": "two"})
    assert one["id"] != two["id"]
    assert one["output"][1]["id"] != two["output"][1]["id"]
    assert one["output"][1]["content"] != two["output"][1]["content"]


def test_ids_use_openais_prefixes() -> None:
    data = body(PRO.binding_id, {"input": "hi"})
    assert data["id"].startswith("resp_")
    assert data["output"][0]["id"].startswith("rs_")
    assert data["output"][1]["id"].startswith("msg_")
    assert body(MINI.binding_id, chat())["id"].startswith("chatcmpl-")


def test_the_request_is_not_modified() -> None:
    inputs = chat(stream_options={"include_usage": True}, max_tokens=3)
    before = copy.deepcopy(inputs)
    events(MINI.binding_id, inputs)
    assert inputs == before


def test_an_unknown_model_is_a_backend_error() -> None:
    with pytest.raises(BackendError) as caught:
        answer("openai/gpt-9", chat())
    assert caught.value.status == 502


def test_a_stream_closed_early_stops_cleanly() -> None:
    result = answer(MINI.binding_id, chat(stream=True))
    assert isinstance(result, StreamResult)
    stream: Any = result.stream

    async def first_then_close() -> tuple[bytes, bool]:
        first: bytes = await stream.__anext__()
        await stream.aclose()
        try:
            await stream.__anext__()
        except StopAsyncIteration:
            return first, True
        return first, False

    first, exhausted = run(first_then_close())
    assert first.startswith(b"data: ")
    assert exhausted


def test_ids_stay_what_earlier_versions_gave_the_same_conversation() -> None:
    # Derived from a digest of the conversation (local/turn.py `seed_of`): recorded ids and fixtures
    # of earlier versions keep matching.
    completion = run(LocalModel().run(MINI.binding_id, chat("hi there é"), {}))
    responses = run(LocalModel().run(PRO.binding_id, {"input": "hi there é"}, {}))
    assert isinstance(completion, JsonResult)
    assert isinstance(responses, JsonResult)
    assert completion.data["id"] == "chatcmpl-local92355c1170b06e6ea50af2d8"
    assert responses.data["id"] == "resp_localf6b605274bb75d2de250bb4486cdfcf6d62b35de"
    assert responses.data["output"][1]["id"] == "msg_locale250bb4486cdfcf6d62b35dec05f2586934b6b51"
