"""The demo page in a real Chromium against `airelay dev`: streaming, stop, errors, CORS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TEST_KEY, relay
from tests.conftest import REPO
from tests.live_server import LiveServer

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright==1.65.2)"
)
expect = sync_api.expect
Page = sync_api.Page

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)

# Records, at every animation frame (right before each paint), the newest answer's text.
RECORD_FRAMES = """() => {
  const frames = [];
  window.__answerFrames = frames;
  const tick = () => {
    const texts = document.querySelectorAll("#log li.assistant .text");
    frames.push(texts.length ? texts[texts.length - 1].textContent : "");
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
PROMPT = "Summarise the three laws of thermodynamics for a curious twelve year old reader"
LONG_PROMPT = " ".join(f"word{i}" for i in range(200))


def open_page(page: Page, server: LiveServer, host: str = "127.0.0.1") -> None:
    """Load the page from `server` and wait until its script is running."""
    page.goto(f"http://{host}:{server.port}/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def send(page: Page, text: str) -> None:
    """Type `text` into the message box and press Send."""
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


def last_answer(page: Page) -> Any:
    """Return the newest assistant message."""
    return page.locator("#log li.assistant").last


def choose_route(page: Page, route: str) -> None:
    """Pick `mini` (chat completions) or `pro` (responses)."""
    page.get_by_role("radio", name=re.compile(f"gpt-5.4-{route}")).check()


def partial_paints(page: Page, final: str) -> list[str]:
    """Return the distinct texts painted before `final`, each a proper prefix of it."""
    frames: list[str] = page.evaluate("() => window.__answerFrames")
    partials = [f for f in dict.fromkeys(frames) if f and f != final]
    assert all(final.startswith(p) for p in partials), partials
    return partials


def shot(page: Page, folder: Path, name: str) -> None:
    """Save a screenshot of the viewport as a test artifact."""
    page.screenshot(path=folder / name, animations="disabled")


# --- Streaming on both routes -------------------------------------------------------------------


def test_chat_route_paints_streamed_tokens_incrementally_and_shows_usage(
    page: Page, keyless_relay: LiveServer, artifacts: Path
) -> None:
    open_page(page, keyless_relay)
    page.evaluate(RECORD_FRAMES)
    with page.expect_request("**/v1/chat/completions") as sent:
        send(page, PROMPT)
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done")
    final = answer.locator(".text").inner_text()
    assert final.startswith(f"You said: {PROMPT} (local gpt-5.4-mini")
    assert len(partial_paints(page, final)) >= 2
    expect(answer.get_by_test_id("usage")).to_have_text(
        re.compile(r"^\d+ in · \d+ out · \d+ tokens$")
    )
    body = sent.value.post_data_json
    assert body["model"] == "openai/gpt-5.4-mini"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": PROMPT}]
    assert "reasoning" not in body
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    shot(page, artifacts, "chat-completions.png")


def test_responses_route_paints_streamed_tokens_with_effort_and_temperature(
    page: Page, keyless_relay: LiveServer, artifacts: Path
) -> None:
    open_page(page, keyless_relay)
    choose_route(page, "pro")
    page.get_by_label("Reasoning effort").select_option("high")
    page.get_by_label("Temperature", exact=True).fill("0.4")
    page.evaluate(RECORD_FRAMES)
    with page.expect_request("**/v1/responses") as sent:
        send(page, PROMPT)
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done")
    final = answer.locator(".text").inner_text()
    assert final.startswith(f"You said: {PROMPT} (local gpt-5.4-pro")
    assert len(partial_paints(page, final)) >= 2
    expect(answer.get_by_test_id("usage")).to_have_text(
        re.compile(r"^\d+ in · \d+ out \(32 reasoning\) · \d+ tokens$")
    )
    body = sent.value.post_data_json
    assert body["model"] == "openai/gpt-5.4-pro"
    assert body["reasoning"] == {"effort": "high"}
    assert body["temperature"] == 0.4
    assert body["input"] == [{"role": "user", "content": PROMPT}]
    shot(page, artifacts, "responses.png")


def test_follow_up_turns_carry_the_conversation_on_either_route(
    page: Page, keyless_relay: LiveServer
) -> None:
    open_page(page, keyless_relay)
    send(page, "first question")
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    first_answer = last_answer(page).locator(".text").inner_text()
    choose_route(page, "pro")
    with page.expect_request("**/v1/responses") as sent:
        send(page, "second question")
    expect(page.locator("#log li.assistant")).to_have_count(2)
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    assert sent.value.post_data_json["input"] == [
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": first_answer},
        {"role": "user", "content": "second question"},
    ]


def test_dark_colour_scheme_renders_the_streamed_answer(
    browser: Any, keyless_relay: LiveServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 820}, color_scheme="dark")
    try:
        page = context.new_page()
        open_page(page, keyless_relay)
        choose_route(page, "pro")
        send(page, PROMPT)
        expect(last_answer(page)).to_have_attribute("data-state", "done")
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(15, 18, 22)"
        shot(page, artifacts, "responses-dark.png")
    finally:
        context.close()


# --- Stop ---------------------------------------------------------------------------------------


def test_stop_button_aborts_the_stream(
    page: Page, keyless_relay: LiveServer, artifacts: Path
) -> None:
    failures: list[tuple[str, str | None]] = []
    page.on("requestfailed", lambda request: failures.append((request.url, request.failure)))
    open_page(page, keyless_relay)
    send(page, LONG_PROMPT)
    # Pinned to the first answer: `last_answer` would move on to the next one.
    answer = page.locator("#log li.assistant").first
    expect(answer).to_have_attribute("data-state", "streaming")
    expect(answer.locator(".text")).to_have_text(re.compile(r"^You said: word0"))
    page.get_by_role("button", name="Stop").click()

    expect(answer).to_have_attribute("data-state", "stopped")
    expect(answer.locator(".badge")).to_have_text("Stopped")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    stopped_text = answer.locator(".text").inner_text()
    assert "prompt tokens)" not in stopped_text
    assert (f"{keyless_relay.url}/v1/chat/completions", "net::ERR_ABORTED") in failures
    shot(page, artifacts, "stopped.png")

    # A later answer streams to completion while the stopped one stays as it was: the first
    # stream, had it gone on, would have added tokens in the meantime.
    send(page, "after the stop")
    expect(page.locator("#log li.assistant")).to_have_count(2)
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    assert answer.locator(".text").inner_text() == stopped_text


def test_escape_key_stops_the_stream_too(page: Page, keyless_relay: LiveServer) -> None:
    open_page(page, keyless_relay)
    choose_route(page, "pro")
    send(page, LONG_PROMPT)
    answer = last_answer(page)
    expect(answer.locator(".text")).to_have_text(re.compile(r"^You said: word0"))
    page.keyboard.press("Escape")
    expect(answer).to_have_attribute("data-state", "stopped")


def test_new_chat_mid_stream_starts_an_empty_conversation(
    page: Page, keyless_relay: LiveServer
) -> None:
    open_page(page, keyless_relay)
    send(page, LONG_PROMPT)
    expect(last_answer(page).locator(".text")).to_have_text(re.compile(r"^You said: word0"))
    page.get_by_role("button", name="New chat").click()
    expect(page.locator("#log li")).to_have_count(0)
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    with page.expect_request("**/v1/chat/completions") as sent:
        send(page, "a fresh start")
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    assert sent.value.post_data_json["messages"] == [{"role": "user", "content": "a fresh start"}]


# --- Errors -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed_relay() -> Iterator[LiveServer]:
    """A relay that requires TEST_KEY."""
    with relay({"API_KEYS": TEST_KEY, "ALLOW_ANONYMOUS": "false"}) as server:
        yield server


def test_missing_or_wrong_key_shows_a_clear_401_message(
    page: Page, keyed_relay: LiveServer, artifacts: Path
) -> None:
    open_page(page, keyed_relay)
    send(page, "hello")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "error")
    expect(answer).to_have_attribute("role", "alert")
    expect(answer.locator(".error-box strong")).to_have_text("Not authorised (401)")
    expect(answer.locator(".error-box")).to_contain_text("Missing API key")
    expect(answer.locator(".error-box")).to_contain_text("Enter a valid API key")
    # The failed message is handed back for another try.
    expect(page.get_by_label("Message", exact=True)).to_have_value("hello")
    shot(page, artifacts, "error-401.png")

    page.get_by_label("API key").fill("sk-wrong")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#log li.assistant")).to_have_count(2)
    expect(last_answer(page).locator(".error-box")).to_contain_text("Incorrect API key provided")


def test_valid_key_is_sent_as_bearer_and_never_stored_in_local_storage(
    page: Page, keyed_relay: LiveServer
) -> None:
    open_page(page, keyed_relay)
    page.get_by_label("API key").fill(TEST_KEY)
    with page.expect_request("**/v1/chat/completions") as sent:
        send(page, "hello with a key")
    expect(last_answer(page)).to_have_attribute("data-state", "done")
    assert sent.value.headers["authorization"] == f"Bearer {TEST_KEY}"
    storage = page.evaluate(
        "() => ({local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage)})"
    )
    assert TEST_KEY not in storage["local"]
    assert TEST_KEY not in storage["session"]

    # Opting in keeps it for this tab only: sessionStorage, still never localStorage.
    page.get_by_label("Keep for this tab").check()
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("API key")).to_have_value(TEST_KEY)
    assert TEST_KEY not in page.evaluate("() => JSON.stringify(localStorage)")
    page.get_by_label("Keep for this tab").uncheck()
    assert page.evaluate("() => sessionStorage.length") == 0


