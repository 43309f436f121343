// The whole Worker (src/entry.py, the airelay package, its vendored dependencies) in real
// Pyodide 314, set up as workerd sets up a Python Worker; used by scripts/worker-pyodide.mjs
// (the Worker over HTTP) and bench/worker_pyodide.py.
//
// As in workerd (src/pyodide/python-entrypoint-helper.ts, src/pyodide/internal/*): the SDK
// (`workers`) sits in site-packages, the runtime-only modules it imports are registered as JS
// modules, the Worker's own files sit under /session/metadata on sys.path, and the packages
// pywrangler vendors into python_modules/ are unzipped into one directory on sys.path after them.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import * as standIns from "./stand_ins.mjs";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const PYODIDE_VERSION = "314.0.7";
export const METADATA_DIR = "/session/metadata";
export const VENDOR_DIR = "/session/metadata/python_modules";

// Wheels by name prefix in .cache/wheels (scripts/fetch-pyodide-deps.sh fetches them, checked
// against uv.lock): the SDK, then the Worker's runtime dependencies ([project].dependencies
// and what they need, pydantic-core as its pyemscripten_2026_0 build for Python 3.14).
const SDK_WHEEL = /^workers_runtime_sdk-.*-py3-none-any\.whl$/;
const VENDORED_WHEELS = [
  /^pydantic-[\d.]+-py3-none-any\.whl$/,
  /^pydantic_core-.*-cp314-cp314-pyemscripten_2026_0_wasm32\.whl$/,
  /^annotated_types-.*-py3-none-any\.whl$/,
  /^typing_extensions-.*-py3-none-any\.whl$/,
  /^typing_inspection-.*-py3-none-any\.whl$/,
  /^pyjwt-.*-py3-none-any\.whl$/,
];
const FETCH_HINT = "run scripts/fetch-pyodide-deps.sh";

function findWheel(wheelDir, pattern) {
  let names;
  try {
    names = readdirSync(wheelDir);
  } catch {
    throw new Error(`no ${wheelDir}: ${FETCH_HINT}`);
  }
  const found = names.filter((name) => pattern.test(name));
  if (found.length !== 1) {
    throw new Error(`expected one wheel matching ${pattern} in ${wheelDir}, found ${found.length}: ${FETCH_HINT}`);
  }
  return join(wheelDir, found[0]);
}

// Every file of the tree, whatever its modules are called: the package is being reshaped, and
// the Worker is uploaded as a tree too.
function copyTree(pyodide, from, to) {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    if (name === "__pycache__") continue;
    const path = join(from, name);
    if (statSync(path).isDirectory()) copyTree(pyodide, path, `${to}/${name}`);
    else pyodide.FS.writeFile(`${to}/${name}`, readFileSync(path));
  }
}

function unzip(pyodide, wheelPath, into) {
  pyodide.FS.writeFile("/tmp/wheel.whl", readFileSync(wheelPath));
  pyodide.runPython(`
import zipfile
with zipfile.ZipFile("/tmp/wheel.whl") as wheel:
    wheel.extractall(${JSON.stringify(into)})
`);
  pyodide.FS.unlink("/tmp/wheel.whl");
}

// Boots Pyodide 314 and lays out the Worker; nothing of the Worker is imported yet.
export async function bootPyodide({
  root = ROOT,
  pyodideDir = join(root, "node_modules", "pyodide-314"),
  wheelDir = join(root, ".cache", "wheels"),
  srcDir = join(root, "src"),
  stdout = (line) => process.stderr.write(`[py] ${line}\n`),
  stderr = (line) => process.stderr.write(`[py:err] ${line}\n`),
} = {}) {
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout, stderr });
  if (pyodide.version !== PYODIDE_VERSION) {
    throw new Error(`expected Pyodide ${PYODIDE_VERSION} in ${pyodideDir}, found ${pyodide.version}`);
  }
  // The SDK imports these; on the Worker, workerd provides them.
  pyodide.registerJsModule("_pyodide_entrypoint_helper", standIns.entrypointHelper);
  pyodide.registerJsModule("_cloudflare_compat_flags", standIns.compatFlags);
  pyodide.registerJsModule("stand_ins", standIns);

  const sitePackages = pyodide.runPython(`import sysconfig; sysconfig.get_paths()["purelib"]`);
  unzip(pyodide, findWheel(wheelDir, SDK_WHEEL), sitePackages);
  pyodide.FS.mkdirTree(VENDOR_DIR);
  for (const pattern of VENDORED_WHEELS) unzip(pyodide, findWheel(wheelDir, pattern), VENDOR_DIR);
  copyTree(pyodide, srcDir, METADATA_DIR);
  pyodide.runPython(`
import sys
import types

sys.path[:0] = [${JSON.stringify(METADATA_DIR)}, ${JSON.stringify(VENDOR_DIR)}]
# npm's Pyodide ships \`ssl\` unvendored (a package it cannot fetch offline); the Workers runtime
# has the full standard library. PyJWT imports ssl only to annotate PyJWKClient, which the
# relay does not use: a stand-in serves for that import.
try:
    import ssl  # noqa: F401
except ModuleNotFoundError:
    _ssl = types.ModuleType("ssl")
    _ssl.SSLContext = type("SSLContext", (), {})
    sys.modules["ssl"] = _ssl
`);
  return pyodide;
}

// Imports the main module, as workerd does at deploy (pyimportMainModule): the global scope.
export function importEntry(pyodide) {
  return pyodide.pyimport("entry");
}

// A Worker's execution context, as much of it as airelay touches: workerd's
// ExecutionContext has waitUntil, passThroughOnException and props.
export function makeContext() {
  const pending = [];
  return {
    waitUntil(promise) {
      pending.push(Promise.resolve(promise).catch(() => {}));
    },
    passThroughOnException() {},
    props: {},
    pending,
  };
}

// Calls the Worker for one request as workerd's entrypoint wrapper does: a fresh instance of
// the entrypoint class per request (`new Default(ctx, env)`), its `fetch` called with stack
// switching (JSPI: callWithOptions({promising: true})), a returned workers.Response unwrapped
// to its JS object (`res?.js_object ?? res`).
export function makeFetch(entry, className = "Default") {
  const EntrypointClass = entry[className];
  if (typeof EntrypointClass !== "function") {
    throw new TypeError(`There is no '${className}' class defined in the Python Worker's main module`);
  }
  return async function fetch(request, env, ctx = makeContext()) {
    const instance = EntrypointClass(ctx, env);
    const method = instance.fetch;
    try {
      const result = await method.callWithOptions({ promising: true }, request);
      const jsResult = result?.js_object ?? result;
      if (jsResult !== result && typeof result?.destroy === "function") result.destroy();
      return jsResult;
    } finally {
      method.destroy();
      instance.destroy();
    }
  };
}
