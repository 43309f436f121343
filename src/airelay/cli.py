"""`airelay dev` serves the core locally with the local model; `airelay token` mints a token."""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from airelay import __version__
from airelay.backends import upstream
from airelay.core.flags import parse_number
from airelay.core.tokens import mint_token, parse_duration, parse_secrets
from airelay.hosts.local import build_app, describe_access, local_env

DEFAULT_ENV_FILE = Path(".dev.vars")
TOKEN_DELAY_VARIABLE = "AIRELAY_TOKEN_DELAY_MS"
LOCAL_MODEL_LINE = "the built-in local model (offline; bills nothing, reaches nothing)"

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


# Connection deadlines (docs/security.md, "Connection deadlines"): flag -> variable, default, help.
_DEADLINES = {
    "header-timeout": (
        "AIRELAY_HEADER_TIMEOUT_S",
        10.0,
        "from connecting (or a keep-alive pause) to the end of the request headers",
    ),
    "body-timeout": (
        "AIRELAY_BODY_TIMEOUT_S",
        30.0,
        "from the end of the headers to the end of the request body (then 408)",
    ),
    "keep-alive-timeout": (
        "AIRELAY_KEEP_ALIVE_TIMEOUT_S",
        5.0,
        "an idle connection stays open after an answer",
    ),
}


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
        return parse_number(raw, name, "milliseconds", zero=True)
    except ValueError as error:
        raise CliError(str(error)) from None


def deadline_seconds(flag: str, raw: str | None, env: Mapping[str, str]) -> float:
    """Return the deadline `flag` sets, else its variable's, else its default."""
    variable, default, _ = _DEADLINES[flag]
    name = f"--{flag}" if raw is not None else variable
    text = raw if raw is not None else env.get(variable, "").strip()
    if not text:
        return float(default)
    try:
        return parse_number(text, name, "seconds")
    except ValueError as error:
        raise CliError(str(error)) from None


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
    dev.add_argument("--upstream", default=None, metavar="URL|PRESET", help=upstream.FLAG_HELP)
    dev.add_argument(
        "--token-delay-ms",
        default=None,
        metavar="MS",
        help=f"pause between streamed tokens (default: {TOKEN_DELAY_VARIABLE} or 0)",
    )
    for flag, (variable, default, what) in _DEADLINES.items():
        dev.add_argument(
            f"--{flag}",
            default=None,
            metavar="S",
            help=f"seconds {what} (default: {variable} or {default:g})",
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
        choices=("h11", "httptools"),
        default="h11",
        help="uvicorn's HTTP parser: h11 (default) with the header and body deadlines and JSON "
        "answers to bad HTTP (hosts/guard.py), or httptools, faster but without them",
    )
    dev.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop (default auto: uvloop when installed, else asyncio)",
    )
    token = commands.add_parser(
        "token", help="print a short-lived token signed with the first of TOKEN_SECRETS"
    )
    token.add_argument("--sub", required=True, help="the caller's identity (the `sub` claim)")
    token.add_argument("--ttl", default="10m", help="lifetime: 600, 90s, 10m, 1h (default 10m)")
    token.add_argument(
        "--route", action="append", default=None, help="allow only this route (repeatable)"
    )
    token.add_argument(
        "--max-output-tokens", type=int, default=None, metavar="N", help="lower output cap"
    )
    token.add_argument(
        "--env-file", type=Path, default=None, help=f"variables file (default {DEFAULT_ENV_FILE})"
    )
    _add_check_parser(commands)
    return parser


def _add_check_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check", help="check that a relay (the deployed Worker or airelay dev) works"
    )
    check.add_argument("url", help="the relay's URL, e.g. https://airelay.example.workers.dev")
    auth = check.add_mutually_exclusive_group()
    auth.add_argument("--key", default=None, help="an API key of the relay (sent as a bearer)")
    auth.add_argument("--token", default=None, help="a token for the relay (sent as a bearer)")
    check.add_argument("--origin", default=None, help="a frontend origin to check CORS for")
    check.add_argument("--json", action="store_true", help="print a JSON report instead")
    check.add_argument(
        "--no-model-calls", action="store_true", help="skip every check that calls a model"
    )
    check.add_argument(
        "--timeout", type=float, default=120.0, help="seconds per request (default 120)"
    )


