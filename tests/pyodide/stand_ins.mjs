// JS stand-ins for what workerd gives a Python Worker: the runtime-only modules the SDK
// imports, the Workers AI binding (`env.AI`) and the Rate Limiting binding (`env.RATE_LIMITER`).
// Python reaches the bindings' controls through the `stand_ins` module (registerJsModule).

// `_pyodide_entrypoint_helper`: the SDK only touches these on paths the glue does not use.
export const entrypointHelper = {
  cloudflareWorkersModule: { env: {}, waitUntil() {} },
  cloudflareSocketsModule: {},
  async doAnImport(name) {
    throw new Error(`the test runner has no JS module ${name}`);
  },
  patch_env_helper() {
    throw new Error("patch_env is not available in the test runner");
  },
  patchWaitUntil() {},
};

// `_cloudflare_compat_flags`: off, as for a Worker that sets none of them.
export const compatFlags = {
  python_workflows_implicit_dependencies: false,
  python_request_headers_preserve_commas: false,
};

// workerd's classes (src/cloudflare/internal/ai-api.ts): an upstream error's message is
// "<internalCode>: <description>" and its name may be overridden; AiInternalError is local misuse.
export class InferenceUpstreamError extends Error {
  constructor(message, name = "InferenceUpstreamError") {
    super(message);
    this.name = name;
  }
}

export class AiInternalError extends Error {
  constructor(message, name = "AiInternalError") {
    super(message);
    this.name = name;
  }
}

const encoder = new TextEncoder();

export function toBase64(bytes) {
  return Buffer.from(bytes).toString("base64");
}

export function fromBase64(text) {
  return new Uint8Array(Buffer.from(text, "base64"));
}

