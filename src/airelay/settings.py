"""Operator settings, parsed from Worker vars (or the local environment) once per request."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from airelay.errors import RelayError
from airelay.types import Env


class Settings(BaseModel):
    """Validated, frozen settings; field aliases are the variable names operators set."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    gateway_id: Annotated[
        str, Field(alias="AI_GATEWAY_ID", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    ] = "default"
    skip_cache: Annotated[bool | None, Field(alias="AI_GATEWAY_SKIP_CACHE")] = None
    cache_ttl: Annotated[
        int | None, Field(alias="AI_GATEWAY_CACHE_TTL", ge=60, le=2_592_000)
    ] = None
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

    @classmethod
    def from_env(cls, env: Env) -> Settings:
        """Parse the known variables of `env`; raise a 500 naming the first bad one."""
        names = [field.alias for field in cls.model_fields.values() if field.alias]
        # An empty var means "unset", which is how `wrangler.toml` templates leave them.
        raw = {name: env[name].strip() for name in names if name in env and env[name].strip()}
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            name = str(error["loc"][0]) if error["loc"] else "settings"
            raise RelayError(
                500,
                f"The relay is misconfigured: variable {name}: {error['msg']}.",
                type="server_error",
                code="misconfigured",
            ) from None
