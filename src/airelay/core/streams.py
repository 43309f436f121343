"""Streams that end their own failures with an error event in their own wire format."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from airelay.core import sse
from airelay.core.errors import RelayError

logger = logging.getLogger("airelay")

# The bytes of a final error event, given how many events were sent before it.
StreamError = Callable[[int], bytes]
STREAM_FAILED = "The stream failed midway."


def chat_stream_error(sent: int) -> bytes:
    """Return Chat Completions' error event: a `data:` object with `error`."""
    # OpenAI's SDKs raise APIError on a `data:` event whose object has `error`.
    error = RelayError(502, STREAM_FAILED, type="server_error", code="stream_failed")
    return sse.encode(error.body())


def responses_stream_error(sent: int) -> bytes:
    """Return the Responses API's `error` event, continuing the `sequence_number` count."""
    payload = {
        "type": "error",
        "code": "stream_failed",
        "message": STREAM_FAILED,
        "param": None,
        "sequence_number": sent,
    }
    return sse.encode(payload, event="error")


async def ending_in_error(
    events: AsyncIterator[bytes], stream_error: StreamError
) -> AsyncGenerator[bytes, None]:
    """Yield `events`; if they fail midway, end with `stream_error` instead of breaking off."""
    # A generator layer per chunk: around the local model's streams 0.08 to 0.09 us a chunk
    # (0.73 against 0.65 for chat, 0.98 against 0.89 for responses, in process against the
    # layer it inlined) and 1 us a stream; under the noise of bench/http_stack.py's "CPU
    # us/chunk" over h11 (8 to 10 us, moving by 1.5 us between runs of unchanged code).
    sent = 0
    try:
        async for event in events:
            yield event
            sent += 1
    except Exception:
        # Headers are out, so the status can't change: say so in the stream's own format.
        logger.exception("stream failed midway")
        yield stream_error(sent)
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
