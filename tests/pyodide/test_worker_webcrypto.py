"""Tier 2: the token path as the Worker runs it, in real Pyodide under Node: the pure-Python
PyJWT wheel unpacked offline, the core's verifier and JWKS cache, and the glue's
`WorkerTokenKeys` (the JWKS through a JS stand-in for `fetch`, or through Node's own `fetch`
against a misbehaving server on loopback; signatures through the runtime's real WebCrypto,
`crypto.subtle`)."""

from __future__ import annotations

import base64
import json
import os
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airelay.core.jwks import MAX_JWKS_BYTES
from tests.jwks_server import GUARD_SECONDS, Scripted, scripted_server
from tests.pyodide.runner_client import ROOT, PyodideRunner
from tests.token_support import (
    AUDIENCE,
    HEADERS,
    ISSUER,
    PAYLOADS,
    SECRET,
    SIGNATURES,
    TOKEN_CODES,
    claims,
    forge,
    hs256,
    idp_claims,
    jwks,
    pair,
    sign,
)

pytestmark = pytest.mark.pyodide

URL = "https://issuer.example/.well-known/jwks.json"


def _pyjwt_wheel() -> Any:
    project = (ROOT / "pyproject.toml").read_text()
    version = project.split('"pyjwt==', 1)[1].split('"', 1)[0]
    return ROOT / ".cache" / "wheels" / f"pyjwt-{version}-py3-none-any.whl"


