"""`airelay dev`'s wiring: the log writer, the Host check, the keyless defaults."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from airelay.core.tool_policy import DEFAULT_ALLOWED_TOOLS
from airelay.hosts.asgi import host_name
from airelay.hosts.local import LogLines, build_app, describe_access, local_env
from tests.client import asgi_request

UPSTREAM = {"UPSTREAM_BASE_URL": "http://127.0.0.1:9/v1"}


@dataclass
class Record:
    """A log record that counts how often it is rendered."""

    n: int
    rendered: int = 0

    def line(self) -> str:
        self.rendered += 1
        return f'{{"n":{self.n}}}'


def test_records_logged_in_one_loop_step_are_written_together_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = LogLines()
    records = [Record(1), Record(2), Record(3)]

    async def scenario() -> tuple[str, list[int], str]:
        log(records[0])
        log(records[1])
        during = capsys.readouterr().err
        rendered_during = [record.rendered for record in records]
        await asyncio.sleep(0)
        log(records[2])
        await asyncio.sleep(0)
        return during, rendered_during, capsys.readouterr().err

    during, rendered_during, after = asyncio.run(scenario())
    assert during == ""
    assert rendered_during == [0, 0, 0]
    assert after == '{"n":1}\n{"n":2}\n{"n":3}\n'
    assert [record.rendered for record in records] == [1, 1, 1]


def test_a_record_logged_outside_an_event_loop_is_written_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    LogLines()(Record(1))
    assert capsys.readouterr().err == '{"n":1}\n'


def test_a_pending_record_is_written_by_flush(capsys: pytest.CaptureFixture[str]) -> None:
    log = LogLines()

    async def scenario() -> None:
        log(Record(1))
        log.flush()

    asyncio.run(scenario())
    assert capsys.readouterr().err == '{"n":1}\n'


# --- which Host headers a keyless host on loopback answers ---------------------------------


def health(host: str, env: dict[str, str] | None = None, bind: str = "127.0.0.1") -> int:
    """Return the status of GET /health sent with this Host header."""
    app = build_app(env or {}, bind=bind)
    return asgi_request(app, "GET", "/health", headers={"host": host}).status_code


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8787", "127.0.0.1:8787", "127.8.9.10", "[::1]:8787", "app.localhost"],
)
def test_a_keyless_loopback_host_answers_hosts_naming_loopback(host: str) -> None:
    assert health(host) == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8787", "192.0.2.1"])
def test_a_keyless_loopback_host_refuses_other_hosts_as_dns_rebinding(host: str) -> None:
    app = build_app(UPSTREAM, bind="127.0.0.1")
    response = asgi_request(app, "GET", "/v1/models", headers={"host": host})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "host_not_allowed"
    assert "ALLOWED_HOSTS" in error["message"]


def test_allowed_hosts_adds_names_to_a_keyless_loopback_host() -> None:
    env = {"ALLOWED_HOSTS": "relay.test, other.test"}
    assert health("relay.test:8787", env) == 200
    assert health("attacker.example", env) == 403
    assert health("attacker.example", {"ALLOWED_HOSTS": "*"}) == 200


@pytest.mark.parametrize(
    ("env", "bind"),
    [({"API_KEYS": "sk-local-key-1"}, "127.0.0.1"), ({}, "0.0.0.0"), ({}, "192.0.2.7")],
)
def test_a_host_with_keys_or_off_loopback_answers_any_host(env: dict[str, str], bind: str) -> None:
    assert health("attacker.example", env, bind) == 200


def test_the_access_line_says_the_host_must_name_loopback() -> None:
    assert "ALLOWED_HOSTS" in describe_access(local_env({}), "127.0.0.1")
    assert "ALLOWED_HOSTS" not in describe_access(local_env({}), "0.0.0.0")


@pytest.mark.parametrize(
    ("header", "name"),
    [("LocalHost:80", "localhost"), ("[::1]:8787", "::1"), ("[::1]", "::1"), ("a.test", "a.test")],
)
def test_a_host_header_is_read_without_its_port(header: str, name: str) -> None:
    assert host_name(header) == name


# --- which tools a keyless host allows -------------------------------------------------------


def test_the_local_model_allows_every_tool_type() -> None:
    assert local_env({})["ALLOWED_TOOLS"] == "*"


def test_an_upstream_keeps_the_workers_default_tools() -> None:
    assert "ALLOWED_TOOLS" not in local_env(UPSTREAM)
    body = {
        "model": "gpt-5.4-pro",
        "input": "hi",
        "tools": [{"type": "mcp", "server_label": "x", "server_url": "https://mcp.example"}],
    }
    response = asgi_request(build_app(UPSTREAM), "POST", "/v1/responses", json=body)
    assert response.status_code == 400
    assert "mcp" in response.json()["error"]["message"]
    assert "mcp" not in DEFAULT_ALLOWED_TOOLS
