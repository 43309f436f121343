"""`airelay dev`: serve the core locally with the built-in local model."""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from airelay import __version__
from airelay.backends.local_model import LocalModel
from airelay.backends.ratelimit import LocalRateLimiter
from airelay.core.app import handle
from airelay.core.errors import RelayError
from airelay.core.settings import Settings
from airelay.core.types import Platform
from airelay.hosts.asgi import AsgiApp
from airelay.hosts.static import App, with_static_files

DEFAULT_ENV_FILE = Path(".dev.vars")
TOKEN_DELAY_VARIABLE = "AIRELAY_TOKEN_DELAY_MS"

# wrangler's own `.dev.vars` parser (dotenv 16's LINE pattern), so both read a file alike: an
# optional `export `, `NAME=value` (or `NAME: value`), a value quoted with ' " or ` (and then
# free to span lines or hold `#`), or unquoted up to the first `#`, then an optional comment.
_DOTENV_LINE = re.compile(
    r"^\s*(?:export\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*?|:\s+?)"
    r"(\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?"
    r"\s*(?:#.*)?$",
    re.MULTILINE,
)
_QUOTED = re.compile(r"^(['\"`])([\s\S]*)\1$", re.MULTILINE)


class CliError(Exception):
    """A mistake in the command line or its files, reported in one line with exit status 2."""


def parse_dev_vars(text: str) -> dict[str, str]:
    """Parse `.dev.vars` text exactly as wrangler does (dotenv syntax, no `${}` expansion)."""
    values: dict[str, str] = {}
    # wrangler's pattern skips a byte order mark as white space; Python's `\s` does not.
    text = re.sub(r"\r\n?", "\n", text.removeprefix("\ufeff"))
    for match in _DOTENV_LINE.finditer(text):
        value = (match.group(2) or "").strip()
        quote = value[:1]
        value = _QUOTED.sub(r"\2", value)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        values[match.group(1)] = value
    return values


def read_dev_vars(path: Path, required: bool = False) -> dict[str, str] | None:
    """Read a variables file; `None` if it is absent and not `required` (else a CliError)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise CliError(f"--env-file {path}: no such file") from None
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = (error.strerror or str(error)) if isinstance(error, OSError) else "not UTF-8"
        raise CliError(f"cannot read {path}: {reason}") from None
    return parse_dev_vars(text)


def token_delay_ms(raw: str, name: str) -> float:
    """Parse a token delay in milliseconds; a CliError names `name` if it is not one."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise CliError(f"{name} must be a number of milliseconds >= 0, got {raw!r}")
    return value


def local_env(env: Mapping[str, str]) -> dict[str, str]:
    """Return the local host's variables: keyless unless keys are set (README "Local host")."""
    local = dict(env)
    if local.get("API_KEYS", "").strip():
        return local
    # Keyless by default; an operator's explicit ALLOW_ANONYMOUS=false stands.
    allow = local.get("ALLOW_ANONYMOUS", "").strip() or "true"
    local["ALLOW_ANONYMOUS"] = allow
    if allow.lower() in ("true", "1", "yes", "on"):
        local.setdefault("CORS_ALLOW_ORIGINS", "*")
    return local


def _log_line(line: str) -> None:
    # One write per line: print() writes the line and its newline separately.
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def build_app(
    env: Mapping[str, str], token_delay: float = 0.0, log: Callable[[str], None] = _log_line
) -> App:
    """Build the local host's ASGI app over a fixed environment, serving the page at `/`."""
    backend = LocalModel(token_delay=token_delay)
    frozen = local_env(env)
    limiter = _rate_limiter(frozen)
    platform = Platform(backend=backend, env=frozen, rate_limiter=limiter, log=log)
    return with_static_files(AsgiApp(handle, lambda: platform))


def _rate_limiter(env: Mapping[str, str]) -> LocalRateLimiter | None:
    # Same variables as the Worker's README section; a bad value is reported per request.
    try:
        settings = Settings.from_env(env)
    except RelayError:
        return None
    if settings.rate_limit_requests is None:
        return None
    return LocalRateLimiter(settings.rate_limit_requests, settings.rate_limit_period)


