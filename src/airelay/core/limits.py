"""Bounds on request size and shape, shared by the request models, the settings and the docs."""

from __future__ import annotations

from airelay.core.errors import RelayError
from airelay.core.types import parse_byte_count

MAX_TEXT_CHARS = 1_048_576
MAX_NAME_CHARS = 256
MAX_ID_CHARS = 512
MAX_URL_CHARS = 2_097_152  # data: URLs carry whole images
MAX_MESSAGES = 2_048
MAX_CONTENT_PARTS = 256
MAX_TOOLS = 128
MAX_MINI_OUTPUT_TOKENS = 128_000
MAX_PRO_OUTPUT_TOKENS = 1_000_000
# OpenAI's documented bounds on the request surface (API reference, Chat Completions and
# Responses: `n`, `top_logprobs`, `stop`, `metadata`, `logit_bias`).
MAX_CHOICES = 128
MAX_TOP_LOGPROBS = 20
MAX_STOP_SEQUENCES = 4
MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
MAX_LOGIT_BIAS = 100
MAX_LOGIT_BIAS_ENTRIES = 1_024
MAX_INCLUDES = 32
DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_BODY_BYTES_CEILING = 100 * 1_048_576  # Workers reject larger bodies anyway


def parse_body_limit(raw: str) -> int:
    """Read a `MAX_BODY_BYTES` value; raise ValueError saying what it must be."""
    limit = parse_byte_count(raw)
    if limit is None or raw != raw.strip() or not 0 < limit <= MAX_BODY_BYTES_CEILING:
        raise ValueError(f"expected a whole number of bytes from 1 to {MAX_BODY_BYTES_CEILING}")
    return limit


def too_large(limit: int) -> RelayError:
    """Return the 413 for a body over `limit` bytes."""
    return RelayError(
        413,
        f"The request body is larger than the limit of {limit} bytes (MAX_BODY_BYTES).",
        code="request_too_large",
    )
