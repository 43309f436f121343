"""The base of the hosted tools' models and the constrained types they share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from airelay.core.limits import MAX_CONTENT_PARTS, MAX_TOOLS
from airelay.core.models.common import Identifier, Name, Strict, Text


class Deferred(Strict):
    """A part of the Responses body, validated only inside it: no validator of its own."""

    # Each model builds a validator of its own at import unless deferred; these are only ever
    # validated as parts of ResponsesRequest, whose validator holds theirs.
    model_config = ConfigDict(defer_build=True)


Names = Annotated[list[Name], Field(max_length=MAX_TOOLS)]
Ids = Annotated[list[Identifier], Field(max_length=MAX_TOOLS)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Coordinate = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Headers = Annotated[dict[Name, Text], Field(max_length=MAX_TOOLS)]
CallStatus = Literal["in_progress", "completed", "incomplete"]


Parts = Field(max_length=MAX_CONTENT_PARTS)


ItemId = Identifier
