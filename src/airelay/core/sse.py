"""Server-sent events: encode one event, and a pure incremental decoder (WHATWG HTML 9.2.6)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from airelay.core import jsonio

_LINE_BREAK = re.compile("\r\n|[\r\n]")  # SSE's line ends, and only those
_BOM = b"\xef\xbb\xbf"


def encode(data: Any, event: str | None = None) -> bytes:
    """Encode one event whose data is JSON (or a literal string such as `[DONE]`)."""
    payload = data if isinstance(data, str) else jsonio.encode(data)
    head = f"event: {event}\n" if event else ""
    # One `data:` line per line: a line break inside a data line would end the field there.
    # Compact JSON has none (json escapes them in strings), so the split is mostly skipped.
    if "\n" in payload or "\r" in payload:
        lines = "".join(f"data: {line}\n" for line in _LINE_BREAK.split(payload))
    else:
        lines = f"data: {payload}\n"
    return f"{head}{lines}\n".encode()


@dataclass(frozen=True)
class Event:
    """One decoded event."""

    event: str
    data: str

    def json(self) -> Any:
        """Parse the data as JSON."""
        return json.loads(self.data)


class Decoder:
    """Turn chunks of bytes, split anywhere, into events: `decode(chunk)`, then `flush()`."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []
        self._started = False

    def decode(self, chunk: bytes) -> list[Event]:
        """Feed `chunk`; return the events it completes."""
        self._buffer += chunk
        if not self._started:
            # UTF-8 decode drops one leading byte order mark; wait until it can be told apart.
            if _BOM.startswith(self._buffer):
                return []
            self._buffer = self._buffer.removeprefix(_BOM)
            self._started = True
        events: list[Event] = []
        while True:
            end = self._line_end()
            if end is None:
                return events
            line, self._buffer = self._buffer[: end[0]], self._buffer[end[1] :]
            # The spec decodes with replacement: a bad byte costs a character, not the stream.
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                events.append(event)

    def flush(self) -> list[Event]:
        """End the stream; an unterminated last event is dropped, as the spec says."""
        # A final CR was held back in case an LF followed it; none will, so it ends its line.
        events = self.decode(b"\n") if self._buffer.endswith(b"\r") else []
        self._buffer, self._event, self._data = b"", "", []
        self._started = False
        return events

    def _line_end(self) -> tuple[int, int] | None:
        # Lines end in CRLF, LF or CR; a CR at the very end may be half of a CRLF.
        for index, byte in enumerate(self._buffer):
            if byte == 0x0A:
                return index, index + 1
            if byte == 0x0D:
                if index + 1 == len(self._buffer):
                    return None
                return index, index + (2 if self._buffer[index + 1] == 0x0A else 1)
        return None

    def _line(self, line: str) -> Event | None:
        if not line:
            if not self._data:
                self._event = ""
                return None
            event = Event(self._event or "message", "\n".join(self._data))
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None
