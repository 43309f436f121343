"""Rejecting a hostile body reports one bounded error, however many faults the body holds."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from typing import Any

import pytest

from airelay.core import validation
from airelay.core.errors import RelayError
from airelay.core.models import ChatCompletionRequest, ResponsesRequest
from tests.client import CoreClient
from tests.conftest import REPO

USER = {"role": "user", "content": "hi"}
MAX_MESSAGE_CHARS = 300


def amplified() -> dict[str, Any]:
    """Return the issue's body: 1,317 messages of 256 empty content parts (338,469 faults)."""
    return {"messages": [{"role": "user", "content": [{}] * 256}] * 1317}


HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("many parts", amplified(), "messages[0].content"),
    ("wide", {"messages": [USER], **{f"k{i}": 0 for i in range(100_000)}}, "k0"),
    (
        "wide message",
        {"messages": [USER, USER, {**USER, **{f"k{i}": 0 for i in range(50_000)}}]},
        "messages[2]",
    ),
    ("many tools", {"messages": [USER], "tools": [{"type": "function"}] * 20_000}, "tools[0]"),
    (
        "many numbers",
        {"messages": [USER, {"role": "user", "content": [1.5] * 100_000}]},
        "messages[1]",
    ),
    ("long string", {"messages": [{"role": "x" * 1_000_000, "content": "hi"}]}, "messages[0]"),
    ("long key", {"messages": [USER], "y" * 1_000_000: 1}, "yyyy"),
]


# Rejecting any body of HOSTILE allocates less than this at its peak; rendering every fault of
# one (a dict per fault) allocates megabytes: 13 MiB for the 20,000 unknown keys below.
MAX_PEAK_BYTES = 4 << 20


def reject(body: dict[str, Any]) -> tuple[RelayError, int]:
    """Validate a bad chat `body`; return the error and the peak of what rejecting it allocated."""
    validation.validate(ChatCompletionRequest, {"messages": [USER]})  # its validator, built once
    tracemalloc.start()
    try:
        with pytest.raises(RelayError) as caught:
            validation.validate(ChatCompletionRequest, body)
        return caught.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("name", "body", "param"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_body_gets_one_short_error_rendered_from_few(
    name: str, body: dict[str, Any], param: str
) -> None:
    error, peak = reject(body)
    assert error.status == 400
    assert error.param is not None
    assert error.param.startswith(param)
    assert len(error.message) <= MAX_MESSAGE_CHARS
    assert peak < MAX_PEAK_BYTES


def test_rendering_every_fault_would_break_the_allocation_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {"messages": [USER], **{f"k{i}": 0 for i in range(20_000)}}
    assert reject(body)[1] < MAX_PEAK_BYTES
    monkeypatch.setattr(validation, "MAX_ERRORS", 10**9)
    error, peak = reject(body)
    assert error.param == "k0"
    assert peak > MAX_PEAK_BYTES


def test_the_issues_body_is_a_400_naming_the_first_message_through_the_core() -> None:
    client = CoreClient()
    body = json.dumps(amplified(), separators=(",", ":"))
    headers = {"content-type": "application/json"}
    result = client.post("/v1/chat/completions", content=body, headers=headers)
    assert result.status == 400
    assert result.error["param"] == "messages[0].content[0]"
    assert len(result.error["message"]) <= MAX_MESSAGE_CHARS
    assert client.backend.calls == []


def test_a_responses_body_with_many_bad_items_reports_the_first() -> None:
    body = {"input": [{"role": "user", "content": [{}] * 256}] * 500}
    with pytest.raises(RelayError) as caught:
        validation.validate(ResponsesRequest, body)
    assert caught.value.param is not None
    assert caught.value.param.startswith("input[0]")


def test_a_fault_past_the_sampled_items_is_still_named() -> None:
    # The cheap sample keeps two messages; the wide one is the third, so the full one finds it.
    body = {"messages": [USER, USER, USER, {**USER, **{f"k{i}": 0 for i in range(1000)}}]}
    with pytest.raises(RelayError) as caught:
        validation.validate(ChatCompletionRequest, body)
    assert caught.value.param is not None
    assert caught.value.param.startswith("messages[3]")


def test_valid_bodies_still_validate_to_the_model() -> None:
    body = {"messages": [USER] * 3, "tools": [{"type": "function", "function": {"name": "f"}}]}
    parsed = validation.validate(ChatCompletionRequest, body)
    assert isinstance(parsed, ChatCompletionRequest)
    assert len(parsed.messages) == 3


def test_the_hostile_body_benchmark_runs_and_prints_a_ratio_per_shape() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "hostile_bodies.py"),
            "--size",
            "16384",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert len(rows) >= 6
    for row in rows:
        assert row[-2] == "400"
        float(row[-3])
    json.dumps(rows)
