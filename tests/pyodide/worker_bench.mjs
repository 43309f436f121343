// What Cloudflare bills a Python Worker, measured in one fresh Pyodide 314 isolate: driven by
// bench/worker_pyodide.py, which reads the one JSON line this prints on stdout.
//
//   node --experimental-wasm-stack-switching worker_bench.mjs --config <file.json> --scenario worker|bare
//
// "bare": a bare Worker's global scope (the SDK, pydantic and one small model), for the share
// of the import that is airelay's own. "worker": src/entry.py's global scope with every module
// timed, the wasm heap, the first request of each route, warm requests per route, the heap
// after 1,000 requests, a chunked body, and (with config.profile) a cProfile of one route.
// Worker time excludes the stand-in upstream: the time inside env.AI.run is taken off.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import * as standIns from "./stand_ins.mjs";
import { bootPyodide, importEntry, makeContext, makeFetch } from "./worker_runtime.mjs";

const { values: args } = parseArgs({
  options: { config: { type: "string" }, scenario: { type: "string", default: "worker" } },
});
const config = JSON.parse(readFileSync(args.config, "utf8"));

const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const pyodide = await bootPyodide({ stdout: () => {}, stderr: (line) => process.stderr.write(`[py:err] ${line}\n`) });
const heap = () => pyodide._module.HEAPU8.buffer.byteLength;
const out = { scenario: args.scenario, pyodide: pyodide.version, node: process.versions.node };
out.heap_bare_bytes = heap();

// Every module's import timed like `python -X importtime`: inclusive and self time, by a finder
// at the head of sys.meta_path that wraps each spec's loader (create_module and exec_module).
pyodide.runPython(`
import sys, time

class _Timed:
    stack = []
    times = {}

    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def __getattr__(self, attr):
        return getattr(self._loader, attr)

    def _run(self, call, *args):
        stack, times = _Timed.stack, _Timed.times
        stack.append(0.0)
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            spent = time.perf_counter() - started
            children = stack.pop()
            total, own = times.get(self._name, (0.0, 0.0))
            times[self._name] = (total + spent, own + spent - children)
            if stack:
                stack[-1] += spent

    def create_module(self, spec):
        create = getattr(self._loader, "create_module", None)
        return None if create is None else self._run(create, spec)

    def exec_module(self, module):
        return self._run(self._loader.exec_module, module)


class _TimingFinder:
    def find_spec(self, name, path, target=None):
        index = sys.meta_path.index(self)
        for finder in sys.meta_path[index + 1 :]:
            find = getattr(finder, "find_spec", None)
            spec = None if find is None else find(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Timed(spec.loader, name)
                return spec
        return None


sys.meta_path.insert(0, _TimingFinder())
_bench_modules_before = set(sys.modules)
`);

// Runs a global scope; with config.time_modules false, without the timing finder (whose own
// cost then stays out of the total).
function globalScope(run) {
  if (!config.time_modules) pyodide.runPython("sys.meta_path.pop(0)");
  const before = new Set(pyodide.runPython("list(sys.modules)").toJs());
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = run();
  const wall = performance.now() - t0;
  const cpu = cpuMs(cpu0);
  const after = pyodide.runPython("list(sys.modules)").toJs();
  const times = pyodide.runPython(`
import json
json.dumps({name: [round(t * 1000, 3), round(o * 1000, 3)] for name, (t, o) in _Timed.times.items()} if ${config.time_modules ? "True" : "False"} else {})
`);
  return {
    value,
    import_ms: wall,
    import_cpu_ms: cpu,
    modules_imported: after.filter((name) => !before.has(name)).length,
    modules_ms: JSON.parse(times),
  };
}

if (args.scenario === "bare") {
  const scope = globalScope(() =>
    pyodide.runPython(`
import workers
import pydantic


class Small(pydantic.BaseModel):
    model: str
    temperature: float | None = None
`),
  );
  delete scope.value;
  out.global_scope = scope;
  out.heap_after_import_bytes = heap();
  console.log(JSON.stringify(out));
  process.exit(0);
}

const scope = globalScope(() => importEntry(pyodide));
const entry = scope.value;
delete scope.value;
out.global_scope = scope;
out.heap_after_import_bytes = heap();
if (config.time_modules) pyodide.runPython("sys.meta_path.pop(0)");

