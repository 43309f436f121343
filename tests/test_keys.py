"""The local host's key-set fetcher against a real server on loopback that misbehaves as an
attacker's or a broken provider's would: drips bytes, breaks the status line, ends early,
redirects to plain http, sends too much, or never answers."""

from __future__ import annotations

import asyncio
import socketserver
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from airelay.core.errors import RelayError
from airelay.core.jwks import MAX_JWKS_BYTES, JwksCache, JwksFetchRules
from airelay.core.tokens import TokenPolicy, verify_token
from airelay.core.types import KeysUnavailableError
from airelay.hosts.keys import LocalTokenKeys
from tests.fakes import run
from tests.jwks_server import GUARD_SECONDS, Scripted, scripted_server
from tests.token_support import AUDIENCE, ISSUER, idp_claims, pair, sign

FAST = JwksFetchRules(deadline_seconds=0.4)


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted_server() as running:
        yield running


def fetch(url: str, rules: JwksFetchRules = FAST) -> bytes:
    async def call() -> bytes:
        keys = LocalTokenKeys()
        return await asyncio.wait_for(keys.fetch_jwks(url, rules), GUARD_SECONDS)

    return run(call())


def failure(url: str, rules: JwksFetchRules = FAST) -> str:
    with pytest.raises(KeysUnavailableError) as caught:
        fetch(url, rules)
    return str(caught.value)


def test_a_key_set_on_loopback_is_fetched_as_served(server: Scripted) -> None:
    assert fetch(server.url("/jwks")) == server.key_set


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_server_that_drips_bytes_is_cut_off_at_the_total_deadline(
    server: Scripted, path: str
) -> None:
    # The issue's figure: headers, then one byte a second, kept callers waiting past 25 s.
    assert "no answer within 0.4 s" in failure(server.url(path))
    # The connection was closed, not left to a thread reading on: the server's write failed.
    assert server.client_gone.wait(GUARD_SECONDS)


def test_a_broken_status_line_is_keys_unavailable(server: Scripted) -> None:
    assert failure(server.url("/bad-status")) == "BadStatusLine"


def test_a_body_shorter_than_its_length_is_keys_unavailable(server: Scripted) -> None:
    assert failure(server.url("/short")) == "IncompleteRead"


def test_a_redirect_is_not_followed(server: Scripted) -> None:
    # To plain http here: a redirect must not lead an https key set anywhere else.
    assert "HTTP 302" in failure(server.url("/redirect"))
    assert server.paths == ["/redirect"]


def test_a_key_set_over_the_cap_is_keys_unavailable(server: Scripted) -> None:
    assert f"larger than {MAX_JWKS_BYTES} bytes" in failure(server.url("/big"))


def test_an_endless_body_is_read_no_further_than_the_cap(server: Scripted) -> None:
    assert f"larger than {MAX_JWKS_BYTES} bytes" in failure(server.url("/endless"))
    assert server.client_gone.wait(GUARD_SECONDS)


def test_an_error_status_is_keys_unavailable(server: Scripted) -> None:
    assert failure(server.url("/unavailable")) == "HTTP 503"


def test_a_refused_connection_is_keys_unavailable(server: Scripted) -> None:
    closed = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    assert failure(f"http://127.0.0.1:{port}/jwks") == "ConnectionRefusedError"


def test_a_hanging_fetch_leaves_the_default_thread_pool_free(server: Scripted) -> None:
    # Static files are read on the default pool (asyncio.to_thread); the issue saw `GET /` hang
    # behind key-set fetches that held every thread of it.
    async def scenario() -> int:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(1))
        hanging = asyncio.ensure_future(
            LocalTokenKeys().fetch_jwks(server.url("/hold"), JwksFetchRules(deadline_seconds=30))
        )
        # Once the fetch is connected and waiting, the default pool must still have its thread.
        asked = loop.run_in_executor(None, server.asked.wait, GUARD_SECONDS)
        assert await asyncio.wait_for(asked, GUARD_SECONDS)
        served = await asyncio.wait_for(asyncio.to_thread(lambda: 200), GUARD_SECONDS)
        hanging.cancel()
        return served

    assert run(scenario()) == 200


def test_a_token_whose_key_set_redirects_to_plain_http_is_not_trusted(server: Scripted) -> None:
    # The issue's exploit: urlopen followed a 302 to an http key set, and a token signed with a
    # key from that set got a 200.
    policy = TokenPolicy(jwks_url=server.url("/redirect"), issuer=ISSUER, audience=AUDIENCE)
    cache = JwksCache(rules=FAST)
    token = sign(idp_claims(), pair("RS256"))
    with pytest.raises(RelayError) as caught:
        run(verify_token(token, policy, LocalTokenKeys(), cache))
    assert (caught.value.status, caught.value.code) == (503, "jwks_unavailable")
    assert "/jwks" not in server.paths


def test_a_tls_handshake_that_never_completes_is_cut_off_at_the_deadline() -> None:
    # A server that accepts and never answers the ClientHello: the handshake is part of the
    # fetch, so the total deadline covers it too.
    release = threading.Event()

    class Silent(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            release.wait(GUARD_SECONDS)

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True

    with Server(("127.0.0.1", 0), Silent) as silent:
        thread = threading.Thread(target=silent.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"https://127.0.0.1:{silent.server_address[1]}/jwks"
            assert failure(url) == "no answer within 0.4 s"
        finally:
            release.set()
            silent.shutdown()
            thread.join(GUARD_SECONDS)
