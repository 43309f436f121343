"""The core's TokenKeys on the Worker: the JWKS through `fetch`, signatures through WebCrypto."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from airelay.core.jwks import MAX_JWKS_BYTES
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

    async def fetch_jwks(self, url: str) -> bytes:
        """GET the JWKS through the Worker's `fetch`; raise KeysUnavailableError on failure."""
        fetch = self._fetch if self._fetch is not None else js.fetch
        init = json_to_js({"method": "GET", "headers": {"accept": "application/json"}})
        try:
            response = await fetch(url, init)
            if not response.ok:
                raise KeysUnavailableError(f"HTTP {int(response.status)}")
            body = bytes((await response.arrayBuffer()).to_bytes())
        except JsException as exc:
            raise KeysUnavailableError(str(getattr(exc, "name", "") or "fetch failed")) from None
        if len(body) > MAX_JWKS_BYTES:
            raise KeysUnavailableError(f"the key set is larger than {MAX_JWKS_BYTES} bytes")
        return body

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
