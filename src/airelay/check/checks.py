"""The checks, in the order they run; each sends at most a few tiny requests."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from airelay.check import parse
from airelay.check.buffering import spread
from airelay.check.parse import CheckError
from airelay.check.probe import Arrival, Exchange, Prober
from airelay.check.report import Result, Status

CHAT_PATH = "/v1/chat/completions"
RESPONSES_PATH = "/v1/responses"
MINI = "openai/gpt-5.4-mini"
PRO = "openai/gpt-5.4-pro"
# The smallest cap OpenAI's Responses API accepts: it refuses max_output_tokens below 16
# (relays work around it, e.g. QuantumNous/new-api#2866). Reasoning tokens count against it.
OUTPUT_CAP = 16
PROMPT = "Reply with one word: OK."
CHAT_BODY: dict[str, Any] = {
    "model": MINI,
    "messages": [{"role": "user", "content": PROMPT}],
    "max_completion_tokens": OUTPUT_CAP,
}
RESPONSES_BODY: dict[str, Any] = {"model": PRO, "input": PROMPT, "max_output_tokens": OUTPUT_CAP}
WRONG_KEY = "airelay-check-wrong-key-0000000000"
UNKNOWN_MODEL = "airelay-check/no-such-model"
PREFLIGHT_HEADERS = ("authorization", "content-type", "x-request-id")


@dataclass
class Context:
    """What the checks share: the prober, the options, and the answers later checks reuse."""

    prober: Prober
    url: str
    keyed: bool
    model_calls: bool
    origin: str | None
    relay_version: str | None = None
    keyless_relay: bool | None = None
    streams: dict[str, Exchange] = field(default_factory=dict)
    model_answers: list[Exchange] = field(default_factory=list)


def _result(
    name: str, status: Status, reason: str, exchange: Exchange | None = None, bills: bool = False
) -> Result:
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    ttfb = ms(exchange.ttfb) if exchange else None
    total = ms(exchange.total) if exchange else None
    return Result(name, status, reason, ttfb, total, bills)


def _no_answer(exchange: Exchange) -> CheckError:
    return CheckError(f"no answer: {exchange.error}")


def _json_ok(exchange: Exchange) -> Any:
    if exchange.error is not None:
        raise _no_answer(exchange)
    if exchange.status != 200:
        code = parse.error_code(exchange)
        hint = ": needs a valid --key" if exchange.status == 401 else ""
        raise CheckError(f"got {exchange.status}{f' {code}' if code else ''}{hint}")
    return parse.json_body(exchange)


# --- the checks --------------------------------------------------------------------------------


def check_health(ctx: Context) -> tuple[Status, str, Exchange]:
    """GET /health answers {"status": "ok"}."""
    exchange = ctx.prober.call("GET", "/health")
    body = _json_ok(exchange)
    if not isinstance(body, dict) or body.get("status") != "ok":
        raise CheckError('body is not {"status": "ok", ...}')
    version = body.get("version")
    ctx.relay_version = version if isinstance(version, str) else None
    return "pass", f"ok, version {ctx.relay_version or 'not given'}", exchange


def check_openapi(ctx: Context) -> tuple[Status, str, Exchange]:
    """GET /openapi.json is an OpenAPI 3.1 document."""
    exchange = ctx.prober.call("GET", "/openapi.json")
    body = _json_ok(exchange)
    version = body.get("openapi") if isinstance(body, dict) else None
    if not isinstance(version, str) or not version.startswith("3.1."):
        raise CheckError(f"openapi is {version!r}, not 3.1.x")
    paths = body.get("paths") if isinstance(body, dict) else None
    missing = [p for p in (CHAT_PATH, RESPONSES_PATH) if p not in (paths or {})]
    if missing:
        raise CheckError(f"paths lack {', '.join(missing)}")
    return "pass", f"OpenAPI {version}", exchange


def check_models(ctx: Context) -> tuple[Status, str, Exchange]:
    """GET /v1/models lists both models in OpenAI's list format."""
    exchange = ctx.prober.call("GET", "/v1/models")
    models = parse.model_list(_json_ok(exchange))
    ids = {model.id for model in models}
    missing = [name for name in (MINI, PRO) if name not in ids]
    if missing:
        raise CheckError(f"the list lacks {', '.join(missing)}")
    if not ctx.keyed:
        ctx.keyless_relay = True
    return "pass", f"{len(models)} models, both served", exchange


