"""Each speed trick of the core's JSON, validation and log code against the plain code it replaces.

Prints the CPU microseconds per call of both (the best of interleaved rounds) and their ratio;
the comment at each trick quotes one run of this.
Run: `.venv/bin/python bench/core_tricks.py [--calls N] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from glue_workload import ANSWER, REQUEST_BODY

from airelay.backends.local.template import JsonTemplate, slot
from airelay.core import jsonio, observability, validation
from airelay.core.errors import RelayError
from airelay.core.models import ChatCompletionRequest
from airelay.core.types import Request

BODY_TEXT = REQUEST_BODY.decode()
ANSWER_BYTES = json.dumps(ANSWER, ensure_ascii=False).encode()


def _reject(name: str) -> Any:
    raise ValueError(name)


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(literal)
    return value


def log_line(request_id: Callable[[Request], str], line: Callable[[Any], str]) -> str:
    """Make a request's id and render its log line."""
    request = Request("POST", "/v1/chat/completions", [], b"")
    log = observability.RequestLog(request_id(request), "POST", request.path)
    log.route, log.status, log.duration_ms, log.usage = "chat", 200, 1.25, {"total_tokens": 52}
    return line(log)


def uuid_id(request: Request) -> str:
    """Return a fresh id the usual way."""
    return f"req_{uuid.uuid4().hex}"


def asdict_line(log: observability.RequestLog) -> str:
    """Render the log line through dataclasses.asdict and json.dumps."""
    record = {"event": "request"}
    record.update({k: v for k, v in dataclasses.asdict(log).items() if v is not None})
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)


WIDE = {"messages": [{"role": "user", "content": "hi"}], **{f"k{i}": 0 for i in range(100_000)}}


def reject_wide(max_errors: int) -> None:
    """Validate a body of 100,000 unknown keys, rendering its error from at most `max_errors`."""
    saved, validation.MAX_ERRORS = validation.MAX_ERRORS, max_errors
    try:
        validation.validate(ChatCompletionRequest, WIDE)
    except RelayError:
        pass
    finally:
        validation.MAX_ERRORS = saved


# The answer's text as a template with one slot, as the local model fills its answers.
TEMPLATE = JsonTemplate({**ANSWER, "id": slot("id")})
VALUE = jsonio.loads(BODY_TEXT)

# name: (the trick, the plain code it replaces)
PAIRS: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "jsonio.loads: the decoder built once": (
        lambda: jsonio._DECODER.decode(BODY_TEXT),
        lambda: json.loads(BODY_TEXT, parse_constant=_reject, parse_float=_finite),
    ),
    "jsonio.loads: brackets counted before the depth scan": (
        lambda: BODY_TEXT.count("[") + BODY_TEXT.count("{") > jsonio.MAX_JSON_DEPTH,
        lambda: jsonio.text_depth(BODY_TEXT) > jsonio.MAX_JSON_DEPTH,
    ),
    "jsonio.loads: surrogates checked only after an escape": (
        lambda: "\\u" in BODY_TEXT,
        lambda: json.dumps(VALUE, ensure_ascii=False).encode(),
    ),
    "jsonio.dumps: the C encoder built once": (
        lambda: jsonio.dumps(ANSWER),
        lambda: json.dumps(ANSWER, ensure_ascii=False, separators=(",", ":")).encode(),
    ),
    "JsonTemplate: an answer filled in": (
        lambda: TEMPLATE(id="chatcmpl-42"),
        lambda: jsonio.encode({**ANSWER, "id": "chatcmpl-42"}),
    ),
    "relay: the upstream's bytes sent on, not encoded again": (
        lambda: ANSWER_BYTES,
        lambda: jsonio.dumps(json.loads(ANSWER_BYTES)),
    ),
    "observability: request id and log line (urandom, vars)": (
        lambda: log_line(observability.request_id, observability.RequestLog.line),
        lambda: log_line(uuid_id, asdict_line),
    ),
}
# Pairs that take milliseconds: timed with one call per 10,000 of the others.
SLOW_PAIRS: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "validation: 100,000 unknown keys, the error from a sample": (
        lambda: reject_wide(validation.MAX_ERRORS),
        lambda: reject_wide(10**9),
    ),
}


def measure(calls: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Return, per pair, the best microseconds per call of the trick and of the plain code."""
    pairs = {name: (pair, calls) for name, pair in PAIRS.items()}
    pairs.update({name: (pair, max(1, calls // 10_000)) for name, pair in SLOW_PAIRS.items()})
    best = {name: [math.inf, math.inf] for name in pairs}
    for _ in range(rounds):
        for name, (pair, count) in pairs.items():
            for side, step in enumerate(pair):
                start = time.process_time()
                for _ in range(count):
                    step()
                took = (time.process_time() - start) / count * 1e6
                best[name][side] = min(best[name][side], took)
    return {name: (trick, plain) for name, (trick, plain) in best.items()}


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the best is kept)")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, best of {args.rounds} rounds of {args.calls} calls")
    print(f"{'trick':<56} {'us':>8} {'plain us':>10} {'ratio':>7}")
    for name, (trick, plain) in measure(args.calls, args.rounds).items():
        print(f"{name:<56} {trick:>8.2f} {plain:>10.2f} {plain / trick:>7.1f}")


if __name__ == "__main__":
    main()
