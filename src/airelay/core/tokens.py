"""Signed tokens in place of API keys: verify a caller's JWT, and mint one for a backend.

Two ways to trust a token: HS256 with one of `TOKEN_SECRETS` (checked here, by PyJWT), or
RS256/ES256/EdDSA with a key from the identity provider's JWKS (checked by the host: WebCrypto
on the Worker, `cryptography` locally). PyJWT parses the token and checks the claims either way.
Pydantic-free: the Worker runs it in Pyodide.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airelay.core.errors import RelayError, misconfigured
from airelay.core.jwks import ASYMMETRIC_ALGS, JWKS_CACHE, JwksCache
from airelay.core.tool_policy import parse_token_tools
from airelay.core.types import TokenKeys

if TYPE_CHECKING:
    from jwt.algorithms import HMACAlgorithm

MAX_TOKEN_BYTES = 8_192
LEEWAY_SECONDS = 30  # clock skew allowed on exp, nbf and iat
DEFAULT_MAX_TTL_SECONDS = 3_600
MAX_TTL_CEILING_SECONDS = 86_400
MIN_SECRET_BYTES = 32  # RFC 7518 section 3.2: a key at least as long as the hash
MAX_SUBJECT_CHARS = 256
SCOPE_CLAIM = "airelay"  # the one claim namespace the relay reads narrowing from
HS256 = "HS256"
# Three base64url segments, the first a JSON object (`{"` encodes as `eyJ`).
_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_DURATION = re.compile(r"([0-9]{1,7})([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3_600, "d": 86_400}
_STRING_HEADERS = ("alg", "kid", "typ", "cty")
# Signature checked elsewhere; claims checked here, each one explicitly.
_CLAIM_CHECKS = {
    "verify_signature": False,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_sub": True,
    "verify_jti": True,
}


@dataclass(frozen=True)
class TokenScope:
    """What a token narrows: the routes it may call, and a lower output-token cap."""

    routes: frozenset[str] | None = None
    max_output_tokens: int | None = None
    # The tool types the token may send, within the operator's ALLOWED_TOOLS.
    tools: frozenset[str] | None = None

    def allows(self, route: str) -> bool:
        """Tell whether the token may call `route`."""
        return self.routes is None or route in self.routes


@dataclass(frozen=True)
class TokenIdentity:
    """Who a verified token speaks for."""

    subject: str
    issuer: str | None
    scope: TokenScope = TokenScope()

    @property
    def subject_id(self) -> str:
        """Return a short id for the subject that cannot be turned back into it."""
        # Issuer and subject together: two providers may both have a user "42".
        digest = hashlib.sha256(f"{self.issuer or ''}\n{self.subject}".encode()).hexdigest()
        return "sub_" + digest[:16]


@dataclass(frozen=True)
class TokenPolicy:
    """How the operator trusts tokens: secrets for HS256, a JWKS for the identity provider."""

    secrets: tuple[bytes, ...] = field(default=(), repr=False)
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    max_ttl: int = DEFAULT_MAX_TTL_SECONDS

    @property
    def enabled(self) -> bool:
        """Tell whether any token is trusted at all."""
        return bool(self.secrets) or self.jwks_url is not None


def looks_like_jwt(value: str) -> bool:
    """Tell whether a presented credential has a JWS's compact shape (RFC 7515 section 7.1)."""
    return _JWT_SHAPE.fullmatch(value) is not None


def parse_secrets(raw: str) -> tuple[bytes, ...]:
    """Split `TOKEN_SECRETS` (commas, spaces or newlines between them); the first one signs."""
    secrets = [secret for secret in re.split(r"[\s,]+", raw) if secret]
    for number, secret in enumerate(secrets, start=1):
        # Errors name a secret by position, never by any part of it.
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"secret {number} is shorter than {MIN_SECRET_BYTES} bytes")
    return tuple(secret.encode() for secret in secrets)


