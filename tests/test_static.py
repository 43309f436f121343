"""The local host serves public/ like Workers static assets, and nothing outside it."""

from __future__ import annotations

import asyncio
import http.client
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest

from airelay.hosts.local import build_app
from airelay.hosts.static import DEFAULT_DIRECTORY, SECURITY_HEADERS, StaticFiles, with_static_files
from tests.client import asgi_request
from tests.conftest import REPO
from tests.live_server import LiveServer

PUBLIC = REPO / "public"


async def _inner_app(scope: dict[str, object], receive: object, send: object) -> None:
    raise AssertionError("unreachable")


def request(
    method: str,
    path: str,
    env: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Send one request to the local host's ASGI app, in process."""
    app = build_app(env or {}, log=lambda _: None)
    return asgi_request(app, method, path, headers=headers)


def test_the_checkouts_public_directory_is_the_default() -> None:
    assert DEFAULT_DIRECTORY == PUBLIC
    assert (PUBLIC / "index.html").is_file()


def test_root_serves_the_page() -> None:
    response = request("GET", "/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == (PUBLIC / "index.html").read_bytes()
    assert response.headers["content-length"] == str(len(response.content))


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/sse.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/icon.svg", "image/svg+xml"),
    ],
)
def test_files_are_served_with_their_content_types(path: str, content_type: str) -> None:
    response = request("GET", path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content == (PUBLIC / path.lstrip("/")).read_bytes()


def test_files_carry_the_security_headers_and_revalidate() -> None:
    response = request("GET", "/")
    for name, value in SECURITY_HEADERS:
        assert response.headers[name] == value
    assert response.headers["cache-control"] == "no-cache"


def test_head_answers_headers_without_a_body() -> None:
    response = request("HEAD", "/app.js")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str((PUBLIC / "app.js").stat().st_size)


def test_api_routes_and_unknown_paths_fall_through_to_the_relay() -> None:
    health = request("GET", "/health")
    assert health.json()["status"] == "ok"
    missing = request("GET", "/missing.js")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_post_to_a_file_path_reaches_the_relay_not_the_file() -> None:
    response = request("POST", "/index.html")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_preflight_reaches_the_relays_cors_handling() -> None:
    response = request(
        "OPTIONS",
        "/v1/chat/completions",
        headers={"origin": "http://page.test", "access-control-request-method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


# As the server hands them over: percent-decoded, dot segments left in (httpx would remove
# them client-side, so these go to the ASGI app directly).
@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/../../../../etc/passwd",
        "/public/../../pyproject.toml",
        "/..\\pyproject.toml",
        "/\\..\\pyproject.toml",
        "//etc/passwd",
        "/./index.html",
        "/index.html\x00.js",
        "/_headers",
        "/.hidden",
        "/.git/config",
    ],
)
def test_traversal_and_hidden_files_are_never_served(path: str) -> None:
    answered: list[dict[str, object]] = []

    async def relay(scope: object, receive: object, send: object) -> None:
        answered.append({"path": path})

    async def send(message: object) -> None:
        raise AssertionError(f"served {path!r}: {message!r}")

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    asyncio.run(StaticFiles(relay, PUBLIC)(scope, receive, send))
    assert answered == [{"path": path}]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "raw_path",
    ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml", "/%5c..%5cREADME.md"],
)
def test_traversal_over_real_http_gets_the_relays_404(server: LiveServer, raw_path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", raw_path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 404
    assert json.loads(body)["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/sub/../../secret.txt", "/link.txt", "/sub/", "/", "relative.txt", ""],
)
def test_find_stays_inside_the_directory(tmp_path: Path, path: str) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert StaticFiles(_inner_app, root).find(path) is None


def test_find_maps_directories_to_their_index(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text("root")
    (tmp_path / "sub" / "index.html").write_text("sub")
    files = StaticFiles(_inner_app, tmp_path)
    assert files.find("/") == (tmp_path / "index.html").resolve()
    assert files.find("/sub/") == (tmp_path / "sub" / "index.html").resolve()
    assert files.find("/sub") is None


def test_no_directory_means_no_wrapper(tmp_path: Path) -> None:
    assert with_static_files(_inner_app, tmp_path / "absent") is _inner_app


def test_cloudflare_headers_file_matches_the_local_headers() -> None:
    lines = (PUBLIC / "_headers").read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in lines if line.startswith("  ")]
    parsed = dict(rule.split(": ", 1) for rule in rules)
    assert {k.lower(): v for k, v in parsed.items()} == dict(SECURITY_HEADERS)


def test_wrangler_serves_public_as_assets_and_keeps_the_api_on_the_worker() -> None:
    config = tomllib.loads((REPO / "wrangler.toml").read_text(encoding="utf-8"))
    assets = config["assets"]
    assert (REPO / assets["directory"]).resolve() == PUBLIC
    assert assets["not_found_handling"] == "none"
    assert {"/v1/*", "/health", "/openapi.json"} <= set(assets["run_worker_first"])