def describe_access(env: Mapping[str, str], host: str) -> str:
    """Say on start who may call the relay, so keyless access is never a surprise."""
    try:
        settings = Settings.from_env(env)
    except RelayError as error:
        return f"warning: {error.message}"
    if settings.api_keys:
        keys = len(settings.api_keys)
        anyone = " (and keyless callers: ALLOW_ANONYMOUS=true)" if settings.allow_anonymous else ""
        return f"access: {keys} API key(s) from API_KEYS{anyone}"
    if not settings.allow_anonymous:
        return (
            "access: locked: set API_KEYS (or ALLOW_ANONYMOUS=true); /v1 answers 500 "
            "misconfigured until then"
        )
    return (
        f"access: keyless: anyone who can reach {host} may call it (set API_KEYS to require keys)"
    )


def describe_vars(path: Path, values: Mapping[str, str] | None) -> str:
    """Say on start where variables came from: how many, never their values."""
    where = path.resolve()
    if values is None:
        return f"vars: no {where}; using the process environment only"
    count = len(values)
    noun = "variable" if count == 1 else "variables"
    return f"vars: {count} {noun} from {where} (they override the process environment)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="airelay", description=__doc__)
    parser.add_argument("--version", action="version", version=f"airelay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="serve the relay locally with the built-in local model")
    dev.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8787, help="port to bind (default 8787)")
    dev.add_argument(
        "--token-delay-ms",
        default=None,
        metavar="MS",
        help=f"pause between streamed tokens (default: {TOKEN_DELAY_VARIABLE} or 0)",
    )
    dev.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help=(
            "variables file read on start, overriding the process environment "
            f"(default {DEFAULT_ENV_FILE} in the current directory, if present)"
        ),
    )
    dev.add_argument(
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="uvicorn's HTTP parser (default auto: httptools when installed, else h11)",
    )
    dev.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop (default auto: uvloop when installed, else asyncio)",
    )
    return parser


def server_stack(http: str, loop: str) -> str:
    """Name the HTTP parser and event loop uvicorn will use, resolving `auto` as uvicorn does."""
    # uvicorn's `auto` picks httptools and uvloop when they import (uvicorn/config.py).
    if http == "auto":
        http = "httptools" if _importable("httptools") else "h11"
    if loop == "auto":
        loop = "uvloop" if _importable("uvloop") else "asyncio"
    return f"{http}+{loop}"


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = _parser().parse_args(argv)
    try:
        import uvicorn
    except ImportError:
        print("airelay dev needs uvicorn: pip install 'airelay[local]'", file=sys.stderr)
        return 2
    try:
        env_file: Path = args.env_file or DEFAULT_ENV_FILE
        dev_vars = read_dev_vars(env_file, required=args.env_file is not None)
        # `.dev.vars` wins over the process environment, as it does for `wrangler dev`.
        env = {**os.environ, **(dev_vars or {})}
        if args.token_delay_ms is not None:
            delay_ms = token_delay_ms(args.token_delay_ms, "--token-delay-ms")
        else:
            raw = env.get(TOKEN_DELAY_VARIABLE, "").strip()
            delay_ms = token_delay_ms(raw, TOKEN_DELAY_VARIABLE) if raw else 0.0
    except CliError as error:
        print(f"airelay dev: {error}", file=sys.stderr)
        return 2
    app = build_app(env, token_delay=delay_ms / 1000)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"airelay {__version__}: local model on http://{host}:{args.port}/v1", flush=True)
    print(f"chat page: http://{host}:{args.port}/", flush=True)
    print(describe_vars(env_file, dev_vars), flush=True)
    print(describe_access(local_env(env), args.host), flush=True)
    print(f"server: uvicorn on {server_stack(args.http, args.loop)}", flush=True)
    # proxy_headers=False: uvicorn's default trusts X-Forwarded-For/-Proto from loopback peers
    # (forwarded_allow_ips 127.0.0.1) and rewrites the client address with it, so any local
    # caller could name a fresh address per request and escape the per-IP rate limit of
    # keyless callers. The local host sits behind no proxy: the socket's peer is the caller.
    # access_log=False: the relay writes its own JSON line per request; uvicorn's would repeat it.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        access_log=False,
        http=args.http,
        loop=args.loop,
    )
    return 0