def test_out_of_range_temperature_shows_the_relays_400_message(
    page: Page, keyless_relay: LiveServer, artifacts: Path
) -> None:
    open_page(page, keyless_relay)
    temperature = page.get_by_label("Temperature", exact=True)
    temperature.fill("2.5")
    send(page, "too hot")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "error")
    expect(answer.locator(".error-box strong")).to_have_text("The relay rejected the request (400)")
    expect(answer.locator(".error-box")).to_contain_text("Invalid value for 'temperature'")
    expect(answer.locator(".error-box")).to_contain_text("less than or equal to 2")
    expect(temperature).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Message", exact=True)).to_have_value("too hot")
    shot(page, artifacts, "error-400.png")


def test_rate_limited_send_says_when_to_retry(page: Page) -> None:
    with relay({"ALLOW_ANONYMOUS": "true", "RATE_LIMIT_REQUESTS": "1"}) as limited:
        open_page(page, limited)
        send(page, "first")
        expect(last_answer(page)).to_have_attribute("data-state", "done")
        send(page, "second")
        expect(page.locator("#log li.assistant")).to_have_count(2)
        box = last_answer(page).locator(".error-box")
        expect(box.locator("strong")).to_have_text("Too many requests (429)")
        expect(box).to_contain_text("Wait 60 s before sending again.")