def _check(args: argparse.Namespace) -> int:
    from airelay.check import INSTALL_HINT, missing_dependencies

    if missing_dependencies():
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    from airelay.check.runner import Options, run

    options = Options(
        url=args.url,
        origin=args.origin,
        json=args.json,
        model_calls=not args.no_model_calls,
        timeout=args.timeout,
    )
    if args.key is not None:
        options = replace(options, bearer=args.key, auth="key")
    elif args.token is not None:
        options = replace(options, bearer=args.token, auth="token")
    return run(options)


def token_command(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    """Return the token `airelay token` prints; raise CliError on a bad argument or secret."""
    dev_vars = read_dev_vars(args.env_file or DEFAULT_ENV_FILE, required=args.env_file is not None)
    raw = {**environ, **(dev_vars or {})}.get("TOKEN_SECRETS", "")
    try:
        secrets = parse_secrets(raw)
        ttl = parse_duration(args.ttl)
        if not secrets:
            raise ValueError("set TOKEN_SECRETS (in the environment or .dev.vars)")
        return mint_token(
            secrets[0],
            args.sub,
            ttl,
            routes=args.route,
            max_output_tokens=args.max_output_tokens,
        )
    except ValueError as error:
        raise CliError(str(error)) from None


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
    if args.command == "check":
        return _check(args)
    if args.command == "token":
        try:
            print(token_command(args, os.environ))
        except CliError as error:
            print(f"airelay token: {error}", file=sys.stderr)
            return 2
        return 0
    try:
        import uvicorn

        from airelay.hosts.guard import guarded_protocol
    except ImportError:
        print("airelay dev needs uvicorn: pip install 'airelay[local]'", file=sys.stderr)
        return 2
    try:
        env_file: Path = args.env_file or DEFAULT_ENV_FILE
        dev_vars = read_dev_vars(env_file, required=args.env_file is not None)
        # `.dev.vars` wins over the process environment, as it does for `wrangler dev`.
        env = {**os.environ, **(dev_vars or {})}
        if args.upstream is not None:
            env[upstream.BASE_URL_VARIABLE] = args.upstream
        upstream_config = upstream.from_env(env)  # a bad variable stops the start, in one line
        if args.token_delay_ms is not None:
            delay_ms = token_delay_ms(args.token_delay_ms, "--token-delay-ms")
        else:
            raw = env.get(TOKEN_DELAY_VARIABLE, "").strip()
            delay_ms = token_delay_ms(raw, TOKEN_DELAY_VARIABLE) if raw else 0.0
        header_s, body_s, keep_alive_s = (
            deadline_seconds(flag, getattr(args, flag.replace("-", "_")), env)
            for flag in _DEADLINES
        )
    except (CliError, upstream.UpstreamConfigError) as error:
        print(f"airelay dev: {error}", file=sys.stderr)
        return 2
    app = build_app(env, token_delay=delay_ms / 1000, bind=args.host)
    host = f"[{args.host}]" if ":" in args.host else args.host
    model = LOCAL_MODEL_LINE if upstream_config is None else upstream_config.describe()
    print(f"airelay {__version__}: relay on http://{host}:{args.port}/v1", flush=True)
    print(f"model: {model}", flush=True)
    print(f"chat page: http://{host}:{args.port}/", flush=True)
    print(describe_vars(env_file, dev_vars), flush=True)
    print(describe_access(local_env(env), args.host), flush=True)
    print(f"server: uvicorn on {server_stack(args.http, args.loop)}", flush=True)
    # proxy_headers=False: uvicorn's default trusts X-Forwarded-For/-Proto from loopback peers
    # (forwarded_allow_ips 127.0.0.1) and rewrites the client address with it, so any local
    # caller could name a fresh address per request and escape the per-IP rate limit of
    # keyless callers. The local host sits behind no proxy: the socket's peer is the caller.
    # access_log=False: uvicorn's access line prints the query string (`?api_key=...`); the
    # relay's own JSON line per request is the access log, and it never holds a key.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        access_log=False,
        # uvicorn's h11 protocol with header and body deadlines and JSON for bad HTTP
        # (hosts/guard.py); httptools (--http httptools, for benchmarks) has neither.
        http=guarded_protocol(header_s, body_s) if args.http == "h11" else args.http,
        loop=args.loop,
        # uvicorn arms it after each answer; ceil: its Config takes whole seconds.
        timeout_keep_alive=math.ceil(keep_alive_s),
    )
    return 0
