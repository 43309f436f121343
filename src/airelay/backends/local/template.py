"""JSON text and SSE events encoded once, with named slots that each answer fills by keyword.

The local model's answers differ from one another in a few values only (ids, times, counts,
the text): the rest is encoded once, up front, and each value's own encoding is spliced in. A
JSON container's encoding is its members' encodings joined, so the result is exactly what
`jsonio.encode` writes for the whole (tests/test_local_template.py checks it byte for byte).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any

from airelay.core import jsonio

# A slot as the encoder writes it: the JSON string of the placeholder `slot` returns.
_SLOT = re.compile(r'"\\u0000airelay-slot-(\w+)\\u0000"')


class RawJson(str):
    """JSON text that a template splices in as it is, rather than as a string."""

    __slots__ = ()


def encode_value(value: Any) -> str:
    """Serialise one value as a template splices it in."""
    # What the C encoder does for strings and integers (json/encoder.py, _json.c), minus its
    # setup; RawJson is JSON already.
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is RawJson:
        return value  # type: ignore[no-any-return]
    return jsonio.encode(value)


def slot(name: str) -> str:
    """Return the placeholder for the value that a template's fill names `name`."""
    return f"\x00airelay-slot-{name}\x00"


class JsonTemplate:
    """JSON text encoded once; `template(name=value, ...)` splices each value into its slot."""

    __slots__ = ("names", "pattern")

    def __init__(self, data: Any, before: str = "", after: str = "") -> None:
        text = f"{before}{jsonio.encode(data)}{after}".replace("%", "%%")
        names = tuple(_SLOT.findall(text))
        if len(set(names)) != len(names):
            raise ValueError(f"each slot must appear once: {', '.join(names)}")
        self.names = names
        # The text as a %-format with a %s per slot, in the order of `names`: the usual chat
        # answer's seven fill in 0.56 us against 0.93 as %(name)s fields (timeit).
        self.pattern = _SLOT.sub("%s", text)

    def __call__(self, **values: Any) -> str:
        """Return the text with each slot filled with the value of its name."""
        return self.fill(values)

    def fill(self, values: Mapping[str, Any]) -> str:
        """Return the text with each slot filled with the value `values` holds for its name."""
        if len(values) != len(self.names):
            raise TypeError(f"fill exactly these slots: {', '.join(self.names)}")
        # A JSON container's encoding is its members' encodings joined, so splicing each
        # value's own encoding into the rest gives exactly the text `encode` would
        # (bench/core_tricks.py, one run: 1.17 us against 3.12 to encode a chat answer).
        return self.pattern % tuple([encode_value(values[name]) for name in self.names])


class EventTemplate:
    """An SSE event whose data is a `JsonTemplate`: `sse.encode(data, event)`, slots filled."""

    __slots__ = ("_json", "_pattern")

    def __init__(self, data: dict[str, Any], event: str | None = None) -> None:
        # Compact JSON has no raw line break (strings escape them): one `data:` line, as
        # `sse.encode` writes it.
        head = f"event: {event}\n" if event else ""
        self._json = JsonTemplate(data, before=f"{head}data: ", after="\n\n")
        self._pattern = self._json.pattern

    def __call__(self, **values: Any) -> bytes:
        """Return the event with each slot filled with the value of its name."""
        return self._json.fill(values).encode()

    # The fills a stream makes per token, by position with the types known: 0.30 us a token
    # event against 1.27 for a fill by keyword and 1.90 for sse.encode (timeit). Over HTTP a
    # chunk costs 8 to 10 us of server CPU (bench/http_stack.py, "CPU us/chunk").
    def text(self, text: str) -> bytes:
        """Return the event of a one-slot template with `text` in its slot."""
        return (self._pattern % encode_basestring(text)).encode()

    def numbered_text(self, number: int, text: str) -> bytes:
        """Return the event of a two-slot template: integer `number` first, then `text`."""
        # %s writes an int as JSON does (`int.__repr__`).
        return (self._pattern % (number, encode_basestring(text))).encode()
