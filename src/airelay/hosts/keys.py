"""The local host's token keys: fetch a JWKS by the core's rules, verify with `cryptography`."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from airelay.core.errors import misconfigured
from airelay.core.jwks import JwksFetchRules
from airelay.core.types import KeysUnavailableError

# The core lets one fetch per key set be in flight; two threads leave room for a second set.
FETCH_THREADS = 2
_DEFAULT_PORTS = {"http": 80, "https": 443}
_READ_CHUNK = 16_384
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    # Threads of its own: a key-set server that hangs must never hold the default pool, which
    # serves the static files (asyncio.to_thread). Not httpx, though the local extra has it:
    # a total deadline cancels the fetch wherever it is, and httpcore 1.0.9 leaks the socket
    # when that is mid TLS handshake (_backends/anyio.py, start_tls closes its stream on
    # Exception only, not on CancelledError); here the deadline shuts the socket down instead.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="airelay-jwks")
        return _pool


class LocalTokenKeys:
    """The core's TokenKeys on CPython: http.client for the JWKS, PyJWT with `cryptography`."""

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """GET the JWKS by `rules`; raise KeysUnavailableError on any failure."""
        fetch = _Fetch(url, rules)
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(_executor(), fetch.run), rules.deadline_seconds
            )
        except TimeoutError:
            raise KeysUnavailableError(f"no answer within {rules.deadline_seconds:g} s") from None
        finally:
            # The deadline is for the whole fetch, not each read: whatever the thread is
            # waiting for (the handshake, a header, a dripped byte) ends now, and so does it.
            fetch.abort()

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify with PyJWT's algorithm for `alg`, which needs `cryptography`."""
        from jwt.algorithms import get_default_algorithms, has_crypto

        if not has_crypto:
            raise misconfigured(
                "verifying TOKEN_JWKS_URL tokens locally needs `cryptography` "
                "(pip install 'airelay[local]')"
            )
        algorithm = get_default_algorithms()[alg]
        try:
            key = algorithm.from_jwk(dict(jwk))
        except Exception:
            return False
        return bool(algorithm.verify(signing_input, key, signature))


class _Fetch:
    """One GET, run in a pool thread, that the event loop can cut off at any point."""

    def __init__(self, url: str, rules: JwksFetchRules) -> None:
        self._url = url
        self._rules = rules
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._aborted = False

    def abort(self) -> None:
        """Shut the connection down: a read blocked in the fetch's thread returns at once."""
        with self._lock:
            self._aborted = True
            sock = self._socket
        if sock is not None:
            # socket.socket's own shutdown, also for a TLS socket: it reaches the file
            # descriptor without touching the TLS state the reading thread is using.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def run(self) -> bytes:
        """Return the body; raise KeysUnavailableError for any failure, whatever its kind."""
        try:
            return self._get()
        except KeysUnavailableError:
            raise
        except (http.client.HTTPException, OSError, ValueError, UnicodeError) as exc:
            # HTTPException covers BadStatusLine, IncompleteRead, LineTooLong; OSError covers
            # refused, reset, TLS and socket timeouts. Named by type only, never the detail.
            if self._aborted:
                raise KeysUnavailableError(
                    f"no answer within {self._rules.deadline_seconds:g} s"
                ) from None
            raise KeysUnavailableError(type(exc).__name__) from None
        finally:
            with self._lock:
                sock, self._socket = self._socket, None
            if sock is not None:
                sock.close()

    def _get(self) -> bytes:
        parts = urlsplit(self._url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise KeysUnavailableError("the key set's URL is not http(s)")
        host, port = parts.hostname, parts.port or _DEFAULT_PORTS[parts.scheme]
        deadline = self._rules.deadline_seconds
        sock = socket.create_connection((host, port), timeout=deadline)
        self._register(sock)
        if parts.scheme == "https":
            # The handshake runs once the TLS socket is registered, so the deadline can cut it.
            sock = ssl.create_default_context().wrap_socket(
                sock, server_hostname=host, do_handshake_on_connect=False
            )
            self._register(sock)
            sock.do_handshake()
        connection = http.client.HTTPConnection(host, port, timeout=deadline)
        connection.sock = sock  # used as it is: http.client connects only when it has none
        netloc = host if port == _DEFAULT_PORTS[parts.scheme] else f"{host}:{port}"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET", target, headers={"host": netloc, "accept": "application/json"}
            )
            with connection.getresponse() as response:
                if 300 <= response.status < 400:
                    # No redirect is followed: one could lead from https to plain http.
                    raise KeysUnavailableError(
                        f"HTTP {response.status}: the key set's URL redirects, and redirects "
                        "are not followed"
                    )
                if not 200 <= response.status < 300:
                    raise KeysUnavailableError(f"HTTP {response.status}")
                return self._body(response)
        finally:
            connection.close()

    def _body(self, response: http.client.HTTPResponse) -> bytes:
        limit = self._rules.max_bytes
        body = bytearray()
        # read1: one read of the socket at a time, so the cap holds while reading.
        while len(body) <= limit:
            chunk = response.read1(min(_READ_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise KeysUnavailableError(f"the key set is larger than {limit} bytes")
        if response.length:
            # read1 ends quietly where the server closed early; a short body is no key set.
            raise http.client.IncompleteRead(bytes(body), response.length)
        return bytes(body)

    def _register(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket = sock
            aborted = self._aborted
        if aborted:
            raise KeysUnavailableError(f"no answer within {self._rules.deadline_seconds:g} s")
