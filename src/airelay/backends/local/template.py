"""JSON text and SSE events encoded once, with named slots that each answer fills by keyword.

The local model's answers differ from one another in a few values only (ids, times, counts,
the text): the rest is encoded once, up front, and each value's own encoding is spliced in. A
JSON container's encoding is its members' encodings joined, so the result is exactly what
`jsonio.encode` writes for the whole (tests/test_local_template.py checks it byte for byte).
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring
from typing import Any

from airelay.core import jsonio

# A slot as the encoder writes it: a JSON string of the placeholder `slot` returns.
_SLOT = re.compile(r'"\\u0000airelay-named-(\w+)\\u0000"')


def slot(name: str) -> str:
    """Return the placeholder for the value that a template's fill names `name`."""
    return f"\x00airelay-named-{name}\x00"


def _numbered(data: Any, numbers: dict[str, str]) -> Any:
    """Return `data` with each named slot replaced by its numbered `jsonio.slot`."""
    if isinstance(data, dict):
        return {key: _numbered(value, numbers) for key, value in data.items()}
    if isinstance(data, list):
        return [_numbered(value, numbers) for value in data]
    return numbers.get(data, data) if isinstance(data, str) else data


class JsonTemplate:
    """JSON text encoded once; `template(name=value, ...)` splices each value into its slot."""

    __slots__ = ("names", "pattern")

    def __init__(self, data: Any, before: str = "", after: str = "") -> None:
        # jsonio.Template numbers its slots in the order the text holds them: so are the names.
        names = tuple(_SLOT.findall(jsonio.encode(data)))
        if len(set(names)) != len(names):
            raise ValueError(f"each slot must appear once: {', '.join(names)}")
        numbers = {slot(name): jsonio.slot(index) for index, name in enumerate(names)}
        self.names = names
        # The whole text as a %-format, one %s per slot, in the order of `names`.
        self.pattern = jsonio.Template(_numbered(data, numbers), before, after).pattern

    def __call__(self, **values: Any) -> str:
        """Return the text with each slot filled with the value of its name."""
        if len(values) != len(self.names):
            raise TypeError(f"fill exactly these slots: {', '.join(self.names)}")
        return self.pattern % tuple([jsonio.encode_value(values[name]) for name in self.names])


class EventTemplate:
    """An SSE event whose data is a `JsonTemplate`: `encode(data, event)` with slots filled."""

    __slots__ = ("_format", "_json")

    def __init__(self, data: dict[str, Any], event: str | None = None) -> None:
        # Compact JSON has no raw line break (strings escape them): one `data:` line, as
        # `sse.encode` writes it.
        head = f"event: {event}\n" if event else ""
        self._json = JsonTemplate(data, before=f"{head}data: ", after="\n\n")
        self._format = self._json.pattern

    def __call__(self, **values: Any) -> bytes:
        """Return the event with each slot filled with the value of its name."""
        return self._json(**values).encode()

    # The fills a stream makes per token, by position with the types known: half the cost of
    # a fill by keyword (figures in test_local_template's module docstring).
    def text(self, text: str) -> bytes:
        """Return the event of a one-slot template with `text` in its slot."""
        return (self._format % encode_basestring(text)).encode()

    def numbered_text(self, number: int, text: str) -> bytes:
        """Return the event of a two-slot template: integer `number` first, then `text`."""
        # %s writes an int as JSON does (`int.__repr__`).
        return (self._format % (number, encode_basestring(text))).encode()
