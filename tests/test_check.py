"""`airelay check URL`: every check passes on both hosts (`airelay dev`, the Worker over HTTP),
and each broken relay fails its own."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any, Literal

import httpx
import pydantic
import pytest

from airelay import cli
from airelay.check import INSTALL_HINT, buffering
from airelay.check.checks import CHECKS, Context, check_wrong_key
from airelay.check.parse import CheckError, chat_chunks, response_events, response_object
from airelay.check.probe import Arrival, Exchange, Prober
from airelay.check.report import Progress, Report, Result
from airelay.check.runner import Options, base_url, run
from tests import check_relays
from tests.check_relays import RELAY_KEY, local_relay, serve
from tests.live_server import HOST_PARAMS, LiveServer, relay_server

ORIGIN = "https://app.example.com"
NAMES = [name for name, _, _ in CHECKS]
BILLED = {name for name, bills, _ in CHECKS if bills}


class CheckRow(pydantic.BaseModel):
    """One row of the `--json` report."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)

    name: str
    status: Literal["pass", "fail", "warn", "skip"]
    reason: str = pydantic.Field(min_length=1)
    ttfb_ms: float | None = pydantic.Field(ge=0)
    total_ms: float | None = pydantic.Field(ge=0)
    bills: bool


class Summary(pydantic.BaseModel):
    """The counts of the `--json` report."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)

    passed: int = pydantic.Field(alias="pass", ge=0)
    fail: int = pydantic.Field(ge=0)
    warn: int = pydantic.Field(ge=0)
    skip: int = pydantic.Field(ge=0)


class JsonReport(pydantic.BaseModel):
    """The schema of `airelay check --json`."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)

    report_version: Literal[1]
    url: str
    checker_version: str
    relay_version: str | None
    auth: Literal["key", "token", "none"]
    origin: str | None
    model_calls: bool
    ok: bool
    summary: Summary
    checks: list[CheckRow]


def parse_report(text: str) -> JsonReport:
    """Validate `--json` output against the schema and its own consistency rules."""
    report = JsonReport.model_validate(json.loads(text))
    assert [row.name for row in report.checks] == NAMES
    statuses = [row.status for row in report.checks]
    summary = report.summary
    assert (summary.passed, summary.fail, summary.warn, summary.skip) == tuple(
        statuses.count(s) for s in ("pass", "fail", "warn", "skip")
    )
    assert report.ok == (summary.fail == 0)
    assert {row.name for row in report.checks if row.bills} == BILLED
    return report


def check(
    capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, JsonReport, dict[str, str]]:
    """Run `airelay check URL --json ARGS` in process; return its status, report and statuses."""
    status = cli.main(["check", url, "--json", *args])
    out = capsys.readouterr().out
    report = parse_report(out)
    return status, report, {row.name: row.status for row in report.checks}


def healthy(**changes: str) -> dict[str, str]:
    """Return the statuses of a working local relay: all pass, bar what a local host lacks."""
    statuses = dict.fromkeys(NAMES, "pass")
    statuses["gateway log id"] = "warn"  # only AI Gateway sets cf-aig-log-id
    statuses.update(changes)
    return statuses


# --- against `airelay dev` ----------------------------------------------------------------------


