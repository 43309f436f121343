// Server-sent events, parsed as the WHATWG HTML standard says (9.2.6 "Interpreting an event
// stream"): bytes may be split anywhere, even inside a UTF-8 character or between the CR and LF
// of a line ending, and lines may end in CRLF, LF or CR.

export class SseParser {
  /** @param {(event: {event: string, data: string, id: string}) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.decoder = new TextDecoder("utf-8");
    this.buffer = "";
    this.first = true;
    this.reset();
    this.lastId = "";
  }

  reset() {
    this.eventType = "";
    this.data = "";
    this.hasData = false;
  }

  /** Feed one chunk of bytes (a Uint8Array) or text. */
  push(chunk) {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    this.drain();
  }

  /** End of stream: an event without its closing blank line is dropped, as the standard says. */
  end() {
    this.buffer += this.decoder.decode();
    // A lone CR at the very end is a complete line ending now that nothing can follow it.
    if (this.buffer.endsWith("\r")) this.drain(true);
    this.buffer = "";
    this.reset();
  }

  drain(final = false) {
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf("\r", start);
      const lf = this.buffer.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      let end;
      let next;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        end = lf;
        next = lf + 1;
      } else if (cr + 1 < this.buffer.length) {
        end = cr;
        next = this.buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else if (final) {
        end = cr;
        next = cr + 1;
      } else {
        break; // The CR may be the first half of a CRLF still in flight.
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === "") {
      if (this.hasData) {
        this.onEvent({ event: this.eventType || "message", data: this.data, id: this.lastId });
      }
      this.reset();
      return;
    }
    if (line.startsWith(":")) return; // A comment, often a keep-alive.
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") {
      this.eventType = value;
    } else if (field === "data") {
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (field === "id" && !value.includes("\0")) {
      this.lastId = value;
    }
  }
}
