"""One timed HTTP exchange with the relay: status, headers, body, and when each SSE event came."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from airelay import __version__
from airelay.core.sse import Decoder

SSE_TYPE = "text/event-stream"


@dataclass(frozen=True)
class Arrival:
    """An SSE event, when it was complete (seconds after the request) and in which read."""

    name: str
    data: str
    at: float
    read: int


@dataclass
class Exchange:
    """What one request got back; `status` 0 means no answer came (see `error`)."""

    method: str
    path: str
    request_id: str
    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    events: list[Arrival] = field(default_factory=list)
    reads: int = 0
    ttfb: float | None = None
    total: float | None = None
    error: str | None = None

    @property
    def is_stream(self) -> bool:
        """Tell whether the answer was server-sent events."""
        content_type: str = self.headers.get("content-type", "")
        return content_type.startswith(SSE_TYPE)

    def json(self) -> Any:
        """Parse the body as JSON (raises ValueError when it is not)."""
        import json

        return json.loads(self.body)


class Prober:
    """Send requests to one relay, each with its own `x-request-id`, and keep every exchange."""

    def __init__(
        self,
        base_url: str,
        bearer: str | None,
        origin: str | None,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            headers={"user-agent": f"airelay-check/{__version__}"},
            transport=transport,
        )
        self._bearer = bearer
        self.origin = origin
        self._run = secrets.token_hex(4)
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        bearer: str | None = None,
        with_origin: bool = False,
    ) -> Exchange:
        """Send one request and read its whole answer, timing the first byte and each event."""
        request_id = f"airelay-check-{self._run}-{len(self.exchanges) + 1}"
        sent = {"x-request-id": request_id, **(headers or {})}
        key = bearer if bearer is not None else self._bearer
        if key is not None:
            sent["authorization"] = f"Bearer {key}"
        if with_origin and self.origin is not None:
            sent["origin"] = self.origin
        exchange = Exchange(method, path, request_id)
        self.exchanges.append(exchange)
        started = time.perf_counter()
        try:
            with self._client.stream(
                method, path, json=json_body, content=content, headers=sent
            ) as response:
                exchange.status = response.status_code
                exchange.headers = response.headers
                decoder = Decoder() if exchange.is_stream else None
                chunks: list[bytes] = []
                # iter_bytes yields each network read as it comes (undoing any content-encoding,
                # which a stream must not have: the buffering check reports it).
                for chunk in response.iter_bytes():
                    now = time.perf_counter() - started
                    if exchange.ttfb is None:
                        exchange.ttfb = now
                    exchange.reads += 1
                    chunks.append(chunk)
                    if decoder is not None:
                        exchange.events.extend(
                            Arrival(e.event, e.data, now, exchange.reads)
                            for e in decoder.decode(chunk)
                        )
                exchange.body = b"".join(chunks)
                if decoder is not None:
                    now = time.perf_counter() - started
                    exchange.events.extend(
                        Arrival(e.event, e.data, now, exchange.reads) for e in decoder.flush()
                    )
        except httpx.HTTPError as error:
            exchange.error = (
                f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            )
        exchange.total = time.perf_counter() - started
        if exchange.ttfb is None and exchange.status:
            exchange.ttfb = exchange.total
        return exchange
