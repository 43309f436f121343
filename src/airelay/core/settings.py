"""Operator settings, parsed from Worker vars (or the local environment) once per request."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from airelay.core.auth import MIN_KEY_CHARS, AccessPolicy, parse_keys
from airelay.core.cors import CorsPolicy
from airelay.core.errors import RelayError, misconfigured
from airelay.core.flags import parse_flag
from airelay.core.gateway import GatewayPolicy
from airelay.core.limits import DEFAULT_MAX_BODY_BYTES, MAX_BODY_BYTES_CEILING, parse_body_limit
from airelay.core.tokens import (
    DEFAULT_MAX_TTL_SECONDS,
    MAX_TTL_CEILING_SECONDS,
    MIN_SECRET_BYTES,
    TokenPolicy,
    parse_duration,
    parse_secrets,
)
from airelay.core.tool_policy import DEFAULT_ALLOWED_TOOLS, parse_allowed_tools
from airelay.core.types import Env

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_LOOPBACK_HTTP = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?/")


def _flag(raw: Any) -> Any:
    return parse_flag(raw) if isinstance(raw, str) else raw


# A true/false variable, read by the relay's one rule (core/flags.py), not pydantic's wider one.
Flag = Annotated[bool, BeforeValidator(_flag)]


def _doc(
    meaning: str,
    *,
    secret: bool = False,
    local_only: bool = False,
    local_default: str | None = None,
    kind: str | None = None,
    rule: str | None = None,
    default: str | None = None,
) -> dict[str, Any]:
    """Return a variable's documentation for the configuration page (scripts/gen_docs.py)."""
    # Only what the field's type, default and constraints cannot say: docs/configuration.md is
    # rendered from both, and tests/test_docs.py fails when it and this class disagree.
    extra = {
        "secret": secret,
        "read_by": "local host" if local_only else "Worker, local host",
        "local_default": local_default,
        "kind": kind,
        "rule": rule,
        "default": default,
    }
    return {"description": meaning, "json_schema_extra": extra}


