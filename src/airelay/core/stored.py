"""GET and DELETE /v1/responses/{response_id}: the responses a backend kept (`store: true`).

Only a backend that can reach kept responses serves them: the local model keeps its own, and
`airelay dev --upstream` asks the upstream's `/responses/{id}`. The Worker's backend is the
Workers AI binding, which offers only `run`, so there the endpoint answers 404 saying so; a
stored response of the upstream is read with the upstream's own API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote

from airelay.core.context import Context
from airelay.core.errors import RelayError
from airelay.core.responses import json_response
from airelay.core.types import Response


@runtime_checkable
class StoredResponses(Protocol):
    """A backend that keeps the responses created with `store: true`."""

    async def retrieve_response(self, response_id: str) -> Mapping[str, Any] | None:
        """Return the stored response object, or None if it is unknown or expired."""
        ...

    async def delete_response(self, response_id: str) -> bool:
        """Forget the response; return whether it was held."""
        ...


# OpenAI's ids are `resp_` and letters and digits; the local model's `resp_local` and 48 hex.
# Anything else never reaches a backend: `..` would climb out of `/responses/` upstream.
RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# What is echoed of a malformed id.
MAX_ECHO = 64


def check_response_id(response_id: str) -> str:
    """Return `response_id`, or raise the 400 OpenAI answers for an id with other characters."""
    if RESPONSE_ID.fullmatch(response_id) is None:
        # OpenAI's words for a malformed id (ProjectTech4DevAI/kaapi-backend#317, for
        # `previous_response_id`): "Invalid '<param>': '<id>'. Expected an ID that contains
        # letters, numbers, underscores, or dashes, but this value contained additional
        # characters."
        shown = response_id[:MAX_ECHO] + ("..." if len(response_id) > MAX_ECHO else "")
        raise RelayError(
            400,
            f"Invalid 'response_id': {shown!r}. Expected an ID of 1 to 128 letters, numbers, "
            "underscores or dashes.",
            param="response_id",
            code="invalid_value",
        )
    return response_id


def not_found(response_id: str) -> RelayError:
    """Return the 404 for a response id that is not held."""
    return RelayError(
        404,
        f"Response with id '{response_id}' not found.",
        param="response_id",
        code="not_found",
    )


NOT_KEPT = (
    "This relay keeps no responses: its backend (the Workers AI binding, which offers only "
    "`run`, or AI Gateway) cannot read them back, so stored responses are read and deleted "
    "with the upstream's own API (the local host serves them for its built-in model and its "
    "OpenAI-compatible upstreams)."
)


async def stored_response(context: Context) -> Response:
    """Return a stored response (GET) or delete it (DELETE)."""
    # The Worker sees the raw path, the local host a decoded one (as for /v1/models/{model}).
    response_id = check_response_id(unquote(context.param))
    backend = context.platform.backend
    if not isinstance(backend, StoredResponses):
        raise RelayError(404, NOT_KEPT, param="response_id", code="not_found")
    if context.request.method == "DELETE":
        if not await backend.delete_response(response_id):
            raise not_found(response_id)
        return json_response(200, {"id": response_id, "object": "response", "deleted": True})
    found = await backend.retrieve_response(response_id)
    if found is None:
        raise not_found(response_id)
    return json_response(200, dict(found))