@pytest.fixture(scope="module")
def tokens_pyodide(pyodide: PyodideRunner) -> PyodideRunner:
    """The session's Pyodide with the pinned PyJWT wheel installed, as pywrangler vendors it."""
    wheel = _pyjwt_wheel()
    if not wheel.is_file():
        message = f"{wheel.name} not in .cache/wheels: run scripts/fetch-pyodide-deps.sh"
        if os.environ.get("AIRELAY_REQUIRE_PYODIDE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    data = base64.b64encode(wheel.read_bytes()).decode()
    pyodide.run(
        f"""
        import base64, io, site, sys, types, zipfile

        # npm's Pyodide ships `ssl` unvendored (a package it cannot fetch offline); the Workers
        # runtime has the full standard library (Cloudflare's "Standard Library" page). PyJWT
        # imports ssl only to annotate PyJWKClient, which the relay does not use: a stand-in
        # serves for the import here, and is removed again.
        stubbed = False
        try:
            import ssl
        except ModuleNotFoundError:
            stub = types.ModuleType("ssl")
            stub.SSLContext = type("SSLContext", (), {{}})
            sys.modules["ssl"] = stub
            stubbed = True
        with zipfile.ZipFile(io.BytesIO(base64.b64decode({data!r}))) as archive:
            archive.extractall(site.getsitepackages()[0])
        import jwt
        import airelay.core.tokens
        if stubbed:
            del sys.modules["ssl"]
        jwt.__version__
        """
    )
    return pyodide


PRELUDE = """
import json
import js
from pyodide.code import run_js
from airelay.core.errors import RelayError
from airelay.core.jwks import JWKS_FETCH_RULES, JwksCache, JwksFetchRules
from airelay.core.tokens import TokenPolicy, verify_token
from airelay.core.types import KeysUnavailableError
from airelay.hosts.worker import serve
from airelay.hosts.worker.webcrypto import WorkerTokenKeys

def fake_fetch(status, body):
    # A JS stand-in for the Worker's `fetch`: records what it was asked, answers a Response.
    return run_js(
        "(() => { const calls = [];"
        " const f = async (url, init) => { calls.push({url: String(url), method: init.method,"
        " accept: init.headers.accept, redirect: init.redirect,"
        " signal: init.signal instanceof AbortSignal});"
        " return new Response(%s, {status: %d}); };"
        " f.calls = calls; return f; })()" % (json.dumps(body), status)
    )
"""


def run(pyodide: PyodideRunner, code: str) -> Any:
    return pyodide.run(PRELUDE + textwrap.dedent(code))


def test_pyjwt_loads_from_its_pure_python_wheel(tokens_pyodide: PyodideRunner) -> None:
    found = tokens_pyodide.run(
        """
        import jwt, jwt.algorithms
        [jwt.__file__, jwt.algorithms.has_crypto]
        """
    )
    assert found[0].endswith("site-packages/jwt/__init__.py")
    assert found[1] is False  # no `cryptography` here: asymmetric keys go to WebCrypto


def test_glue_fetches_the_jwks_through_fetch(tokens_pyodide: PyodideRunner) -> None:
    body = jwks(pair("RS256")).decode()
    got = run(
        tokens_pyodide,
        f"""
        fetch = fake_fetch(200, {body!r})
        data = await WorkerTokenKeys(fetch=fetch).fetch_jwks({URL!r}, JWKS_FETCH_RULES)
        [data.decode(), json.loads(js.JSON.stringify(fetch.calls))]
        """,
    )
    assert got[0] == body
    assert got[1] == [
        {
            "url": URL,
            "method": "GET",
            "accept": "application/json",
            "redirect": "manual",
            "signal": True,
        }
    ]


def test_glue_reports_a_failed_fetch_as_keys_unavailable(tokens_pyodide: PyodideRunner) -> None:
    got = run(
        tokens_pyodide,
        f"""
        outcomes = []
        throwing = run_js("async () => {{ throw new TypeError('network down'); }}")
        for fetch in (fake_fetch(503, "busy"), throwing):
            try:
                await WorkerTokenKeys(fetch=fetch).fetch_jwks({URL!r}, JWKS_FETCH_RULES)
                outcomes.append("fetched")
            except KeysUnavailableError as exc:
                outcomes.append(str(exc))
        outcomes
        """,
    )
    assert got == ["HTTP 503", "TypeError"]


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_core_verifies_provider_tokens_with_webcrypto(
    tokens_pyodide: PyodideRunner, alg: str
) -> None:
    body = jwks(pair("RS256"), pair("ES256"), pair("EdDSA")).decode()
    token = sign(idp_claims("judy"), pair(alg))
    header, _, signature = token.split(".")
    forged_payload = base64.urlsafe_b64encode(json.dumps(idp_claims("admin")).encode())
    forged = f"{header}.{forged_payload.rstrip(b'=').decode()}.{signature}"
    got = run(
        tokens_pyodide,
        f"""
        policy = TokenPolicy(jwks_url={URL!r}, issuer={ISSUER!r}, audience={AUDIENCE!r})
        fetch = fake_fetch(200, {body!r})
        keys = WorkerTokenKeys(fetch=fetch)  # the real crypto.subtle
        cache = JwksCache()
        identity = await verify_token({token!r}, policy, keys, cache)
        try:
            await verify_token({forged!r}, policy, keys, cache)
            forged_result = "accepted"
        except RelayError as exc:
            forged_result = [exc.status, exc.code, exc.message]
        fetched = len(json.loads(js.JSON.stringify(fetch.calls)))
        [identity.subject, identity.issuer, forged_result, fetched]
        """,
    )
    assert got[:2] == ["judy", ISSUER]
    assert got[2] == [401, "invalid_token", "The token's signature does not verify."]
    assert got[3] == 1  # the key set was fetched once and then cached


def test_core_verifies_hs256_tokens_with_pure_python(tokens_pyodide: PyodideRunner) -> None:
    good, expired = hs256(claims("kim")), hs256(claims(iat=0, exp=60))
    got = run(
        tokens_pyodide,
        f"""
        policy = TokenPolicy(secrets=({SECRET!r}.encode(),))
        identity = await verify_token({good!r}, policy, None)
        try:
            await verify_token({expired!r}, policy, None)
            expired_code = None
        except RelayError as exc:
            expired_code = exc.code
        [identity.subject, identity.subject_id, expired_code]
        """,
    )
    assert got[0] == "kim"
    assert got[1].startswith("sub_")
    assert got[2] == "token_expired"


def test_serve_hands_the_core_the_workers_token_keys(tokens_pyodide: PyodideRunner) -> None:
    got = run(
        tokens_pyodide,
        """
        import stand_ins
        from harness import FakeCore, make_request
        core = FakeCore()
        await serve(make_request(body=b"{}"), stand_ins.makeEnv(), core)
        type(core.platforms[0].token_keys).__name__
        """,
    )
    assert got == "WorkerTokenKeys"


# --- the fetcher under attack, through Node's own `fetch` (undici) ------------------------------


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted_server() as running:
        yield running


def fetched(pyodide: PyodideRunner, url: str) -> str:
    """Fetch `url` with the glue and a 0.4 s deadline; say what came of it."""
    return str(
        run(
            pyodide,
            f"""
            try:
                rules = JwksFetchRules(deadline_seconds=0.4)
                body = await WorkerTokenKeys().fetch_jwks({url!r}, rules)
                outcome = f"fetched {{len(body)}} bytes"
            except KeysUnavailableError as exc:
                outcome = str(exc)
            outcome
            """,
        )
    )


def test_glue_fetches_a_key_set_with_the_runtimes_fetch(
    tokens_pyodide: PyodideRunner, server: Scripted
) -> None:
    assert fetched(tokens_pyodide, server.url("/jwks")) == f"fetched {len(server.key_set)} bytes"


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_glue_cuts_a_dripping_key_set_off_at_the_deadline(
    tokens_pyodide: PyodideRunner, server: Scripted, path: str
) -> None:
    assert fetched(tokens_pyodide, server.url(path)) == "no answer within 0.4 s"
    assert server.client_gone.wait(GUARD_SECONDS)


def test_glue_does_not_follow_a_redirect(tokens_pyodide: PyodideRunner, server: Scripted) -> None:
    # To plain http here: a redirect must not lead an https key set anywhere else.
    assert fetched(tokens_pyodide, server.url("/redirect")).startswith("HTTP 302")
    assert server.paths == ["/redirect"]


def test_glue_reads_an_endless_key_set_no_further_than_the_cap(
    tokens_pyodide: PyodideRunner, server: Scripted
) -> None:
    too_large = f"the key set is larger than {MAX_JWKS_BYTES} bytes"
    assert fetched(tokens_pyodide, server.url("/endless")) == too_large
    assert server.client_gone.wait(GUARD_SECONDS)
    assert fetched(tokens_pyodide, server.url("/big")) == too_large


def test_concurrent_callers_in_the_isolate_share_one_fetch(
    tokens_pyodide: PyodideRunner, server: Scripted
) -> None:
    # The issue's figure: 25 concurrent tokens in Pyodide made 25 fetches.
    tokens = [sign(idp_claims(f"user-{n}"), pair("RS256")) for n in range(25)]
    got = run(
        tokens_pyodide,
        f"""
        import asyncio
        policy = TokenPolicy(
            jwks_url={server.url("/jwks")!r}, issuer={ISSUER!r}, audience={AUDIENCE!r}
        )
        keys, cache = WorkerTokenKeys(), JwksCache()
        found = await asyncio.gather(*(verify_token(t, policy, keys, cache) for t in {tokens!r}))
        [identity.subject for identity in found]
        """,
    )
    assert got == [f"user-{n}" for n in range(25)]
    assert server.paths == ["/jwks"]


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batch=st.lists(st.tuples(HEADERS, PAYLOADS, SIGNATURES), min_size=40, max_size=40))
def test_any_json_header_and_payload_through_the_glue_is_verified_or_a_token_401(
    tokens_pyodide: PyodideRunner, batch: list[tuple[Any, Any, bytes | None]]
) -> None:
    # The core's property (tests/test_tokens_attack.py) in Pyodide, with the glue's keys: a
    # batch per snippet, so that one round trip to Node checks forty tokens.
    tokens = [forge(header, payload, signature) for header, payload, signature in batch]
    body = jwks(pair("RS256"), pair("ES256"), pair("EdDSA")).decode()
    got = run(
        tokens_pyodide,
        f"""
        policy = TokenPolicy(
            secrets=({SECRET!r}.encode(),), jwks_url={URL!r}, issuer={ISSUER!r},
            audience={AUDIENCE!r},
        )
        keys = WorkerTokenKeys(fetch=fake_fetch(200, {body!r}))
        outcomes = []
        for token in {tokens!r}:
            try:
                identity = await verify_token(token, policy, keys, JwksCache())
                outcomes.append("ok" if isinstance(identity.subject, str) else "no subject")
            except RelayError as exc:
                outcomes.append(f"{{exc.status}} {{exc.code}}")
            except Exception as exc:
                outcomes.append(f"raised {{type(exc).__name__}}: {{exc}}")
        outcomes
        """,
    )
    allowed = {"ok", *(f"401 {code}" for code in TOKEN_CODES)}
    assert [outcome for outcome in got if outcome not in allowed] == []
