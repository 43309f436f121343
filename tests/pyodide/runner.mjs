// Runs Python snippets in real Pyodide (the Python Workers runtime) for pytest.
//
// Usage: node runner.mjs --pyodide <dir> --wheel <file.whl> --src <dir> --harness <file.py>
//
// Protocol (one JSON object per line): stdin gets {"id", "code"}; stdout answers
// {"id", "ok": true, "value"} with the snippet's last expression as JSON, or
// {"id", "ok": false, "error"} with the Python traceback. The first stdout line is
// {"ready": true, ...} once Pyodide, the SDK wheel and the sources are loaded.
// Python's own stdout and stderr go to this process's stderr, so stdout stays the channel.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import * as standIns from "./stand_ins.mjs";

const { values: args } = parseArgs({
  options: {
    pyodide: { type: "string" },
    wheel: { type: "string" },
    src: { type: "string" },
    harness: { type: "string" },
  },
});
for (const name of ["pyodide", "wheel", "src", "harness"]) {
  if (!args[name]) throw new Error(`runner.mjs: --${name} is required`);
}

const SRC_DIR = "/home/pyodide/src";

const { loadPyodide } = await import(pathToFileURL(join(args.pyodide, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: args.pyodide + "/",
  stdout: (line) => process.stderr.write(`[py] ${line}\n`),
  stderr: (line) => process.stderr.write(`[py:err] ${line}\n`),
});

// The SDK imports these; on the Worker, workerd provides them.
pyodide.registerJsModule("_pyodide_entrypoint_helper", standIns.entrypointHelper);
pyodide.registerJsModule("_cloudflare_compat_flags", standIns.compatFlags);
pyodide.registerJsModule("stand_ins", standIns);

// The wheel is a zip of pure-Python files: unpacking it is what an installer would do. Where
// it goes depends on the runtime's Python (3.13 or 3.14), so ask that Python.
const SITE_PACKAGES = pyodide.runPython(`import sysconfig; sysconfig.get_paths()["purelib"]`);
pyodide.FS.writeFile("/tmp/sdk.whl", readFileSync(args.wheel));
pyodide.runPython(`
import zipfile
with zipfile.ZipFile("/tmp/sdk.whl") as wheel:
    wheel.extractall(${JSON.stringify(SITE_PACKAGES)})
`);

// Copy the whole package: Pyodide has no pydantic, so any pydantic import on the glue's
// path fails here exactly as it would if the glue stopped being pydantic-free.
function copyTree(from, to) {
  pyodide.FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (name === "__pycache__") continue;
    if (statSync(path).isDirectory()) copyTree(path, `${to}/${name}`);
    else if (name.endsWith(".py")) pyodide.FS.writeFile(`${to}/${name}`, readFileSync(path));
  }
}
copyTree(args.src, SRC_DIR);
pyodide.FS.mkdirTree("/home/pyodide/harness");
pyodide.FS.writeFile("/home/pyodide/harness/harness.py", readFileSync(args.harness));

const runSnippet = pyodide.runPython(`
import json
import sys

sys.path[:0] = [${JSON.stringify(SRC_DIR)}, "/home/pyodide/harness"]

from pyodide.code import eval_code_async


async def _run_snippet(code):
    namespace = {"__name__": "__snippet__"}
    value = await eval_code_async(code, namespace)
    return json.dumps(value, ensure_ascii=False)


_run_snippet
`);

const write = (message) => process.stdout.write(JSON.stringify(message) + "\n");

write({
  ready: true,
  pyodide: pyodide.version,
  python: pyodide.runPython("import sys; sys.version.split()[0]"),
  node: process.versions.node,
});

// One request at a time, in order: the lines are awaited one after the other.
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    write({ id: null, ok: false, error: `runner.mjs: bad request line: ${err}` });
    continue;
  }
  try {
    const text = await runSnippet(request.code);
    write({ id: request.id, ok: true, value: JSON.parse(text) });
  } catch (err) {
    write({ id: request.id, ok: false, error: String(err?.message ?? err) });
  }
}
runSnippet.destroy();
