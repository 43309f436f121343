"""The built-in local model: deterministic, offline, in both models' exact wire formats.

Its reply restates the last user turn (`turn`), planned from the request (`plan`): it calls a
function tool when told to (or when the last user turn names one), quotes a tool's result, and
answers a JSON schema with an instance of it (`schema_instance`). Each wire format reads its
request and writes its answer, whole or as a stream of SSE bytes: `chat` with
`chat_completion`, `responses` with `response_object` and its `output_items` (one class per
item kind; a hosted tool's items, built by `hosted`, are one more); `template` encodes
their fixed parts once. Responses created with `store: true` are kept in `response_store`,
for `previous_response_id` and GET/DELETE /v1/responses/{id}.

A figure marked (timeit) in a comment was measured in process with timeit (CPython 3.11, the
2-core development machine, 2026-12-06) against the code it replaced or the generic encoding;
whole requests are measured by bench/http_stack.py.
"""

from airelay.backends.local.model import LocalModel

__all__ = ["LocalModel"]
