"""Which upstream `airelay dev` relays to: a base URL or a named preset, its key and deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, urlsplit

from airelay.core.catalog import MINI, PRO
from airelay.core.flags import parse_number

BASE_URL_VARIABLE = "UPSTREAM_BASE_URL"
PRESETS = ("workers-ai", "ai-gateway")

# Workers AI's REST API, OpenAI-compatible: `/ai/v1/chat/completions` and `/ai/v1/responses`
# with `Authorization: Bearer <API token>`; third-party models go through the account's AI
# Gateway, chosen by `cf-aig-gateway-id` (developers.cloudflare.com/workers-ai/configuration/
# open-ai-compatibility/; changelog 2026-05-21 "Call any AI model through AI Gateway's new REST
# API"; ai-gateway/get-started/).
WORKERS_AI_BASE = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/v1"
# AI Gateway's OpenAI-compatible endpoint: `{provider}/{model}` names, the provider's key as
# `Authorization`, and `cf-aig-authorization: Bearer <token>` for an authenticated gateway
# (developers.cloudflare.com/ai-gateway/usage/chat-completion/,
# ai-gateway/configuration/authentication/).
AI_GATEWAY_BASE = "https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/compat"

# Deadlines (variable, default seconds). A reasoning model may think for minutes before its
# first byte, so the first-byte deadline is generous; it also bounds a pause between chunks.
DEADLINES = {
    "connect": ("UPSTREAM_CONNECT_TIMEOUT_S", 10.0),
    "first_byte": ("UPSTREAM_FIRST_BYTE_TIMEOUT_S", 300.0),
    "total": ("UPSTREAM_TIMEOUT_S", 900.0),
}


class UpstreamConfigError(ValueError):
    """A variable of the upstream is missing or wrong; the message names it, never a value."""


@dataclass(frozen=True)
class Deadlines:
    """Seconds to connect, to the answer's first byte (and between chunks), and in all."""

    connect: float = DEADLINES["connect"][1]
    first_byte: float = DEADLINES["first_byte"][1]
    total: float = DEADLINES["total"][1]


@dataclass(frozen=True)
class UpstreamConfig:
    """An OpenAI-compatible upstream: where, with which key, which model per route."""

    # The routes' paths (`/chat/completions`, `/responses`) are appended to it. For the
    # ai-gateway preset it holds `{gateway}`, filled per call with the relay's gateway id.
    base_url: str
    # The operator's key for the upstream: sent as `Authorization: Bearer`, nothing else.
    api_key: str | None = field(default=None, repr=False)
    # Per relay model (binding id), the name the upstream is asked for.
    models: Mapping[str, str] = field(default_factory=dict)
    preset: Literal["workers-ai", "ai-gateway"] | None = None
    # An authenticated gateway's token, sent as `cf-aig-authorization` (ai-gateway preset).
    gateway_token: str | None = field(default=None, repr=False)
    deadlines: Deadlines = Deadlines()

    @property
    def sends_gateway_options(self) -> bool:
        """Tell whether the relay's gateway options go upstream as `cf-aig-*` headers."""
        return self.preset is not None

    def describe(self) -> str:
        """Say where answers come from, for the start-up lines: no key, no token."""
        where = self.base_url.replace("{gateway}", "<AI_GATEWAY_ID>")
        preset = f" ({self.preset} preset)" if self.preset else ""
        return f"upstream {where}{preset}"


def from_env(env: Mapping[str, str]) -> UpstreamConfig | None:
    """Read the upstream from `env`; None when none is set (the local model answers)."""
    chosen = _text(env, BASE_URL_VARIABLE)
    if chosen is None:
        return None
    models = {
        MINI.binding_id: _text(env, "UPSTREAM_CHAT_MODEL") or MINI.binding_id,
        PRO.binding_id: _text(env, "UPSTREAM_RESPONSES_MODEL") or PRO.binding_id,
    }
    deadlines = Deadlines(**{name: _seconds(env, name) for name in DEADLINES})
    api_key = _text(env, "UPSTREAM_API_KEY")
    if chosen == "workers-ai":
        account = _account(env)
        token = api_key or _text(env, "CLOUDFLARE_API_TOKEN")
        if token is None:
            raise UpstreamConfigError(
                "the workers-ai upstream needs CLOUDFLARE_API_TOKEN (or UPSTREAM_API_KEY)"
            )
        base = WORKERS_AI_BASE.format(account=account)
        return UpstreamConfig(base, token, models, "workers-ai", None, deadlines)
    if chosen == "ai-gateway":
        base = AI_GATEWAY_BASE.format(account=_account(env), gateway="{gateway}")
        gateway_token = _text(env, "CLOUDFLARE_API_TOKEN")
        return UpstreamConfig(base, api_key, models, "ai-gateway", gateway_token, deadlines)
    return UpstreamConfig(_base_url(chosen), api_key, models, None, None, deadlines)


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _account(env: Mapping[str, str]) -> str:
    account = _text(env, "CLOUDFLARE_ACCOUNT_ID")
    if account is None:
        raise UpstreamConfigError("the Cloudflare upstream presets need CLOUDFLARE_ACCOUNT_ID")
    if not account.isascii() or not account.isalnum():
        raise UpstreamConfigError("CLOUDFLARE_ACCOUNT_ID must be letters and digits")
    return quote(account)


def _base_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamConfigError(
            f"{BASE_URL_VARIABLE} (or --upstream) must be an http(s) URL or one of "
            f"{', '.join(PRESETS)}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        # A key belongs in UPSTREAM_API_KEY, where it is never printed.
        raise UpstreamConfigError(
            f"{BASE_URL_VARIABLE} must hold no user, password, query or fragment; "
            "put a key in UPSTREAM_API_KEY"
        )
    return raw.rstrip("/")


def _seconds(env: Mapping[str, str], deadline: str) -> float:
    variable, default = DEADLINES[deadline]
    raw = _text(env, variable)
    if raw is None:
        return default
    try:
        return parse_number(raw, variable, "seconds")
    except ValueError as error:
        raise UpstreamConfigError(str(error)) from None
