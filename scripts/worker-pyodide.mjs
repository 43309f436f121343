// The Worker over HTTP, offline: src/entry.py with the airelay package and its vendored
// dependencies in real Pyodide 314 (the Workers Python 3.14 runtime) under Node, answering
// each HTTP request through `Default(ctx, env).fetch(request)` as workerd calls it, with the
// local model behind the `env.AI` stand-in. Not workerd: no memory snapshot, no [assets], no
// `cf` object, no CPU limits.
//
//   npm run dev:pyodide -- [--port 8787] [--host 127.0.0.1] [--env-file .dev.vars]
//                          [--var NAME=VALUE]... [--token-delay-ms N] [--rate-limit N]
//
// Needs `npm ci` and scripts/fetch-pyodide-deps.sh, and Node 20's
// --experimental-wasm-stack-switching (package.json's script passes it).

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";

import * as standIns from "../tests/pyodide/stand_ins.mjs";
import {
  ROOT,
  bootPyodide,
  importEntry,
  makeContext,
  makeFetch,
} from "../tests/pyodide/worker_runtime.mjs";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8787" },
    "env-file": { type: "string" },
    var: { type: "string", multiple: true, default: [] },
    "token-delay-ms": { type: "string", default: "0" },
    "rate-limit": { type: "string" },
  },
});

// dotenv 16's parser, which wrangler uses for .dev.vars (src/airelay/cli.py parse_dev_vars is
// the same pattern in Python).
const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function parseDotenv(text) {
  const values = {};
  const lines = text.replace(/\r\n?/gm, "\n");
  let match;
  while ((match = DOTENV_LINE.exec(lines)) !== null) {
    let value = (match[2] || "").trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
    if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    values[match[1]] = value;
  }
  return values;
}

// wrangler.toml's [vars] (basic strings, as this project writes them) and its rate limit.
function readWranglerToml(text) {
  const vars = {};
  let table = "";
  let limit = null;
  let period = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      table = line;
      continue;
    }
    if (table === "[vars]") {
      const m = /^([A-Za-z0-9_]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(line);
      if (m) vars[m[1]] = JSON.parse(m[2]);
      else if (line && !line.startsWith("#")) throw new Error(`wrangler.toml [vars]: cannot read ${line}`);
    }
    if (table === "[[ratelimits]]") {
      const m = /simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/.exec(line);
      if (m) [limit, period] = [Number(m[1]), Number(m[2])];
    }
  }
  return { vars, limit, period };
}