def check_chat(ctx: Context) -> tuple[Status, str, Exchange]:
    """A chat completion parses as the SDK's ChatCompletion, with usage."""
    exchange = _ask_model(ctx, CHAT_PATH, CHAT_BODY)
    completion = parse.chat_completion(_json_ok(exchange))
    assert completion.usage is not None
    finish = completion.choices[0].finish_reason if completion.choices else "no choice"
    return "pass", f"{completion.usage.total_tokens} tokens, finish {finish}", exchange


def check_chat_stream(ctx: Context) -> tuple[Status, str, Exchange]:
    """A streamed chat completion: SDK chunks, a usage chunk, then one [DONE]."""
    body = {**CHAT_BODY, "stream": True, "stream_options": {"include_usage": True}}
    exchange = _ask_model(ctx, CHAT_PATH, body, stream=True)
    chunks = parse.chat_chunks(exchange)
    ctx.streams["chat"] = exchange
    return "pass", f"{len(chunks)} chunks, usage, [DONE]", exchange


def check_responses(ctx: Context) -> tuple[Status, str, Exchange]:
    """A response parses as the SDK's Response, finished, with usage."""
    exchange = _ask_model(ctx, RESPONSES_PATH, RESPONSES_BODY)
    response = parse.response_object(_json_ok(exchange))
    assert response.usage is not None
    return "pass", f"{response.usage.total_tokens} tokens, {response.status}", exchange


def check_responses_stream(ctx: Context) -> tuple[Status, str, Exchange]:
    """A streamed response: SDK events, sequence numbers rising, one terminal event last."""
    body = {**RESPONSES_BODY, "stream": True}
    exchange = _ask_model(ctx, RESPONSES_PATH, body, stream=True)
    events = parse.response_events(exchange)
    ctx.streams["responses"] = exchange
    return "pass", f"{len(events)} events in order, ends {events[-1].type}", exchange


def _ask_model(ctx: Context, path: str, body: dict[str, Any], *, stream: bool = False) -> Exchange:
    """POST a model request (a stream from the browser origin), kept among the model answers."""
    exchange = ctx.prober.call("POST", path, json_body=body, with_origin=stream)
    ctx.model_answers.append(exchange)
    if stream:
        _stream_ok(exchange)
    return exchange


def _stream_ok(exchange: Exchange) -> None:
    if exchange.error is not None:
        raise _no_answer(exchange)
    if exchange.status != 200:
        _json_ok(exchange)
    if not exchange.is_stream:
        raise CheckError(f"content-type is {exchange.headers.get('content-type')!r}")


