"""GET and DELETE /v1/responses/{response_id}: the responses a backend kept (`store: true`).

Only a backend that can reach kept responses serves them: the local model keeps its own, and
`airelay dev --upstream` asks the upstream's `/responses/{id}`. The Worker's backend is the
Workers AI binding, which offers only `run`, so there the endpoint answers 404 saying so; a
stored response of the upstream is read with the upstream's own API.
"""

from __future__ import annotations

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
    backend = context.platform.backend
    if not isinstance(backend, StoredResponses):
        raise RelayError(404, NOT_KEPT, param="response_id", code="not_found")
    # The Worker sees the raw path, the local host a decoded one (as for /v1/models/{model}).
    response_id = unquote(context.param)
    if context.request.method == "DELETE":
        if not await backend.delete_response(response_id):
            raise not_found(response_id)
        return json_response(200, {"id": response_id, "object": "response", "deleted": True})
    found = await backend.retrieve_response(response_id)
    if found is None:
        raise not_found(response_id)
    return json_response(200, dict(found))
