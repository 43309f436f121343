"""The core's TokenKeys on the Worker: the JWKS through `fetch`, signatures through WebCrypto."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any

import js
from pyodide.ffi import JsException, jsnull, to_js

from airelay.core.jwks import JwksFetchRules
from airelay.core.types import KeysUnavailableError
from airelay.hosts.worker.bridge import json_to_js

# WebCrypto's parameters per JWS algorithm (RFC 7518 section 3, RFC 8037 section 3.1): how to
# import the public JWK, and how to verify. ES256 signatures are r || s, as WebCrypto expects.
_WEBCRYPTO = {
    "RS256": (
        {"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"},
        {"name": "RSASSA-PKCS1-v1_5"},
    ),
    "ES256": ({"name": "ECDSA", "namedCurve": "P-256"}, {"name": "ECDSA", "hash": "SHA-256"}),
    "EdDSA": ({"name": "Ed25519"}, {"name": "Ed25519"}),
}


class WorkerTokenKeys:
    """The core's TokenKeys on the Worker: the runtime's `fetch` and WebCrypto."""

    def __init__(self, fetch: Any = None, subtle: Any = None) -> None:
        # Injectable so that the Pyodide tier can hand in JS stand-ins.
        self._fetch = fetch
        self._subtle = subtle

    async def fetch_jwks(self, url: str, rules: JwksFetchRules) -> bytes:
        """GET the JWKS through the Worker's `fetch` by `rules`; raise KeysUnavailableError."""
        fetch = self._fetch if self._fetch is not None else js.fetch
        init = json_to_js(
            # workerd takes `redirect` "follow" or "manual" only ("error" throws `Invalid
            # redirect value, must be one of "follow" or "manual"`, src/workerd/api/http.c++),
            # and "manual" hands back the 3xx itself, which is refused below.
            {"method": "GET", "headers": {"accept": "application/json"}, "redirect": "manual"}
        )
        # A total deadline: the signal aborts the request and the body's stream alike (Fetch
        # standard, "abort the fetch() call"); the core's own deadline cannot stop JS work.
        init.signal = js.AbortSignal.timeout(math.ceil(rules.deadline_seconds * 1000))
        try:
            response = await fetch(url, init)
            status = int(response.status)
            # A browser's "manual" gives an opaque redirect (status 0); workerd the 3xx.
            if 300 <= status < 400 or response.type == "opaqueredirect":
                raise KeysUnavailableError(
                    f"HTTP {status}: the key set's URL redirects, and redirects are not followed"
                )
            if not 200 <= status < 300:
                raise KeysUnavailableError(f"HTTP {status}")
            return await _read_capped(response, rules.max_bytes)
        except JsException as exc:
            name = str(getattr(exc, "name", "") or "fetch failed")
            if name in ("TimeoutError", "AbortError"):
                raise KeysUnavailableError(
                    f"no answer within {rules.deadline_seconds:g} s"
                ) from None
            raise KeysUnavailableError(name) from None

    async def verify(
        self, alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes
    ) -> bool:
        """Verify with `crypto.subtle`; a key WebCrypto refuses verifies nothing."""
        params = _WEBCRYPTO.get(alg)
        if params is None:
            return False
        subtle = self._subtle if self._subtle is not None else js.crypto.subtle
        import_params, verify_params = params
        try:
            key = await subtle.importKey(
                "jwk",
                json_to_js(dict(jwk)),
                json_to_js(import_params),
                False,
                json_to_js(["verify"]),
            )
            verified = await subtle.verify(
                json_to_js(verify_params), key, to_js(signature), to_js(signing_input)
            )
        except JsException:
            return False
        return bool(verified)


async def _read_capped(response: Any, limit: int) -> bytes:
    """Read the body chunk by chunk, stopping once it passes `limit` bytes."""
    length = response.headers.get("content-length")
    if isinstance(length, str) and length.isdigit() and int(length) > limit:
        raise KeysUnavailableError(f"the key set is larger than {limit} bytes")
    stream = response.body
    if stream is None or stream is jsnull:  # JS null: None on Pyodide 0.28, jsnull on 314
        return b""
    reader = stream.getReader()
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            step = await reader.read()
            if step.done:
                return b"".join(chunks)
            chunk = bytes(step.value.to_bytes())
            size += len(chunk)
            if size > limit:
                raise KeysUnavailableError(f"the key set is larger than {limit} bytes")
            chunks.append(chunk)
    except BaseException:
        # Not read to the end: cancelling the stream lets the runtime drop the connection.
        with contextlib.suppress(JsException):
            await reader.cancel()
        raise