def sse(*events: tuple[str | None, str]) -> str:
    """Encode events with CRLF line endings, which the page must read as well as LF."""
    return "".join(
        (f"event: {name}\r\n" if name else "") + f"data: {data}\r\n\r\n" for name, data in events
    )


FAILING_STREAMS = {
    "chat-error-chunk": (
        "mini",
        sse(
            (
                None,
                '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Par"}}]}',
            ),
            (
                None,
                '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tial"}}]}',
            ),
            (None, '{"error":{"message":"The stream failed midway.","type":"server_error"}}'),
        ),
        "error",
        "The stream failed midway.",
    ),
    "responses-failed": (
        "pro",
        sse(
            (
                "response.output_text.delta",
                '{"type":"response.output_text.delta","delta":"Partial"}',
            ),
            (
                "response.failed",
                '{"type":"response.failed","response":{"error":{"message":"Upstream broke."}}}',
            ),
        ),
        "error",
        "Upstream broke.",
    ),
    "responses-error-event": (
        "pro",
        sse(
            (
                "response.output_text.delta",
                '{"type":"response.output_text.delta","delta":"Partial"}',
            ),
            (
                "error",
                '{"type":"error","code":"stream_failed","message":"The stream failed midway."}',
            ),
        ),
        "error",
        "The stream failed midway.",
    ),
    "responses-incomplete": (
        "pro",
        sse(
            (
                "response.output_text.delta",
                '{"type":"response.output_text.delta","delta":"Partial"}',
            ),
            (
                "response.incomplete",
                '{"type":"response.incomplete","response":{"incomplete_details":'
                '{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":1,'
                '"total_tokens":4}}}',
            ),
        ),
        "incomplete",
        "incomplete: max_output_tokens",
    ),
    "chat-cut-off-before-done": (
        "mini",
        sse(
            (
                None,
                '{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Partial"}}]}',
            )
        ),
        "incomplete",
        "stream ended early",
    ),
}


