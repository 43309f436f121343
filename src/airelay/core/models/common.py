"""What both request bodies share: strictness, bounded strings and numbers, shared formats."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from airelay.core.limits import (
    MAX_CONTENT_PARTS,
    MAX_ID_CHARS,
    MAX_METADATA_KEY_CHARS,
    MAX_METADATA_PAIRS,
    MAX_METADATA_VALUE_CHARS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_TOOLS,
    MAX_TOP_LOGPROBS,
    MAX_URL_CHARS,
)


class Strict(BaseModel):
    """Unknown fields are errors and JSON types are not coerced: what passes is sent as is."""

    # Built on first use: only the two request models are validated on their own, and the
    # core's warm-up builds them at import (core/app.py); a validator for each nested model
    # too cost ~12% more import time (CPython, best of 10: 126 ms against 111 for core.app).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
FunctionName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Url = Annotated[str, Field(min_length=1, max_length=MAX_URL_CHARS)]
JsonObject = dict[str, Any]
Temperature = Annotated[float, Field(ge=0, le=2)]
TopP = Annotated[float, Field(ge=0, le=1)]
Penalty = Annotated[float, Field(ge=-2, le=2)]
Detail = Literal["auto", "low", "high", "original"]
Metadata = Annotated[
    dict[
        Annotated[str, Field(max_length=MAX_METADATA_KEY_CHARS)],
        Annotated[str, Field(max_length=MAX_METADATA_VALUE_CHARS)],
    ],
    Field(max_length=MAX_METADATA_PAIRS),
]
TopLogprobs = Annotated[int, Field(ge=0, le=MAX_TOP_LOGPROBS)]
Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
Verbosity = Literal["low", "medium", "high"]
CacheRetention = Literal["in_memory", "24h"]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
# Where the caller is, for web search: an ISO 3166-1 alpha-2 country code.
CountryCode = Annotated[str, Field(min_length=2, max_length=2)]
SearchContextSize = Literal["low", "medium", "high"]


PartsBound = Field(min_length=1, max_length=MAX_CONTENT_PARTS)
# Who may call a tool: the model directly, or a program it runs (SDK: `allowed_callers`).
Callers = Annotated[list[Literal["direct", "programmatic"]], Field(max_length=2)]


class CacheBreakpoint(Strict):
    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | None = None


class ModerationMode(Strict):
    mode: Literal["score", "block"]


class ModerationPolicy(Strict):
    input: ModerationMode | None = None
    output: ModerationMode | None = None


class Moderation(Strict):
    model: Name
    policy: ModerationPolicy | None = None


# Shared by both APIs: output formats and tool choice modes.
ToolChoiceMode = Literal["none", "auto", "required"]
# tool_choice `allowed_tools`: the mode, and the tools (as `tools` lists them) to choose among.
AllowedToolsMode = Literal["auto", "required"]
AllowedToolList = Annotated[list[JsonObject], Field(min_length=1, max_length=MAX_TOOLS)]


class PlainTextFormat(Strict):
    type: Literal["text"]


class Grammar(Strict):
    definition: Text
    syntax: Literal["lark", "regex"]


class GrammarFormat(Strict):
    type: Literal["grammar"]
    grammar: Grammar


class JsonObjectFormat(Strict):
    type: Literal["json_object"]