def parse_duration(raw: str) -> int:
    """Read a duration like `600`, `90s`, `10m`, `1h` or `1d` as seconds; raise ValueError."""
    match = _DURATION.fullmatch(raw.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"expected a duration like 600, 90s, 10m or 1h, got {raw!r}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def mint_token(
    secret: str | bytes,
    subject: str,
    ttl: int = 600,
    *,
    routes: Iterable[str] | None = None,
    max_output_tokens: int | None = None,
    now: int | None = None,
) -> str:
    """Return an HS256 token for `subject`, valid `ttl` seconds, optionally narrowed."""
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the secret must be at least {MIN_SECRET_BYTES} bytes")
    if not subject or len(subject) > MAX_SUBJECT_CHARS:
        raise ValueError(f"the subject must be 1 to {MAX_SUBJECT_CHARS} characters")
    if ttl <= 0:
        raise ValueError("the lifetime must be positive")
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {"sub": subject, "iat": issued, "exp": issued + ttl}
    scope: dict[str, Any] = {}
    if routes is not None:
        scope["routes"] = list(routes)
    if max_output_tokens is not None:
        if max_output_tokens <= 0:
            raise ValueError("max_output_tokens must be positive")
        scope["max_output_tokens"] = max_output_tokens
    if scope:
        claims[SCOPE_CLAIM] = scope
    import jwt  # here, not at import: PyJWT costs ~70 ms of the Worker's startup (see _hmac)

    return jwt.encode(claims, key, algorithm=HS256)


@functools.cache
def _hmac() -> HMACAlgorithm:
    """Return PyJWT's HS256, importing PyJWT on first use."""
    # Imported only where a token is checked or minted: PyJWT and the urllib.request its
    # `jwks_client` pulls in cost ~70 ms of the Worker's global scope in Pyodide
    # (bench/worker_pyodide.py), and most relays trust no tokens.
    from jwt.algorithms import HMACAlgorithm

    return HMACAlgorithm(HMACAlgorithm.SHA256)


def token_error(code: str, message: str) -> RelayError:
    """Return a 401 for a token that failed a check; `message` says which, never the token."""
    # RFC 6750 section 3.1.
    return RelayError(
        401, message, code=code, headers=(("www-authenticate", 'Bearer error="invalid_token"'),)
    )


def _invalid(message: str) -> RelayError:
    return token_error("invalid_token", message)


