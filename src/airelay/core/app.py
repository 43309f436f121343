"""The core: `handle(request, platform) -> response`, the same on the Worker and locally."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from airelay.core.auth import identify
from airelay.core.context import Context
from airelay.core.endpoints import ENDPOINTS
from airelay.core.errors import RelayError, misconfigured
from airelay.core.jsonio import dumps
from airelay.core.observability import RequestLog, request_id
from airelay.core.routing import resolve
from airelay.core.settings import Settings, load_settings
from airelay.core.tokens import SCOPE_CLAIM
from airelay.core.types import (
    BackendResult,
    JsonResult,
    LogRecord,
    Platform,
    RateLimiter,
    Request,
    Response,
    StreamResult,
)

logger = logging.getLogger("airelay")
# The endpoints that reach a backend, by the route a token scope names them with: only these are
# scoped and rate-limited. The stored responses belong to `responses` (docs/tokens.md); the
# model list is the relay's own static table, so it is neither.
GUARDED_ROUTES = {"chat": "chat", "responses": "responses", "response": "responses"}


async def handle(request: Request, platform: Platform) -> Response:
    """Answer one request; every failure becomes an OpenAI-shaped error, never an exception."""
    started = time.monotonic()
    log = RequestLog(request_id(request), request.method, request.path)
    # Loaded before routing, so that 404s and 405s carry CORS headers a page can read too.
    settings = load_settings(platform.env)
    try:
        endpoint, param = resolve(request.method, request.path)
        log.route = endpoint.name
        response = await _dispatch(Context(request, platform, endpoint, param, log, settings))
    except RelayError as error:
        response = error.to_response()
        log.error_code = error.code
        # A failed model call still names its AI Gateway log entry (hosts/worker/answers.py).
        log.gateway_log_id = error.log_id or log.gateway_log_id
        if error.status >= 500:
            log.error = error.message
    except Exception:
        # The traceback names code, not the request body, so prompts stay out of the logs.
        logger.exception("unhandled error on %s %s", request.method, request.path)
        response = RelayError(
            500, "The relay failed unexpectedly.", type="server_error", code="internal_error"
        ).to_response()
        log.error_code = "internal_error"
    # Applied here, once, to every answer: errors and streams included.
    response.headers.append(("x-request-id", log.request_id))
    if isinstance(settings, Settings) and request.method != "OPTIONS":
        response.headers.extend(settings.cors.headers(request))
    log.status = response.status
    log.duration_ms = (time.monotonic() - started) * 1000
    platform.log(log)
    return response


async def _dispatch(context: Context) -> Response:
    request, endpoint, log = context.request, context.endpoint, context.log
    if request.method == "OPTIONS":
        # Preflights carry no credentials (Fetch standard), so they are answered before auth.
        return context.settings.cors.preflight(request, endpoint.allowed())
    if endpoint.public:
        # Health checks and the API description work even while a variable is bad.
        return await endpoint.handler(context)
    if endpoint.model_route is not None:
        log.model = endpoint.model_route.model.binding_id
    access = context.settings.access
    if access.locked:
        raise misconfigured("set the API_KEYS secret, or ALLOW_ANONYMOUS=true to let anyone in")
    context.caller = await identify(request, access, context.platform.token_keys)
    log.key_id = context.caller.key_id
    route = GUARDED_ROUTES.get(endpoint.name)
    scope = context.caller.scope
    if scope is not None and route is not None and not scope.allows(route):
        raise RelayError(
            403,
            f"This token may not call the {route} route (its '{SCOPE_CLAIM}.routes' "
            "claim leaves it out).",
            type="permission_error",
            code="token_scope",
        )
    limiter = context.platform.rate_limiter
    # Most hosts run without a limiter: then there is nothing to ask.
    if route is not None and limiter is not None:
        await _check_rate(context, limiter)
    return await endpoint.handler(context)


async def _check_rate(context: Context, limiter: RateLimiter) -> None:
    caller = context.caller
    if caller is None:
        return
    if not await limiter.limit(caller.rate_key):
        period = context.settings.rate_limit_period
        raise RelayError(
            429,
            f"Rate limit reached for this caller; try again in {period} seconds.",
            type="requests",
            code="rate_limit_exceeded",
            headers=(("retry-after", str(period)),),
        )


# wrangler.toml's [vars], anyone let in: the settings a deployed Worker parses on its first request.
_WARM_UP_ENV = {
    "ALLOW_ANONYMOUS": "true",
    "MAX_BODY_BYTES": "1048576",
    "RATE_LIMIT_PERIOD": "60",
    "LOG_PROMPTS": "false",
    "AI_GATEWAY_ID": "default",
    "AI_GATEWAY_ALLOW_CALLER_CACHE_KEY": "false",
}


class _CannedBackend:
    """The warm-up's model: an empty JSON object, or an opaque stream when one is asked."""

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        if inputs.get("stream"):
            return StreamResult(stream=())
        return JsonResult({}, body=b"{}")


def _render(record: LogRecord) -> None:
    record.line()


def _warm_up() -> list[int]:
    """Answer each model route at import, JSON, streamed and a 400; return the statuses."""
    # Cloudflare snapshots a Python Worker's globals after import: work done here is paid once
    # at deploy, work left to the first request by every fresh isolate (bench/worker_pyodide.py:
    # the fail-fast validators, ~8 ms for chat and ~3 for Responses; a first validation, ~4 ms;
    # a first settings parse, ~1.5 ms). Deterministic: no entropy (the request id is given), no
    # I/O (the backend is canned, the log line rendered but not written), no event loop.
    platform = Platform(backend=_CannedBackend(), env=_WARM_UP_ENV, log=_render)
    headers = [("content-type", "application/json"), ("x-request-id", "req_warm_up")]
    statuses = []
    for endpoint in ENDPOINTS:
        route = endpoint.model_route
        if route is None:
            continue
        body = {key: value for key, value in route.example.items() if key != "stream_options"}
        # JSON, streamed, and a 400 (a temperature out of range): each path's first time.
        for variant in ({"stream": False}, {"stream": True}, {"temperature": 5}):
            request = Request("POST", endpoint.path, headers, dumps({**body, **variant}))
            answer = handle(request, platform)
            try:
                answer.send(None)
            except StopIteration as done:
                statuses.append(done.value.status)
            else:  # pragma: no cover - the canned backend never suspends
                answer.close()
                raise RuntimeError("the warm-up awaited something")
    return statuses


WARM_UP_STATUSES = _warm_up()
