"""Tier 2: `serve` (hosts/worker/__init__.py) and `src/entry.py` answer a Worker fetch end to
end with a stand-in core, in real Pyodide on both runtimes, through the SDK's wrappers as on the
Worker."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.pyodide.runner_client import ROOT, PyodideRunner
from tests.pyodide.snippets import SSE_TEXT, run

pytestmark = pytest.mark.pyodide


def test_glue_imports_without_pydantic(pyodide: PyodideRunner) -> None:
    loaded = pyodide.run(
        """
        import sys
        import airelay.hosts.worker
        try:
            import pydantic
            pydantic_here = True
        except ModuleNotFoundError:
            pydantic_here = False
        roots = ("airelay", "pydantic")
        [pydantic_here, sorted(m for m in sys.modules if m.split(".")[0] in roots)]
        """
    )
    pydantic_here, modules = loaded
    assert pydantic_here is False, "Pyodide here must lack pydantic, or this test proves nothing"
    assert "airelay.hosts.worker" in modules
    assert not [m for m in modules if m.startswith("pydantic")]


def test_the_glue_package_loads_every_module_it_holds(pyodide: PyodideRunner) -> None:
    # runner.mjs copies src/ as a tree, so the package's directory is there in full; importing
    # the package, as entry.py does, loads each of its modules (and so the test above covers
    # them all).
    package = ROOT / "src" / "airelay" / "hosts" / "worker"
    on_disk = sorted(f"airelay.hosts.worker.{path.stem}" for path in package.glob("[!_]*.py"))
    loaded = pyodide.run(
        """
        import sys
        import airelay.hosts.worker
        [airelay.hosts.worker.__file__,
         sorted(m for m in sys.modules if m.startswith("airelay.hosts.worker."))]
        """
    )
    assert loaded[0].endswith("/airelay/hosts/worker/__init__.py")
    assert len(on_disk) > 1
    assert loaded[1] == on_disk


def test_serve_returns_js_response_from_core(pyodide: PyodideRunner) -> None:
    answer: dict[str, Any] = {
        "id": "chatcmpl-9",
        "object": "chat.completion",
        "choices": [],
        "note": None,
    }
    got = run(
        pyodide,
        f"""
        env = stand_ins.makeEnv('{{"AI_GATEWAY_ID": "gw"}}')
        env.AI.answerJson({json.dumps(answer)!r}, "log-77")
        core = FakeCore(status=201, extra_headers=[("x-relay", "airelay")])
        response = await serve(
            make_request(
                body=b'{{"messages": []}}', headers=[("cf-connecting-ip", "198.51.100.4")]
            ),
            env,
            core,
        )
        seen = core.seen[0]
        [await response_json(response), await request_json(seen), dict(core.platforms[0].env),
         type(core.platforms[0].backend).__name__]
        """,
    )
    response, seen, env_vars, backend = got
    assert response["is_js_response"] is True
    assert response["status"] == 201
    assert dict(response["headers"]) == {
        "content-type": "application/json",
        "x-relay": "airelay",
        "cf-aig-log-id": "log-77",
    }
    assert json.loads(base64.b64decode(response["body"])) == answer
    assert seen["client"] == "198.51.100.4"
    assert base64.b64decode(seen["body"]) == b'{"messages": []}'
    assert env_vars == {"AI_GATEWAY_ID": "gw"}
    assert backend == "AiBinding"


def test_sdk_wrapped_env_still_reaches_the_raw_binding(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        import workers
        from workers import _EnvWrapper
        env = stand_ins.makeEnv()
        wrapped = _EnvWrapper(env)
        # What the SDK's own wrapper would send: it turns None into null.
        env.AI.answerJson("{{}}")
        await wrapped.AI.run("m", {{"temperature": None}}, {{}})
        env.AI.answerStream({SSE_TEXT!r}, 8)
        request = workers.Request(make_request(body=b"{{}}"))
        response = await serve(request, wrapped, FakeCore())
        [type(wrapped.AI).__name__, calls(env.AI)[0]["issues"],
         stand_ins.same(response.body, env.AI.lastStream),
         calls(env.AI)[1]["issues"], await response_json(response)]
        """,
    )
    wrapper_name, sdk_issues, same_stream, glue_issues, response = got
    assert wrapper_name == "_BindingWrapper", "the stand-in must look like workerd's Ai binding"
    assert sdk_issues == ["inputs.temperature: null"]
    assert same_stream is True
    assert glue_issues == []
    assert base64.b64decode(response["body"]) == SSE_TEXT.encode()


def test_entry_wires_serve_through_the_sdk_entrypoint(pyodide: PyodideRunner) -> None:
    got = run(
        pyodide,
        f"""
        import importlib, sys, types
        import js
        fake_app = types.ModuleType("airelay.core.app")
        fake_app.handle = FakeCore()
        saved = {{name: sys.modules.pop(name, None) for name in ("airelay.core.app", "entry")}}
        sys.modules["airelay.core.app"] = fake_app
        try:
            entry = importlib.import_module("entry")
            env = stand_ins.makeEnv()
            env.AI.answerStream({SSE_TEXT!r}, 6)
            instance = entry.Default(js.Object.new(), env)
            response = await instance.fetch(make_request(body=b"{{}}"))
        finally:
            for name, module in saved.items():
                sys.modules.pop(name, None)
                if module is not None:
                    sys.modules[name] = module
        [type(instance.env).__name__, stand_ins.same(response.body, env.AI.lastStream),
         len(fake_app.handle.seen), await response_json(response)]
        """,
    )
    env_type, same_stream, handled, response = got
    assert env_type == "_EnvWrapper", "WorkerEntrypoint wraps env, as on the Worker"
    assert same_stream is True
    assert handled == 1
    # workerd answers with the JS Response that fetch returns (see to_workers_response).
    assert response["is_js_response"] is True
    assert response["status"] == 200
    assert base64.b64decode(response["body"]) == SSE_TEXT.encode()


def test_entry_module_is_only_wiring() -> None:
    lines = [
        line
        for line in (ROOT / "src" / "entry.py").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith(("#", '"""'))
    ]
    assert len(lines) <= 6, lines
