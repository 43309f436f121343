"""`airelay dev`: serve the core locally with the built-in local model."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from airelay import __version__
from airelay.app import handle
from airelay.asgi import AsgiApp
from airelay.errors import RelayError
from airelay.local_model import LocalModel
from airelay.ratelimit import LocalRateLimiter
from airelay.settings import Settings
from airelay.static import App, with_static_files
from airelay.types import Platform


def read_dev_vars(path: Path) -> dict[str, str]:
    """Read a `.dev.vars` file (dotenv syntax: NAME=value, # comments, optional quotes)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip().removeprefix("export ").strip()] = value
    return values


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
    print(line, file=sys.stderr, flush=True)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="airelay", description=__doc__)
    parser.add_argument("--version", action="version", version=f"airelay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="serve the relay locally with the built-in local model")
    dev.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8787, help="port to bind (default 8787)")
    dev.add_argument(
        "--token-delay-ms",
        type=float,
        default=None,
        help="pause between streamed tokens (default: AIRELAY_TOKEN_DELAY_MS or 0)",
    )
    dev.add_argument(
        "--env-file",
        type=Path,
        default=Path(".dev.vars"),
        help="variables file read on start (default .dev.vars)",
    )
    args = parser.parse_args(argv)

    try:
        import uvicorn
    except ImportError:
        print("airelay dev needs uvicorn: pip install 'airelay[local]'", file=sys.stderr)
        return 2
    env = {**os.environ, **read_dev_vars(args.env_file)}
    delay_ms = args.token_delay_ms
    if delay_ms is None:
        delay_ms = float(env.get("AIRELAY_TOKEN_DELAY_MS") or 0)
    app = build_app(env, token_delay=delay_ms / 1000)
    print(f"airelay {__version__}: local model on http://{args.host}:{args.port}/v1", flush=True)
    print(f"chat page: http://{args.host}:{args.port}/", flush=True)
    print(describe_access(local_env(env), args.host), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
