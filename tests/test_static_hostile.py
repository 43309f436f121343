"""Any path, however long or strange, gets the relay's JSON 404 or the file, never a 500."""

from __future__ import annotations

import httpx
import pytest

from airelay.hosts.local import build_app
from tests.client import BASE, asgi_request

STRANGE_PATHS = [
    "/" + "a" * 256,  # one segment past NAME_MAX (255 bytes): ENAMETOOLONG
    "/" + "a" * 5000,
    "/" + "/".join(["b" * 200] * 40),  # past PATH_MAX (4096 bytes)
    "/" + "%C3%A9" * 200,  # 400 bytes of UTF-8 in one segment
    "/a%00b",
    "/%FF%FE",
    "/%ED%A0%80",  # an encoded lone surrogate
    "/a/../../etc/passwd",
    "/" + "%2e%2e/" * 50 + "etc/passwd",
    "/v1/" + "x" * 300,
]


def get(path: str) -> httpx.Response:
    """GET a raw path from the local host's ASGI app (with the page), in process."""
    url = httpx.URL(BASE).copy_with(raw_path=path.encode("ascii"))
    return asgi_request(build_app({}, log=lambda _: None), "GET", url)


@pytest.mark.parametrize("path", STRANGE_PATHS, ids=lambda p: p[:24])
def test_a_strange_path_is_the_relays_json_404(path: str) -> None:
    response = get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_a_long_path_under_the_page_is_a_404_not_a_crash() -> None:
    response = get("/" + "c" * 300 + "/index.html")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"