@pytest.mark.parametrize("case", list(FAILING_STREAMS))
def test_streams_that_fail_or_end_early_keep_the_partial_text_and_say_why(
    page: Page, keyless_relay: LiveServer, case: str
) -> None:
    route, body, state, message = FAILING_STREAMS[case]
    open_page(page, keyless_relay)
    choose_route(page, route)
    page.route(
        "**/v1/**",
        lambda intercepted: intercepted.fulfill(
            status=200, headers={"content-type": "text/event-stream"}, body=body
        ),
    )
    send(page, "hello")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", state)
    expect(answer.locator(".text")).to_have_text("Partial")
    expect(answer).to_contain_text(message)


# --- Cross-origin ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cors_relay(keyless_relay: LiveServer) -> Iterator[LiveServer]:
    """A second relay, on another port, whose allowlist names only the first one's origin."""
    with relay({"ALLOW_ANONYMOUS": "true", "CORS_ALLOW_ORIGINS": keyless_relay.url}) as server:
        yield server


def test_page_on_one_origin_streams_from_a_relay_on_another(
    page: Page, keyless_relay: LiveServer, cors_relay: LiveServer, artifacts: Path
) -> None:
    open_page(page, keyless_relay)
    page.get_by_label("Relay URL").fill(cors_relay.url)
    page.evaluate(RECORD_FRAMES)
    with page.expect_response(f"{cors_relay.url}/v1/chat/completions") as answered:
        send(page, PROMPT)
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-state", "done")
    final = answer.locator(".text").inner_text()
    assert final.startswith(f"You said: {PROMPT}")
    assert len(partial_paints(page, final)) >= 2
    headers = answered.value.headers
    assert headers["access-control-allow-origin"] == keyless_relay.url
    # Exposed through CORS, so the page can show it.
    expect(answer.locator(".request-id")).to_have_text(headers["x-request-id"])
    shot(page, artifacts, "cross-origin.png")


def test_origin_missing_from_the_allowlist_gets_a_cors_hint(
    page: Page, keyless_relay: LiveServer, cors_relay: LiveServer
) -> None:
    # `localhost` is another origin than `127.0.0.1`, which is the only one allowed.
    open_page(page, keyless_relay, host="localhost")
    page.get_by_label("Relay URL").fill(cors_relay.url)
    send(page, "hello")
    box = last_answer(page).locator(".error-box")
    expect(box.locator("strong")).to_have_text("Could not reach the relay")
    expect(box).to_contain_text(f"CORS_ALLOW_ORIGINS include http://localhost:{keyless_relay.port}")


# --- The SSE parser, in the browser's own JavaScript engine --------------------------------------

