"""The local model behind the `env.AI` stand-in, inside the Worker's Pyodide (not a test module).

scripts/worker-pyodide.mjs imports it after the Worker's global scope has run and hands
`answer` to the binding stand-in (stand_ins.mjs `Ai.serveFrom`): each binding call gets the
HTTP Response an upstream would send, JSON or an SSE stream pulled chunk by chunk from the local
model, as `airelay dev` answers with the same model in process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

from airelay.backends.local import LocalModel
from airelay.core.errors import BackendError
from airelay.core.types import StreamResult

_model = LocalModel()
CANCELLED_LINE = "local upstream: stream cancelled"


def set_token_delay(seconds: float) -> None:
    """Pause `seconds` between streamed tokens, as `airelay dev --token-delay-ms` does."""
    _model.token_delay = seconds


def _response(body: Any, status: int, headers: dict[str, str]) -> Any:
    init = js.JSON.parse(json.dumps({"status": status, "headers": headers}))
    return js.Response.new(body, init)


def _stream(chunks: AsyncIterator[bytes]) -> Any:
    """Return a JS ReadableStream that pulls `chunks` one at a time, closing it on cancel."""
    proxies: list[Any] = []
    # The pull in progress: a cancel comes while it waits for the model's next token, and an
    # async generator cannot be closed while it runs, so the pull is cancelled first.
    pending: list[asyncio.Future[bytes]] = []

    def release() -> None:
        for proxy in proxies:
            proxy.destroy()
        proxies.clear()

    async def pull(controller: Any) -> None:
        step = asyncio.ensure_future(anext(chunks))
        pending[:] = [step]
        try:
            chunk = await step
        except StopAsyncIteration:
            controller.close()
            release()
            return
        except asyncio.CancelledError:
            return
        finally:
            pending.clear()
        controller.enqueue(to_js(chunk))

    async def cancel(_reason: Any = None) -> None:
        for step in pending:
            step.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await step
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
        release()
        # Tests read this line to see a client's departure reach the upstream.
        print(CANCELLED_LINE, file=sys.stderr)

    proxies[:] = [create_proxy(pull), create_proxy(cancel)]
    source = js.Object.new()
    source.pull, source.cancel = proxies
    strategy = js.JSON.parse('{"highWaterMark": 0}')
    return js.ReadableStream.new(source, strategy)


async def answer(model: str, inputs_json: str) -> Any:
    """Answer one binding call like the upstream: a JSON, SSE or error Response."""
    try:
        result = await _model.run(model, json.loads(inputs_json), {})
    except BackendError as error:
        rendered = error.to_response()
        return _response(rendered.body.decode(), rendered.status, dict(rendered.headers))
    if isinstance(result, StreamResult):
        headers = {"content-type": "text/event-stream; charset=utf-8"}
        return _response(_stream(result.stream), 200, headers)  # type: ignore[arg-type]
    body = result.body if result.body is not None else json.dumps(result.data).encode()
    return _response(body.decode(), 200, {"content-type": "application/json"})
