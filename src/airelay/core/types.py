"""Runtime-free request, response and backend types shared by both hosts.

This module must not import pydantic: the Worker glue imports it in Pyodide.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airelay.core.jwks import JwksFetchRules

HeaderPairs = Iterable[tuple[str, str]]


class Headers(Mapping[str, str]):
    """Immutable, case-insensitive request headers; repeated names join with ", "."""

    __slots__ = ("_map", "_pairs")

    def __init__(self, pairs: HeaderPairs = ()) -> None:
        self._pairs = tuple([(name.lower(), value) for name, value in pairs])
        joined = dict(self._pairs)
        if len(joined) < len(self._pairs):
            # The Fetch standard's rule (Headers.get), which is what the Worker sees already:
            # both hosts then read a repeated header alike.
            joined = {}
            for name, value in self._pairs:
                joined[name] = f"{joined[name]}, {value}" if name in joined else value
        self._map = joined

    def __getitem__(self, name: str) -> str:
        return self._map[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._map

    def get(self, name: str, default: Any = None) -> Any:
        return self._map.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def names(self) -> KeysView[str]:
        """Return the lower-cased names present, as a set-like view."""
        return self._map.keys()

    def raw(self) -> tuple[tuple[str, str], ...]:
        """Return the headers as received, names lower-cased, repeats kept."""
        return self._pairs

    def __repr__(self) -> str:
        # Values are left out: they hold keys.
        return f"Headers({sorted(self._map)})"


class BodyError(Exception):
    """The request body could not be read: too large for the limit, or unreadable."""


class BodyTooLargeError(BodyError):
    """The body is longer than the limit; the host stopped reading it."""


# Read the body, returning at most `limit` + 1 bytes so that an over-long body is told apart
# without being held whole; raise BodyError when the transport fails.
BodyReader = Callable[[int], Awaitable[bytes]]


class Request:
    """An HTTP request as the core sees it; the body is read on demand, up to a limit."""

    __slots__ = ("_body", "_reader", "client", "headers", "method", "path", "query")

    def __init__(
        self,
        method: str,
        path: str,
        headers: HeaderPairs | Headers = (),
        body: bytes = b"",
        query: str = "",
        client: str | None = None,
        reader: BodyReader | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.query = query
        self.client = client
        self._reader = reader
        self._body: bytes | None = None if reader is not None else body

    def header(self, name: str) -> str | None:
        """Return header `name` (case-insensitive), or None."""
        value: str | None = self.headers.get(name)
        return value

    async def read_body(self, limit: int) -> bytes:
        """Return the body; raise BodyTooLargeError past `limit` bytes, BodyError if unreadable."""
        declared = parse_byte_count(self.header("content-length"))
        if declared is not None and declared > limit:
            # Never read what is declared too long: the answer is known already.
            raise BodyTooLargeError
        if self._body is None:
            assert self._reader is not None
            self._body = await self._reader(limit)
        if len(self._body) > limit:
            raise BodyTooLargeError
        return self._body


def parse_byte_count(raw: str | None) -> int | None:
    """Return the number of bytes `raw` states (a `content-length`), if it is a plain number."""
    # ASCII digits, and few of them: str.isdigit() also passes "²", and int() refuses both
    # that and strings of over 4,300 digits.
    if raw is None:
        return None
    text = raw.strip()
    if not (0 < len(text) <= 18 and text.isascii() and text.isdigit()):
        return None
    return int(text)


@dataclass
class Response:
    """An HTTP response: a bytes body, or an opaque `stream` handed to the host untouched."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    stream: object | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class JsonResult:
    """A backend answer that arrived as JSON: parsed, and its bytes when the backend has them."""

    data: Any
    gateway_log_id: str | None = None
    # AI Gateway's `cf-aig-cache-status` (HIT or MISS) for this very call.
    cache_status: str | None = None
    # The answer exactly as it arrived: sent on as it is rather than encoded again from `data`,
    # one of the steps that took the core's chat request from 92 to 58 us (bench/http_stack.py,
    # "Worker CPU estimate", core; docs/performance.md).
    body: bytes | None = None


@dataclass(frozen=True)
class StreamResult:
    """A backend answer that arrived as a byte stream (SSE); `stream` is never inspected."""

    stream: object
    gateway_log_id: str | None = None
    cache_status: str | None = None


BackendResult = JsonResult | StreamResult


class Backend(Protocol):
    """What the core calls to run a model: the Workers AI binding or the local model."""

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """Run `model` on `inputs` with binding `options`; raise BackendError on failure."""
        ...


class RateLimiter(Protocol):
    """A per-key request limiter: the Workers Rate Limiting binding or the local one."""

    async def limit(self, key: str) -> bool:
        """Count one request for `key`; return False when it is over the limit."""
        ...


class KeysUnavailableError(Exception):
    """The identity provider's key set could not be fetched; the message says why."""


class TokenKeys(Protocol):
    """What the host gives the core to trust identity-provider tokens: fetch a JWKS, verify."""

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """Return the body at `url`, fetched by `rules`; raise KeysUnavailableError if not."""
        ...

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Tell whether `signature` is `alg`'s signature of `signing_input` by public key `jwk`."""
        ...


Env = Mapping[str, str]


class LogRecord(Protocol):
    """What the core logs once per request: rendered only when a host writes it."""

    def line(self) -> str:
        """Render the record as one JSON line."""
        ...


def print_line(record: LogRecord) -> None:
    """Write `record` to standard output as it comes: the Worker's console is its log."""
    print(record.line())


@dataclass(frozen=True)
class Platform:
    """What a host gives the core for one request."""

    backend: Backend
    env: Env
    rate_limiter: RateLimiter | None = None
    # Handed the record, not its line: a host may render it after the answer is out.
    log: Callable[[LogRecord], None] = print_line
    # Only needed when TOKEN_JWKS_URL is set: the JWKS fetch and the asymmetric verify.
    token_keys: TokenKeys | None = None


class Handler(Protocol):
    """The core's entry point, as the hosts call it."""

    async def __call__(self, request: Request, platform: Platform) -> Response:
        """Answer `request`; never raise."""
        ...
