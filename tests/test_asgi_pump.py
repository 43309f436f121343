"""The local host's stream pump: chunks leave at once, and a client leaving stops the producer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from airelay.core.types import StreamResult
from airelay.hosts.asgi import AsgiApp, Message
from tests.client import CoreClient
from tests.fakes import answering, run
from tests.test_asgi import ASGI_SCOPE as SCOPE
from tests.test_asgi import receiver  # the body once, then a disconnect once the event is set

# Turns a host that never notices the client leaving into a failure instead of a hang; never
# waited out when the host behaves.
HANG = 10.0


def app_streaming(stream: AsyncIterator[bytes]) -> AsgiApp:
    """Return the ASGI host over the core, with a backend that answers `stream`."""
    return CoreClient(backend=answering(StreamResult(stream))).asgi_app()


async def two_chunks() -> AsyncIterator[bytes]:
    yield b"data: one\n\n"
    yield b"data: [DONE]\n\n"


async def waits_forever(closed: list[str]) -> AsyncIterator[bytes]:
    """Send one chunk, then wait for good; note in `closed` when closed."""
    try:
        yield b"data: one\n\n"
        await asyncio.Event().wait()
        yield b"data: never\n\n"
    finally:
        closed.append("closed")


def test_the_first_chunk_follows_the_headers_in_the_same_event_loop_step() -> None:
    # A loop turn between them is a select() call and every other connection's work, all
    # added to the time to first byte.
    turned: list[bool] = []
    sent: list[tuple[str, bool]] = []

    async def send(message: Message) -> None:
        sent.append((message["type"], bool(turned)))

    async def scenario() -> None:
        asyncio.get_running_loop().call_soon(turned.append, True)
        await app_streaming(two_chunks())(SCOPE, receiver(asyncio.Event()), send)

    run(scenario())
    assert sent[:2] == [("http.response.start", False), ("http.response.body", False)]
    assert len(sent) == 4


def test_a_disconnect_ends_the_request_without_leaving_it_cancelled() -> None:
    closed: list[str] = []

    async def scenario() -> int:
        leaves = asyncio.Event()

        async def send(message: Message) -> None:
            if message.get("body"):
                leaves.set()

        await app_streaming(waits_forever(closed))(SCOPE, receiver(leaves), send)
        task = asyncio.current_task()
        assert task is not None
        await asyncio.sleep(0)  # would raise CancelledError if a cancellation were pending
        return task.cancelling()

    assert run(scenario()) == 0
    assert closed == ["closed"]


def test_a_server_cancelling_the_request_still_cancels_it_and_closes_the_producer() -> None:
    closed: list[str] = []
    first_out = asyncio.Event()

    async def send(message: Message) -> None:
        if message.get("body"):
            first_out.set()

    async def scenario() -> bool:
        app = app_streaming(waits_forever(closed))
        task = asyncio.ensure_future(app(SCOPE, receiver(asyncio.Event()), send))
        await first_out.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task.cancelled()

    assert run(scenario())
    assert closed == ["closed"]


def test_a_client_leaving_before_the_first_chunk_stops_a_waiting_producer() -> None:
    closed: list[str] = []
    sent: list[Message] = []

    async def waits_first() -> AsyncIterator[bytes]:
        try:
            await asyncio.Event().wait()  # an upstream that never sends its first token
            yield b"data: never\n\n"
        finally:
            closed.append("closed")

    async def send(message: Message) -> None:
        sent.append(message)

    async def scenario() -> bool:
        leaves = asyncio.Event()
        leaves.set()
        app = app_streaming(waits_first())
        # Not wait_for: its own cancellation would close the producer and hide a deaf host.
        task = asyncio.ensure_future(app(SCOPE, receiver(leaves), send))
        done, _ = await asyncio.wait({task}, timeout=HANG)
        task.cancel()
        return bool(done)

    assert run(scenario()), "the host kept waiting on a producer after the client left"
    assert closed == ["closed"]
    assert [m["type"] for m in sent] == ["http.response.start"]


def test_no_watcher_task_outlives_a_finished_stream() -> None:
    async def scenario() -> set[asyncio.Task[object]]:
        await app_streaming(two_chunks())(SCOPE, receiver(asyncio.Event()), _ignore)
        await asyncio.sleep(0)  # the cancelled watcher's last step
        return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[arg-type]

    assert run(scenario()) == set()


async def _ignore(message: Message) -> None:
    pass