class Settings(BaseModel):
    """Validated, frozen settings; field aliases are the variable names operators set."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    gateway_id: Annotated[
        str,
        Field(
            alias="AI_GATEWAY_ID",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
            **_doc("the gateway (`default` is created on first use)"),
        ),
    ] = "default"
    skip_cache: Annotated[
        Flag | None, Field(alias="AI_GATEWAY_SKIP_CACHE", **_doc("`skipCache`"))
    ] = None
    cache_ttl: Annotated[
        int | None,
        Field(alias="AI_GATEWAY_CACHE_TTL", ge=60, le=2_592_000, **_doc("`cacheTtl`, seconds")),
    ] = None
    collect_log: Annotated[
        Flag | None, Field(alias="AI_GATEWAY_COLLECT_LOG", **_doc("`collectLog`"))
    ] = None
    request_timeout_ms: Annotated[
        int | None,
        Field(
            alias="AI_GATEWAY_REQUEST_TIMEOUT_MS",
            gt=0,
            le=3_600_000,
            **_doc("`requestTimeoutMs` (504 `upstream_timeout` when exceeded)"),
        ),
    ] = None
    max_attempts: Annotated[
        int | None,
        Field(alias="AI_GATEWAY_MAX_ATTEMPTS", ge=1, le=5, **_doc("`retries.maxAttempts`")),
    ] = None
    retry_delay_ms: Annotated[
        int | None,
        Field(alias="AI_GATEWAY_RETRY_DELAY_MS", ge=0, le=5_000, **_doc("`retries.retryDelayMs`")),
    ] = None
    backoff: Annotated[
        Literal["constant", "linear", "exponential"] | None,
        Field(alias="AI_GATEWAY_BACKOFF", **_doc("`retries.backoff`")),
    ] = None

    api_keys: Annotated[
        tuple[bytes, ...],
        Field(
            alias="API_KEYS",
            repr=False,
            **_doc(
                "keys callers may use",
                secret=True,
                kind="keys separated by commas, spaces or newlines",
                rule=f"each at least {MIN_KEY_CHARS} visible ASCII characters",
            ),
        ),
    ] = ()
    allow_anonymous: Annotated[
        Flag,
        Field(
            alias="ALLOW_ANONYMOUS",
            **_doc(
                "let callers in without a key",
                local_default="`true` when neither `API_KEYS` nor `TOKEN_SECRETS`/"
                "`TOKEN_JWKS_URL` is set",
            ),
        ),
    ] = False
    cors: Annotated[
        CorsPolicy,
        Field(
            alias="CORS_ALLOW_ORIGINS",
            **_doc(
                "origins allowed to call from browsers, or `*`",
                kind="origins separated by commas, or `*`",
                rule="`*` only with `ALLOW_ANONYMOUS=true`",
                local_default="`*` when keyless",
                default="none",
            ),
        ),
    ] = CorsPolicy(frozenset())
    max_body_bytes: Annotated[
        int,
        Field(
            alias="MAX_BODY_BYTES",
            **_doc("request body cap", rule=f"1 .. {MAX_BODY_BYTES_CEILING}"),
        ),
    ] = DEFAULT_MAX_BODY_BYTES
    max_output_tokens: Annotated[
        int | None,
        Field(
            alias="MAX_OUTPUT_TOKENS",
            gt=0,
            **_doc("output token cap (rejects more, adds it when the caller sets none)"),
        ),
    ] = None
    rate_limit_requests: Annotated[
        int | None,
        Field(
            alias="RATE_LIMIT_REQUESTS",
            gt=0,
            le=1_000_000,
            **_doc("requests per period per caller", local_only=True),
        ),
    ] = None
    # Workers vars are strings, and a Literal[10, 60] would refuse "60": check the value instead.
    rate_limit_period: Annotated[
        int,
        Field(
            alias="RATE_LIMIT_PERIOD",
            **_doc("the rate limit's period in seconds, sent as `retry-after`", rule="10 or 60"),
        ),
    ] = 60
    allow_caller_cache_key: Annotated[
        Flag,
        Field(
            alias="AI_GATEWAY_ALLOW_CALLER_CACHE_KEY",
            **_doc("let callers set `cf-aig-cache-key`"),
        ),
    ] = False
    max_caller_cache_ttl: Annotated[
        int,
        Field(
            alias="AI_GATEWAY_MAX_CALLER_CACHE_TTL",
            ge=60,
            le=2_592_000,
            **_doc("the highest `cf-aig-cache-ttl` a caller may ask, seconds"),
        ),
    ] = 2_592_000
    log_prompts: Annotated[
        Flag, Field(alias="LOG_PROMPTS", **_doc("add the prompt to each log line (debugging)"))
    ] = False
    token_secrets: Annotated[
        tuple[bytes, ...],
        Field(
            alias="TOKEN_SECRETS",
            repr=False,
            **_doc(
                "HS256 token secrets; the first signs (also read by `airelay token`)",
                secret=True,
                kind="secrets separated by commas",
                rule=f"each at least {MIN_SECRET_BYTES} bytes",
            ),
        ),
    ] = ()
    token_jwks_url: Annotated[
        str | None,
        Field(
            alias="TOKEN_JWKS_URL",
            **_doc(
                "an identity provider's JWKS; needs `TOKEN_ISSUER` and `TOKEN_AUDIENCE`",
                rule="https; http only on loopback",
            ),
        ),
    ] = None
    token_issuer: Annotated[
        str | None,
        Field(alias="TOKEN_ISSUER", max_length=1024, **_doc("the `iss` provider tokens carry")),
    ] = None
    token_audience: Annotated[
        str | None,
        Field(alias="TOKEN_AUDIENCE", max_length=1024, **_doc("the `aud` provider tokens carry")),
    ] = None
    token_max_ttl: Annotated[
        int,
        Field(
            alias="TOKEN_MAX_TTL",
            ge=60,
            le=MAX_TTL_CEILING_SECONDS,
            **_doc(
                "the longest token lifetime accepted, seconds",
                kind="a duration: seconds, or `90s`, `10m`, `1h`, `1d`",
            ),
        ),
    ] = DEFAULT_MAX_TTL_SECONDS
    # How a token's subject appears in logs and AI Gateway metadata: a non-reversible id, or
    # as sent (docs/tokens.md).
    token_subject: Annotated[
        Literal["hashed", "raw"],
        Field(
            alias="TOKEN_SUBJECT",
            **_doc("how a token's subject appears in logs and AI Gateway metadata"),
        ),
    ] = "hashed"
    # The tool types callers may send (docs/api.md, "What is accepted"; core/tool_policy.py).
    allowed_tools: Annotated[
        frozenset[str],
        Field(
            alias="ALLOWED_TOOLS",
            **_doc(
                "tool types callers may send",
                kind="`*`, `none`, or tool types separated by commas",
                local_default="`*`",
            ),
        ),
    ] = DEFAULT_ALLOWED_TOOLS

    @field_validator("api_keys", mode="before")
    @classmethod
    def _digest_keys(cls, raw: Any) -> Any:
        # Only digests are kept, so no repr, dump or error of Settings can reveal a key.
        return parse_keys(raw) if isinstance(raw, str) else raw

    @field_validator("allowed_tools", mode="before")
    @classmethod
    def _tool_types(cls, raw: Any) -> Any:
        return parse_allowed_tools(raw) if isinstance(raw, str) else raw

    @field_validator("token_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, raw: Any) -> Any:
        return parse_secrets(raw) if isinstance(raw, str) else raw

    @field_validator("token_max_ttl", mode="before")
    @classmethod
    def _ttl(cls, raw: Any) -> Any:
        return parse_duration(raw) if isinstance(raw, str) else raw

    @field_validator("token_jwks_url")
    @classmethod
    def _jwks_url(cls, url: str | None) -> str | None:
        # Keys over plain HTTP could be swapped on the way; loopback is for local testing.
        if url is not None and not (
            url.startswith("https://") or _LOOPBACK_HTTP.match(url) is not None
        ):
            raise ValueError("expected an https:// URL")
        return url

    @field_validator("max_body_bytes", mode="before")
    @classmethod
    def _body_limit(cls, raw: Any) -> Any:
        return parse_body_limit(raw) if isinstance(raw, str) else raw

    @field_validator("rate_limit_period")
    @classmethod
    def _binding_period(cls, period: int) -> int:
        # The Rate Limiting binding only supports these periods.
        if period not in (10, 60):
            raise ValueError("Input should be 10 or 60")
        return period

    @field_validator("cors", mode="before")
    @classmethod
    def _parse_origins(cls, raw: Any) -> Any:
        if not isinstance(raw, str):
            return raw
        origins = [o.strip().rstrip("/").lower() for o in raw.split(",") if o.strip()]
        if origins == ["*"]:
            return CorsPolicy(frozenset(), any_origin=True)
        bad = [o for o in origins if not _ORIGIN.match(o)]
        if bad:
            raise ValueError(
                f"expected '*' or comma-separated origins like https://app.example.com, "
                f"got {bad[0]!r}"
            )
        return CorsPolicy(frozenset(origins))

    @model_validator(mode="after")
    def _check_jwks(self) -> Settings:
        if self.token_jwks_url is not None and not (self.token_issuer and self.token_audience):
            raise ValueError(
                "TOKEN_JWKS_URL needs TOKEN_ISSUER and TOKEN_AUDIENCE too, so that a token the "
                "provider issued for another app is refused"
            )
        return self

    # The policies are built once per settings, which are parsed once per environment: one of
    # the steps that took the core's chat request from 92 to 58 us (bench/http_stack.py,
    # "Worker CPU estimate", core; docs/performance.md).
    @cached_property
    def gateway(self) -> GatewayPolicy:
        """Return the AI Gateway policy: the operator's options, what callers may set."""
        return GatewayPolicy(
            gateway_id=self.gateway_id,
            skip_cache=self.skip_cache,
            cache_ttl=self.cache_ttl,
            collect_log=self.collect_log,
            request_timeout_ms=self.request_timeout_ms,
            max_attempts=self.max_attempts,
            retry_delay_ms=self.retry_delay_ms,
            backoff=self.backoff,
            allow_caller_cache_key=self.allow_caller_cache_key,
            max_caller_cache_ttl=self.max_caller_cache_ttl,
        )

    @cached_property
    def token_policy(self) -> TokenPolicy:
        """Return how tokens are trusted, for the pydantic-free verifier."""
        return TokenPolicy(
            self.token_secrets,
            self.token_jwks_url,
            self.token_issuer,
            self.token_audience,
            self.token_max_ttl,
        )

    @cached_property
    def access(self) -> AccessPolicy:
        """Return who may call: keys, keyless callers, tokens."""
        return AccessPolicy(
            api_keys=self.api_keys,
            allow_anonymous=self.allow_anonymous,
            tokens=self.token_policy,
            token_subject=self.token_subject,
        )

    @model_validator(mode="after")
    def _check_exposure(self) -> Settings:
        if self.cors.any_origin and not self.allow_anonymous:
            raise ValueError(
                "CORS_ALLOW_ORIGINS='*' is only allowed with ALLOW_ANONYMOUS=true; "
                "list the origins that may call the relay with keys"
            )
        return self

    @classmethod
    def from_env(cls, env: Env) -> Settings:
        """Parse the known variables of `env`; raise a 500 naming the first bad one."""
        # An empty var means "unset", which is how `wrangler.toml` templates leave them.
        raw = {name: env[name].strip() for name in _NAMES if name in env and env[name].strip()}
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            where = f"variable {error['loc'][0]}: " if error["loc"] else ""
            reason = error["msg"].removeprefix("Value error, ")
            raise misconfigured(f"{where}{reason}") from None


_NAMES = tuple(field.alias for field in Settings.model_fields.values() if field.alias)
_CACHE_SIZE = 16
_cache: dict[tuple[str | None, ...], Settings | RelayError] = {}


def load_settings(env: Env) -> Settings | RelayError:
    """Return the settings of `env`, parsed once per distinct set of values, or their error."""
    # Keyed on the raw values: a Worker's vars rarely change, a test's often do.
    key = tuple(map(env.get, _NAMES))
    found = _cache.get(key)
    if found is None:
        try:
            found = Settings.from_env(env)
        except RelayError as error:
            found = error
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = found
    # Never hand out the stored exception itself: raising it would grow its traceback.
    return found.clone() if isinstance(found, RelayError) else found