def check_unbuffered(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """Streams arrive as produced: no length or encoding, the first event well before the last."""
    if not ctx.streams:
        return "skip", "no stream answered (see above)", None
    for route, exchange in ctx.streams.items():
        for header in ("content-length", "content-encoding"):
            if header in exchange.headers:
                raise CheckError(f"{route} stream has {header}: {exchange.headers[header]}")
    spreads = {
        route: spread(exchange, _terminal(exchange)) for route, exchange in ctx.streams.items()
    }
    reason = "; ".join(s.describe(route) for route, s in spreads.items())
    verdicts = {s.verdict for s in spreads.values()}
    if "streamed" in verdicts:
        return "pass", reason, None
    if "buffered" in verdicts:
        return "fail", reason, None
    return "warn", f"{reason} (airelay dev: use --token-delay-ms 20)", None


def _terminal(exchange: Exchange) -> Arrival:
    # The parsers above already required the terminal event to be the last one.
    return exchange.events[-1]


def check_bad_body(ctx: Context) -> tuple[Status, str, Exchange]:
    """Broken JSON and an out-of-range value both get a 400 in OpenAI's shape."""
    broken = ctx.prober.call(
        "POST", CHAT_PATH, content=b'{"messages": [', headers={"content-type": "application/json"}
    )
    if broken.error is not None:
        raise _no_answer(broken)
    parse.openai_error(broken, 400)
    invalid = ctx.prober.call("POST", CHAT_PATH, json_body={**CHAT_BODY, "temperature": 7})
    error = parse.openai_error(invalid, 400)
    return "pass", f"400 for bad JSON and {error.code or error.type} for temperature 7", broken


def check_wrong_key(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """A wrong key gets a 401 in OpenAI's shape."""
    if not ctx.keyed:
        if ctx.keyless_relay and not _is_loopback(ctx.url):
            return "warn", "the relay let a caller in with no key: anyone can use it", None
        return "skip", "no --key or --token given", None
    exchange = ctx.prober.call("GET", "/v1/models", bearer=WRONG_KEY)
    if exchange.error is not None:
        raise _no_answer(exchange)
    if exchange.status == 200:
        raise CheckError("a wrong key was let in (200)")
    error = parse.openai_error(exchange, 401)
    return "pass", f"401 {error.code or error.type}", exchange


def check_unknown_model(ctx: Context) -> tuple[Status, str, Exchange]:
    """An unknown model gets a 404 in OpenAI's shape."""
    exchange = ctx.prober.call("POST", CHAT_PATH, json_body={**CHAT_BODY, "model": UNKNOWN_MODEL})
    if exchange.error is not None:
        raise _no_answer(exchange)
    error = parse.openai_error(exchange, 404)
    return "pass", f"404 {error.code or error.type}", exchange


def check_wrong_method(ctx: Context) -> tuple[Status, str, Exchange]:
    """GET on a POST route gets a 405 with Allow, in OpenAI's shape."""
    exchange = ctx.prober.call("GET", CHAT_PATH)
    if exchange.error is not None:
        raise _no_answer(exchange)
    parse.openai_error(exchange, 405)
    allow = exchange.headers.get("allow")
    if allow is None:
        raise CheckError("405 without an Allow header")
    if "POST" not in _tokens(allow, upper=True):
        raise CheckError(f"Allow: {allow} lacks POST")
    return "pass", f"405, Allow: {allow}", exchange


def check_preflight(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """A CORS preflight from --origin is granted POST and the headers callers send."""
    if ctx.origin is None:
        return "skip", "no --origin given", None
    exchange = ctx.prober.call(
        "OPTIONS",
        CHAT_PATH,
        headers={
            "origin": ctx.origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": ", ".join(PREFLIGHT_HEADERS),
        },
    )
    if exchange.error is not None:
        raise _no_answer(exchange)
    if not 200 <= exchange.status < 300:
        raise CheckError(f"preflight got {exchange.status}")
    _allows_origin(exchange, ctx.origin)
    methods = _tokens(exchange.headers.get("access-control-allow-methods", ""), upper=True)
    if "POST" not in methods and "*" not in methods:
        raise CheckError("access-control-allow-methods lacks POST")
    granted = _tokens(exchange.headers.get("access-control-allow-headers", ""))
    missing = [h for h in PREFLIGHT_HEADERS if h not in granted and "*" not in granted]
    if missing:
        raise CheckError(f"access-control-allow-headers lacks {', '.join(missing)}")
    return "pass", f"{exchange.status}, POST and headers allowed", exchange


def check_cors_stream(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """Streamed answers to --origin carry access-control-allow-origin and expose x-request-id."""
    if ctx.origin is None:
        return "skip", "no --origin given", None
    if not ctx.streams:
        return "skip", "no stream answered (see above)", None
    for route, exchange in ctx.streams.items():
        try:
            _allows_origin(exchange, ctx.origin)
        except CheckError as error:
            raise CheckError(f"{route} stream: {error}") from None
        exposed = _tokens(exchange.headers.get("access-control-expose-headers", ""))
        if "x-request-id" not in exposed and "*" not in exposed:
            raise CheckError(f"{route} stream does not expose x-request-id")
    return "pass", f"{' and '.join(ctx.streams)} streams readable from the origin", None


def check_request_id(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """Every answer echoes the caller's x-request-id."""
    answered = [e for e in ctx.prober.exchanges if e.error is None]
    if not answered:
        # Nothing answered (the relay is down): there is nothing to vouch for.
        return "skip", "no answer to look at", None
    wrong = [e for e in answered if e.headers.get("x-request-id") != e.request_id]
    if wrong:
        first = wrong[0]
        raise CheckError(
            f"{len(wrong)} of {len(answered)} answers did not echo it, "
            f"e.g. {first.method} {first.path} ({first.status})"
        )
    return "pass", f"echoed on all {len(answered)} answers", None


def check_log_id(ctx: Context) -> tuple[Status, str, Exchange | None]:
    """Model answers carry AI Gateway's cf-aig-log-id."""
    answers = [e for e in ctx.model_answers if e.status == 200]
    if not answers:
        return "skip", "no model answer to look at", None
    missing = [e for e in answers if not e.headers.get("cf-aig-log-id")]
    if missing:
        return (
            "warn",
            f"missing on {len(missing)} of {len(answers)} model answers "
            "(the local host has none; the Worker gets one from AI Gateway)",
            None,
        )
    return "pass", f"present on all {len(answers)} model answers", None


def _allows_origin(exchange: Exchange, origin: str) -> None:
    allowed = exchange.headers.get("access-control-allow-origin")
    if allowed is None:
        raise CheckError("no access-control-allow-origin")
    if allowed != "*" and allowed.rstrip("/").lower() != origin.rstrip("/").lower():
        raise CheckError(f"access-control-allow-origin is {allowed}")


def _tokens(value: str, upper: bool = False) -> set[str]:
    parts = {part.strip() for part in value.split(",") if part.strip()}
    return {p.upper() for p in parts} if upper else {p.lower() for p in parts}


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


CheckFunction = Callable[[Context], tuple[Status, str, Exchange | None]]
# (name, bills, function): `bills` marks the checks that call a model, which
# --no-model-calls skips.
CHECKS: tuple[tuple[str, bool, CheckFunction], ...] = (
    ("health", False, check_health),
    ("openapi", False, check_openapi),
    ("models", False, check_models),
    ("chat", True, check_chat),
    ("chat stream", True, check_chat_stream),
    ("responses", True, check_responses),
    ("responses stream", True, check_responses_stream),
    ("not buffered", True, check_unbuffered),
    ("bad body", False, check_bad_body),
    ("wrong key", False, check_wrong_key),
    ("unknown model", False, check_unknown_model),
    ("wrong method", False, check_wrong_method),
    ("cors preflight", False, check_preflight),
    ("cors stream", True, check_cors_stream),
    ("request id", False, check_request_id),
    ("gateway log id", True, check_log_id),
)


def run_one(ctx: Context, name: str, bills: bool, function: CheckFunction) -> Result:
    """Run one check; its CheckError becomes a failed row, never an exception."""
    if bills and not ctx.model_calls:
        return _result(name, "skip", "--no-model-calls", bills=bills)
    before = len(ctx.prober.exchanges)
    try:
        status, reason, exchange = function(ctx)
    except CheckError as error:
        made = ctx.prober.exchanges[before:]
        return _result(name, "fail", str(error), made[0] if made else None, bills)
    return _result(name, status, reason, exchange, bills)
