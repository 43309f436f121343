"""What Cloudflare bills the Worker, measured in Pyodide 314 with the real core: the global scope
(what runs at deploy, within the 1 s startup limit), the first request of each route on a fresh
isolate, warm requests per route, and the wasm heap. One run, printed next to the targets of
issue 22; not part of the test suite.

    .venv/bin/python bench/worker_pyodide.py [--rounds N] [--warm N] [--heap-requests N]
                                             [--profile ROUTE] [--json]

Each round boots two fresh Pyodide 314 isolates under Node (tests/pyodide/worker_bench.mjs):
a bare Worker importing `workers` and pydantic with one small model, then the Worker as
deployed (src/entry.py, the airelay package, the vendored wheels of .cache/wheels), whose every
import is timed like `python -X importtime`. Requests go through `Default(ctx, env).fetch`
as workerd calls it; the upstream behind the `env.AI` stand-in answers with the local model's
bytes, prepared in CPython, and the time inside `env.AI.run` is taken off. Times are the
least disturbed of the rounds (per round, warm figures are medians over requests); the heap
the median. CPU is Node's
process.cpuUsage: the whole process, so V8's compiler and GC threads count too; wall time is
the single-threaded interpreter's. Not workerd: no memory snapshot, no CPU limiter.
Needs `npm ci` and scripts/fetch-pyodide-deps.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from airelay.backends.local import LocalModel  # noqa: E402
from airelay.core.types import JsonResult  # noqa: E402

DRIVER = ROOT / "tests" / "pyodide" / "worker_bench.mjs"
PROMPT = "Name three prime numbers, and say why 1 is not one."
HEADERS = [
    ["content-type", "application/json"],
    ["accept", "application/json"],
    ["user-agent", "OpenAI/Python 2.30.0"],
    ["cf-connecting-ip", "203.0.113.9"],
]
CHAT = {"model": "gpt-5.4-mini", "messages": [{"role": "user", "content": PROMPT}]}
RESPONSES = {"model": "gpt-5.4-pro", "input": PROMPT}
STREAM = {"stream": True}
# Issue 22's targets, in ms (heap in MB).
TARGET_GLOBAL_SCOPE_MS = 1000.0
TARGET_OWN_SHARE_MS = 250.0
TARGET_FIRST_MS = 10.0
TARGET_WARM_MS = 1.5
TARGET_HEAP_MB = 64.0
WARM_TARGETED = ("chat_json", "chat_stream", "responses_json", "responses_stream")
# Packages by which the global scope's own (self) time is summed.
GROUPS = (
    ("pydantic_core", ("pydantic_core",)),
    ("pydantic (+ annotated_types, typing_*)", ("pydantic", "annotated_types", "typing_")),
    ("PyJWT", ("jwt",)),
    ("workers SDK", ("workers",)),
    ("airelay.core.models", ("airelay.core.models",)),
    ("airelay (the rest)", ("airelay", "entry")),
)


def route(name: str, method: str, path: str, body: Any, status: int) -> dict[str, Any]:
    """Describe one request the driver sends, and the status it must get."""
    text = None if body is None else json.dumps(body)
    headers = HEADERS if body is not None else HEADERS[1:]
    return {
        "name": name,
        "method": method,
        "path": path,
        "headers": headers,
        "body": text,
        "status": status,
    }


ROUTES = [
    route("chat_json", "POST", "/v1/chat/completions", CHAT, 200),
    route("chat_stream", "POST", "/v1/chat/completions", {**CHAT, **STREAM}, 200),
    route("responses_json", "POST", "/v1/responses", RESPONSES, 200),
    route("responses_stream", "POST", "/v1/responses", {**RESPONSES, **STREAM}, 200),
    route("error_400", "POST", "/v1/chat/completions", {**CHAT, "temperature": 5}, 400),
    route("models", "GET", "/v1/models", None, 200),
    route("openapi", "GET", "/openapi.json", None, 200),
    route("health", "GET", "/health", None, 200),
]


async def _answer(model: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    result = await LocalModel().run(model, inputs, {})
    if isinstance(result, JsonResult):
        body = result.body or json.dumps(result.data).encode()
        return {"contentType": "application/json", "body": body.decode()}
    chunks = [chunk async for chunk in result.stream]  # type: ignore[attr-defined]
    return {"contentType": "text/event-stream; charset=utf-8", "body": b"".join(chunks).decode()}


def upstream_answers() -> dict[str, dict[str, str]]:
    """Return the local model's answers by "<model>[ stream]", as the stand-in serves them."""
    answers = {}
    for model, body in (("openai/gpt-5.4-mini", CHAT), ("openai/gpt-5.4-pro", RESPONSES)):
        inputs = {k: v for k, v in body.items() if k != "model"}
        answers[model] = asyncio.run(_answer(model, inputs))
        answers[f"{model} stream"] = asyncio.run(_answer(model, {**inputs, **STREAM}))
    return answers


