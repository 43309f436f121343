"""Bounds on request size and shape, shared by the hosts, the request models and the docs.

Pydantic-free: the Worker glue checks the body size before reading it.
"""

from __future__ import annotations

import re
from itertools import accumulate

from airelay.core.errors import RelayError, misconfigured
from airelay.core.types import Env

MAX_TEXT_CHARS = 1_048_576
MAX_NAME_CHARS = 256
MAX_ID_CHARS = 512
MAX_URL_CHARS = 2_097_152  # data: URLs carry whole images
MAX_MESSAGES = 2_048
MAX_CONTENT_PARTS = 256
MAX_TOOLS = 128
MAX_MINI_OUTPUT_TOKENS = 128_000
MAX_PRO_OUTPUT_TOKENS = 1_000_000
MAX_JSON_DEPTH = 64
# A JSON string literal (RFC 8259 section 7), unrolled so that long strings scan linearly.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_BODY_BYTES_CEILING = 100 * 1_048_576  # Workers reject larger bodies anyway
# ASCII digits, and few of them: str.isdigit() also passes "²", and int() refuses both that and
# strings of over 4,300 digits, which would make a bad header or var an unhandled error.
_BYTE_COUNT = re.compile(r"[0-9]{1,18}")


def parse_body_limit(raw: str) -> int:
    """Read a `MAX_BODY_BYTES` value; raise ValueError saying what it must be."""
    if not _BYTE_COUNT.fullmatch(raw) or not 0 < int(raw) <= MAX_BODY_BYTES_CEILING:
        raise ValueError(f"expected a whole number of bytes from 1 to {MAX_BODY_BYTES_CEILING}")
    return int(raw)


def body_limit(env: Env) -> int:
    """Return `MAX_BODY_BYTES` from env (default 1 MiB); raise a 500 when it is malformed."""
    raw = (env.get("MAX_BODY_BYTES") or "").strip()
    if not raw:
        return DEFAULT_MAX_BODY_BYTES
    try:
        return parse_body_limit(raw)
    except ValueError as exc:
        raise misconfigured(f"variable MAX_BODY_BYTES: {exc}") from None


def too_large(limit: int) -> RelayError:
    """Return the 413 for a body over `limit` bytes."""
    return RelayError(
        413,
        f"The request body is larger than the limit of {limit} bytes (MAX_BODY_BYTES).",
        code="request_too_large",
    )


def declared_length(content_length: str | None) -> int | None:
    """Return the body length a `content-length` header declares, if it is a number."""
    if content_length is None or not _BYTE_COUNT.fullmatch(content_length.strip()):
        return None
    return int(content_length)


def check_body_size(content_length: str | None, body: bytes, limit: int) -> None:
    """Refuse a body over `limit` bytes, declared or actual; hosts stop reading past it."""
    declared = declared_length(content_length)
    if len(body) > limit or (declared is not None and declared > limit):
        raise too_large(limit)


def text_depth(text: str) -> int:
    """Return how deeply arrays and objects nest in JSON text, without parsing it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def check_depth(text: str, what: str = "The request body") -> None:
    """Refuse JSON text nested deeper than MAX_JSON_DEPTH, before any parser recurses into it."""
    # json.loads recurses once per level: CPython raises RecursionError near 1,000 levels,
    # but Pyodide overflows the JS stack first and the whole runtime dies.
    if text_depth(text) > MAX_JSON_DEPTH:
        raise RelayError(
            400,
            f"{what} nests deeper than the limit of {MAX_JSON_DEPTH} levels.",
            code="too_deep",
        )
