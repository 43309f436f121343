"""Image generation's call: a small PNG whose colour the prompt decides."""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from airelay.backends.local.hosted.common import HostedAnswer, Step, _said, ident

IMAGE_SIDE = 8


def png(rgb: tuple[int, int, int], side: int = IMAGE_SIDE, rows: int | None = None) -> bytes:
    """Return a valid PNG of `side` x `side` pixels, its first `rows` rows in `rgb`, then white."""
    filled = side if rows is None else rows
    scanlines = b"".join(
        b"\x00" + bytes(rgb if y < filled else (255, 255, 255)) * side for y in range(side)
    )

    # PNG specification (ISO/IEC 15948): signature, IHDR, IDAT (zlib), IEND; each chunk is
    # length, type, data and the CRC-32 of type and data.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", binascii.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines, 9))
        + chunk(b"IEND", b"")
    )


def image_generation(tool: Mapping[str, Any], last_user: str, seed: str) -> HostedAnswer:
    """Return an image_generation_call holding a small PNG whose colour the prompt decides."""
    said = _said(last_user)
    rgb = tuple(hashlib.sha256(said.encode()).digest()[:3])
    colour = (rgb[0], rgb[1], rgb[2])
    item_id = ident(seed, "ig")
    size = f"{IMAGE_SIDE}x{IMAGE_SIDE}"
    background = "opaque"
    quality = str(tool.get("quality") or "low")
    # Partial images (0..3, OpenAI's bound) show the picture filling in, row by row.
    partial = min(max(int(tool.get("partial_images") or 0), 0), 3)
    where = {"item_id": item_id}
    shown = {"background": background, "output_format": "png", "quality": quality, "size": size}
    partials = tuple(
        {
            "type": "response.image_generation_call.partial_image",
            **where,
            "partial_image_index": index,
            "partial_image_b64": base64.b64encode(
                png(colour, rows=IMAGE_SIDE * (index + 1) // (partial + 1))
            ).decode(),
            **shown,
        }
        for index in range(partial)
    )
    base = {"id": item_id, "type": "image_generation_call"}
    details = {
        "action": "generate",
        "background": background,
        "output_format": "png",
        "quality": quality,
        "revised_prompt": said,
        "size": size,
    }
    step = Step(
        added={**base, "result": None, "status": "in_progress"},
        done={
            **base,
            "result": base64.b64encode(png(colour)).decode(),
            "status": "completed",
            **details,
        },
        events=(
            {"type": "response.image_generation_call.in_progress", **where},
            {"type": "response.image_generation_call.generating", **where},
            *partials,
            {"type": "response.image_generation_call.completed", **where},
        ),
    )
    return HostedAnswer((step,), f"an image of {said}")
