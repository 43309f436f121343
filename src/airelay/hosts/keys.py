"""The local host's token keys: fetch a JWKS over HTTP, verify signatures with `cryptography`."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from airelay.core.errors import misconfigured
from airelay.core.jwks import MAX_JWKS_BYTES
from airelay.core.types import KeysUnavailableError

FETCH_TIMEOUT_S = 5.0


class LocalTokenKeys:
    """The core's TokenKeys on CPython: urllib for the JWKS, PyJWT with `cryptography` to verify."""

    async def fetch_jwks(self, url: str) -> bytes:
        """Return the JWKS body; raise KeysUnavailableError on any failure."""
        return await asyncio.to_thread(_get, url)

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


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise KeysUnavailableError(f"HTTP {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise KeysUnavailableError(type(exc).__name__) from None
    return body
