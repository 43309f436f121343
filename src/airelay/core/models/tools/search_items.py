"""The file search and web search calls a caller sends back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from airelay.core.limits import MAX_CONTENT_PARTS
from airelay.core.models.common import Identifier, Name, Text, Url
from airelay.core.models.tools.base import Deferred, ItemId, Parts


class FileSearchResult(Deferred):
    attributes: (
        Annotated[
            dict[Name, Annotated[str, Field(max_length=512)] | float | bool],
            Field(max_length=MAX_CONTENT_PARTS),
        ]
        | None
    ) = None
    file_id: Identifier | None = None
    filename: Name | None = None
    score: float | None = None
    text: Text | None = None


class FileSearchCallItem(Deferred):
    type: Literal["file_search_call"]
    id: ItemId
    queries: Annotated[list[Text], Parts]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
    results: Annotated[list[FileSearchResult], Parts] | None = None


class SearchSource(Deferred):
    type: Literal["url"]
    url: Url


class SearchAction(Deferred):
    type: Literal["search"]
    queries: Annotated[list[Text], Parts] | None = None
    query: Text | None = None
    sources: Annotated[list[SearchSource], Parts] | None = None


class OpenPageAction(Deferred):
    type: Literal["open_page"]
    url: Url | None = None


class FindInPageAction(Deferred):
    type: Literal["find_in_page"]
    pattern: Text
    url: Url


class WebSearchCallItem(Deferred):
    type: Literal["web_search_call"]
    id: ItemId
    action: Annotated[SearchAction | OpenPageAction | FindInPageAction, Field(discriminator="type")]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
