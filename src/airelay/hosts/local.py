"""The local host's wiring: the core over the local model, the page, and one log line each."""

from __future__ import annotations

import asyncio
import atexit
import sys
from collections.abc import Callable, Mapping

from airelay.backends import upstream
from airelay.backends.local import LocalModel
from airelay.backends.ratelimit import LocalRateLimiter
from airelay.core.app import handle
from airelay.core.auth import is_keyless, keyless_by_default
from airelay.core.errors import RelayError
from airelay.core.settings import Settings
from airelay.core.types import LogRecord, Platform
from airelay.hosts.asgi import AsgiApp, HostCheck, is_loopback
from airelay.hosts.keys import LocalTokenKeys
from airelay.hosts.static import App, with_static_files

# The operator's extra Host names for a keyless local host on loopback (docs/local-host.md).
ALLOWED_HOSTS_VARIABLE = "ALLOWED_HOSTS"


def has_upstream(env: Mapping[str, str]) -> bool:
    """Tell whether a real, possibly billed, upstream answers instead of the local model."""
    return bool(env.get(upstream.BASE_URL_VARIABLE, "").strip())


def local_env(env: Mapping[str, str]) -> dict[str, str]:
    """Return the local host's variables: keyless unless keys are set (docs/local-host.md)."""
    # Keyless with an upstream, any web page the browser visits could spend the operator's
    # money: no origin is allowed until the operator names some (docs/security.md).
    billed = has_upstream(env)
    local = keyless_by_default(env, any_origin=not billed)
    # The built-in model runs every tool offline, billing nothing and reaching nothing: all
    # tool types pass unless the operator narrows them (docs/api.md, "What is accepted"). An
    # upstream keeps the Worker's default (core/tool_policy.py).
    if not billed and not local.get("ALLOWED_TOOLS", "").strip():
        local["ALLOWED_TOOLS"] = "*"
    return local


def checks_host(env: Mapping[str, str], bind: str | None) -> bool:
    """Tell whether the host must refuse Host headers not naming loopback (DNS rebinding)."""
    # Only a keyless host on loopback: with keys, a rebound page has no key to send; bound to
    # another interface, the operator chose to be reached by other names.
    return bind is not None and is_loopback(bind) and is_keyless(env)


class LogLines:
    """Write log records to stderr after the answers of the event-loop step that logged them."""

    def __init__(self) -> None:
        self._pending: list[LogRecord] = []
        # A record still pending when the loop stops without another step is not lost.
        atexit.register(self.flush)

    def __call__(self, record: LogRecord) -> None:
        """Write `record` soon: once this loop step's answers are out, with the step's others."""
        # The core logs before the host sends the answer; rendering and writing here would
        # put the JSON encoding and a system call (more, to a terminal) before the first byte,
        # and a write per request under load. Nothing changes a record once it is logged.
        # With the forwarding of hosts/asgi.py, a chat request's first byte left after 72 us
        # instead of 111, old and new code interleaved in process (docs/performance.md; the
        # in-process first byte is bench/http_stack.py's asleep_cost reading).
        if not self._pending:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:
                self._pending.append(record)
                self.flush()
                return
        self._pending.append(record)

    def flush(self) -> None:
        """Render and write the pending records now, in one write."""
        if not self._pending:
            return
        records, self._pending = self._pending, []
        sys.stderr.write("".join(f"{record.line()}\n" for record in records))
        sys.stderr.flush()


def build_app(
    env: Mapping[str, str],
    token_delay: float = 0.0,
    log: Callable[[str], None] | None = None,
    *,
    records: Callable[[LogRecord], None] | None = None,
    bind: str | None = None,
) -> App:
    """Build the local host's ASGI app over a fixed environment, serving the page at `/`."""
    # `bind` is the address the server listens on; None (in-process tests) checks no Host.
    # `log` takes each rendered line at once; `records` each record unrendered (the benchmark's
    # in-process app, which leaves rendering out as the server does until the answer is out).
    backend = upstream.backend(env) or LocalModel(token_delay=token_delay)
    write = records or (LogLines() if log is None else _rendered(log))
    frozen = local_env(env)
    limiter = _rate_limiter(frozen)
    platform = Platform(
        backend=backend, env=frozen, rate_limiter=limiter, log=write, token_keys=LocalTokenKeys()
    )
    app = with_static_files(AsgiApp(handle, lambda: platform))
    if checks_host(frozen, bind):
        return HostCheck(app, frozen.get(ALLOWED_HOSTS_VARIABLE, ""))
    return app


def _rendered(write_line: Callable[[str], None]) -> Callable[[LogRecord], None]:
    """Return a log that hands each record's line to `write_line` at once."""

    def write(record: LogRecord) -> None:
        write_line(record.line())

    return write


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
    line = settings.access.describe(host)
    if settings.access.allow_anonymous and is_keyless(env):
        if has_upstream(env) and not env.get("CORS_ALLOW_ORIGINS", "").strip():
            line += (
                "; no web page may call it, since the upstream bills "
                "(set CORS_ALLOW_ORIGINS to allow some)"
            )
        if checks_host(env, host):
            line += "; Host must name loopback (ALLOWED_HOSTS adds names)"
    return line