PARSE_EVERY_SPLIT = """async () => {
  const { SseParser } = await import("/sse.js");
  const parse = (chunks) => {
    const events = [];
    const parser = new SseParser((event) => events.push(event));
    for (const chunk of chunks) parser.push(chunk);
    parser.end();
    return events;
  };
  const stream = [
    "\\uFEFF: keep-alive comment",
    "event: response.output_text.delta",
    'data: {"delta":"h\\u00e9 \\ud83d\\ude00"}',
    "",
    "data: line one",
    "data:line two",
    "id: 7",
    "",
    "data",
    "",
    "event: ignored without data",
    "",
    "data: [DONE]",
    "",
    "data: dropped: the stream ends before its blank line",
  ];
  const results = {};
  for (const [name, eol] of [["lf", "\\n"], ["crlf", "\\r\\n"], ["cr", "\\r"]]) {
    const bytes = new TextEncoder().encode(stream.join(eol));
    const whole = parse([bytes]);
    const mismatches = [];
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const split = parse([bytes.slice(0, cut), bytes.slice(cut)]);
      if (JSON.stringify(split) !== JSON.stringify(whole)) mismatches.push(cut);
    }
    const single = parse(Array.from(bytes, (byte) => Uint8Array.of(byte)));
    if (JSON.stringify(single) !== JSON.stringify(whole)) mismatches.push("bytewise");
    results[name] = { whole, mismatches };
  }
  return results;
}"""


def test_sse_parser_gives_the_same_events_however_the_bytes_are_split(
    page: Page, keyless_relay: LiveServer
) -> None:
    open_page(page, keyless_relay)
    results = page.evaluate(PARSE_EVERY_SPLIT)
    expected = [
        {"event": "response.output_text.delta", "data": '{"delta":"hé 😀"}', "id": ""},
        {"event": "message", "data": "line one\nline two", "id": "7"},
        {"event": "message", "data": "", "id": "7"},
        {"event": "message", "data": "[DONE]", "id": "7"},
    ]
    for name in ("lf", "crlf", "cr"):
        assert results[name]["whole"] == expected, name
        assert results[name]["mismatches"] == [], name


# --- The README's fetch snippet -------------------------------------------------------------------

FRONTEND_DOC = REPO / "README.md"


def fetch_snippet() -> str:
    """Return the `streamEvents` helper exactly as the README shows it."""
    text = FRONTEND_DOC.read_text(encoding="utf-8")
    after_marker = text.split("<!-- fetch-snippet", 1)[1]
    return after_marker.split("```js\n", 1)[1].split("```", 1)[0]


def test_documented_fetch_snippet_streams_both_routes_from_another_origin(
    page: Page, keyless_relay: LiveServer, cors_relay: LiveServer
) -> None:
    open_page(page, keyless_relay)
    run = (
        "async (base) => {\n"
        + fetch_snippet()
        + """
  const chat = [];
  let chatUsage = null;
  const chatBody = { messages: [{ role: "user", content: "snippet test" }],
                     stream_options: { include_usage: true } };
  for await (const chunk of streamEvents(`${base}/v1/chat/completions`, chatBody, "")) {
    chat.push(chunk.choices[0]?.delta?.content ?? "");
    if (chunk.usage) chatUsage = chunk.usage;
  }
  const text = [];
  let usage = null;
  for await (const event of streamEvents(`${base}/v1/responses`, { input: "snippet test" })) {
    if (event.type === "response.output_text.delta") text.push(event.delta);
    if (event.type === "response.completed") usage = event.response.usage;
  }
  let error = null;
  try {
    for await (const _ of streamEvents(`${base}/v1/responses`, { input: "x", top_p: 5 })) {}
  } catch (caught) {
    error = caught.message;
  }
  return { chat: chat.join(""), chatUsage, text: text.join(""), usage, error };
}"""
    )
    result = page.evaluate(run, cors_relay.url)
    assert result["chat"].startswith("You said: snippet test (local gpt-5.4-mini")
    assert result["chatUsage"]["total_tokens"] > 0
    assert result["text"].startswith("You said: snippet test (local gpt-5.4-pro")
    assert result["usage"]["total_tokens"] > 0
    assert result["error"].startswith("400: Invalid value for 'top_p'")
