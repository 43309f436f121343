"""An OpenAI-compatible HTTP upstream as the core's Backend, over one pooled httpx client."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from airelay import __version__
from airelay.backends.upstream.config import DEADLINES, UpstreamConfig
from airelay.backends.upstream.gateway_headers import gateway_headers
from airelay.backends.upstream.stream import relay_stream
from airelay.core import jsonio
from airelay.core.catalog import api_of
from airelay.core.errors import BackendError, RelayError
from airelay.core.stored import NOT_KEPT, not_found
from airelay.core.streams import StreamError, chat_stream_error, responses_stream_error
from airelay.core.types import BackendResult, JsonResult, StreamResult
from airelay.core.upstream import (
    MAX_ERROR_BODY_BYTES,
    answer_kind,
    error_text,
    gateway_value,
    json_answer,
    malformed,
    upstream_error,
    upstream_failure,
    with_log_id,
)

_PATHS = {"chat.completions": "/chat/completions", "responses": "/responses"}
_STREAM_ERRORS: dict[str, StreamError] = {
    "chat.completions": chat_stream_error,
    "responses": responses_stream_error,
}
_BOM = b"\xef\xbb\xbf"


class UpstreamBackend:
    """Relay each model call to an OpenAI-compatible upstream; map its answer as the Worker does."""

    def __init__(
        self, config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._config = config
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        # Built once: only the operator's own key, never anything of the caller's. Identity
        # encoding, so that a stream's bytes go on as they come, undecoded.
        self._headers: list[tuple[str, str]] = [
            ("content-type", "application/json"),
            ("accept-encoding", "identity"),
            ("user-agent", f"airelay/{__version__}"),
        ]
        if config.api_key is not None:
            self._headers.append(("authorization", f"Bearer {config.api_key}"))
        if config.gateway_token is not None:
            self._headers.append(("cf-aig-authorization", f"Bearer {config.gateway_token}"))

    def client(self) -> httpx.AsyncClient:
        """Return the process's one pooled client, made on first use."""
        if self._client is None:
            deadlines = self._config.deadlines
            # HTTP/1.1 keep-alive: h2 is not installed, and each call is one request anyway.
            # httpx's read timeout bounds the wait for the first byte and every later pause.
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    deadlines.first_byte, connect=deadlines.connect, pool=deadlines.connect
                ),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                transport=self._transport,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run(
        self, model: str, inputs: Mapping[str, Any], options: Mapping[str, Any]
    ) -> BackendResult:
        """POST the call upstream; return its JSON or its stream, or raise the relay's answer."""
        api = api_of(model)
        if api is None:
            raise BackendError(
                502, f"No such model: {model}", type="api_error", code="upstream_error"
            )
        config = self._config
        url = config.base_url + _PATHS[api]
        headers = self._headers
        if config.sends_gateway_options:
            gateway = options.get("gateway") or {}
            gateway_id = str(gateway.get("id") or "default")
            if config.preset == "ai-gateway":
                url = url.replace("{gateway}", gateway_id)
            else:
                headers = [*headers, ("cf-aig-gateway-id", gateway_id)]
            headers = [*headers, *gateway_headers(options)]
        # `model` first, then the caller's body as the core passes it on.
        body = jsonio.dumps({"model": config.models.get(model, model), **inputs})
        client = self.client()
        deadline = asyncio.get_running_loop().time() + config.deadlines.total
        request = client.build_request("POST", url, content=body, headers=headers)
        try:
            async with asyncio.timeout_at(deadline):
                response = await client.send(request, stream=True)
        except (httpx.RequestError, TimeoutError) as exc:
            raise self._failed(exc) from None
        try:
            return await self._read(response, _STREAM_ERRORS[api], deadline)
        except BaseException:
            await response.aclose()
            raise

    async def retrieve_response(self, response_id: str) -> Mapping[str, Any] | None:
        """GET the upstream's stored response, or None if it holds none by that id."""
        response = await self._stored("GET", response_id)
        if response is None:
            return None
        try:
            return json_answer(response.content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise malformed("The model answered with JSON that is not UTF-8.") from None

    async def delete_response(self, response_id: str) -> bool:
        """DELETE the upstream's stored response; return whether it held one."""
        return await self._stored("DELETE", response_id) is not None

    async def _stored(self, method: str, response_id: str) -> httpx.Response | None:
        config = self._config
        if "{gateway}" in config.base_url:
            # The gateway id comes with each model call's options; this call has none.
            raise RelayError(404, NOT_KEPT, param="response_id", code="not_found")
        segment = quote(response_id, safe="")
        # The core lets only ids of letters, digits, `_` and `-` through (core/stored.py); a
        # segment of dots alone would still be resolved away by httpx (RFC 3986 5.2.4), and the
        # operator's key sent to another path of the upstream.
        if not segment.strip("."):
            raise not_found(response_id)
        url = f"{config.base_url}{_PATHS['responses']}/{segment}"
        deadline = asyncio.get_running_loop().time() + config.deadlines.total
        try:
            async with asyncio.timeout_at(deadline):
                response = await self.client().request(method, url, headers=self._headers)
        except (httpx.RequestError, TimeoutError) as exc:
            raise self._failed(exc) from None
        if response.status_code == 404:
            return None
        if not 200 <= response.status_code <= 299:
            raise self._refused(
                response.status_code, error_text(response.content), response.headers.get
            )
        return response

    async def _read(
        self, response: httpx.Response, stream_error: StreamError, deadline: float
    ) -> BackendResult:
        get = response.headers.get
        log_id = gateway_value(get("cf-aig-log-id"))
        cache_status = gateway_value(get("cf-aig-cache-status"))
        try:
            async with asyncio.timeout_at(deadline):
                if not 200 <= response.status_code <= 299:
                    text = await _error_text(response)
                    raise with_log_id(self._refused(response.status_code, text, get), log_id)
                kind = answer_kind(get("content-type"))
                if kind == "stream":
                    stream = relay_stream(response, stream_error, deadline)
                    return StreamResult(stream, log_id, cache_status)
                if kind == "other":
                    raise with_log_id(
                        malformed(
                            f"The model answered {response.status_code} with content-type "
                            f"{get('content-type') or '(none)'!r}, neither JSON nor an event "
                            "stream."
                        ),
                        log_id,
                    )
                content = await response.aread()
        except (httpx.RequestError, TimeoutError) as exc:
            raise with_log_id(self._failed(exc), log_id) from None
        try:
            data = json_answer(content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise with_log_id(
                malformed("The model answered with JSON that is not UTF-8."), log_id
            ) from None
        except BackendError as failure:
            raise with_log_id(failure, log_id) from None
        # The answer goes on as it came, bar a byte order mark.
        body = content[len(_BOM) :] if content.startswith(_BOM) else content
        return JsonResult(data, log_id, cache_status, body=body)

    def _refused(self, status: int, body: str, get: Any) -> BackendError:
        """Map a non-2xx answer as the Worker does, never quoting the operator's credentials."""
        error = upstream_failure(status, body, get("retry-after"))
        if status in (401, 403) and error.code == "upstream_error":
            # About the operator's key, which callers cannot fix; some providers quote part
            # of the key they refused ("Incorrect API key provided: sk-...abcd").
            return upstream_error(status, "the upstream refused the relay's own credentials")
        for secret in (self._config.api_key, self._config.gateway_token):
            if secret and secret in error.message:
                error.message = error.message.replace(secret, "[redacted]")
                error.args = (error.message,)
        return error

    def _failed(self, exc: Exception) -> BackendError:
        """Map a transport failure or a deadline to the relay's 502 or 504."""
        deadlines = self._config.deadlines
        if isinstance(exc, httpx.DecodingError):
            return malformed("The model answered with a body its content-encoding cannot decode.")
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            variable = DEADLINES["connect"][0]
            return upstream_error(504, f"no connection within {deadlines.connect:g} s ({variable})")
        if isinstance(exc, httpx.TimeoutException):
            variable = DEADLINES["first_byte"][0]
            return upstream_error(504, f"no answer within {deadlines.first_byte:g} s ({variable})")
        if isinstance(exc, TimeoutError):
            variable = DEADLINES["total"][0]
            return upstream_error(504, f"no whole answer within {deadlines.total:g} s ({variable})")
        what = (
            "The model provider could not be reached"
            if isinstance(exc, httpx.ConnectError)
            else "The connection to the model provider failed"
        )
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        return BackendError(
            502,
            f"{what}: {reason}",
            type="api_error",
            code="upstream_error",
        )


async def _error_text(response: httpx.Response) -> str:
    """Return the start of an error body, then close it: the status says enough past that."""
    data = b""
    try:
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) >= MAX_ERROR_BODY_BYTES:
                break
    except httpx.TransportError:
        pass  # the status still says what happened
    finally:
        await response.aclose()
    return error_text(data)