const fetchWorker = makeFetch(entry);
const env = { ...config.vars };
env.AI = new standIns.Ai();
env.RATE_LIMITER = new standIns.Ratelimit(1e12);
const encoder = new TextEncoder();
const answers = Object.fromEntries(
  Object.entries(config.answers).map(([name, a]) => [name, { ...a, bytes: encoder.encode(a.body) }]),
);
// The upstream: a prepared Response per (model, stream); its time is not the Worker's.
env.AI.serveFrom(async (model, inputsJson) => {
  const stream = inputsJson.includes('"stream":true');
  const answer = answers[`${model}${stream ? " stream" : ""}`];
  return new Response(answer.bytes, { headers: { "content-type": answer.contentType } });
});
let upstreamMs = 0;
const run = env.AI.run.bind(env.AI);
env.AI.run = async (...runArgs) => {
  const started = performance.now();
  try {
    return await run(...runArgs);
  } finally {
    upstreamMs += performance.now() - started;
  }
};
// Still no ratelimiter time in the figures? It is part of the Worker's request: kept.

function makeRequest(spec) {
  const headers = [...spec.headers];
  const init = { method: spec.method, headers };
  if (spec.body !== null) {
    const body = encoder.encode(spec.body);
    headers.push(["content-length", String(body.length)]);
    init.body = body;
  }
  return new Request(`https://relay.example${spec.path}`, init);
}

// One request through Default.fetch: Worker wall and CPU time with the upstream's taken off.
// A stream body is the upstream's own: read after the clock stops, as the runtime would.
async function once(spec) {
  const request = makeRequest(spec);
  upstreamMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const response = await fetchWorker(request, env, makeContext());
  const wall = performance.now() - t0 - upstreamMs;
  const cpu = cpuMs(cpu0) - upstreamMs;
  if (response.status !== spec.status) {
    throw new Error(`${spec.name}: status ${response.status}, expected ${spec.status}: ${await response.text()}`);
  }
  await response.arrayBuffer();
  return { wall, cpu };
}

const routes = config.routes;
let served = 0;
out.first_ms = {};
// With config.profile_first, each first request runs under cProfile (its times then include
// the profiler's) and reports the modules it imported and its costliest calls.
out.first_profile = {};
for (const spec of routes) {
  if (config.profile_first) {
    pyodide.runPython(`
import cProfile, sys
_bench_modules = set(sys.modules)
_bench_profile = cProfile.Profile()
_bench_profile.enable()
`);
  }
  out.first_ms[spec.name] = await once(spec);
  if (config.profile_first) {
    out.first_profile[spec.name] = pyodide.runPython(`
import io, pstats
_bench_profile.disable()
_stream = io.StringIO()
_stats = pstats.Stats(_bench_profile, stream=_stream).sort_stats("cumulative")
_stats.print_stats(${JSON.stringify(config.profile_first_filter)}, 25)
"new modules: " + ", ".join(sorted(set(sys.modules) - _bench_modules)) + chr(10) + _stream.getvalue()
`);
  }
  served += 1;
}
out.warm = {};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
// Warm requests route after route, in rounds, so that no route is measured while V8 is still
// compiling the interpreter's hot wasm functions to optimised code (tier-up), which the first
// few hundred requests after import pay; config.sequential_first names a route whose
// config.warm requests are timed in a row first, as a route measured first would be.
if (config.sequential_first) {
  const spec = routes.find((r) => r.name === config.sequential_first);
  const walls = [];
  const cpus = [];
  for (let i = 0; i < config.warm; i++) {
    const { wall, cpu } = await once(spec);
    walls.push(wall);
    cpus.push(cpu);
  }
  served += config.warm;
  out.warm_sequential_first = { name: spec.name, wall_ms: median(walls), cpu_ms: median(cpus) };
}
const walls = Object.fromEntries(routes.map((r) => [r.name, []]));
const cpus = Object.fromEntries(routes.map((r) => [r.name, []]));
for (let i = 0; i < config.warm; i++) {
  for (const spec of routes) {
    const { wall, cpu } = await once(spec);
    walls[spec.name].push(wall);
    cpus[spec.name].push(cpu);
  }
}
served += config.warm * routes.length;
for (const spec of routes) {
  out.warm[spec.name] = {
    wall_ms: median(walls[spec.name]),
    cpu_ms: median(cpus[spec.name]),
    n: config.warm,
  };
}
while (served < config.heap_requests) {
  await once(routes[served % routes.length]);
  served += 1;
}
out.requests_served = served;
out.heap_after_requests_bytes = heap();

