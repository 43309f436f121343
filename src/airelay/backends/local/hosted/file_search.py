"""File search's call: the user's words found in one local file, cited."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from airelay.backends.local.hosted.common import Citation, HostedAnswer, Step, _said, ident


def file_search(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a file_search_call that finds the user's words in one local file, cited."""
    said = _said(last_user)
    item_id = ident(seed, "fs")
    file_id = f"file-local{hashlib.sha256(seed.encode()).hexdigest()[:22]}"
    filename = "local.txt"
    stores = [str(s) for s in tool.get("vector_store_ids") or ()]
    result = {
        "attributes": {"vector_store_id": stores[0]} if stores else {},
        "file_id": file_id,
        "filename": filename,
        "score": 1.0,
        "text": said,
    }
    base = {"id": item_id, "type": "file_search_call"}
    where = {"item_id": item_id}
    # OpenAI returns `results` only when `include` asks for file_search_call.results.
    results = [result] if "file_search_call.results" in include else None
    step = Step(
        added={**base, "queries": [], "results": None, "status": "in_progress"},
        done={**base, "queries": [said], "results": results, "status": "completed"},
        events=(
            {"type": "response.file_search_call.in_progress", **where},
            {"type": "response.file_search_call.searching", **where},
            {"type": "response.file_search_call.completed", **where},
        ),
    )
    citation = Citation(
        said, {"type": "file_citation", "file_id": file_id, "filename": filename, "index": 0}
    )
    return HostedAnswer((step,), said, (citation,))
