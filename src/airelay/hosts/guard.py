"""uvicorn's h11 protocol with deadlines for headers and bodies, and JSON for bad HTTP.

uvicorn 0.54 times out only the idle wait between requests (`timeout_keep_alive`, armed after
a response): a connection that never sends its headers, or never finishes its body, is held
forever, and a request h11 cannot parse gets `400 text/plain`. This subclass adds the missing
deadlines and answers in OpenAI's error shape; `airelay dev` runs it as uvicorn's `http` class.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from airelay.core.errors import RelayError
from airelay.hosts.asgi import BODY_DEADLINE

# The host answers a slow body with a 408 (hosts/asgi.py) at the body deadline that this
# protocol puts in the request's scope; a body that still has not ended this much later has
# its connection closed, answered or not.
BODY_GRACE_S = 1.0
_REASONS = {400: "Bad Request", 408: "Request Timeout"}


def _raw_error(error: RelayError) -> bytes:
    """Return `error` as a whole HTTP/1.1 response that closes the connection."""
    response = error.to_response()
    head = [f"HTTP/1.1 {response.status} {_REASONS[response.status]}"]
    head += [f"{name}: {value}" for name, value in response.headers]
    head += [f"content-length: {len(response.body)}", "connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + response.body


INVALID_HTTP = _raw_error(
    RelayError(400, "The request is not valid HTTP/1.1.", code="invalid_http")
)


class GuardedH11Protocol(H11Protocol):
    """Close a connection whose headers or body outlast their deadline."""

    # Set per server by `guarded_protocol` (airelay dev's flags).
    header_timeout: float = 10.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None
        self._heard = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start the header deadline: it runs from the moment the connection opens."""
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        """Feed uvicorn, then move the deadline to the phase the request is in."""
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.IDLE:
            # Part of a request after a keep-alive pause (uvicorn's own timer is now off).
            if self._phase != "headers":
                self._arm("headers", self.header_timeout)
            self._heard = True
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                # The app's task for this request has not run yet: it finds its deadline here.
                scope = cast(dict[str, Any], self.scope)
                extensions = scope.setdefault("extensions", {})
                extensions[BODY_DEADLINE] = self.loop.time() + self.body_timeout
                self._arm("body", self.body_timeout + BODY_GRACE_S)
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """Answer a request h11 cannot parse in OpenAI's error shape, then close."""
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(INVALID_HTTP)
            self.transport.close()

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        self._heard = False
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = None

    def _expired(self) -> None:
        phase, self._deadline, self._phase = self._phase, None, None
        if self.transport.is_closing():
            return
        if phase == "headers" and self._heard:
            # No request has started, so h11 cannot frame an answer: write it whole.
            seconds = f"{self.header_timeout:g}"
            error = RelayError(
                408,
                f"The request headers did not arrive within {seconds} seconds.",
                code="request_timeout",
            )
            self.transport.write(_raw_error(error))
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()


def guarded_protocol(header_timeout: float, body_timeout: float) -> type[GuardedH11Protocol]:
    """Return the protocol class with these deadlines, for uvicorn's `http` option."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )
