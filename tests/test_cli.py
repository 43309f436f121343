"""`airelay dev`'s command line: `.dev.vars`, its flags, what it prints, how it runs uvicorn.

Most tests call `main()` with `uvicorn.run` replaced, so no server starts; the `e2e` ones run
the real process and the README's own examples against it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from airelay import __version__, cli
from airelay.cli import LOCAL_MODEL_LINE, main, parse_dev_vars, server_stack
from tests.conftest import REPO
from tests.fakes import run
from tests.live_server import live_server

KEY_ENV = "sk-from-the-environment-1"
KEY_FILE = "sk-from-dev-vars-0001"
# Variables a developer's shell might set, which would change what `main` prints.
RELAY_VARIABLES = (
    "API_KEYS",
    "ALLOW_ANONYMOUS",
    "CORS_ALLOW_ORIGINS",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_PERIOD",
    "AIRELAY_TOKEN_DELAY_MS",
    "ALLOWED_HOSTS",
    "UPSTREAM_BASE_URL",
)


class Served:
    """What `main` handed to `uvicorn.run`, and the token delay it built the app with."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []
        self.token_delays: list[float] = []

    @property
    def app(self) -> Any:
        """Return the ASGI app of the one `uvicorn.run` call."""
        assert len(self.calls) == 1
        return self.calls[0][0]

    @property
    def kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of the one `uvicorn.run` call."""
        assert len(self.calls) == 1
        return self.calls[0][1]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Served:
    """Run `main` in an empty directory with a clean environment and a fake `uvicorn.run`."""
    record = Served()
    for name in RELAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def fake_run(app: Any, **kwargs: Any) -> None:
        record.calls.append((app, kwargs))

    real_build_app = cli.build_app

    def recording_build_app(env: Any, token_delay: float = 0.0, bind: str | None = None) -> Any:
        record.token_delays.append(token_delay)
        return real_build_app(env, token_delay=token_delay, bind=bind)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(cli, "build_app", recording_build_app)
    return record


def get(app: Any, path: str, key: str | None = None) -> httpx.Response:
    """GET `path` from an ASGI app in process."""

    async def go() -> httpx.Response:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relay.test") as client:
            return await client.get(path, headers=headers)

    return run(go())


# --- .dev.vars: wrangler's dotenv syntax ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An inline comment ends an unquoted value: no "#", "rotated", "out" keys.
        ("API_KEYS=sk-a, sk-b # rotated out\n", {"API_KEYS": "sk-a, sk-b"}),
        ("A=1#no space needed\n", {"A": "1"}),
        ('A="x # y" # a comment\n', {"A": "x # y"}),
        ("A='x#y'   # a comment\nB=`z`\n", {"A": "x#y", "B": "z"}),
        ("export A=1\nexport   B = spaced value  \n", {"A": "1", "B": "spaced value"}),
        ("# a comment\n\n   # indented\nA=1\n", {"A": "1"}),
        ("A=\nB=after an empty one\n", {"A": "", "B": "after an empty one"}),
        ('A="one\ntwo"\nB=3\n', {"A": "one\ntwo", "B": "3"}),
        ("A=\"a\\nb\"\nB='a\\nb'\n", {"A": "a\nb", "B": "a\\nb"}),
        ("A=1\r\nB=2\rC=3", {"A": "1", "B": "2", "C": "3"}),
        ("\ufeffA=1\n", {"A": "1"}),
        ("A: yaml style\n", {"A": "yaml style"}),
        ("A=1\nA=2\n", {"A": "2"}),
        ("not a variable\n=no name\n", {}),
    ],
)
def test_dev_vars_parse_like_wrangler(text: str, expected: dict[str, str]) -> None:
    assert parse_dev_vars(text) == expected


WRANGLER_CLI = REPO / "node_modules" / "wrangler" / "wrangler-dist" / "cli.js"
# dotenv 16's `parse`, verbatim but for LINE, which the test reads from wrangler's own bundle.
DOTENV_PARSE = r"""
const fs = require("fs");
const bundle = fs.readFileSync(process.argv[1], "utf8");
const line = bundle.split("\n").find((l) => l.trim().startsWith("var LINE = /(?:^|^)"));
if (!line) { console.log("null"); process.exit(0); }
const LINE = eval(line.trim().replace(/^var LINE = /, "").replace(/;$/, ""));
function parse(src) {
  const obj = {};
  let lines = src.toString().replace(/\r\n?/mg, "\n");
  let match;
  while ((match = LINE.exec(lines)) != null) {
    const key = match[1];
    let value = (match[2] || "").trim();
    const maybeQuote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/mg, "$2");
    if (maybeQuote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    obj[key] = value;
  }
  return obj;
}
console.log(JSON.stringify(JSON.parse(fs.readFileSync(0, "utf8")).map(parse)));
"""
TRICKY_FILES = [
    "API_KEYS=sk-a, sk-b # rotated out\nB=a#b\n",
    'A="x # y" # c\nB=\'q#r\'   # note\nC=`t`\nD="unterminated\nE=next\n',
    'export D=1\n export   E = spaced  \nF: yaml\nG:nospace\nH==eq\nI="a"b"\n',
    'J = "multi\nline"\nK="esc\\nnl\\r"\nL=\'esc\\n\'\nM=\'a\' trailing\nN=""\n',
    "\ufeffBOM=1\r\nCRLF=2\r\nCR=3\rLAST=4",
    "X=\nY=after-empty\n=novalue\nT.x-y=dots\nS=sk-1 sk-2\n",
]


@pytest.mark.wrangler
def test_dev_vars_parser_agrees_with_the_dotenv_inside_wrangler() -> None:
    if shutil.which("node") is None or not WRANGLER_CLI.is_file():
        pytest.skip("node or npm wrangler is missing: run `npm ci`")
    result = subprocess.run(
        ["node", "-e", DOTENV_PARSE, str(WRANGLER_CLI)],
        input=json.dumps(TRICKY_FILES),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = json.loads(result.stdout)
    assert theirs is not None, "wrangler's bundle no longer holds dotenv's LINE pattern"
    assert [parse_dev_vars(text) for text in TRICKY_FILES] == theirs


# --- what `airelay dev` reads and prints on start ---------------------------------------------


def test_dev_vars_override_the_process_environment(
    served: Served, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_KEYS", KEY_ENV)
    monkeypatch.setenv("RATE_LIMIT_PERIOD", "10")
    Path(".dev.vars").write_text(
        f"API_KEYS={KEY_FILE} # the current key\nexport LOG_PROMPTS=false\n", encoding="utf-8"
    )
    assert main(["dev"]) == 0
    out = capsys.readouterr().out
    where = Path(".dev.vars").resolve()
    assert f"vars: 2 variables from {where} (they override the process environment)" in out
    assert "access: 1 API key(s) from API_KEYS" in out
    assert KEY_FILE not in out
    assert KEY_ENV not in out
    assert get(served.app, "/v1/models", KEY_FILE).status_code == 200
    assert get(served.app, "/v1/models", KEY_ENV).status_code == 401


def test_start_prints_the_urls_the_vars_and_who_may_call(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--port", "9123"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"airelay {__version__}: relay on http://127.0.0.1:9123/v1",
        f"model: {LOCAL_MODEL_LINE}",
        "chat page: http://127.0.0.1:9123/",
        f"vars: no {Path('.dev.vars').resolve()}; using the process environment only",
        "access: keyless: anyone who can reach 127.0.0.1 may call it "
        "(set API_KEYS to require keys); Host must name loopback (ALLOWED_HOSTS adds names)",
        f"server: uvicorn on {server_stack('h11', 'auto')}",
    ]


def test_an_ipv6_host_is_bracketed_in_the_printed_urls(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--host", "::1", "--port", "9123"]) == 0
    out = capsys.readouterr().out
    assert "http://[::1]:9123/v1" in out
    assert served.kwargs["host"] == "::1"


def test_an_explicit_env_file_is_read_and_named(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(".dev.vars").write_text("API_KEYS=sk-ignored-default-file\n", encoding="utf-8")
    other = tmp_path / "other.vars"
    other.write_text(f'API_KEYS="{KEY_FILE}"\n', encoding="utf-8")
    assert main(["dev", "--env-file", str(other)]) == 0
    out = capsys.readouterr().out
    assert f"vars: 1 variable from {other.resolve()}" in out
    assert get(served.app, "/v1/models", KEY_FILE).status_code == 200


def test_an_empty_env_file_such_as_dev_null_is_fine(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--env-file", os.devnull]) == 0
    assert "vars: 0 variables from" in capsys.readouterr().out


def test_a_missing_explicit_env_file_is_an_error(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev", "--env-file", "nope.vars"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "airelay dev: --env-file nope.vars: no such file\n"
    assert captured.out == ""
    assert served.calls == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "Is a directory"), (b"API_KEYS=\xff\xfe\n", "not UTF-8")],
)
def test_an_unreadable_env_file_is_an_error(
    served: Served, capsys: pytest.CaptureFixture[str], content: bytes | None, reason: str
) -> None:
    if content is None:
        Path(".dev.vars").mkdir()
    else:
        Path(".dev.vars").write_bytes(content)
    assert main(["dev"]) == 2
    err = capsys.readouterr().err
    assert err == f"airelay dev: cannot read .dev.vars: {reason}\n"
    assert served.calls == []


# --- the token delay --------------------------------------------------------------------------


def test_token_delay_comes_from_the_flag_over_the_variable(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRELAY_TOKEN_DELAY_MS", "80")
    assert main(["dev", "--token-delay-ms", "30"]) == 0
    assert served.token_delays == [pytest.approx(0.03)]


def test_token_delay_comes_from_dev_vars(served: Served) -> None:
    Path(".dev.vars").write_text("AIRELAY_TOKEN_DELAY_MS=12.5 # ms\n", encoding="utf-8")
    assert main(["dev"]) == 0
    assert served.token_delays == [pytest.approx(0.0125)]


def test_token_delay_defaults_to_none_and_an_empty_variable_is_unset(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRELAY_TOKEN_DELAY_MS", " ")
    assert main(["dev"]) == 0
    assert served.token_delays == [0.0]


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "inf", "", "1e999"])
def test_a_bad_token_delay_flag_is_a_one_line_error(
    served: Served, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main(["dev", f"--token-delay-ms={value}"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"airelay dev: --token-delay-ms must be a number of milliseconds >= 0, got {value!r}\n"
    )
    assert served.calls == []


@pytest.mark.parametrize("source", ["environment", ".dev.vars"])
def test_a_bad_token_delay_variable_is_a_one_line_error_naming_it(
    served: Served,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
) -> None:
    if source == "environment":
        monkeypatch.setenv("AIRELAY_TOKEN_DELAY_MS", "-5")
    else:
        Path(".dev.vars").write_text("AIRELAY_TOKEN_DELAY_MS=-5\n", encoding="utf-8")
    assert main(["dev"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "airelay dev: AIRELAY_TOKEN_DELAY_MS must be a number of milliseconds >= 0, got '-5'\n"
    )
    assert served.calls == []


# --- uvicorn ----------------------------------------------------------------------------------


def test_uvicorn_runs_without_proxy_headers(served: Served) -> None:
    assert main(["dev", "--host", "127.0.0.2", "--port", "9124"]) == 0
    assert (
        served.kwargs.items()
        >= {
            "host": "127.0.0.2",
            "port": 9124,
            "log_level": "info",
            "proxy_headers": False,
            "access_log": False,
            "loop": "auto",
        }.items()
    )


@pytest.mark.e2e
def test_x_forwarded_for_cannot_dodge_the_keyless_rate_limit(tmp_path: Path) -> None:
    # With uvicorn's default proxy_headers=True a loopback caller's X-Forwarded-For became its
    # address, so each forged address got a fresh allowance.
    empty = tmp_path / "empty.vars"
    empty.write_text("", encoding="utf-8")
    env = {"API_KEYS": "", "ALLOW_ANONYMOUS": "", "RATE_LIMIT_REQUESTS": "2"}
    with live_server(env=env, args=("--env-file", str(empty))) as server:
        statuses = [
            httpx.post(
                f"{server.url}/v1/chat/completions",
                json={"messages": [{"role": "user", "content": "hi"}]},
                headers={"x-forwarded-for": f"203.0.113.{n}", "x-real-ip": f"198.51.100.{n}"},
            ).status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 429, 429]
    assert "203.0.113." not in server.log()


# --- the docs' Python examples, as written (the README's is one of them: tests/test_docs.py) --


def readme_python_examples() -> list[str]:
    """Return every ```python block of the docs' "Calling it" page."""
    text = (REPO / "docs" / "calling.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_has_python_examples() -> None:
    assert readme_python_examples()
    for example in readme_python_examples():
        assert "http://127.0.0.1:8787" in example


@pytest.mark.e2e
def test_the_readme_python_examples_run_against_airelay_dev(tmp_path: Path) -> None:
    empty = tmp_path / "empty.vars"
    empty.write_text("", encoding="utf-8")
    outputs: list[str] = []
    with live_server(env={"API_KEYS": ""}, args=("--env-file", str(empty))) as server:
        for example in readme_python_examples():
            code = example.replace("http://127.0.0.1:8787", server.url)
            result = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                cwd=tmp_path,
            )
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""
            outputs.append(result.stdout)
    lines = "".join(outputs).splitlines()
    # Each answer on its own line, usage after each stream, and no `None` for the finish chunk.
    assert lines[0].startswith("You said: Hello! (local gpt-5.4-mini; ")
    assert lines[1].startswith("You said: Hi (local gpt-5.4-mini; ")
    assert lines[1].endswith(")")
    assert lines[2].startswith("CompletionUsage(completion_tokens=")
    assert lines[3].startswith("You said: Hello! (local gpt-5.4-pro; ")
    assert lines[4].startswith("ResponseUsage(input_tokens=")
    # The Agents SDK example: its tool was called and its result quoted.
    assert lines[5].startswith("The tool returned: 22 degrees in ")
    assert len(lines) == 6
