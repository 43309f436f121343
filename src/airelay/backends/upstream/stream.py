"""Pass an upstream event stream through as its bytes arrive, within the total deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import httpx

from airelay.core.streams import StreamError, ending_in_error

# An SSE event ends at a blank line (WHATWG HTML, "Server-sent events", 9.2.6).
_EVENT_ENDS = (b"\n\n", b"\r\n\r\n", b"\r\r")


class StreamDeadlineError(Exception):
    """The stream ran past the upstream's total deadline."""


class StreamCutError(Exception):
    """The upstream ended its stream in the middle of an event."""


class _Count:
    """How many whole events have been passed on."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events = 0


def relay_stream(
    response: httpx.Response, stream_error: StreamError, deadline: float
) -> AsyncIterator[bytes]:
    """Return the answer's bytes as they come, ending a failure with the format's error event."""
    count = _Count()
    # The Responses API's error event continues the upstream's `sequence_number`s, which
    # count events, not chunks.
    events = ending_in_error(
        _forward(response, deadline, count), lambda sent: stream_error(count.events)
    )
    return _Relayed(events, response)


class _Relayed:
    """The relayed stream; closing it closes the upstream answer, even if never read."""

    __slots__ = ("_events", "_response")

    def __init__(self, events: AsyncIterator[bytes], response: httpx.Response) -> None:
        self._events = events
        self._response = response

    def __aiter__(self) -> _Relayed:
        return self

    def __anext__(self) -> Awaitable[bytes]:
        return self._events.__anext__()

    async def aclose(self) -> None:
        """Stop reading and close the upstream answer (the host calls it when the caller left)."""
        # A generator never started runs no `finally` on aclose: the answer is closed here.
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()
        await self._response.aclose()


async def _forward(
    response: httpx.Response, deadline: float, count: _Count
) -> AsyncIterator[bytes]:
    # Compressed only if the upstream ignored `accept-encoding: identity`; then httpx decodes.
    encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
    chunks = response.aiter_bytes() if encoded else response.aiter_raw()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    # One timer for the whole stream rather than a timeout per chunk (asyncio.timeout costs
    # about 4 us each): it cancels the read in progress, or the next read sees it expired.
    reading = expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        if reading:
            task.cancel()

    timer = loop.call_at(deadline, expire)
    held = b""
    try:
        while True:
            if expired:
                raise StreamDeadlineError
            reading = True
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                break
            except asyncio.CancelledError:
                # The timer's own cancellation, not the caller's leaving.
                if expired and task.uncancel() == 0:
                    raise StreamDeadlineError from None
                raise
            finally:
                reading = False
            if held:
                chunk, held = held + chunk, b""
            if not chunk.endswith(_EVENT_ENDS):
                # An event split across chunks waits for its end: a client dispatches an event
                # only at its blank line anyway, and a stream cut inside one can then still
                # end with a whole error event instead of a broken one.
                cut = _last_event_end(chunk)
                chunk, held = chunk[:cut], chunk[cut:]
                if not chunk:
                    continue
            count.events += chunk.count(b"\n\n") + chunk.count(b"\r\n\r\n")
            yield chunk
        if held.strip():
            raise StreamCutError
    finally:
        timer.cancel()
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
        await response.aclose()


def _last_event_end(data: bytes) -> int:
    """Return the index just past the last event end in `data`, or 0."""
    ends = [data.rfind(end) for end in _EVENT_ENDS]
    return max(
        (at + len(end) for at, end in zip(ends, _EVENT_ENDS, strict=True) if at >= 0), default=0
    )
