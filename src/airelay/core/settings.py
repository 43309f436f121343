"""Operator settings, parsed from Worker vars (or the local environment) once per request."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airelay.core.auth import parse_keys
from airelay.core.cors import CorsPolicy
from airelay.core.errors import RelayError, misconfigured
from airelay.core.limits import DEFAULT_MAX_BODY_BYTES, parse_body_limit
from airelay.core.types import Env

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class Settings(BaseModel):
    """Validated, frozen settings; field aliases are the variable names operators set."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    gateway_id: Annotated[
        str, Field(alias="AI_GATEWAY_ID", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    ] = "default"
    skip_cache: Annotated[bool | None, Field(alias="AI_GATEWAY_SKIP_CACHE")] = None
    cache_ttl: Annotated[int | None, Field(alias="AI_GATEWAY_CACHE_TTL", ge=60, le=2_592_000)] = (
        None
    )
    collect_log: Annotated[bool | None, Field(alias="AI_GATEWAY_COLLECT_LOG")] = None
    request_timeout_ms: Annotated[
        int | None, Field(alias="AI_GATEWAY_REQUEST_TIMEOUT_MS", gt=0, le=3_600_000)
    ] = None
    max_attempts: Annotated[int | None, Field(alias="AI_GATEWAY_MAX_ATTEMPTS", ge=1, le=5)] = None
    retry_delay_ms: Annotated[
        int | None, Field(alias="AI_GATEWAY_RETRY_DELAY_MS", ge=0, le=5_000)
    ] = None
    backoff: Annotated[
        Literal["constant", "linear", "exponential"] | None, Field(alias="AI_GATEWAY_BACKOFF")
    ] = None

    api_keys: Annotated[tuple[bytes, ...], Field(alias="API_KEYS", repr=False)] = ()
    allow_anonymous: Annotated[bool, Field(alias="ALLOW_ANONYMOUS")] = False
    cors: Annotated[CorsPolicy, Field(alias="CORS_ALLOW_ORIGINS")] = CorsPolicy(frozenset())
    max_body_bytes: Annotated[int, Field(alias="MAX_BODY_BYTES")] = DEFAULT_MAX_BODY_BYTES
    max_output_tokens: Annotated[int | None, Field(alias="MAX_OUTPUT_TOKENS", gt=0)] = None
    rate_limit_requests: Annotated[
        int | None, Field(alias="RATE_LIMIT_REQUESTS", gt=0, le=1_000_000)
    ] = None
    # Workers vars are strings, and a Literal[10, 60] would refuse "60": check the value instead.
    rate_limit_period: Annotated[int, Field(alias="RATE_LIMIT_PERIOD")] = 60
    allow_caller_cache_key: Annotated[bool, Field(alias="AI_GATEWAY_ALLOW_CALLER_CACHE_KEY")] = (
        False
    )
    max_caller_cache_ttl: Annotated[
        int, Field(alias="AI_GATEWAY_MAX_CALLER_CACHE_TTL", ge=60, le=2_592_000)
    ] = 2_592_000
    log_prompts: Annotated[bool, Field(alias="LOG_PROMPTS")] = False

    @field_validator("api_keys", mode="before")
    @classmethod
    def _digest_keys(cls, raw: Any) -> Any:
        # Only digests are kept, so no repr, dump or error of Settings can reveal a key.
        return parse_keys(raw) if isinstance(raw, str) else raw

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
_cache: dict[tuple[tuple[str, str], ...], Settings | RelayError] = {}


def load_settings(env: Env) -> Settings | RelayError:
    """Return the settings of `env`, parsed once per distinct set of values, or their error."""
    # Keyed on the raw values: a Worker's vars rarely change, a test's often do.
    key = tuple((name, env[name]) for name in _NAMES if name in env)
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