def worker_vars() -> dict[str, str]:
    """Return wrangler.toml's [vars] with anonymous callers let in."""
    vars_ = tomllib.loads((ROOT / "wrangler.toml").read_text())["vars"]
    return {**{k: str(v) for k, v in vars_.items()}, "ALLOW_ANONYMOUS": "true"}


def config(args: argparse.Namespace) -> dict[str, Any]:
    """Return what the driver needs: variables, requests, answers and counts."""
    chunked_body = json.dumps({**RESPONSES, "input": PROMPT * (args.chunked_bytes // len(PROMPT))})
    # The isolate's very first request also pays what no route owns (V8 compiling the JS and
    # wasm paths of a fetch for the first time): --first names the route that absorbs it.
    routes = sorted(ROUTES, key=lambda r: r["name"] != args.first) if args.first else ROUTES
    return {
        "vars": worker_vars(),
        "routes": routes,
        "answers": upstream_answers(),
        "warm": args.warm,
        "heap_requests": args.heap_requests,
        "chunked": {"body": chunked_body, "chunk_size": 7, "headers": HEADERS},
        "sequential_first": args.sequential_first,
        "time_modules": not args.untimed_import,
        "profile_first": args.profile_first,
        "profile_first_filter": args.profile_filter,
        "profile": args.profile,
        "profile_requests": args.profile_requests,
    }


def drive(config_path: Path, scenario: str, node_flags: Iterable[str] = ()) -> dict[str, Any]:
    """Run the driver for one fresh isolate; return its figures."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node not found on PATH")
    done = subprocess.run(
        [
            node,
            "--experimental-wasm-stack-switching",
            *node_flags,
            str(DRIVER),
            "--config",
            str(config_path),
            "--scenario",
            scenario,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"worker_bench.mjs failed ({done.returncode}):\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _best(values: Iterable[float]) -> float:
    # The least disturbed round: on a shared machine, time only ever gets added.
    return min(values)


def group_of(module: str) -> str:
    """Return the GROUPS label of `module`, or "standard library"."""
    for label, prefixes in GROUPS:
        if any(module == p or module.startswith((p + ".", p)) for p in prefixes):
            return label
    return "standard library"


def summarise(bare: list[dict[str, Any]], worker: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the medians over rounds of every figure."""
    scope = [w["global_scope"] for w in worker]
    names = set().union(*(s["modules_ms"] for s in scope))
    modules = {
        name: [
            _best(s["modules_ms"].get(name, [0.0, 0.0])[0] for s in scope),
            _best(s["modules_ms"].get(name, [0.0, 0.0])[1] for s in scope),
        ]
        for name in names
    }
    groups: dict[str, float] = {}
    for name, (_, own) in modules.items():
        groups[group_of(name)] = groups.get(group_of(name), 0.0) + own
    import_ms = _best(s["import_ms"] for s in scope)
    bare_ms = _best(b["global_scope"]["import_ms"] for b in bare)
    mb = 1 / (1 << 20)
    return {
        "rounds": len(worker),
        "pyodide": worker[0]["pyodide"],
        "node": worker[0]["node"],
        "global_scope_ms": import_ms,
        "global_scope_cpu_ms": _best(s["import_cpu_ms"] for s in scope),
        "modules_imported": worker[0]["global_scope"]["modules_imported"],
        "bare_global_scope_ms": bare_ms,
        "bare_global_scope_cpu_ms": _best(b["global_scope"]["import_cpu_ms"] for b in bare),
        "own_share_ms": import_ms - bare_ms,
        "heaviest_inclusive_ms": dict(
            sorted(((n, t) for n, (t, _) in modules.items()), key=lambda x: -x[1])[:20]
        ),
        "heaviest_self_ms": dict(
            sorted(((n, o) for n, (_, o) in modules.items()), key=lambda x: -x[1])[:20]
        ),
        "self_ms_by_group": dict(sorted(groups.items(), key=lambda x: -x[1])),
        "heap_bare_mb": _median(w["heap_bare_bytes"] for w in worker) * mb,
        "heap_after_import_mb": _median(w["heap_after_import_bytes"] for w in worker) * mb,
        "heap_after_requests_mb": _median(w["heap_after_requests_bytes"] for w in worker) * mb,
        "requests_served": worker[0]["requests_served"],
        "first_ms": {
            name: {key: _best(w["first_ms"][name][key] for w in worker) for key in ("wall", "cpu")}
            for name in worker[0]["first_ms"]
        },
        "warm_ms": {
            name: {
                "wall": _best(w["warm"][name]["wall_ms"] for w in worker),
                "cpu": _best(w["warm"][name]["cpu_ms"] for w in worker),
                "n": worker[0]["warm"][name]["n"],
            }
            for name in worker[0]["warm"]
        },
        "chunked": {
            **worker[0]["chunked"],
            "wall_ms": _best(w["chunked"]["wall_ms"] for w in worker),
            "cpu_ms": _best(w["chunked"]["cpu_ms"] for w in worker),
        },
        "chunked_ways_ms": {
            way: _best(w["chunked_ways"][way]["ms"] for w in worker)
            for way in worker[0]["chunked_ways"]
        },
        "warm_sequential_first": worker[-1].get("warm_sequential_first"),
        "first_profile": worker[-1].get("first_profile"),
        "profile": worker[-1].get("profile"),
    }


def verdict(value: float, target: float) -> str:
    """Say whether `value` is within `target`."""
    return "met" if value <= target else "MISSED"


def report(s: dict[str, Any]) -> str:
    """Render the summary as the text the benchmark prints."""
    lines = [
        f"Worker in Pyodide {s['pyodide']} (Node {s['node']}), real core; best of "
        f"{s['rounds']} round(s); ms of Worker wall time (cpu: process CPU), upstream excluded",
        "",
        "global scope (import entry.py)        "
        f"{s['global_scope_ms']:8.1f} ms  cpu {s['global_scope_cpu_ms']:8.1f}  "
        f"target <= {TARGET_GLOBAL_SCOPE_MS:.0f}: "
        f"{verdict(s['global_scope_ms'], TARGET_GLOBAL_SCOPE_MS)}  "
        f"({s['modules_imported']} modules)",
        "bare Worker (workers + pydantic + 1 model)"
        f"{s['bare_global_scope_ms']:6.1f} ms  cpu {s['bare_global_scope_cpu_ms']:8.1f}",
        f"airelay's own share                    {s['own_share_ms']:8.1f} ms  "
        f"target <= {TARGET_OWN_SHARE_MS:.0f}: {verdict(s['own_share_ms'], TARGET_OWN_SHARE_MS)}",
        "",
        "global scope, own (self) time by package:",
        *(f"  {label:40} {ms:8.1f} ms" for label, ms in s["self_ms_by_group"].items()),
        "heaviest modules, inclusive (with what they import):",
        *(f"  {name:40} {ms:8.1f} ms" for name, ms in s["heaviest_inclusive_ms"].items()),
        "heaviest modules, self:",
        *(f"  {name:40} {ms:8.1f} ms" for name, ms in s["heaviest_self_ms"].items()),
        "",
        f"wasm heap: bare {s['heap_bare_mb']:.1f} MB, after import "
        f"{s['heap_after_import_mb']:.1f} MB, after {s['requests_served']} requests "
        f"{s['heap_after_requests_mb']:.1f} MB (target <= {TARGET_HEAP_MB:.0f}: "
        f"{verdict(s['heap_after_requests_mb'], TARGET_HEAP_MB)})",
        "",
        f"{'route':18} {'first wall':>10} {'cpu':>8} {'':8} {'warm wall':>10} {'cpu':>8}",
    ]
    for name, first in s["first_ms"].items():
        warm = s["warm_ms"][name]
        first_mark = verdict(first["wall"], TARGET_FIRST_MS)
        warm_mark = verdict(warm["wall"], TARGET_WARM_MS) if name in WARM_TARGETED else ""
        lines.append(
            f"{name:18} {first['wall']:10.2f} {first['cpu']:8.2f} {first_mark:8} "
            f"{warm['wall']:10.3f} {warm['cpu']:8.3f} {warm_mark}"
        )
    lines.append(
        f"targets: first request <= {TARGET_FIRST_MS:.0f} ms; warm chat/responses <= "
        f"{TARGET_WARM_MS} ms (warm: median of {s['warm_ms']['chat_json']['n']} per round)"
    )
    c = s["chunked"]
    per_chunk = c["wall_ms"] / max(c["chunks"], 1)
    lines += [
        "",
        f"chunked body, no content-length: {c['bytes']} bytes in {c['chunks']} chunks of "
        f"{c['chunk_size']}: {c['wall_ms']:.1f} ms wall, {c['cpu_ms']:.1f} cpu "
        f"({per_chunk * 1000:.0f} us wall per chunk; the glue's TransformStream: one await), "
        f"status {c['status']}",
        "the same body read in Pyodide outside the glue: "
        + ", ".join(
            f"{way} {ms:.1f} ms ({ms * 1000 / max(c['chunks'], 1):.0f} us/chunk)"
            for way, ms in s["chunked_ways_ms"].items()
        ),
        "  (reader: an awaited reader.read() per chunk, as the glue did; transform: a synchronous "
        "Python transform counting bytes, one await, as the glue does; whole: "
        "Response.arrayBuffer(), no limit)",
    ]
    if s.get("warm_sequential_first"):
        first = s["warm_sequential_first"]
        lines.append(
            f"{first['name']} warm, timed in a row right after the first requests: "
            f"{first['wall_ms']:.3f} ms wall, {first['cpu_ms']:.3f} cpu"
        )
    for name, text in (s.get("first_profile") or {}).items():
        lines += ["", f"first {name} (cProfile, cumulative):", text]
    if s.get("profile"):
        lines += ["", "profile (cProfile, own time):", s["profile"]]
    return "\n".join(lines)


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=int, default=200, help="warm requests per route")
    parser.add_argument("--heap-requests", type=int, default=1000)
    parser.add_argument("--chunked-bytes", type=int, default=20_000)
    parser.add_argument(
        "--sequential-first",
        choices=[r["name"] for r in ROUTES],
        help="time --warm requests of this route in a row right after the first requests",
    )
    parser.add_argument(
        "--first",
        choices=[r["name"] for r in ROUTES],
        help="send this route's first request before the others' (default: chat_json)",
    )
    parser.add_argument("--profile", choices=[r["name"] for r in ROUTES])
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument(
        "--untimed-import",
        action="store_true",
        help="import entry.py without timing each module (the hook's own cost left out)",
    )
    parser.add_argument(
        "--profile-first",
        action="store_true",
        help="run each first request under cProfile; print its imports and costliest calls",
    )
    parser.add_argument(
        "--profile-filter",
        default="airelay|pydantic|workers|jwt",
        help="with --profile-first, the regex of the functions listed ('.' for all)",
    )
    parser.add_argument(
        "--node-flag",
        action="append",
        default=[],
        help="a V8/Node flag for the isolates, e.g. --node-flag=--no-liftoff (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config(args)))
        bare, worker = [], []
        for _ in range(args.rounds):
            bare.append(drive(path, "bare", args.node_flag))
            worker.append(drive(path, "worker", args.node_flag))
    summary = summarise(bare, worker)
    print(json.dumps(summary, indent=2) if args.json else report(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