// A body with no content-length in small chunks: the glue reads it one reader.read() (a JS
// call and a promise awaited from Python) per chunk.
{
  const spec = config.chunked;
  const bytes = encoder.encode(spec.body);
  let pulls = 0;
  const body = new ReadableStream(
    {
      pull(controller) {
        const start = pulls * spec.chunk_size;
        if (start >= bytes.length) return controller.close();
        pulls += 1;
        controller.enqueue(bytes.slice(start, start + spec.chunk_size));
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request("https://relay.example/v1/responses", {
    method: "POST",
    headers: spec.headers,
    body,
    duplex: "half",
  });
  upstreamMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const response = await fetchWorker(request, env, makeContext());
  const wall = performance.now() - t0 - upstreamMs;
  const cpu = cpuMs(cpu0) - upstreamMs;
  await response.arrayBuffer();
  out.chunked = {
    status: response.status,
    bytes: bytes.length,
    chunk_size: spec.chunk_size,
    chunks: pulls,
    wall_ms: wall,
    cpu_ms: cpu,
  };
}

// The same chunked body read three ways in this Pyodide, outside the glue: as the glue reads
// it (an awaited reader.read() per chunk), through a TransformStream whose transform is a
// synchronous Python callback that counts the bytes and errors the stream past the limit (one
// await in all), and whole by Response.arrayBuffer() (no crossing per chunk, but no limit).
{
  const spec = config.chunked;
  const bytes = encoder.encode(spec.body);
  globalThis.benchChunkedStream = () => {
    let offset = 0;
    return new ReadableStream(
      {
        pull(controller) {
          if (offset >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + spec.chunk_size));
          offset += spec.chunk_size;
        },
      },
      { highWaterMark: 0 },
    );
  };
  const readWays = pyodide.runPython(`
import js
import time
from pyodide.ffi import create_proxy


async def _by_reader(limit):
    reader = js.benchChunkedStream().getReader()
    chunks, size = [], 0
    while size <= limit:
        chunk = await reader.read()
        if chunk.done:
            break
        chunks.append(chunk.value.to_bytes())
        size += len(chunks[-1])
    return len(b"".join(chunks))


async def _by_transform(limit):
    size = 0

    def transform(chunk, controller):
        nonlocal size
        size += chunk.byteLength
        if size > limit:
            controller.error(js.Error.new("over the limit"))
        else:
            controller.enqueue(chunk)

    proxy = create_proxy(transform)
    try:
        transformer = js.Object.new()
        transformer.transform = proxy
        stream = js.benchChunkedStream().pipeThrough(js.TransformStream.new(transformer))
        return len((await js.Response.new(stream).arrayBuffer()).to_bytes())
    finally:
        proxy.destroy()


async def _by_response(limit):
    return len((await js.Response.new(js.benchChunkedStream()).arrayBuffer()).to_bytes())


async def _read_ways(limit):
    figures = {}
    for name, read in (("reader", _by_reader), ("transform", _by_transform), ("whole", _by_response)):
        started = time.perf_counter()
        size = await read(limit)
        figures[name] = {"ms": (time.perf_counter() - started) * 1000, "bytes": size}
    return figures


_read_ways
`);
  out.chunked_ways = (await readWays(bytes.length)).toJs({ dict_converter: Object.fromEntries });
}

// Where one route's warm time goes, by Python function (cProfile's own time).
if (config.profile) {
  const spec = routes.find((r) => r.name === config.profile);
  pyodide.runPython("import cProfile; _bench_profile = cProfile.Profile(); _bench_profile.enable()");
  for (let i = 0; i < config.profile_requests; i++) await once(spec);
  out.profile = pyodide.runPython(`
import io, pstats
_bench_profile.disable()
_stream = io.StringIO()
pstats.Stats(_bench_profile, stream=_stream).sort_stats("tottime").print_stats(30)
_stream.getvalue()
`);
}

console.log(JSON.stringify(out));
process.exit(0);
