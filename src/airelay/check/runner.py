"""Run every check against one relay and report: exit status 0 when nothing failed, else 1."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from typing import Literal, TextIO
from urllib.parse import urlsplit

import httpx

from airelay import __version__
from airelay.check.checks import CHECKS, Context, run_one
from airelay.check.probe import Prober
from airelay.check.report import Progress, Report, Result

_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


class UsageError(Exception):
    """A bad command line; reported in one line with exit status 2."""


@dataclass(frozen=True)
class Options:
    """What `airelay check` was asked to do."""

    url: str
    bearer: str | None = None
    auth: Literal["key", "token", "none"] = "none"
    origin: str | None = None
    json: bool = False
    model_calls: bool = True
    timeout: float = 120.0


def base_url(url: str) -> str:
    """Return the relay's root URL from what the user typed (a trailing /v1 is dropped)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"URL must be http(s)://host[:port], got {url!r}")
    if parts.query or parts.fragment:
        raise UsageError("URL must not have a query or fragment")
    path = parts.path.rstrip("/")
    path = path.removesuffix("/v1")
    return f"{parts.scheme}://{parts.netloc}{path}"


def validate(options: Options) -> Options:
    """Check the options; raise UsageError, never naming the key or token."""
    url = base_url(options.url)
    if options.bearer is not None and not _VISIBLE_ASCII.fullmatch(options.bearer):
        # The value is never echoed: it is a secret.
        raise UsageError(f"--{options.auth} must be visible ASCII characters with no spaces")
    if options.origin is not None:
        origin = urlsplit(options.origin)
        if (
            origin.scheme not in ("http", "https")
            or not origin.netloc
            or origin.path not in ("", "/")
        ):
            raise UsageError(f"--origin must be scheme://host[:port], got {options.origin!r}")
    if options.timeout <= 0:
        raise UsageError("--timeout must be > 0 seconds")
    return replace(options, url=url)


def run(
    options: Options,
    out: TextIO | None = None,
    err: TextIO | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Run the checks and print the report (stdout; progress on stderr); return the status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        options = validate(options)
    except UsageError as error:
        print(f"airelay check: {error}", file=err)
        return 2
    prober = Prober(options.url, options.bearer, options.origin, options.timeout, transport)
    ctx = Context(
        prober=prober,
        url=options.url,
        keyed=options.bearer is not None,
        model_calls=options.model_calls,
        origin=options.origin,
    )
    report = Report(
        url=options.url,
        checker_version=__version__,
        auth=options.auth,
        origin=options.origin,
        model_calls=options.model_calls,
    )
    progress = Progress(err, len(CHECKS))
    try:
        for number, (name, bills, function) in enumerate(CHECKS, start=1):
            progress.show(number, name)
            report.results.append(_redacted(run_one(ctx, name, bills, function), options.bearer))
    finally:
        progress.done()
        prober.close()
    report.relay_version = ctx.relay_version
    print(report.as_json() if options.json else report.as_table(), file=out)
    return 0 if report.ok else 1


def _redacted(result: Result, secret: str | None) -> Result:
    # Reasons quote what the relay said; a relay that echoes the key must not make us print it.
    if secret and secret in result.reason:
        return replace(result, reason=result.reason.replace(secret, "[redacted]"))
    return result
