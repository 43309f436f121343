"""Test doubles for the core's backend, in the manner of httpx's MockTransport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from airelay.core.catalog import find_model
from airelay.core.endpoints import ModelRoute
from airelay.core.routing import resolve
from airelay.core.streams import ending_in_error
from airelay.core.types import BackendResult, JsonResult

T = TypeVar("T")
Handler = Callable[[str, Mapping[str, Any], Mapping[str, Any]], BackendResult]


def model_route(model: str) -> ModelRoute:
    """Return the route that serves `model`, found as a request finds it: by the model's path."""
    info = find_model(model)
    assert info is not None, model
    route = resolve("POST", info.path)[0].model_route
    assert route is not None, model
    return route


def as_producer(model: str, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Wrap `stream` the way a real producer ends: a failure becomes its format's error event."""
    return ending_in_error(stream, model_route(model).stream_error)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` on a fresh event loop (pytest-asyncio is not used here)."""
    return asyncio.run(coroutine)


@dataclass(frozen=True)
class Call:
    """One call the core made to its backend, with the very objects it passed."""

    model: str
    inputs: Mapping[str, Any]
    options: Mapping[str, Any]


@dataclass
class FakeBackend:
    """A Backend whose answers come from a plain function; it records every call."""

    handler: Handler = field(default=lambda model, inputs, options: JsonResult({"ok": True}))
    calls: list[Call] = field(default_factory=list)

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Record the call, then answer with the handler's result (or its exception)."""
        self.calls.append(Call(model, inputs, options))
        return self.handler(model, inputs, options)

    @property
    def call(self) -> Call:
        """Return the only call made; fail if there was not exactly one."""
        assert len(self.calls) == 1, f"expected one backend call, got {len(self.calls)}"
        return self.calls[0]


class GatedStream:
    """An async byte stream that yields `first`, waits for `gate`, then yields `rest`.

    It records whether it ran to the end and whether it was closed, so tests can tell a
    stream that was consumed from one that was stopped.
    """

    def __init__(self, first: bytes, rest: Iterable[bytes] = ()) -> None:
        self.first = first
        self.rest = list(rest)
        self.gate = asyncio.Event()
        self.produced: list[bytes] = []
        self.finished = False
        self.closed = False
        self.aclose_called = False
        self._generator = self._produce()

    async def _produce(self) -> AsyncGenerator[bytes, None]:
        try:
            self.produced.append(self.first)
            yield self.first
            await self.gate.wait()
            for chunk in self.rest:
                self.produced.append(chunk)
                yield chunk
            self.finished = True
        finally:
            self.closed = True

    def __aiter__(self) -> GatedStream:
        return self

    async def __anext__(self) -> bytes:
        return await self._generator.__anext__()

    async def aclose(self) -> None:
        """Close the underlying generator, running its `finally`."""
        self.aclose_called = True
        await self._generator.aclose()


def answering(result: BackendResult) -> FakeBackend:
    """Return a backend that always answers `result`."""
    return FakeBackend(lambda model, inputs, options: result)


def failing(error: Exception) -> FakeBackend:
    """Return a backend that always raises `error`."""

    def fail(model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]) -> BackendResult:
        raise error

    return FakeBackend(fail)