// Everything that is not plain JSON data, by path: Maps, class instances, proxies,
// functions, bigints, undefined and null (the glue drops None rather than sending null).
export function shapeIssues(value, path = "$") {
  if (value === null) return [`${path}: null`];
  switch (typeof value) {
    case "string":
    case "boolean":
      return [];
    case "number":
      return Number.isFinite(value) ? [] : [`${path}: ${value}`];
    case "object":
      break;
    default:
      return [`${path}: ${typeof value}`];
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return [`${path}: not a plain Array`];
    return value.flatMap((item, i) => shapeIssues(item, `${path}[${i}]`));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return [`${path}: ${value?.constructor?.name ?? "object"} instance`];
  }
  return Object.keys(value).flatMap((key) => shapeIssues(value[key], `${path}.${key}`));
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// One scripted upstream answer. `held` answers wait for the test: the upstream's headers
// until `releaseHeaders(id)`, its body until `releaseBody(id)`.
class Answer {
  constructor(spec, id) {
    this.id = id;
    this.kind = spec.kind ?? "http"; // "http" or "throw"
    this.status = spec.status ?? 200;
    this.headers = { ...(spec.headers ?? {}) };
    if (spec.contentType) this.headers["content-type"] = spec.contentType;
    if (spec.logId) this.headers["cf-aig-log-id"] = spec.logId;
    if (spec.cacheStatus) this.headers["cf-aig-cache-status"] = spec.cacheStatus;
    this.bytes = spec.body === undefined || spec.body === null ? null : encoder.encode(spec.body);
    this.chunkSize = spec.chunkSize ?? 7;
    this.throwName = spec.throwName;
    this.throwClass = spec.throwClass;
    this.message = spec.message ?? "";
    this.held = Boolean(spec.held);
    this.headersGate = deferred();
    this.bodyGate = deferred();
    this.called = deferred(); // the call that takes this answer has started
    this.settled = deferred(); // that call's `run` has set the binding's fields
    if (!this.held) {
      this.headersGate.resolve();
      this.bodyGate.resolve();
    }
  }
}

// Named `Ai` like workerd's binding class, so the SDK's _EnvWrapper wraps it the same way.
// `run` follows workerd's Ai.run (src/cloudflare/internal/ai-api.ts): the upstream answers
// with an HTTP Response; the binding stores its log id and status on this one shared object
// and keeps the call's options in one shared field, read back after the upstream answered;
// with `returnRawResponse` it returns the Response as is, else it throws for a non-2xx
// (InferenceUpstreamError, as _parseError builds it), parses JSON only for a content-type of
// exactly `application/json` (awaiting the body after the fields are set) and returns the
// body stream otherwise.
export class Ai {
  #options = {};

  constructor() {
    this.calls = [];
    this.answers = [];
    this.byId = new Map();
    this.nextId = 0;
    this.lastRequestId = null;
    this.aiGatewayLogId = null;
    this.lastRequestHttpStatusCode = null;
    this.lastRequestInternalStatusCode = null;
    this.lastStream = undefined;
    this.lastBodyState = undefined;
    this.lastResponse = undefined;
    this.pulls = 0;
    // The benchmark turns recording off and answers every call with one JSON value.
    this.record = true;
    this.defaultAnswer = { kind: "http", status: 200, contentType: "application/json", body: "{}" };
    // The Worker over HTTP (scripts/worker-pyodide.mjs) puts a model behind the binding:
    // `upstream(model, inputsJson)` answers each unscripted call with a Response.
    this.upstream = null;
  }

  // Answers every unscripted call from `upstream` (async (model, inputsJson) -> Response), as
  // AI Gateway's upstream would answer workerd's subrequest; nothing is recorded.
  serveFrom(upstream) {
    this.upstream = upstream;
    this.record = false;
  }

  // The general form: `specJson` is {kind, status, contentType, headers, body, chunkSize,
  // logId, cacheStatus, held, throwClass, throwName, message}; returns the answer's id.
  answer(specJson) {
    const answer = new Answer(JSON.parse(specJson), this.nextId++);
    this.answers.push(answer);
    this.byId.set(answer.id, answer);
    return answer.id;
  }

  // For the benchmark: one chunk, as a real upstream's ~500-byte JSON answer arrives; the
  // 7-byte default would time ~60 stream pulls of this stand-in instead of the glue.
  answerJsonAlways(jsonText) {
    const chunkSize = Math.max(1, encoder.encode(jsonText).length);
    this.defaultAnswer = { ...this.defaultAnswer, body: jsonText, chunkSize };
    this.record = false;
  }

  answerJson(jsonText, logId = null, cacheStatus = null) {
    return this.answer(
      JSON.stringify({ contentType: "application/json", body: jsonText, logId, cacheStatus }),
    );
  }

  // The body is split every `chunkSize` bytes, so multi-byte characters straddle chunks.
  answerStream(text, chunkSize = 7, logId = null, cacheStatus = null) {
    return this.answer(
      JSON.stringify({
        contentType: "text/event-stream",
        body: text,
        chunkSize,
        logId,
        cacheStatus,
      }),
    );
  }

  // An upstream error: `status` with `body` (JSON text or not) and its content-type.
  answerStatus(status, body, contentType = "application/json", headersJson = "{}") {
    return this.answer(
      JSON.stringify({ status, body, contentType, headers: JSON.parse(headersJson) }),
    );
  }

  // A throw from `run` itself, before any upstream answer: a global error class
  // (TypeError for a failed subrequest) or one of workerd's classes above.
  answerThrow(throwClass, message, throwName = null) {
    return this.answer(JSON.stringify({ kind: "throw", throwClass, message, throwName }));
  }

  whenCalled(id) {
    return this.byId.get(id).called.promise;
  }

  whenSettled(id) {
    return this.byId.get(id).settled.promise;
  }

  releaseHeaders(id) {
    this.byId.get(id).headersGate.resolve();
  }

  releaseBody(id) {
    this.byId.get(id).bodyGate.resolve();
  }

  callsJson() {
    return JSON.stringify(this.calls);
  }

  async run(...args) {
    const [model, inputs, options = {}] = args;
    this.#options = options;
    this.lastRequestId = "";
    if (this.record) {
      this.calls.push({
        argc: args.length,
        model,
        inputs: inputs === undefined ? "<undefined>" : JSON.parse(JSON.stringify(inputs)),
        options: JSON.parse(JSON.stringify(options)),
        issues: [...shapeIssues(inputs, "inputs"), ...shapeIssues(options, "options")],
      });
    }
    const scripted = this.answers.shift();
    const answer = scripted ?? new Answer(this.defaultAnswer, -1);
    answer.called.resolve();
    const res = scripted === undefined && this.upstream !== null
      ? await this.upstream(model, JSON.stringify(inputs))
      : await this.#fetch(answer);
    this.lastRequestId = res.headers.get("cf-ai-req-id");
    this.aiGatewayLogId = res.headers.get("cf-aig-log-id");
    this.lastRequestHttpStatusCode = res.status;
    this.lastResponse = res;
    answer.settled.resolve();
    if (this.#options.returnRawResponse) return res;
    if (!res.ok || !res.body) throw await this.#parseError(res);
    if (res.headers.get("content-type") === "application/json") return await res.json();
    return res.body;
  }

  // The upstream subrequest: a real Response once the answer's headers are released.
  async #fetch(answer) {
    await answer.headersGate.promise;
    if (answer.kind === "throw") {
      const Class = answer.throwClass === "AiInternalError" ? AiInternalError
        : answer.throwClass === "InferenceUpstreamError" ? InferenceUpstreamError
          : globalThis[answer.throwClass];
      const error = new Class(answer.message);
      if (answer.throwName) error.name = answer.throwName;
      throw error;
    }
    const body = answer.bytes === null ? null : this.#stream(answer);
    this.lastStream = body ?? undefined;
    return new Response(body, { status: answer.status, headers: answer.headers });
  }

  async #parseError(res) {
    const content = await res.text();
    try {
      const parsed = JSON.parse(content);
      if (parsed.internalCode) {
        this.lastRequestInternalStatusCode = parsed.internalCode;
        return new InferenceUpstreamError(`${parsed.internalCode}: ${parsed.description}`, parsed.name);
      }
      if (parsed.errors && parsed.errors.length > 0 && parsed.errors[0]) {
        return new InferenceUpstreamError(`${parsed.errors[0].code}: ${parsed.errors[0].message}`);
      }
      return new InferenceUpstreamError(content);
    } catch {
      return new InferenceUpstreamError(content);
    }
  }

  // Pull-based with no read-ahead: `pulls` counts every chunk anyone has asked for. A held
  // answer's first chunk waits for `releaseBody`.
  // `lastBodyState` tells whether the last body was left "open", "read" to its end or
  // "cancelled".
  #stream(answer) {
    const { bytes, chunkSize } = answer;
    let offset = 0;
    this.pulls = 0;
    this.lastBodyState = "open";
    return new ReadableStream(
      {
        pull: async (controller) => {
          this.pulls += 1;
          await answer.bodyGate.promise;
          if (offset >= bytes.length) {
            this.lastBodyState = "read";
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(offset, offset + chunkSize));
          offset += chunkSize;
        },
        cancel: () => {
          this.lastBodyState = "cancelled";
        },
      },
      { highWaterMark: 0 },
    );
  }
}

