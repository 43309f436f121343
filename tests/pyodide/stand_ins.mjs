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

// workerd's class: the message is "<internalCode>: <description>", the name may be overridden.
export class InferenceUpstreamError extends Error {
  constructor(message, name = "InferenceUpstreamError") {
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

// Named `Ai` like workerd's binding class, so the SDK's _EnvWrapper wraps it the same way.
export class Ai {
  constructor() {
    this.calls = [];
    this.answers = [];
    this.aiGatewayLogId = null;
    this.lastStream = undefined;
    this.pulls = 0;
    // The benchmark turns recording off and answers every call with one JSON value.
    this.record = true;
    this.defaultAnswer = {};
  }

  answerJsonAlways(jsonText) {
    this.defaultAnswer = JSON.parse(jsonText);
    this.record = false;
  }

  answerJson(jsonText, logId = null) {
    this.answers.push({ kind: "json", value: JSON.parse(jsonText), logId });
  }

  // The body is split every `chunkSize` bytes, so multi-byte characters straddle chunks.
  answerStream(text, chunkSize = 7, logId = null) {
    this.answers.push({ kind: "stream", bytes: encoder.encode(text), chunkSize, logId });
  }

  answerError(message, name = "InferenceUpstreamError") {
    this.answers.push({ kind: "error", message, name });
  }

  answerJsError(constructorName, message) {
    this.answers.push({ kind: "error", message, constructorName });
  }

  callsJson() {
    return JSON.stringify(this.calls);
  }

  async run(...args) {
    const [model, inputs, options] = args;
    if (this.record) {
      this.calls.push({
        argc: args.length,
        model,
        inputs: inputs === undefined ? "<undefined>" : JSON.parse(JSON.stringify(inputs)),
        options: options === undefined ? "<undefined>" : JSON.parse(JSON.stringify(options)),
        issues: [...shapeIssues(inputs, "inputs"), ...shapeIssues(options, "options")],
      });
    }
    const answer = this.answers.shift() ?? { kind: "json", value: this.defaultAnswer, logId: null };
    this.aiGatewayLogId = answer.logId ?? null;
    if (answer.kind === "error") {
      if (answer.constructorName) throw new globalThis[answer.constructorName](answer.message);
      throw new InferenceUpstreamError(answer.message, answer.name);
    }
    if (answer.kind === "json") {
      return answer.value;
    }
    this.lastStream = this.#stream(answer.bytes, answer.chunkSize);
    return this.lastStream;
  }

  // Pull-based with no read-ahead: `pulls` counts every chunk anyone has asked for.
  #stream(bytes, chunkSize) {
    let offset = 0;
    this.pulls = 0;
    return new ReadableStream(
      {
        pull: (controller) => {
          this.pulls += 1;
          if (offset >= bytes.length) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.slice(offset, offset + chunkSize));
          offset += chunkSize;
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
