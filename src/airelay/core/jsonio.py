"""The one strict JSON loader for JSON from outside: bodies, headers, upstream answers.

Pydantic-free: the Worker glue parses upstream answers with it in Pyodide.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from itertools import accumulate
from json.encoder import encode_basestring
from typing import Any

MAX_JSON_DEPTH = 64
# A JSON string literal (RFC 8259 section 7), unrolled so that long strings scan linearly.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A \uD800-\uDFFF escape: JSON allows one alone (RFC 8259 section 8.2), Python decodes it to a
# lone surrogate, and no UTF-8 encoder can write that back. Text decoded from UTF-8 holds no
# surrogates of its own, so only this escape can bring one in.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonError(ValueError):
    """JSON text that the relay refuses; `reason` completes "The request body ..."."""

    def __init__(self, reason: str, *, too_deep: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_deep = too_deep


def media_type(content_type: str | None) -> str:
    """Return a content-type's media type, lower-cased, without its parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def is_json_media_type(content_type: str | None) -> bool:
    """Tell whether a content-type names JSON: `application/json` or a `+json` type (RFC 6839)."""
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json")


def text_depth(text: str) -> int:
    """Return how deeply arrays and objects nest in JSON text, without parsing it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def loads(text: str) -> Any:
    """Parse JSON text strictly: bounded nesting, finite numbers only; raise JsonError."""
    # json.loads recurses once per level: CPython raises RecursionError near 1,000 levels,
    # but Pyodide overflows the JS stack first and the whole runtime dies. So count first;
    # text with no more opening brackets than the limit cannot nest deeper, and counting two
    # characters costs a fraction of the scan (bench/core_tricks.py, one run: 0.29 us against
    # 3.95 for the scan of a chat body).
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and text_depth(text) > MAX_JSON_DEPTH:
        raise JsonError(f"nests deeper than the limit of {MAX_JSON_DEPTH} levels", too_deep=True)
    try:
        value = _DECODER.decode(text)
    except JsonError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonError(
            f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError:
        # int() refuses literals over sys.get_int_max_str_digits() digits.
        raise JsonError("holds a number too long to read") from None
    # Paired escapes (an emoji as \ud83d\ude00) are fine; only then is the value re-encoded
    # (bench/core_tricks.py, one run: 0.21 us against 3.79 to re-encode a chat body each time).
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None and not _encodable(value):
        raise JsonError("is not valid JSON: it holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)")
    return value


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _reject_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, which JSON lacks: passed on, they would reach the
    # binding and come back in answers that no JSON parser reads.
    raise JsonError(f"is not valid JSON: {name} is not a JSON value")


def _finite_float(literal: str) -> float:
    # 1e999 is valid JSON but reads as infinity, which no JSON encoder can write back.
    value = float(literal)
    if not math.isfinite(value):
        raise JsonError(f"is not valid JSON: {literal[:32]} is out of range for a number")
    return value


# Built once: json.loads with hooks builds a decoder and its scanner on every call
# (bench/core_tricks.py, one run: 2.09 us against 3.57 per chat body).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def encoder(
    default: Callable[[Any], Any] | None = None,
    separators: tuple[str, str] = (",", ":"),
    allow_nan: bool = True,
) -> Callable[[Any], str]:
    """Return a function serialising data as JSON, compact unless told, characters as they are."""
    # json.JSONEncoder.encode builds its C encoder anew on every call (json/encoder.py,
    # iterencode), and its circular-reference check costs per container: built once, without
    # the check, since the relay only encodes trees (parsed JSON and its own dicts).
    # bench/core_tricks.py, one run: 3.12 us against 5.02 for json.dumps, a chat answer.
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # a Python without the _json accelerator
        return json.JSONEncoder(
            ensure_ascii=False, separators=separators, default=default, allow_nan=allow_nan
        ).encode
    item, key = separators
    chunks = make(None, default, encode_basestring, None, key, item, False, False, allow_nan)
    return lambda data: "".join(chunks(data, 0))


# The one form of JSON the relay writes.
encode: Callable[[Any], str] = encoder()


def dumps(data: Any) -> bytes:
    """Serialise `data` compactly as UTF-8 JSON."""
    return encode(data).encode()
