"""CPU to reject hostile bodies against CPU to accept valid ones of the same size and shape.

Run: `.venv/bin/python bench/hostile_bodies.py [--size BYTES] [--repeat N]`. Every body goes
through the core's `handle` in process, on a backend that answers at once, so the figures are
the relay's own work: read, parse, validate, answer, log. Prints one row per shape and the ratio
hostile/valid; the goal is at most ~3x for every body up to MAX_BODY_BYTES.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from airelay.core.app import handle
from airelay.core.limits import DEFAULT_MAX_BODY_BYTES, MAX_TOOLS
from airelay.core.types import BackendResult, JsonResult, Platform, Request

CHAT = "/v1/chat/completions"
USER = {"role": "user", "content": "hi"}
_EMPTY_PARTS = {"role": "user", "content": [{}] * 256}
Build = Callable[[int], dict[str, Any]]


class _InstantBackend:
    """Answer every call at once with a fixed completion."""

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        return JsonResult({"object": "chat.completion", "choices": []})


def _repeat(item: Any, size: int, wrap: Callable[[list[Any]], dict[str, Any]]) -> dict[str, Any]:
    """Return `wrap([item] * n)` with n chosen so that its JSON is about `size` bytes."""
    one = len(json.dumps(item, separators=(",", ":"))) + 1
    return wrap([item] * max(1, size // one))


def _fill(size: int, keys: Callable[[int], Any], wrap: Callable[[Any], dict[str, Any]]) -> Any:
    """Return `wrap(keys(n))` with n chosen so that its JSON is about `size` bytes."""
    count = 1000
    for _ in range(4):  # key names lengthen as n grows: correct the estimate a few times
        length = len(json.dumps(wrap(keys(count)), separators=(",", ":")))
        count = max(1, count * size // length)
    return wrap(keys(count))


def _tool(parameters: Any) -> dict[str, Any]:
    return {"type": "function", "function": {"name": "f", "parameters": parameters}}


def _keys(count: int) -> dict[str, int]:
    return {f"k{i}": 0 for i in range(count)}


def _nested(depth: int, key: str | None = None) -> Any:
    value: Any = {} if key else []
    for _ in range(depth):
        value = {key: value} if key else [value]
    return value


@dataclass(frozen=True)
class Shape:
    """A hostile body and a valid body of the same shape, each built to a given size."""

    name: str
    hostile: Build
    valid: Build


def _parts(size: int) -> dict[str, Any]:
    """Return valid messages of 64 short text parts each: many small items, as hostile ones."""
    part = {"type": "text", "text": "hi"}
    return _repeat({"role": "user", "content": [part] * 64}, size, lambda m: {"messages": m})


def _wide_parameters(size: int, value: Any = 0) -> dict[str, Any]:
    """Return a valid body whose one tool's free-form parameters hold many keys."""
    return _fill(
        size,
        lambda k: {f"k{i}": value for i in range(k)},
        lambda d: {"messages": [USER], "tools": [_tool(d)]},
    )


def _tools(size: int) -> dict[str, Any]:
    """Return a valid body with the most tools allowed, their parameters filling `size`."""
    return _fill(
        size,
        lambda k: {f"k{i}": 0 for i in range(k // MAX_TOOLS + 1)},
        lambda d: {"messages": [USER], "tools": [_tool(d)] * MAX_TOOLS},
    )


# Hostile bodies, each answered 400; the valid body of the same size is the nearest shape the
# schema accepts (lists are bounded: MAX_MESSAGES, MAX_CONTENT_PARTS, MAX_TOOLS).
SHAPES = (
    # The body: messages of 256 empty content parts each.
    Shape("many parts", lambda n: _repeat(_EMPTY_PARTS, n, lambda m: {"messages": m}), _parts),
    # One object with a key per few bytes, none of them a parameter.
    Shape("wide", lambda n: _fill(n, _keys, lambda d: {"messages": [USER], **d}), _wide_parameters),
    Shape(
        "wide messages",
        lambda n: _repeat({**USER, "x": 0, "y": 0}, n, lambda m: {"messages": m}),
        _parts,
    ),
    # Arrays nested to the loader's limit, in every message.
    Shape(
        "deep",
        lambda n: _repeat({"role": "user", "content": _nested(58)}, n, lambda m: {"messages": m}),
        lambda n: _wide_parameters(n, _nested(56)),
    ),
    Shape(
        "many tools",
        lambda n: _repeat(
            {"type": "function", "function": {}}, n, lambda t: {"messages": [USER], "tools": t}
        ),
        _tools,
    ),
    Shape(
        "long strings",
        lambda n: {"messages": [{"role": "x" * n, "content": "hi"}]},
        lambda n: {"messages": [{"role": "user", "content": "x" * n}]},
    ),
    Shape(
        "many numbers",
        lambda n: _repeat(1.5, n, lambda m: {"messages": [USER, {"role": "user", "content": m}]}),
        lambda n: _wide_parameters(n, 1.5),
    ),
)


def encode(data: dict[str, Any], size: int) -> bytes:
    """Return `data` as compact JSON, padded with spaces to exactly `size` bytes if shorter."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return body + b" " * max(0, size - len(body))


def cpu_seconds(body: bytes, repeat: int) -> tuple[float, int, str]:
    """Return the least CPU time of `repeat` answers to `body`, its status and error code."""
    platform = Platform(_InstantBackend(), {"ALLOW_ANONYMOUS": "true"}, log=lambda record: None)
    headers = [("content-type", "application/json")]
    best = float("inf")
    status, code = 0, ""
    for _ in range(repeat):
        request = Request("POST", CHAT, headers, body)
        started = time.process_time()
        response = asyncio.run(handle(request, platform))
        best = min(best, time.process_time() - started)
        status = response.status
        if status >= 400:
            code = json.loads(response.body)["error"]["code"]
    return best, status, code


def measure(size: int, repeat: int) -> list[tuple[str, float, float, int, str]]:
    """Return, per shape: name, hostile CPU, valid CPU, hostile status, hostile error code."""
    rows = []
    for shape in SHAPES:
        # Built a little short of `size` (the builders estimate), then padded to it exactly.
        target = size * 9 // 10
        hostile = encode(shape.hostile(target), size)
        valid = encode(shape.valid(target), size)
        assert len(hostile) == len(valid) == size, f"{shape.name}: bodies of the wrong size"
        bad_cpu, status, code = cpu_seconds(hostile, repeat)
        good_cpu, good_status, _ = cpu_seconds(valid, repeat)
        assert good_status == 200, f"{shape.name}: the valid body got {good_status}"
        assert 400 <= status < 500, f"{shape.name}: the hostile body got {status}"
        rows.append((shape.name, bad_cpu, good_cpu, status, code))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=DEFAULT_MAX_BODY_BYTES, help="body bytes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per body (best is kept)")
    args = parser.parse_args(argv)
    print(f"body size {args.size} bytes; CPU per request, best of {args.repeat}")
    print(f"{'shape':<14} {'hostile ms':>10} {'valid ms':>9} {'ratio':>6}  answer")
    for name, bad, good, status, code in measure(args.size, args.repeat):
        ratio = bad / good if good else float("inf")
        print(f"{name:<14} {bad * 1000:>10.1f} {good * 1000:>9.1f} {ratio:>6.2f}  {status} {code}")


if __name__ == "__main__":
    main()
