"""Serve the demo page's files on the local host, the way Workers static assets do on the Worker."""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path

from airelay.hosts.asgi import Receive, Scope, Send

App = Callable[[Scope, Receive, Send], Awaitable[None]]

# The source checkout's `public/`, which wrangler.toml's `[assets]` also names.
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[3] / "public"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}
# The same policy as public/_headers, which Cloudflare applies to the deployed assets.
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    (
        "content-security-policy",
        "default-src 'self'; connect-src 'self' http: https:; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'",
    ),
)


def content_type(path: Path) -> str:
    """Return the content type to serve `path` with."""
    known = _TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class StaticFiles:
    """Answer GET and HEAD for files under `directory`; pass every other request to `app`."""

    def __init__(self, app: App, directory: Path) -> None:
        self._app = app
        self._root = directory.resolve()

    def find(self, url_path: str) -> Path | None:
        """Return the file `url_path` names, or None if it names none (or tries to escape)."""
        if not url_path.startswith("/") or "\\" in url_path or "\x00" in url_path:
            return None
        parts = url_path[1:].split("/")
        if parts[-1] == "":
            parts[-1] = "index.html"
        # Dot files and Cloudflare's `_headers`/`_redirects` are configuration, never content.
        if any(not part or part[0] in "._" for part in parts):
            return None
        try:
            candidate = self._root.joinpath(*parts).resolve()
            if not candidate.is_relative_to(self._root) or not candidate.is_file():
                return None
        except (OSError, ValueError):
            # A name the file system refuses (ENAMETOOLONG past 255 bytes, ELOOP, an odd byte)
            # names no file: the core answers its JSON 404.
            return None
        return candidate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            found = self.find(scope["path"])
            if found is not None:
                await self._serve(found, scope["method"] == "HEAD", send)
                return
        await self._app(scope, receive, send)

    async def _serve(self, path: Path, head: bool, send: Send) -> None:
        body = await asyncio.to_thread(path.read_bytes)
        headers = [
            ("content-type", content_type(path)),
            ("content-length", str(len(body))),
            # Revalidate every time: the page changes while developing it.
            ("cache-control", "no-cache"),
            *SECURITY_HEADERS,
        ]
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": b"" if head else body})


def with_static_files(app: App, directory: Path = DEFAULT_DIRECTORY) -> App:
    """Wrap `app` to serve the page from `directory`, if there is one (a source checkout)."""
    return StaticFiles(app, directory) if directory.is_dir() else app
