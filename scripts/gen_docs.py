"""Render the docs' reference tables from the code: `python scripts/gen_docs.py [--check]`.

The configuration page's variables come from `Settings` (type, default, bounds, and the field's
documentation metadata) and from the local host's own variables (backends/upstream/config.py,
cli.py); the HTTP API page's endpoints from `ENDPOINTS`. Each table sits in its page between
`<!-- generated: NAME -->` and `<!-- end generated: NAME -->`; the rest of the page is prose.
`--check` rewrites nothing and exits 1 when a page is out of date (tests/test_docs.py runs it).
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import annotated_types
from pydantic.fields import FieldInfo

from airelay import cli
from airelay.backends.upstream import config as upstream_config
from airelay.core.catalog import MINI, PRO
from airelay.core.endpoints import ENDPOINTS, Endpoint
from airelay.core.settings import Settings
from airelay.core.tool_policy import TOOL_TYPES
from airelay.hosts import local

REPO = Path(__file__).resolve().parents[1]
LOCAL_HOST = "local host (`airelay dev`)"
DEADLINES_PAGE = "security.md#connection-deadlines-local-host"
API_NAMES = {"chat.completions": "OpenAI Chat Completions", "responses": "OpenAI Responses"}

Row = tuple[str, ...]


def _table(header: Sequence[str], rows: Iterable[Row]) -> str:
    lines = [
        f"| {' | '.join(header)} |",
        f"|{'|'.join('---' for _ in header)}|",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]
    return "\n".join(lines)


def _extra(field: FieldInfo) -> dict[str, Any]:
    extra = field.json_schema_extra
    if not isinstance(extra, dict):
        raise SystemExit(f"{field.alias}: no documentation metadata (core/settings.py `_doc`)")
    return extra


def _type(field: FieldInfo) -> str:
    kind = _extra(field)["kind"]
    if kind:
        return str(kind)
    annotation = field.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Union or type(annotation).__name__ == "UnionType":
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if annotation is bool:
        return "true/false"
    if annotation is int:
        return "integer"
    if annotation is str:
        return "text"
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{v}`" for v in typing.get_args(annotation))
    raise SystemExit(f"{field.alias}: say its type in `_doc(kind=...)`")


def _bounds(field: FieldInfo) -> str:
    low = high = None
    parts: list[str] = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"{item.ge}"
        elif isinstance(item, annotated_types.Gt):
            low = f"> {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = f"{item.le}"
        elif isinstance(item, annotated_types.MaxLen):
            parts.append(f"at most {item.max_length} characters")
        elif getattr(item, "pattern", None):
            parts.append(f"matches `{item.pattern}`")
    if low is not None and high is not None and not low.startswith(">"):
        parts.insert(0, f"{low} .. {high}")
    else:
        limits = [low if low is None or low.startswith(">") else f">= {low}"]
        limits.append(None if high is None else f"<= {high}")
        parts[:0] = [limit for limit in limits if limit]
    rule = _extra(field)["rule"]
    if rule:
        parts.append(str(rule))
    return "; ".join(parts) or "-"


def _default(field: FieldInfo) -> str:
    extra = _extra(field)
    value = field.default
    if extra["default"]:
        text = str(extra["default"])
    elif value is None or value == ():
        text = "none"
    elif isinstance(value, bool):
        text = f"`{str(value).lower()}`"
    elif isinstance(value, frozenset):
        left_out = [f"`{name}`" for name in TOOL_TYPES if name not in value]
        text = "every type but " + ", ".join(left_out)
    else:
        text = f"`{value}`"
    if extra["local_default"]:
        text += f" (local host: {extra['local_default']})"
    return text


def settings_rows() -> list[Row]:
    """Return one row per `Settings` variable."""
    rows: list[Row] = []
    for field in Settings.model_fields.values():
        extra = _extra(field)
        rows.append(
            (
                f"`{field.alias}`",
                _type(field),
                _default(field),
                _bounds(field),
                str(extra["read_by"]),
                "secret" if extra["secret"] else "-",
                str(field.description),
            )
        )
    return rows


def local_rows() -> list[Row]:
    """Return one row per variable the local host reads besides `Settings`."""
    seconds = "seconds"
    presets = ", ".join(f"`{p}`" for p in upstream_config.PRESETS)
    rows: list[Row] = [
        (
            f"`{upstream_config.BASE_URL_VARIABLE}`",
            f"an http(s) URL, or {presets}",
            "none (the built-in local model answers)",
            "no user, password, query or fragment",
            LOCAL_HOST,
            "-",
            "the upstream that answers instead of the local model; `--upstream` wins "
            "([Real models](upstreams.md))",
        ),
        (
            "`UPSTREAM_API_KEY`",
            "text",
            "none",
            "-",
            LOCAL_HOST,
            "secret",
            "the upstream's key, sent as `Authorization: Bearer`",
        ),
        (
            "`UPSTREAM_CHAT_MODEL`",
            "text",
            f"`{MINI.binding_id}`",
            "-",
            LOCAL_HOST,
            "-",
            f"the model the upstream is asked for on `{MINI.path}`",
        ),
        (
            "`UPSTREAM_RESPONSES_MODEL`",
            "text",
            f"`{PRO.binding_id}`",
            "-",
            LOCAL_HOST,
            "-",
            f"the model the upstream is asked for on `{PRO.path}`",
        ),
    ]
    meanings = {
        "connect": "to connect to the upstream (then 504 `upstream_timeout`)",
        "first_byte": "to the answer's first byte, and the longest pause within a stream",
        "total": "for a whole call",
    }
    for deadline, (variable, default) in upstream_config.DEADLINES.items():
        meaning = meanings[deadline]
        rows.append((f"`{variable}`", seconds, f"`{default:g}`", "> 0", LOCAL_HOST, "-", meaning))
    rows += [
        (
            "`CLOUDFLARE_ACCOUNT_ID`",
            "text",
            "none",
            "letters and digits",
            LOCAL_HOST,
            "-",
            f"the account of the {presets} presets (required by both)",
        ),
        (
            "`CLOUDFLARE_API_TOKEN`",
            "text",
            "none",
            "-",
            LOCAL_HOST,
            "secret",
            "`workers-ai`: the API token sent as `Authorization` (or set `UPSTREAM_API_KEY`); "
            "`ai-gateway`: an authenticated gateway's token (`cf-aig-authorization`)",
        ),
        (
            f"`{cli.TOKEN_DELAY_VARIABLE}`",
            "milliseconds",
            "`0`",
            ">= 0",
            LOCAL_HOST,
            "-",
            "the local model's pause between streamed tokens; `--token-delay-ms` wins",
        ),
        (
            f"`{local.ALLOWED_HOSTS_VARIABLE}`",
            "host names, comma/space separated, or `*`",
            "none (loopback names only)",
            "-",
            LOCAL_HOST,
            "-",
            "Host headers a keyless host on loopback answers besides localhost, 127.0.0.0/8 and "
            "[::1]; others get 403 `host_not_allowed` ([Local host](local-host.md))",
        ),
    ]
    for flag, (variable, default, what) in cli._DEADLINES.items():
        rows.append(
            (
                f"`{variable}`",
                seconds,
                f"`{default:g}`",
                "> 0",
                LOCAL_HOST,
                "-",
                f"{what}; `--{flag}` wins ([Connection deadlines]({DEADLINES_PAGE}))",
            )
        )
    return rows


VARIABLE_HEADER = ("variable", "type", "default", "bounds", "read by", "secret", "meaning")


def settings_table() -> str:
    """Render the variables `Settings` parses, on both hosts."""
    return _table(VARIABLE_HEADER, settings_rows())


def local_table() -> str:
    """Render the variables only the local host reads."""
    return _table(VARIABLE_HEADER, local_rows())


def _methods(endpoint: Endpoint) -> str:
    return ", ".join(f"`{m}`" for m in endpoint.methods)


def _what(endpoint: Endpoint) -> str:
    route = endpoint.model_route
    if route is None:
        others = [f"; `{m}`: {doc.summary.lower()}" for m, doc in endpoint.doc.other_methods]
        return endpoint.doc.summary + "".join(others)
    return f"{endpoint.doc.summary} ({API_NAMES[route.api]})"


def endpoints_table() -> str:
    """Render the endpoint table: path, methods, what it does, its model, who may call it."""
    rows: list[Row] = []
    for endpoint in ENDPOINTS:
        route = endpoint.model_route
        rows.append(
            (
                f"`{endpoint.path}`",
                _methods(endpoint),
                _what(endpoint),
                f"`{route.model.binding_id}`" if route else "-",
                "anyone (answers even while a variable is misconfigured)"
                if endpoint.public
                else "a key or token (unless keyless)",
                ", ".join(f"`{m}`" for m in endpoint.allowed()),
            )
        )
    header = ("path", "methods", "what", "model", "who may call", "`Allow`")
    return _table(header, rows)


PAGES: dict[str, dict[str, Callable[[], str]]] = {
    "docs/configuration.md": {"settings": settings_table, "local-host-variables": local_table},
    "docs/api.md": {"endpoints": endpoints_table},
}


def render(text: str, blocks: dict[str, Callable[[], str]]) -> str:
    """Return `text` with each generated block replaced by its current rendering."""
    for name, make in blocks.items():
        start = f"<!-- generated: {name} (scripts/gen_docs.py) -->\n"
        end = f"<!-- end generated: {name} -->"
        head, found, rest = text.partition(start)
        _, found_end, tail = rest.partition(end)
        if not (found and found_end):
            raise SystemExit(f"no block {start.strip()} ... {end}")
        text = f"{head}{start}{make()}\n{end}{tail}"
    return text


def stale_pages() -> list[str]:
    """Return the pages whose generated blocks differ from the code."""
    stale = []
    for page, blocks in PAGES.items():
        text = (REPO / page).read_text(encoding="utf-8")
        if render(text, blocks) != text:
            stale.append(page)
    return stale


def main(argv: Sequence[str]) -> int:
    """Rewrite the generated blocks, or with `--check` report the stale pages."""
    if argv[1:] == ["--check"]:
        stale = stale_pages()
        for page in stale:
            print(f"{page} is out of date: run python scripts/gen_docs.py", file=sys.stderr)
        return 1 if stale else 0
    for page, blocks in PAGES.items():
        path = REPO / page
        path.write_text(render(path.read_text(encoding="utf-8"), blocks), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
