"""Web search's call and its url_citation, in Responses and in Chat's web_search_options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from airelay.backends.local.hosted.common import (
    Citation,
    Event,
    HostedAnswer,
    Item,
    Step,
    _said,
    ident,
)


def web_search(
    tool: Mapping[str, Any], last_user: str, seed: str, include: Sequence[str] = ()
) -> HostedAnswer:
    """Return a web_search_call with its search action, and a url_citation for its one source."""
    said = _said(last_user)
    domains = (tool.get("filters") or {}).get("allowed_domains") or ()
    # example.com is reserved for examples (RFC 2606): no real site is cited.
    host = str(domains[0]) if domains else "example.com"
    url = f"https://{host}/search?q={quote(said)}"
    title = f"Search results for {said}"
    item_id = ident(seed, "ws")
    action: dict[str, Any] = {"type": "search", "query": said, "queries": [said]}
    if "web_search_call.action.sources" in include:
        action["sources"] = [{"type": "url", "url": url}]
    base = {"id": item_id, "type": "web_search_call", "action": action}
    where = {"item_id": item_id}
    step = Step(
        added={**base, "status": "in_progress"},
        done={**base, "status": "completed"},
        events=(
            {"type": "response.web_search_call.in_progress", **where},
            {"type": "response.web_search_call.searching", **where},
            {"type": "response.web_search_call.completed", **where},
        ),
    )
    annotation = {"type": "url_citation", "url": url, "title": title}
    citation = Citation(title, {**annotation, "start_index": 0, "end_index": 0})
    return HostedAnswer((step,), title, (citation,))


def chat_web_search(options: Mapping[str, Any], last_user: str) -> HostedAnswer:
    """Return what Chat's `web_search_options` adds: no items, a quoted title and its citation."""
    # Chat has no search items: the answer quotes the source and cites it (message.annotations).
    search = web_search({"type": "web_search"}, last_user, "chat")
    return HostedAnswer((), search.result, search.citations)


def chat_annotations(answer: HostedAnswer, text: str) -> list[Item]:
    """Return `answer`'s annotations of `text` in Chat's shape (`url_citation` nested)."""
    return [
        {
            "type": "url_citation",
            "url_citation": {key: value for key, value in note.items() if key != "type"},
        }
        for note in answer.annotations(text)
        if note["type"] == "url_citation"
    ]


def annotation_events(
    item_id: str, output_index: int, annotations: Sequence[Item], content_index: int = 0
) -> list[Event]:
    """Return the `response.output_text.annotation.added` events of an answer's annotations."""
    return [
        {
            "type": "response.output_text.annotation.added",
            "item_id": item_id,
            "output_index": output_index,
            "content_index": content_index,
            "annotation_index": index,
            "annotation": annotation,
        }
        for index, annotation in enumerate(annotations)
    ]
