"""Convert the Worker's JS Request to the core's Request."""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import JsException

from airelay.core.types import BodyError, Headers, Request, parse_byte_count
from airelay.hosts.worker.bridge import _is_missing, _js, unwrap


def split_url(url: str) -> tuple[str, str]:
    """Return the path and the query (no "?") of a serialised absolute http(s) URL."""
    # The runtime hands over `request.url` serialised by the WHATWG URL parser, so it is cheaper
    # to split the string here than to build a JS URL (three JS crossings): 0.9 to 1.0 us
    # against 5.8 to 15 (bench/glue_pyodide.py, "URL split in Python"). In that form an
    # http(s) URL's path starts at the first "/" after "//" and is at least "/"; the host cannot
    # hold "/", "?" or "#" (forbidden host code points), userinfo percent-encodes them, the path
    # percent-encodes "?" and "#", and the query percent-encodes "#" (URL Standard: forbidden
    # host code points; the userinfo, path and query percent-encode sets; URL serializer). So
    # the first "?" starts the query and the first "#" the fragment.
    rest = url.partition("://")[2] or url
    slash = rest.find("/")
    rest = rest[slash:] if slash >= 0 else "/"
    rest = rest.partition("#")[0]
    path, _, query = rest.partition("?")
    return path or "/", query


async def to_core_request(request: Any) -> Request:
    """Wrap a JS (or workers.Request) request as a core Request; the core reads the body."""
    raw = unwrap(request)
    path, query = split_url(str(raw.url))
    # A Headers object iterates as [name, value] pairs, names lower-cased, repeats joined
    # (Fetch standard, "sort and combine"); one JS call and one conversion bring them all over:
    # 13 to 33 us for the bench's 7 headers against 29 to 101 pair by pair
    # (bench/glue_pyodide.py, "request headers in one crossing").
    headers = Headers(_js().array_from(raw.headers).to_py())

    async def read(limit: int) -> bytes:
        try:
            if parse_byte_count(headers.get("content-length")) is not None:
                # The core has checked the declared length against its limit already; a
                # declared length needs no look at `body` (a JS crossing, 1.7 to 1.9 us:
                # bench/glue_pyodide.py, "declared length: no look at body"): a null body reads
                # as an empty ArrayBuffer (Fetch, "consume body").
                return bytes((await raw.arrayBuffer()).to_bytes())
            stream = raw.body
            if _is_missing(stream):
                return b""
            return await _read_at_most(stream, limit + 1)
        except JsException as exc:
            raise BodyError(str(exc)) from exc

    return Request(
        method=str(raw.method).upper(),
        path=path,
        headers=headers,
        query=query,
        client=headers.get("cf-connecting-ip"),
        reader=read,
    )


async def _read_at_most(stream: Any, limit: int) -> bytes:
    """Read a body of unknown length, stopping once it reaches `limit` bytes."""
    # Chunked uploads declare no length; reading them whole could exhaust the isolate's
    # memory before the core's 413, so the read stops as soon as the limit is reached. An
    # awaited reader.read() per chunk costs a JS round trip each (~1 ms, unbounded: a body in
    # 7-byte chunks is thousands); here a TransformStream counts the bytes in a synchronous
    # Python callback and the whole body comes back in one await: 22 to 42 us per chunk
    # (bench/worker_pyodide.py, "transform"). A transformer object needs workerd's standard
    # TransformStream constructor (compatibility flag transformstream_enable_standard_constructor,
    # the default since 2022-11-30).
    size = 0

    def count(chunk: Any, controller: Any) -> None:
        nonlocal size
        size += chunk.byteLength
        controller.enqueue(chunk)
        if size >= limit:
            # Closes the readable side with what it holds (past the limit, so the core answers
            # 413) and errors the writable side, which cancels the body (Streams standard,
            # TransformStreamDefaultControllerTerminate; pipeTo's abort of the source).
            controller.terminate()

    # Imported here: only bodies of unknown length take this path (and the CPython stand-ins
    # of bench/fake_runtime.py need not know it).
    from pyodide.ffi import create_proxy

    transform = create_proxy(count)
    try:
        transformer = js.Object.new()
        transformer.transform = transform
        counted = stream.pipeThrough(js.TransformStream.new(transformer))
        return bytes((await js.Response.new(counted).arrayBuffer()).to_bytes())
    finally:
        transform.destroy()
