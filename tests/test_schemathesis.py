"""Schema-driven fuzzing of both model routes: no 5xx, every error OpenAI's, every answer the
document's (streamed answers checked event by event).

schemathesis generates bodies from the served OpenAPI document and sends them over HTTP to each
host (`airelay dev` and the Worker over HTTP, both with the local model), with a fixed seed so a
failure replays.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import APIOperation, Case
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.live_server import LiveServer

ROUTES = "^/v1/(chat/completions|responses)$"
ERROR_FIELDS = {"message", "type", "param", "code"}
SEED = 14
EXAMPLES = 120  # per route: a few hundred requests in all, under a minute


def openai_shaped_error(ctx: CheckContext, response: Any, case: Case) -> bool | None:
    """Every error answer is a JSON object `{"error": {message, type, param, code}}`."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict), "error body is not an object"
    assert set(body) == {"error"}, f"error body keys: {sorted(body)}"
    assert set(body["error"]) == ERROR_FIELDS, f"error fields: {sorted(body['error'])}"
    assert isinstance(body["error"]["message"], str)
    return True


CHECKS = [
    not_a_server_error,
    openai_shaped_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def relay_operation(relay: LiveServer, path: str) -> APIOperation:
    """Return the POST operation at `path` of the document the host serves."""
    schema = schemathesis.openapi.from_url(f"{relay.url}/openapi.json").include(path_regex=ROUTES)
    return schema["/" + path.lstrip("/")]["POST"]


# Both hosts over HTTP, each test id naming its host and route: schemathesis's own pytest
# integration parametrizes from a module-level schema, which cannot wait for a live server.
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/responses"])
def test_generated_requests_get_documented_answers(relay: LiveServer, path: str) -> None:
    operation = relay_operation(relay, path)

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.seed(SEED)
    def generated(case: Case) -> None:
        # What the relay answers, not which bodies it takes: schema-valid is not always
        # acceptable (operator settings such as AI_GATEWAY_ALLOW_CALLER_CACHE_KEY are not in
        # the schema), and unknown headers are HTTP's to ignore (schemathesis's data acceptance
        # checks are left out).
        case.call_and_validate(checks=CHECKS)

    generated()
