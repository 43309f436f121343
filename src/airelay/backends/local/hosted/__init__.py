"""The hosted tools' output items and stream events, as OpenAI documents them, built offline.

Each builder takes the request's tool entry, the last user turn and a seed, and returns the
output items in their added and done forms with the tool's own stream events in between
(without `sequence_number`, which the stream numbers). The shapes are the pinned `openai` SDK's
(`openai.types.responses.ResponseOutputItem` and `ResponseStreamEvent`); tests check each one.
Nothing here runs code, reaches a network or searches anything: the "tool" echoes the user's
words, so a client's handling of each item can be built and tested offline.
"""

from airelay.backends.local.hosted.choose import answer, chosen, continued, tool_output
from airelay.backends.local.hosted.common import Citation, HostedAnswer, Step, ident
from airelay.backends.local.hosted.web_search import (
    annotation_events,
    chat_annotations,
    chat_web_search,
)

__all__ = [
    "Citation",
    "HostedAnswer",
    "Step",
    "annotation_events",
    "answer",
    "chat_annotations",
    "chat_web_search",
    "chosen",
    "continued",
    "ident",
    "tool_output",
]
