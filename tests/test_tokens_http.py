"""Tokens over real HTTP: the openai SDK with a token as its api_key against `airelay dev`, an
identity provider's JWKS served on loopback, the log of a full cycle, and `airelay token`."""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai
import pytest

from airelay.core.jwks import JWKS_CACHE
from airelay.core.tokens import TokenPolicy, verify_token
from airelay.hosts.local import build_app, describe_access, local_env
from tests.client import asgi_http, asgi_sdk
from tests.fakes import run
from tests.jwks_server import GUARD_SECONDS, Scripted, scripted_server
from tests.live_server import LiveServer, free_port, live_server
from tests.token_support import (
    AUDIENCE,
    ISSUER,
    SECRET,
    claims,
    hs256,
    idp_claims,
    jwks,
    pair,
    sign,
)

pytestmark = pytest.mark.e2e
MESSAGES = [{"role": "user", "content": "Say hello"}]


@dataclass
class JwksServer:
    """A key set served over HTTP on loopback; `paths` records what was asked for."""

    body: bytes
    paths: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/.well-known/jwks.json"


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[JwksServer]:
    served = JwksServer(jwks(pair("RS256"), pair("ES256"), pair("EdDSA")))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.paths.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(served.body)))
            self.end_headers()
            self.wfile.write(served.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def relay(
    jwks_server: JwksServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    env = {
        "ALLOW_ANONYMOUS": "false",
        "TOKEN_SECRETS": SECRET,
        "TOKEN_JWKS_URL": jwks_server.url,
        "TOKEN_ISSUER": ISSUER,
        "TOKEN_AUDIENCE": AUDIENCE,
    }
    with live_server(env, cwd=tmp_path_factory.mktemp("relay")) as server:
        yield server


def sdk(relay: LiveServer, token: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{relay.url}/v1", api_key=token, max_retries=0)


def test_sdk_with_a_token_as_api_key_completes_and_streams(relay: LiveServer) -> None:
    with sdk(relay, hs256(claims("alice"))) as client:
        answer = client.chat.completions.create(model="openai/gpt-5.4-mini", messages=MESSAGES)
        assert answer.choices[0].message.content
        chunks = list(
            client.chat.completions.create(
                model="openai/gpt-5.4-mini", messages=MESSAGES, stream=True
            )
        )
        assert chunks


def test_sdk_with_an_expired_token_raises_authentication_error(relay: LiveServer) -> None:
    with sdk(relay, hs256(claims(iat=0, exp=60))) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            client.chat.completions.create(model="openai/gpt-5.4-mini", messages=MESSAGES)
        assert caught.value.code == "token_expired"


def test_sdk_with_a_token_scoped_to_chat_may_not_call_responses(relay: LiveServer) -> None:
    with sdk(relay, hs256(claims("alice", airelay={"routes": ["chat"]}))) as client:
        with pytest.raises(openai.PermissionDeniedError) as caught:
            client.responses.create(model="openai/gpt-5.4-pro", input="hi")
        assert caught.value.code == "token_scope"


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_provider_token_verifies_against_the_jwks_on_loopback(
    relay: LiveServer, jwks_server: JwksServer, alg: str
) -> None:
    with sdk(relay, sign(idp_claims("grace"), pair(alg))) as client:
        answer = client.responses.create(model="openai/gpt-5.4-pro", input="hi")
        assert answer.output_text
        assert jwks_server.paths
        assert set(jwks_server.paths) == {"/.well-known/jwks.json"}


def test_provider_token_for_another_audience_is_refused(relay: LiveServer) -> None:
    with sdk(relay, sign(idp_claims(aud="someone-else"), pair("RS256"))) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            client.chat.completions.create(model="openai/gpt-5.4-mini", messages=MESSAGES)
        assert caught.value.code == "invalid_token"


def test_no_token_appears_in_the_servers_output(jwks_server: JwksServer, tmp_path: Path) -> None:
    tokens = [
        hs256(claims("henry")),
        hs256(claims(iat=0, exp=60)),
        sign(idp_claims("ivy"), pair("ES256")),
    ]
    env = {
        "TOKEN_SECRETS": SECRET,
        "TOKEN_JWKS_URL": jwks_server.url,
        "TOKEN_ISSUER": ISSUER,
        "TOKEN_AUDIENCE": AUDIENCE,
        "LOG_PROMPTS": "true",
    }
    with live_server(env, cwd=tmp_path) as server:
        for token in tokens:
            with sdk(server, token) as client, contextlib.suppress(openai.AuthenticationError):
                list(
                    client.chat.completions.create(
                        model="openai/gpt-5.4-mini", messages=MESSAGES, stream=True
                    )
                )
    # The server has stopped and its output is read to the end.
    log = server.log()
    assert log.count('"event":"request"') == len(tokens)
    for token in tokens:
        for part in token.split("."):
            assert part not in log


def test_unreachable_jwks_is_a_503_for_the_sdk() -> None:
    JWKS_CACHE.clear()
    env = {
        "ALLOW_ANONYMOUS": "false",
        "TOKEN_JWKS_URL": f"http://127.0.0.1:{free_port()}/jwks.json",
        "TOKEN_ISSUER": ISSUER,
        "TOKEN_AUDIENCE": AUDIENCE,
    }
    lines: list[str] = []

    async def call() -> None:
        token = sign(idp_claims(), pair("RS256"))
        async with asgi_sdk(build_app(env, log=lines.append), api_key=token) as client:
            await client.chat.completions.create(model="openai/gpt-5.4-mini", messages=MESSAGES)

    with pytest.raises(openai.InternalServerError) as caught:
        run(call())
    assert caught.value.status_code == 503
    assert caught.value.code == "jwks_unavailable"
    JWKS_CACHE.clear()


def airelay(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run(
        [sys.executable, "-m", "airelay", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_airelay_token_prints_a_token_signed_with_the_first_secret(tmp_path: Path) -> None:
    other = "z" * 40
    (tmp_path / ".dev.vars").write_text(f'TOKEN_SECRETS="{SECRET},{other}"\n')
    done = airelay(
        "token",
        "--sub",
        "alice",
        "--ttl",
        "10m",
        "--route",
        "chat",
        "--max-output-tokens",
        "64",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    identity = run(verify_token(token, TokenPolicy(secrets=(SECRET.encode(),)), None))
    assert identity.subject == "alice"
    assert identity.scope.routes == frozenset({"chat"})
    assert identity.scope.max_output_tokens == 64
    with pytest.raises(Exception, match="signature"):
        run(verify_token(token, TokenPolicy(secrets=(other.encode(),)), None))


def test_airelay_token_without_secrets_says_what_to_set(tmp_path: Path) -> None:
    done = airelay("token", "--sub", "alice", cwd=tmp_path)
    assert done.returncode == 2
    assert "TOKEN_SECRETS" in done.stderr
    assert done.stdout == ""


def test_airelay_token_refuses_a_bad_ttl(tmp_path: Path) -> None:
    done = airelay(
        "token", "--sub", "a", "--ttl", "soon", cwd=tmp_path, env={"TOKEN_SECRETS": SECRET}
    )
    assert done.returncode == 2
    assert "duration" in done.stderr


def test_readme_minting_snippet_makes_a_token_the_relay_accepts() -> None:
    readme = (Path(__file__).parents[1] / "docs" / "tokens.md").read_text(encoding="utf-8")
    snippet = re.search(r"^```py\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)
    assert snippet is not None
    assert len(snippet.group(1).splitlines()) < 10
    namespace: dict[str, object] = {"user_id": "user-42"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOKEN_SIGNING_SECRET", SECRET)
        exec(snippet.group(1), namespace)
    token = namespace["token"]
    assert isinstance(token, str)
    identity = run(verify_token(token, TokenPolicy(secrets=(SECRET.encode(),)), None))
    assert identity.subject == "user-42"
    assert identity.scope.routes == frozenset({"chat"})


def test_local_host_with_token_settings_is_not_keyless() -> None:
    env = local_env({"TOKEN_SECRETS": SECRET})
    assert env.get("ALLOW_ANONYMOUS", "") == ""
    assert describe_access(env, "127.0.0.1").startswith("access: signed tokens")


def test_callers_behind_a_dripping_key_set_share_one_fetch_and_leave_static_files_served() -> None:
    # The issue's scene on `airelay dev`: a key set whose server sends headers, then a byte a
    # second, kept 8 callers waiting past 25 s, each with its own fetch on the default thread
    # pool, until `GET /` (static files read on that pool) hung too.
    JWKS_CACHE.clear()
    token = sign(idp_claims(), pair("RS256"))

    async def scene(server: Scripted) -> tuple[int, bool, list[int]]:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(2))
        env = {"TOKEN_JWKS_URL": server.url("/drip-body"), "TOKEN_ISSUER": ISSUER}
        app = build_app({**env, "TOKEN_AUDIENCE": AUDIENCE}, log=lambda line: None)
        async with asgi_http(app) as http:
            calls = [
                asyncio.ensure_future(
                    http.post(
                        "/v1/chat/completions",
                        json={"messages": MESSAGES},
                        headers={"authorization": f"Bearer {token}"},
                    )
                )
                for _ in range(8)
            ]
            asked = asyncio.get_running_loop().run_in_executor(None, server.asked.wait)
            assert await asyncio.wait_for(asked, GUARD_SECONDS)
            page = await asyncio.wait_for(http.get("/"), GUARD_SECONDS)
            waiting = not any(call.done() for call in calls)
            answers = await asyncio.wait_for(asyncio.gather(*calls), GUARD_SECONDS)
        return page.status_code, waiting, [answer.status_code for answer in answers]

    with scripted_server() as server:
        page, waiting, statuses = run(scene(server))
        assert server.paths == ["/drip-body"]  # one fetch for the eight
    JWKS_CACHE.clear()
    assert page == 200
    assert waiting  # the page was served while the callers still waited for the key set
    assert statuses == [503] * 8  # at the deadline (5 s), not at the provider's pace