@pytest.mark.e2e
def test_every_check_passes_on_a_keyless_relay(
    slow_relay: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report, statuses = check(capsys, slow_relay.url, "--origin", ORIGIN)
    assert statuses == healthy(**{"wrong key": "skip"})  # loopback and keyless: nothing to try
    assert status == 0
    assert report.relay_version is not None
    timed = {row.name: row for row in report.checks}
    assert timed["chat stream"].ttfb_ms is not None
    assert timed["chat stream"].total_ms is not None
    assert timed["chat stream"].ttfb_ms <= timed["chat stream"].total_ms


@pytest.mark.e2e
@pytest.mark.parametrize("host", HOST_PARAMS)
def test_every_check_passes_on_a_keyed_relay_through_the_command_line(host: str) -> None:
    env = {"API_KEYS": RELAY_KEY, "CORS_ALLOW_ORIGINS": ORIGIN}
    delay = str(int(check_relays.TOKEN_DELAY_S * 1000))
    with relay_server(host, env=env, args=("--token-delay-ms", delay)) as running:
        command = [sys.executable, "-m", "airelay", "check", running.url, "--origin", ORIGIN]
        keyed = subprocess.run(
            [*command, "--key", RELAY_KEY, "--json"], capture_output=True, text=True, timeout=120
        )
        keyless = subprocess.run(command, capture_output=True, text=True, timeout=120)
    report = parse_report(keyed.stdout)
    assert {row.name: row.status for row in report.checks} == healthy()
    assert keyed.returncode == 0
    assert report.auth == "key"
    for output in (keyed.stdout, keyed.stderr, keyless.stdout, keyless.stderr):
        assert RELAY_KEY not in output
    # Without the key the same relay refuses the checker, and the table says how to fix it.
    assert keyless.returncode == 1
    models = next(line for line in keyless.stdout.splitlines() if "models" in line)
    assert models.startswith("  FAIL  models            got 401 invalid_api_key: needs a")
    assert keyless.stderr == ""  # no progress display when stderr is not a terminal


@pytest.mark.e2e
def test_no_model_calls_skips_every_billed_check(
    slow_relay: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report, statuses = check(capsys, slow_relay.url, "--no-model-calls")
    assert {name for name, s in statuses.items() if s == "skip"} == BILLED | {
        "wrong key",
        "cors preflight",
    }
    assert {name for name, s in statuses.items() if s == "pass"} == set(NAMES) - BILLED - {
        "wrong key",
        "cors preflight",
    }
    assert status == 0
    assert report.model_calls is False


@pytest.mark.e2e
def test_no_model_calls_sends_no_request_a_model_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answered: list[str] = []
    app = local_relay()

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def forward(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                answered.append(scope["path"])
            await send(message)

        await app(scope, receive, forward)

    with serve(recording) as url:
        status, _, _ = check(capsys, url, "--no-model-calls")
    assert status == 0
    assert answered  # the free checks did run
    assert not [path for path in answered if path in ("/v1/chat/completions", "/v1/responses")]


# --- against broken relays ----------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("broken", "args", "failing"),
    [
        pytest.param(
            lambda: check_relays.drops_cors_on_streams(local_relay()),
            ("--origin", ORIGIN),
            {"cors stream"},
            id="drops-cors-on-streams",
        ),
        pytest.param(
            lambda: check_relays.other_error_shape(local_relay()),
            ("--origin", ORIGIN),
            {"bad body", "unknown model", "wrong method"},
            id="errors-in-another-shape",
        ),
        pytest.param(
            lambda: check_relays.buffers_streams(local_relay()),
            ("--origin", ORIGIN),
            {"not buffered"},
            id="buffers-streams",
        ),
        pytest.param(
            check_relays.ignores_the_key,
            ("--key", RELAY_KEY),
            {"wrong key"},
            id="ignores-the-key",
        ),
    ],
)
def test_a_broken_relay_fails_exactly_its_checks(
    broken: Callable[[], Any],
    args: tuple[str, ...],
    failing: set[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve(broken()) as url:
        status, report, statuses = check(capsys, url, *args)
    expected = healthy(**dict.fromkeys(failing, "fail"))
    if "--origin" not in args:
        expected.update({"cors preflight": "skip", "cors stream": "skip"})
    if "--key" not in args:
        expected["wrong key"] = "skip"
    assert statuses == expected, [r for r in report.checks if r.status != expected[r.name]]
    assert status == 1
    assert not report.ok


# --- the parts, without a server ----------------------------------------------------------------


def arrivals(*times: tuple[float, int], last: str = "[DONE]") -> Exchange:
    """Return a stream whose events came at (seconds, read) pairs; the last one is `last`."""
    exchange = Exchange("POST", "/v1/chat/completions", "rid")
    exchange.events = [Arrival("message", "{}", at, read) for at, read in times[:-1]]
    at, read = times[-1]
    exchange.events.append(Arrival("message", last, at, read))
    exchange.reads = max(read for _, read in times)
    return exchange


@pytest.mark.parametrize(
    ("times", "verdict"),
    [
        (((0.2, 1), (0.3, 2), (0.8, 5)), "streamed"),
        (((0.79, 1), (0.8, 1)), "buffered"),
        # Two reads but a burst: a buffer released over a slow link.
        (((0.790, 1), (0.800, 2)), "buffered"),
        # Spread, but a sliver of a long wait: the gap is what a burst could take.
        (((9.0, 1), (9.2, 2)), "buffered"),
        (((0.010, 1), (0.012, 1)), "too fast"),
    ],
)
def test_buffering_verdicts(times: tuple[tuple[float, int], ...], verdict: str) -> None:
    exchange = arrivals(*times)
    assert buffering.spread(exchange, exchange.events[-1]).verdict == verdict


def chat_stream(*data: str) -> Exchange:
    """Return a chat stream exchange carrying these `data:` payloads."""
    exchange = Exchange("POST", "/v1/chat/completions", "rid")
    exchange.events = [Arrival("message", d, 0.0, 1) for d in data]
    return exchange


CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}
USAGE = {
    **CHUNK,
    "choices": [],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def test_chat_stream_parser_wants_usage_then_one_done() -> None:
    good = chat_stream(json.dumps(CHUNK), json.dumps(USAGE), "[DONE]")
    assert len(chat_chunks(good)) == 2
    with pytest.raises(CheckError, match=r"does not end with data: \[DONE\]"):
        chat_chunks(chat_stream(json.dumps(CHUNK), json.dumps(USAGE)))
    with pytest.raises(CheckError, match="events follow"):
        chat_chunks(chat_stream(json.dumps(USAGE), "[DONE]", "[DONE]"))
    with pytest.raises(CheckError, match="no usage chunk"):
        chat_chunks(chat_stream(json.dumps(CHUNK), "[DONE]"))
    with pytest.raises(CheckError, match="not a valid ChatCompletionChunk"):
        chat_chunks(chat_stream(json.dumps({**CHUNK, "choices": "none"}), "[DONE]"))


def response_body(status: str = "completed") -> dict[str, Any]:
    """Return a minimal finished `response` object as Workers AI sends it."""
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.4-pro",
        "status": status,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        # No cache_write_tokens: the recorded Workers AI answers have none.
        "usage": {
            "input_tokens": 1,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 1,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 2,
        },
    }


def responses_stream(*events: dict[str, Any]) -> Exchange:
    """Return a Responses stream exchange carrying these events, named by their type."""
    exchange = Exchange("POST", "/v1/responses", "rid")
    exchange.events = [Arrival(e["type"], json.dumps(e), 0.0, 1) for e in events]
    return exchange


def test_response_parser_accepts_what_workers_ai_sends_and_rejects_broken_objects() -> None:
    assert response_object(response_body()).status == "completed"
    with pytest.raises(CheckError, match="response status is failed"):
        response_object(response_body("failed"))
    broken = response_body()
    del broken["usage"]["input_tokens_details"]["cached_tokens"]
    with pytest.raises(CheckError, match="cached_tokens"):
        response_object(broken)


def test_responses_stream_parser_checks_order_and_the_terminal_event() -> None:
    created = {"type": "response.created", "sequence_number": 0, "response": response_body()}
    done = {"type": "response.completed", "sequence_number": 1, "response": response_body()}
    assert len(response_events(responses_stream(created, done))) == 2
    with pytest.raises(CheckError, match="sequence_number does not increase"):
        response_events(responses_stream(created, {**done, "sequence_number": 0}))
    with pytest.raises(CheckError, match="2 terminal events"):
        response_events(responses_stream(created, done, {**done, "sequence_number": 2}))
    with pytest.raises(CheckError, match="0 terminal events"):
        response_events(responses_stream(created))
    with pytest.raises(CheckError, match="unknown type"):
        response_events(responses_stream(created, {"type": "response.nonsense"}))
    named_wrong = responses_stream(created, done)
    named_wrong.events[1] = Arrival("response.created", named_wrong.events[1].data, 0.0, 1)
    with pytest.raises(CheckError, match=r"event: response\.created"):
        response_events(named_wrong)


def test_the_table_fits_80_columns_and_wraps_long_reasons() -> None:
    report = Report("http://127.0.0.1:8787", "0.1.0", "none", None, True, "0.1.0")
    report.results = [
        Result("health", "pass", "ok", 1.5, 2.0),
        Result("not buffered", "fail", "chat: all events in one burst after 812ms; " * 3),
        Result("gateway log id", "warn", "missing", None, None, True),
        Result("responses", "skip", "--no-model-calls", 25_000.0, 31_000.0, True),
    ]
    table = report.as_table()
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "  FAIL  not buffered      chat: all events in one burst" in table
    assert "25.0s" in table
    assert table.endswith("4 checks: 1 passed, 1 failed, 1 warned, 1 skipped")


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Claim to be a terminal."""
        return True


def test_progress_shows_only_on_a_terminal() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream, 16)
        progress.show(3, "models")
        progress.done()
    assert "[ 3/16] checking models..." in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")
    assert pipe.getvalue() == ""


def echoing_relay(request: httpx.Request) -> httpx.Response:
    """Answer every request with a 401 that quotes the key it was sent (a careless relay)."""
    key = request.headers.get("authorization", "")
    error = {"message": f"bad {key}", "type": "invalid_request_error", "code": key}
    return httpx.Response(401, json={"error": error})


def test_the_key_never_appears_in_the_output_even_when_the_relay_echoes_it() -> None:
    secret = "sk-this-is-the-secret-0123"
    out, err = io.StringIO(), io.StringIO()
    options = Options("https://relay.example", bearer=secret, auth="key", origin=ORIGIN)
    status = run(options, out, err, transport=httpx.MockTransport(echoing_relay))
    assert status == 1
    assert "[redacted]" in out.getvalue()
    assert secret not in out.getvalue() + err.getvalue()
    out = io.StringIO()
    options = Options("https://relay.example", bearer=secret, auth="key", json=True)
    run(options, out, err, transport=httpx.MockTransport(echoing_relay))
    assert secret not in out.getvalue()


def test_an_unreachable_relay_fails_every_check_that_calls_it() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    out = io.StringIO()
    options = Options("http://127.0.0.1:9", json=True)
    assert run(options, out, io.StringIO(), transport=httpx.MockTransport(refuse)) == 1
    report = parse_report(out.getvalue())
    rows = {row.name: row for row in report.checks}
    assert rows["health"].status == "fail"
    assert rows["health"].reason == "no answer: ConnectError: connection refused"
    # Nothing answered, so no check vouches for the answers it never saw.
    assert "pass" not in {row.status for row in report.checks}
    assert rows["request id"].status == "skip"


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
        ("http://127.0.0.1:8787/v1/", "http://127.0.0.1:8787"),
        ("https://relay.example/prefix/", "https://relay.example/prefix"),
    ],
)
def test_the_url_may_name_the_root_or_v1(typed: str, base: str) -> None:
    assert base_url(typed) == base


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "ftp://relay.example"], "URL must be http(s)://host[:port]"),
        (["check", "http://x", "--key", "has a space"], "--key must be visible ASCII"),
        (["check", "http://x", "--origin", "app.example.com"], "--origin must be scheme://"),
    ],
)
def test_a_bad_command_line_exits_2_without_echoing_the_key(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "has a space" not in captured.err + captured.out


def test_key_and_token_are_mutually_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["check", "http://x", "--key", "aaaaaaaa", "--token", "bbbbbbbb"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_without_the_check_extra_it_prints_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("airelay.check.missing_dependencies", lambda: ["openai"])
    assert cli.main(["check", "http://127.0.0.1:8787"]) == 2
    assert capsys.readouterr().err.strip() == INSTALL_HINT
    assert "pip install 'airelay[check]'" in INSTALL_HINT


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://relay.example", "warn"),
        ("http://127.0.0.1:8787", "skip"),
        ("http://[::1]:8787", "skip"),
        ("http://localhost:8787", "skip"),
    ],
)
def test_a_keyless_relay_is_a_warning_unless_it_is_on_loopback(url: str, status: str) -> None:
    prober = Prober(url, None, None, 5.0)
    ctx = Context(prober, url, keyed=False, model_calls=True, origin=None, keyless_relay=True)
    try:
        assert check_wrong_key(ctx)[0] == status
    finally:
        prober.close()
    assert prober.exchanges == []  # nothing to try without a key


def test_a_token_is_sent_as_the_bearer_like_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str | None] = []

    def relay(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(503, json={"error": {"message": "down", "type": "server_error"}})

    out = io.StringIO()
    options = Options("https://relay.example", bearer="tok-0123456789", auth="token", json=True)
    assert run(options, out, io.StringIO(), transport=httpx.MockTransport(relay)) == 1
    report = parse_report(out.getvalue())
    assert report.auth == "token"
    # Every request carries it, bar the one that tries a wrong key on purpose.
    assert seen.count("Bearer tok-0123456789") == len(seen) - 1
    assert "tok-0123456789" not in out.getvalue()