// Named like workerd's class; `limit({key})` answers {success}.
export class Ratelimit {
  constructor(allowed = 1000) {
    this.allowed = allowed;
    this.keys = [];
    this.argsIssues = [];
    this.failure = null;
  }

  failWith(message) {
    this.failure = message;
  }

  async limit(...args) {
    const [options] = args;
    this.argsIssues.push(...shapeIssues(options, "options"));
    if (args.length !== 1) this.argsIssues.push(`argc: ${args.length}`);
    this.keys.push(options?.key);
    if (this.failure !== null) throw new Error(this.failure);
    const used = this.keys.filter((k) => k === options?.key).length;
    return { success: used <= this.allowed };
  }
}

// A Worker `env`: bindings plus vars (strings, or JSON values from wrangler's [vars]).
// `optionsJson`: {"ai": false} or {"rateLimiter": false} leave a binding out; "allowed" is
// the rate limit per key.
export function makeEnv(varsJson = "{}", optionsJson = "{}") {
  const { ai = true, rateLimiter = true, allowed = 1000 } = JSON.parse(optionsJson);
  const env = { ...JSON.parse(varsJson) };
  if (ai) env.AI = new Ai();
  if (rateLimiter) env.RATE_LIMITER = new Ratelimit(allowed);
  return env;
}

// A real JS Request; `bodyBase64` carries exact bytes.
export function makeRequest(method, url, headersJson = "[]", bodyBase64 = null) {
  const init = { method, headers: JSON.parse(headersJson) };
  if (bodyBase64 !== null) init.body = fromBase64(bodyBase64);
  return new Request(url, init);
}

// A request whose body is a stream of `chunks` chunks of `size` bytes, with no
// content-length (a chunked upload); `pulls()` tells how many chunks were read.
export function makeStreamRequest(method, url, chunks, size) {
  let pulled = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  const request = new Request(url, { method, body, duplex: "half" });
  request.pulls = () => pulled;
  return request;
}

export async function readBodyBase64(response) {
  return toBase64(new Uint8Array(await response.arrayBuffer()));
}

export function headersJson(headers) {
  return JSON.stringify([...headers.entries()]);
}

export function same(a, b) {
  return Object.is(a, b);
}

export function isResponse(value) {
  return value instanceof Response;
}

// Records what every `new Response(...)` receives, until `stopSpying()`.
const OriginalResponse = globalThis.Response;
export const constructed = [];

export function spyOnResponse() {
  constructed.length = 0;
  globalThis.Response = new Proxy(OriginalResponse, {
    construct(target, ctorArgs, newTarget) {
      constructed.push({ body: ctorArgs[0], init: ctorArgs[1] });
      return Reflect.construct(target, ctorArgs, newTarget === globalThis.Response ? target : newTarget);
    },
  });
}

export function stopSpying() {
  globalThis.Response = OriginalResponse;
}

export function constructedBodyIs(index, value) {
  return Object.is(constructed.at(index)?.body, value);
}

// A binding whose `run` misbehaves in one way, for the glue's less travelled paths:
// "thenable" answers a JSON Response through a thenable that is not a native promise (as an
// RPC call's JsRpcPromise is); "plain" resolves to a plain object, not a Response;
// "syncThrow" throws before making a promise; "brokenBody" answers JSON headers whose body
// fails mid-read. `calls` counts the calls, `args` keeps the last call's argument count.
export class OddAi {
  constructor(mode, logId = "log-odd") {
    this.mode = mode;
    this.logId = logId;
    this.calls = 0;
    this.argc = null;
  }

  run(...args) {
    this.calls += 1;
    this.argc = args.length;
    const headers = { "content-type": "application/json", "cf-aig-log-id": this.logId };
    if (this.mode === "syncThrow") throw new TypeError("bad arguments");
    if (this.mode === "plain") return Promise.resolve({ response: "not a Response" });
    if (this.mode === "thenable") {
      const response = new Response('{"odd": true}', { headers });
      return { then: (resolve) => resolve(response) };
    }
    const body = new ReadableStream({
      pull(controller) {
        controller.error(new TypeError("network connection lost"));
      },
    });
    return Promise.resolve(new Response(body, { headers }));
  }
}
