"""The one table of response headers the relay sets: what each means and which answers carry it.

Read by the relay (the model call's gateway headers), errors (the log id of a failed call),
CORS (`access-control-expose-headers`), OpenAPI (documented response headers) and the Worker
glue (the AI Gateway headers it reads upstream). Pydantic-free: the glue imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Which answers carry a header (`ResponseHeader.on`): these, or an error's HTTP status ("429").
EVERY = "every answer"
MODEL = "a model call's answer, success or failure"
MODEL_SUCCESS = "a model call's successful answer"
STREAM = "an event stream"
JSON = "a JSON answer"
CORS = "an answer to an allowed origin"
PREFLIGHT = "a CORS preflight's answer"

REQUEST_ID = "x-request-id"
RETRY_AFTER = "retry-after"
# AI Gateway's own response headers, passed on from the upstream answer
# (https://developers.cloudflare.com/ai-gateway/glossary; the cache status is HIT or MISS:
# https://developers.cloudflare.com/ai-gateway/features/caching/).
LOG_ID = "cf-aig-log-id"
CACHE_STATUS = "cf-aig-cache-status"

_STRING: Mapping[str, Any] = {"type": "string"}


@dataclass(frozen=True)
class ResponseHeader:
    """A header the relay sets; `schema` set means OpenAPI documents it, `exposed` CORS."""

    name: str
    description: str
    on: tuple[str, ...]
    schema: Mapping[str, Any] | None = None
    exposed: bool = False


# The order is the order of `access-control-expose-headers`.
RESPONSE_HEADERS = (
    ResponseHeader(
        REQUEST_ID,
        "The relay's id for this request, also written to its logs.",
        (EVERY,),
        _STRING,
        exposed=True,
    ),
    ResponseHeader(
        RETRY_AFTER,
        "Seconds to wait before retrying.",
        ("429", "503"),
        {"type": "integer", "minimum": 0},
        exposed=True,
    ),
    ResponseHeader(
        LOG_ID,
        "The AI Gateway log id of the model call, when the gateway returned one.",
        (MODEL,),
        _STRING,
        exposed=True,
    ),
    ResponseHeader(
        CACHE_STATUS,
        "Whether AI Gateway answered from its cache (`HIT`) or not (`MISS`), when the gateway "
        "said.",
        (MODEL_SUCCESS,),
        _STRING,
        exposed=True,
    ),
    ResponseHeader("allow", "The methods this path allows.", ("405", PREFLIGHT), _STRING),
    ResponseHeader(
        "www-authenticate",
        "The authentication scheme to use: `Bearer` (RFC 6750 section 3).",
        ("401",),
        _STRING,
    ),
    # HTTP's and CORS's own, described by the answers' media types or the CORS protocol.
    ResponseHeader("content-type", "The body's media type.", (JSON, STREAM)),
    ResponseHeader("cache-control", "`no-cache`: an event stream is never stored.", (STREAM,)),
    ResponseHeader(
        "x-accel-buffering", "`no`: nginx-style proxies pass the stream on unbuffered.", (STREAM,)
    ),
    ResponseHeader("vary", "`Origin` unless any origin may read.", (EVERY,)),
    ResponseHeader("access-control-allow-origin", "The origin that may read.", (CORS, PREFLIGHT)),
    ResponseHeader(
        "access-control-expose-headers", "The headers of this table a page may read.", (CORS,)
    ),
    ResponseHeader("access-control-allow-methods", "The methods a page may use.", (PREFLIGHT,)),
    ResponseHeader("access-control-allow-headers", "The asked headers granted.", (PREFLIGHT,)),
    ResponseHeader("access-control-max-age", "How long a preflight holds.", (PREFLIGHT,)),
)

BY_NAME = {header.name: header for header in RESPONSE_HEADERS}
# A page may read these (Fetch standard, `Access-Control-Expose-Headers`).
EXPOSED = ", ".join(header.name for header in RESPONSE_HEADERS if header.exposed)
DOCUMENTED = tuple(header for header in RESPONSE_HEADERS if header.schema is not None)


def carried_on(*answers: str) -> tuple[str, ...]:
    """Return the names of the documented headers any of `answers` (EVERY, MODEL, "429") carry."""
    return tuple(header.name for header in DOCUMENTED if not set(answers).isdisjoint(header.on))


def gateway_headers(log_id: str | None, cache_status: str | None = None) -> list[tuple[str, str]]:
    """Return the AI Gateway headers of a model call's answer: those the gateway gave."""
    headers = [(LOG_ID, log_id)] if log_id else []
    if cache_status:
        headers.append((CACHE_STATUS, cache_status))
    return headers