async def verify_token(
    token: str,
    policy: TokenPolicy,
    keys: TokenKeys | None,
    cache: JwksCache = JWKS_CACHE,
) -> TokenIdentity:
    """Check a token's signature, then its claims; return who it speaks for, or raise 401/503."""
    if len(token.encode()) > MAX_TOKEN_BYTES:
        raise _invalid(f"The token is longer than {MAX_TOKEN_BYTES} bytes.")
    import jwt  # here, not at import (see _hmac)

    try:
        parts = jwt.api_jws.PyJWS().decode_complete(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        # PyJWT also refuses here a `crit` naming an extension it does not implement.
        raise _invalid("The token is not a well-formed JWT.") from None
    header: dict[str, Any] = parts["header"]
    if "crit" in header or "b64" in header:
        # RFC 7515 section 4.1.11: unknown critical extensions must be refused; we know none.
        raise _invalid("The token marks header parameters as critical (crit); none are accepted.")
    _check_header_types(header)
    alg: str | None = header.get("alg")
    if alg is None:
        raise _invalid("The token names no algorithm (alg).")
    if alg == "none" or not alg:
        raise _invalid('Unsigned tokens (alg "none") are not accepted.')
    signing_input = token.rsplit(".", 1)[0].encode()
    signature: bytes = parts["signature"]
    if alg == HS256 and policy.secrets:
        # Every secret is tried, so that the time taken does not tell which one matched.
        results = [_hmac().verify(signing_input, secret, signature) for secret in policy.secrets]
        verified, issuer, audience = any(results), None, None
    elif alg in ASYMMETRIC_ALGS and policy.jwks_url is not None:
        verified = await _verify_with_jwks(
            alg, header, signing_input, signature, policy, keys, cache
        )
        issuer, audience = policy.issuer, policy.audience
    else:
        raise _invalid("The token's algorithm (alg) is not accepted by this relay.")
    if not verified:
        raise _invalid("The token's signature does not verify.")
    claims = _checked_claims(token, policy, issuer, audience)
    return TokenIdentity(claims["sub"], issuer and claims.get("iss"), _scope(claims))


def _check_header_types(header: Mapping[str, Any]) -> None:
    # RFC 7515 sections 4.1.1, 4.1.4, 4.1.9 and 4.1.10: each of these is a string. Any other
    # JSON type is a malformed token, and must not reach code that hashes or compares it.
    for name in _STRING_HEADERS:
        if name in header and not isinstance(header[name], str):
            raise _invalid(f"The token's header field '{name}' is not a string.")


async def _verify_with_jwks(
    alg: str,
    header: Mapping[str, Any],
    signing_input: bytes,
    signature: bytes,
    policy: TokenPolicy,
    keys: TokenKeys | None,
    cache: JwksCache,
) -> bool:
    if keys is None or policy.jwks_url is None:
        raise misconfigured("TOKEN_JWKS_URL is set but this host cannot fetch or verify keys")
    kid = header.get("kid")
    candidates = await cache.keys(policy.jwks_url, kid, keys)
    if not candidates:
        raise _invalid("The token's key id (kid) is not in the identity provider's key set.")
    usable = [key for key in candidates if key.alg == alg]
    if not usable:
        # RFC 8725 section 3.1: a key verifies with its own algorithm only.
        raise _invalid("The token's algorithm (alg) is not the one its key is for.")
    for key in usable:
        if await keys.verify(alg, key.jwk, signing_input, signature):
            return True
    return False


def _checked_claims(
    token: str, policy: TokenPolicy, issuer: str | None, audience: str | None
) -> dict[str, Any]:
    import jwt  # here, not at import (see _hmac)

    required = ["exp", "sub", *(["iss"] if issuer else []), *(["aud"] if audience else [])]
    options: Any = {
        **_CLAIM_CHECKS,
        "verify_iss": issuer is not None,
        "verify_aud": audience is not None,
        "require": required,
    }
    try:
        claims: dict[str, Any] = jwt.decode(
            token, options=options, issuer=issuer, audience=audience, leeway=LEEWAY_SECONDS
        )
    except jwt.MissingRequiredClaimError as exc:
        raise _invalid(
            f"The token has no '{exc.claim}' claim, which this relay requires."
        ) from None
    except jwt.ExpiredSignatureError:
        raise token_error(
            "token_expired", "The token has expired: get a fresh one from your backend."
        ) from None
    except jwt.ImmatureSignatureError:
        raise token_error(
            "token_not_yet_valid",
            f"The token is not valid yet (nbf or iat is more than {LEEWAY_SECONDS} s ahead); "
            "check the clock of whatever minted it.",
        ) from None
    except jwt.InvalidIssuerError:
        raise _invalid("The token's issuer (iss) is not the one this relay trusts.") from None
    except jwt.InvalidAudienceError:
        raise _invalid("The token's audience (aud) is not this relay.") from None
    except jwt.InvalidTokenError:
        raise _invalid("The token's claims are malformed.") from None
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        # RFC 7519 section 2: a NumericDate is a JSON number; PyJWT would also take "123".
        if name in claims and not _is_number(value):
            raise _invalid(f"The token's '{name}' claim is not a number.")
    _check_lifetime(claims, policy.max_ttl)
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT_CHARS:
        raise _invalid(f"The token's 'sub' claim must be 1 to {MAX_SUBJECT_CHARS} characters.")
    return claims


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    # Any int is finite; math.isfinite would raise OverflowError for one past a float's range.
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _check_lifetime(claims: Mapping[str, Any], max_ttl: int) -> None:
    exp = claims["exp"]
    # Without `iat`, the time left stands in for the lifetime: the token dies as soon.
    start = claims["iat"] if "iat" in claims else time.time() - LEEWAY_SECONDS
    if exp - start > max_ttl:
        raise token_error(
            "token_lifetime_too_long",
            f"The token lives longer than this relay accepts: exp - iat must be at most "
            f"{max_ttl} s (TOKEN_MAX_TTL).",
        )


def _scope(claims: Mapping[str, Any]) -> TokenScope:
    raw = claims.get(SCOPE_CLAIM)
    if raw is None:
        return TokenScope()
    where = f"The token's '{SCOPE_CLAIM}' claim"
    if not isinstance(raw, dict):
        raise _invalid(f"{where} must be an object.")
    # Narrowing that is not understood must not be ignored: ignoring it would widen the token.
    unknown = sorted(set(raw) - {"routes", "max_output_tokens", "tools"})
    if unknown:
        raise _invalid(f"{where} has entries this relay does not know: {', '.join(unknown)}.")
    routes = raw.get("routes")
    if routes is not None and (
        not isinstance(routes, list) or not all(isinstance(r, str) for r in routes)
    ):
        raise _invalid(f"{where}: 'routes' must be a list of route names.")
    cap = raw.get("max_output_tokens")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap <= 0):
        raise _invalid(f"{where}: 'max_output_tokens' must be a positive integer.")
    tools = raw.get("tools")
    try:
        allowed_tools = None if tools is None else parse_token_tools(tools)
    except ValueError as error:
        raise _invalid(f"{where}: {error}.") from None
    return TokenScope(None if routes is None else frozenset(routes), cap, allowed_tools)