function readVars() {
  const toml = readWranglerToml(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  const envFile = args["env-file"] ?? join(process.cwd(), ".dev.vars");
  let devVars = {};
  let source = `${envFile} not found`;
  try {
    devVars = parseDotenv(readFileSync(envFile, "utf8"));
    source = `${envFile}: ${Object.keys(devVars).length} variable(s)`;
  } catch (err) {
    if (err.code !== "ENOENT" || args["env-file"] !== undefined) throw err;
  }
  const given = {};
  for (const pair of args.var) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new Error(`--var ${pair}: expected NAME=VALUE`);
    given[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  // .dev.vars over [vars], as `wrangler dev` reads them; --var over both.
  return { vars: { ...toml.vars, ...devVars, ...given }, toml, source };
}

// wrangler dev simulates the Rate Limiting binding locally: `limit` calls per key per
// `period` seconds (a fixed window here).
class WindowedRatelimit extends standIns.Ratelimit {
  constructor(limit, periodS) {
    super(limit);
    this.counts = new Map();
    setInterval(() => this.counts.clear(), periodS * 1000).unref();
  }

  async limit(options) {
    const key = options?.key;
    const used = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, used);
    return { success: used <= this.allowed };
  }
}

const started = performance.now();
const pyodide = await bootPyodide();
const entry = importEntry(pyodide);
const importedMs = performance.now() - started;
const fetchWorker = makeFetch(entry);

pyodide.FS.mkdirTree("/home/pyodide/stand_ins");
pyodide.FS.writeFile(
  "/home/pyodide/stand_ins/local_upstream.py",
  readFileSync(join(ROOT, "tests", "pyodide", "local_upstream.py")),
);
pyodide.runPython(`import sys; sys.path.append("/home/pyodide/stand_ins")`);
const upstream = pyodide.pyimport("local_upstream");
upstream.set_token_delay(Number(args["token-delay-ms"]) / 1000);

// One env per isolate, as workerd builds it once per Worker: vars, the AI binding with the
// local model behind it, the rate limiter.
const { vars, toml, source } = readVars();
const env = { ...vars };
env.AI = new standIns.Ai();
env.AI.serveFrom(upstream.answer);
const limit = args["rate-limit"] !== undefined ? Number(args["rate-limit"]) : toml.limit;
if (limit !== null) env.RATE_LIMITER = new WindowedRatelimit(limit, toml.period ?? 60);

// The request body as a web stream that never destroys the socket: Readable.toWeb(req)
// destroys it when the stream is cancelled, and an answer given before the body is read (a
// 413) must still reach the client. Whatever the Worker leaves unread is drained.
function bodyStream(req) {
  const iterator = req[Symbol.asyncIterator]();
  return new ReadableStream(
    {
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel() {
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

function toRequest(req) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  // Cloudflare sets the caller's address and drops a spoofed one.
  headers.set("cf-connecting-ip", req.socket.remoteAddress ?? "");
  const url = new URL(req.url, `http://${req.headers.host ?? `${args.host}:${args.port}`}`);
  const init = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = bodyStream(req);
    init.duplex = "half";
  }
  return new Request(url, init);
}

// An answer from this server rather than the Worker, in OpenAI's error shape as the relay's
// own. On Cloudflare these never reach the Worker: its edge answers them.
function errorBody(status, message, type, code) {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

function failed(res, status, message, type = "invalid_request_error", code = null) {
  if (res.headersSent) return res.destroy();
  res.writeHead(status, { "content-type": "application/json" });
  res.end(errorBody(status, message, type, code));
}

async function handle(req, res) {
  let request;
  try {
    request = toRequest(req);
  } catch (err) {
    req.resume();
    // The fetch standard's Request refuses some methods (TRACE, CONNECT, TRACK).
    return failed(res, 400, `Bad request: ${err.message}`, "invalid_request_error", "bad_request");
  }
  let response;
  try {
    response = await fetchWorker(request, env, makeContext());
  } catch (err) {
    // workerd answers an uncaught exception with a bare 500.
    process.stderr.write(`worker-pyodide: the Worker threw: ${err?.stack ?? err}\n`);
    req.resume();
    return failed(res, 500, "The Worker failed.", "server_error", "internal_error");
  }
  const head = [];
  for (const [name, value] of response.headers) head.push(name, value);
  const body = response.body;
  if (body === null || req.method === "HEAD") {
    res.writeHead(response.status, response.statusText || undefined, head);
    await body?.cancel();
    res.end();
    req.resume();
    return;
  }
  // workerd sends a body of known length (made from a string or bytes) with content-length,
  // and streams the rest chunked. A Node Response does not tell how its body was made; the
  // glue makes every body but the model's event stream from a string or bytes, so those are
  // read whole here and sent with their length.
  if (!(response.headers.get("content-type") ?? "").toLowerCase().includes("text/event-stream")) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!response.headers.has("content-length")) head.push("content-length", String(bytes.length));
    res.writeHead(response.status, response.statusText || undefined, head);
    res.end(bytes);
    req.resume();
    return;
  }
  res.writeHead(response.status, response.statusText || undefined, head);
  res.flushHeaders();
  const reader = body.getReader();
  // A client that goes away cancels the stream, and with it the upstream subrequest.
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.on("close", onClose);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => res.once("drain", r).once("close", r));
      if (res.destroyed) break;
    }
    res.end();
  } catch (err) {
    process.stderr.write(`worker-pyodide: the response body failed: ${err?.message ?? err}\n`);
    res.destroy();
  } finally {
    req.resume();
  }
}

// The same start-up line as `airelay dev`, from the same Python (AccessPolicy.describe).
const describePolicy = pyodide.runPython(`
from airelay.core.errors import RelayError
from airelay.core.settings import Settings


def describe(env, host):
    try:
        return Settings.from_env(env).access.describe(host)
    except RelayError as error:
        return f"warning: {error.message}"


describe
`);

function describeAccess(variables, host) {
  const strings = Object.fromEntries(
    Object.entries(variables).filter(([, value]) => typeof value === "string"),
  );
  const line = describePolicy(pyodide.toPy(strings), host);
  if (!line.startsWith("access: locked")) return line;
  // wrangler.toml sets ALLOW_ANONYMOUS="false" for deployments; locally there is no secret yet.
  return (
    `${line}; to fix: cp .dev.vars.example .dev.vars and set API_KEYS there, ` +
    "or pass --var ALLOW_ANONYMOUS=true (keyless; keep --host on loopback)"
  );
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    process.stderr.write(`worker-pyodide: ${err?.stack ?? err}\n`);
    failed(res, 500, "The Worker failed.", "server_error", "internal_error");
  });
});
// Node answers bad HTTP itself (headers over its 16 KB --max-http-header-size: an empty 431);
// node:http's documented clientError hook writes that answer instead.
server.on("clientError", (err, socket) => {
  if (!socket.writable || err.code === "ECONNRESET") return socket.destroy();
  const [status, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "The request headers are larger than the server accepts (16 KB)."]
      : [400, "The request is not valid HTTP."];
  const body = errorBody(status, message, "invalid_request_error", null);
  const reason = status === 431 ? "Request Header Fields Too Large" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
});
server.on("error", (err) => {
  const why =
    err.code === "EADDRINUSE" ? "the port is in use (pick another with --port)" : err.message;
  process.stderr.write(`worker-pyodide: cannot listen on ${args.host}:${args.port}: ${why}\n`);
  process.exit(1);
});
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const host = args.host.includes(":") ? `[${args.host}]` : args.host;
  process.stderr.write(
    `worker-pyodide: ${source}; global scope ${importedMs.toFixed(0)} ms (boot + import)\n`,
  );
  console.log(describeAccess(vars, args.host));
  console.log(
    `airelay Worker in Pyodide ${pyodide.version} (Python ${pyodide.runPython("import sys; sys.version.split()[0]")}): http://${host}:${port}/v1`,
  );
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}
