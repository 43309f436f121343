"""The local model's answers, byte for byte as they were before its split into a package.

Pinned from the code of commit 8ce2621: a plain and a streamed answer of each API, and a
streamed call of each, so that a refactor of its templates changes no byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from airelay.backends.local import LocalModel
from airelay.core.catalog import MINI, PRO
from airelay.core.types import JsonResult, StreamResult

NOW = 1_795_000_000.0
WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
}
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "chat": (MINI.binding_id, {"messages": [{"role": "user", "content": "Hi there, é 50%"}]}),
    "chat streamed": (
        MINI.binding_id,
        {
            "messages": [{"role": "user", "content": "Hi there, é 50%"}],
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    ),
    "chat streamed call": (
        MINI.binding_id,
        {
            "messages": [{"role": "user", "content": "Weather?"}],
            "tools": [{"type": "function", "function": {"name": "weather", "parameters": WEATHER}}],
            "tool_choice": "required",
            "stream": True,
        },
    ),
    "responses": (
        PRO.binding_id,
        {
            "input": "Hi there, é 50%",
            "instructions": "Be brief.",
            "temperature": 0.5,
            "top_p": 0.9,
            "max_output_tokens": 100,
            "reasoning": {"effort": "low"},
            "text": {"verbosity": "low"},
        },
    ),
    "responses streamed": (
        PRO.binding_id,
        {"input": "Hi there, é 50%", "instructions": "Be brief.", "stream": True},
    ),
    "responses streamed call": (
        PRO.binding_id,
        {
            "input": "Weather?",
            "tools": [{"type": "function", "name": "weather", "parameters": WEATHER}],
            "tool_choice": "required",
            "stream": True,
        },
    ),
}


def answer_bytes(model: str, inputs: Mapping[str, Any]) -> list[bytes]:
    """Return the body of a plain answer, or the chunks of a stream, as the host sends them."""

    async def read() -> list[bytes]:
        result = await LocalModel(clock=lambda: NOW).run(model, inputs, {})
        if isinstance(result, JsonResult):
            assert result.body is not None
            return [result.body]
        assert isinstance(result, StreamResult)
        stream: AsyncIterator[bytes] = result.stream  # type: ignore[assignment]
        return [chunk async for chunk in stream]

    return asyncio.run(read())


@pytest.mark.parametrize("name", CASES)
def test_each_answer_is_byte_for_byte_what_it_was(name: str) -> None:
    model, inputs = CASES[name]
    assert answer_bytes(model, inputs) == PINNED[name]


PINNED: dict[str, list[bytes]] = {
    "chat": [
        (
            b'{"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completion","'
            b'created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tier":"defaul'
            b't","system_fingerprint":null,"choices":[{"index":0,"message":{"role":"as'
            b'sistant","content":"You said: Hi there, \xc3\xa9 50% (local gpt-5.4-mini; 4 prom'
            b'pt tokens)","refusal":null,"annotations":[]},"logprobs":null,"finish_reason'
            b'":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":11,"total_tokens'
            b'":15,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completio'
            b'n_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_'
            b'tokens":0,"rejected_prediction_tokens":0}}}'
        ),
    ],
    "chat streamed": [
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"r'
            b'ole":"assistant","content":"","refusal":null},"logprobs":null,"finish_re'
            b'ason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"You "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"said: "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"Hi "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"there, "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"\xc3\xa9 "},"logprobs":null,"finish_reason":null}],"usage":null}\n'
            b"\n"
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"50% "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"(local "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"gpt-5.4-mini; "},"logprobs":null,"finish_reason":null}],"usage":nu'
            b"ll}\n\n"
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"4 "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"prompt "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"c'
            b'ontent":"tokens)"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{},'
            b'"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-localef1c7cdc9319ec424df7912b","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[],"usage":{"prompt_token'
            b's":4,"completion_tokens":11,"total_tokens":15,"prompt_tokens_details":{"cach'
            b'ed_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens'
            b'":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_token'
            b's":0}}}\n\n'
        ),
        (b"data: [DONE]\n\n"),
    ],
    "chat streamed call": [
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"r'
            b'ole":"assistant","content":null,"refusal":null,"tool_calls":[{"index":0,'
            b'"id":"call_locala4f25e3635867a25ebedfb71","type":"function","function":{"'
            b'name":"weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]'
            b"}\n\n"
        ),
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"t'
            b'ool_calls":[{"index":0,"function":{"arguments":"{\\"city\\": "}}]},"logp'
            b'robs":null,"finish_reason":null}]}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"t'
            b'ool_calls":[{"index":0,"function":{"arguments":"\\"local\\", "}}]},"logp'
            b'robs":null,"finish_reason":null}]}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"t'
            b'ool_calls":[{"index":0,"function":{"arguments":"\\"days\\": "}}]},"logpr'
            b'obs":null,"finish_reason":null}]}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"t'
            b'ool_calls":[{"index":0,"function":{"arguments":"0}"}}]},"logprobs":null,'
            b'"finish_reason":null}]}\n\n'
        ),
        (
            b'data: {"id":"chatcmpl-local8e2cf6e4779d255941877984","object":"chat.completio'
            b'n.chunk","created":1795000000,"model":"gpt-5.4-mini-2026-03-17","service_tie'
            b'r":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{},'
            b'"logprobs":null,"finish_reason":"tool_calls"}]}\n\n'
        ),
        (b"data: [DONE]\n\n"),
    ],
    "responses": [
        (
            b'{"background":false,"billing":{"payer":"developer"},"completed_at":1795000'
            b'000,"created_at":1795000000,"error":null,"frequency_penalty":0,"gatewayMetada'
            b'ta":{"keySource":"Local"},"id":"resp_locala89aad67da908d038bc7848c2477400c35'
            b'befb35","incomplete_details":null,"instructions":"Be brief.","max_output_tok'
            b'ens":100,"max_tool_calls":null,"metadata":{},"model":"gpt-5.4-pro-2026-03-05'
            b'","moderation":null,"object":"response","output":[{"id":"rs_localda908d0'
            b'38bc7848c2477400c35befb35ce370d54","summary":[],"type":"reasoning"},{"conten'
            b't":[{"annotations":[],"logprobs":[],"text":"You said: Hi there, \xc3\xa9 50%'
            b' (local gpt-5.4-pro; 6 prompt tokens)","type":"output_text"}],"id":"msg_loca'
            b'l8bc7848c2477400c35befb35ce370d543029727f","phase":"final_answer","role":"as'
            b'sistant","status":"completed","type":"message"}],"parallel_tool_calls":tr'
            b'ue,"presence_penalty":0,"previous_response_id":null,"prompt_cache_key":null,"'
            b'prompt_cache_retention":"in_memory","reasoning":{"effort":"low","summary"'
            b':null},"safety_identifier":null,"service_tier":"default","status":"complete'
            b'd","store":false,"temperature":0.5,"text":{"format":{"type":"text"},"v'
            b'erbosity":"low"},"tool_choice":"auto","tools":[],"top_logprobs":0,"top_p'
            b'":0.9,"truncation":"disabled","usage":{"input_tokens":6,"input_tokens_deta'
            b'ils":{"cached_tokens":0},"output_tokens":19,"output_tokens_details":{"reason'
            b'ing_tokens":8},"total_tokens":25},"user":null}'
        ),
    ],
    "responses streamed": [
        (
            b'event: response.created\ndata: {"type":"response.created","sequence_number":0,'
            b'"response":{"background":false,"billing":{"payer":"developer"},"completed'
            b'_at":null,"created_at":1795000000,"error":null,"frequency_penalty":0,"gatewa'
            b'yMetadata":{"keySource":"Local"},"id":"resp_locala89aad67da908d038bc7848c247'
            b'7400c35befb35","incomplete_details":null,"instructions":"Be brief.","max_out'
            b'put_tokens":null,"max_tool_calls":null,"metadata":{},"model":"gpt-5.4-pro-20'
            b'26-03-05","moderation":null,"object":"response","output":[],"parallel_tool'
            b'_calls":true,"presence_penalty":0,"previous_response_id":null,"prompt_cache_ke'
            b'y":null,"prompt_cache_retention":"in_memory","reasoning":{"effort":"medium'
            b'","summary":null},"safety_identifier":null,"service_tier":"default","statu'
            b's":"in_progress","store":false,"temperature":1,"text":{"format":{"type"'
            b':"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_log'
            b'probs":0,"top_p":0.98,"truncation":"disabled","usage":null,"user":null}}'
            b"\n\n"
        ),
        (
            b'event: response.in_progress\ndata: {"type":"response.in_progress","sequence_num'
            b'ber":1,"response":{"background":false,"billing":{"payer":"developer"},"c'
            b'ompleted_at":null,"created_at":1795000000,"error":null,"frequency_penalty":0,'
            b'"gatewayMetadata":{"keySource":"Local"},"id":"resp_locala89aad67da908d038bc'
            b'7848c2477400c35befb35","incomplete_details":null,"instructions":"Be brief.",'
            b'"max_output_tokens":null,"max_tool_calls":null,"metadata":{},"model":"gpt-5'
            b'.4-pro-2026-03-05","moderation":null,"object":"response","output":[],"para'
            b'llel_tool_calls":true,"presence_penalty":0,"previous_response_id":null,"prompt'
            b'_cache_key":null,"prompt_cache_retention":"in_memory","reasoning":{"effort"'
            b':"medium","summary":null},"safety_identifier":null,"service_tier":"default'
            b'","status":"in_progress","store":false,"temperature":1,"text":{"format"'
            b':{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[]'
            b',"top_logprobs":0,"top_p":0.98,"truncation":"disabled","usage":null,"user'
            b'":null}}\n\n'
        ),
        (
            b'event: response.output_item.added\ndata: {"type":"response.output_item.added","'
            b'sequence_number":2,"output_index":0,"item":{"id":"rs_localda908d038bc7848c24'
            b'77400c35befb35ce370d54","summary":[],"type":"reasoning"}}\n\n'
        ),
        (
            b'event: response.output_item.done\ndata: {"type":"response.output_item.done","se'
            b'quence_number":3,"output_index":0,"item":{"id":"rs_localda908d038bc7848c2477'
            b'400c35befb35ce370d54","summary":[],"type":"reasoning"}}\n\n'
        ),
        (
            b'event: response.output_item.added\ndata: {"type":"response.output_item.added","'
            b'sequence_number":4,"output_index":1,"item":{"content":[],"id":"msg_local8b'
            b'c7848c2477400c35befb35ce370d543029727f","phase":"final_answer","role":"assis'
            b'tant","status":"in_progress","type":"message"}}\n\n'
        ),
        (
            b'event: response.content_part.added\ndata: {"type":"response.content_part.added",'
            b'"sequence_number":5,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727'
            b'f","output_index":1,"content_index":0,"part":{"annotations":[],"logprobs"'
            b':[],"text":"","type":"output_text"}}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":6,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"You ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":7,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"said: ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":8,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"Hi ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":9,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"there, ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":10,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"\xc3\xa9 ","logprobs":[]}\n'
            b"\n"
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":11,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"50% ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":12,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"(local ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":13,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"gpt-5.4-pro; ","logprobs":['
            b"]}\n\n"
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":14,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"6 ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":15,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"prompt ","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","'
            b'sequence_number":16,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"delta":"tokens)","logprobs":[]}\n\n'
        ),
        (
            b'event: response.output_text.done\ndata: {"type":"response.output_text.done","se'
            b'quence_number":17,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f"'
            b',"output_index":1,"content_index":0,"text":"You said: Hi there, \xc3\xa9 50% '
            b'(local gpt-5.4-pro; 6 prompt tokens)","logprobs":[]}\n\n'
        ),
        (
            b'event: response.content_part.done\ndata: {"type":"response.content_part.done","'
            b'sequence_number":18,"item_id":"msg_local8bc7848c2477400c35befb35ce370d543029727f'
            b'","output_index":1,"content_index":0,"part":{"annotations":[],"logprobs":'
            b'[],"text":"You said: Hi there, \xc3\xa9 50% (local gpt-5.4-pro; 6 prompt tokens)'
            b'","type":"output_text"}}\n\n'
        ),
        (
            b'event: response.output_item.done\ndata: {"type":"response.output_item.done","se'
            b'quence_number":19,"output_index":1,"item":{"content":[{"annotations":[],"l'
            b'ogprobs":[],"text":"You said: Hi there, \xc3\xa9 50% (local gpt-5.4-pro; 6 promp'
            b't tokens)","type":"output_text"}],"id":"msg_local8bc7848c2477400c35befb35ce3'
            b'70d543029727f","phase":"final_answer","role":"assistant","status":"compl'
            b'eted","type":"message"}}\n\n'
        ),
        (
            b'event: response.completed\ndata: {"type":"response.completed","sequence_number'
            b'":20,"response":{"background":false,"billing":{"payer":"developer"},"com'
            b'pleted_at":1795000000,"created_at":1795000000,"error":null,"frequency_penalty'
            b'":0,"gatewayMetadata":{"keySource":"Local"},"id":"resp_locala89aad67da908d'
            b'038bc7848c2477400c35befb35","incomplete_details":null,"instructions":"Be brief'
            b'.","max_output_tokens":null,"max_tool_calls":null,"metadata":{},"model":"g'
            b'pt-5.4-pro-2026-03-05","moderation":null,"object":"response","output":[{"i'
            b'd":"rs_localda908d038bc7848c2477400c35befb35ce370d54","summary":[],"type":"r'
            b'easoning"},{"content":[{"annotations":[],"logprobs":[],"text":"You said: H'
            b'i there, \xc3\xa9 50% (local gpt-5.4-pro; 6 prompt tokens)","type":"output_text'
            b'"}],"id":"msg_local8bc7848c2477400c35befb35ce370d543029727f","phase":"final_'
            b'answer","role":"assistant","status":"completed","type":"message"}],"pa'
            b'rallel_tool_calls":true,"presence_penalty":0,"previous_response_id":null,"prom'
            b'pt_cache_key":null,"prompt_cache_retention":"in_memory","reasoning":{"effort'
            b'":"medium","summary":null},"safety_identifier":null,"service_tier":"defaul'
            b't","status":"completed","store":false,"temperature":1,"text":{"format":'
            b'{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],'
            b'"top_logprobs":0,"top_p":0.98,"truncation":"disabled","usage":{"input_tok'
            b'ens":6,"input_tokens_details":{"cached_tokens":0},"output_tokens":27,"output'
            b'_tokens_details":{"reasoning_tokens":16},"total_tokens":33},"user":null}}\n\n'
        ),
    ],
    "responses streamed call": [
        (
            b'event: response.created\ndata: {"type":"response.created","sequence_number":0,'
            b'"response":{"background":false,"billing":{"payer":"developer"},"completed'
            b'_at":null,"created_at":1795000000,"error":null,"frequency_penalty":0,"gatewa'
            b'yMetadata":{"keySource":"Local"},"id":"resp_local14586b886df7abfc37ab24fefc9'
            b'b3af1b1287ab6","incomplete_details":null,"instructions":null,"max_output_token'
            b's":null,"max_tool_calls":null,"metadata":{},"model":"gpt-5.4-pro-2026-03-05'
            b'","moderation":null,"object":"response","output":[],"parallel_tool_calls"'
            b':true,"presence_penalty":0,"previous_response_id":null,"prompt_cache_key":null'
            b',"prompt_cache_retention":"in_memory","reasoning":{"effort":"medium","sum'
            b'mary":null},"safety_identifier":null,"service_tier":"default","status":"in'
            b'_progress","store":false,"temperature":1,"text":{"format":{"type":"text'
            b'"},"verbosity":"medium"},"tool_choice":"required","tools":[{"type":"fu'
            b'nction","name":"weather","parameters":{"type":"object","properties":{"'
            b'city":{"type":"string"},"days":{"type":"integer"}},"required":["city"'
            b',"days"]}}],"top_logprobs":0,"top_p":0.98,"truncation":"disabled","usage'
            b'":null,"user":null}}\n\n'
        ),
        (
            b'event: response.in_progress\ndata: {"type":"response.in_progress","sequence_num'
            b'ber":1,"response":{"background":false,"billing":{"payer":"developer"},"c'
            b'ompleted_at":null,"created_at":1795000000,"error":null,"frequency_penalty":0,'
            b'"gatewayMetadata":{"keySource":"Local"},"id":"resp_local14586b886df7abfc37a'
            b'b24fefc9b3af1b1287ab6","incomplete_details":null,"instructions":null,"max_outp'
            b'ut_tokens":null,"max_tool_calls":null,"metadata":{},"model":"gpt-5.4-pro-202'
            b'6-03-05","moderation":null,"object":"response","output":[],"parallel_tool_'
            b'calls":true,"presence_penalty":0,"previous_response_id":null,"prompt_cache_key'
            b'":null,"prompt_cache_retention":"in_memory","reasoning":{"effort":"medium'
            b'","summary":null},"safety_identifier":null,"service_tier":"default","statu'
            b's":"in_progress","store":false,"temperature":1,"text":{"format":{"type"'
            b':"text"},"verbosity":"medium"},"tool_choice":"required","tools":[{"type'
            b'":"function","name":"weather","parameters":{"type":"object","propertie'
            b's":{"city":{"type":"string"},"days":{"type":"integer"}},"required":['
            b'"city","days"]}}],"top_logprobs":0,"top_p":0.98,"truncation":"disabled",'
            b'"usage":null,"user":null}}\n\n'
        ),
        (
            b'event: response.output_item.added\ndata: {"type":"response.output_item.added","'
            b'sequence_number":2,"output_index":0,"item":{"id":"rs_local6df7abfc37ab24fefc'
            b'9b3af1b1287ab676b12301","summary":[],"type":"reasoning"}}\n\n'
        ),
        (
            b'event: response.output_item.done\ndata: {"type":"response.output_item.done","se'
            b'quence_number":3,"output_index":0,"item":{"id":"rs_local6df7abfc37ab24fefc9b'
            b'3af1b1287ab676b12301","summary":[],"type":"reasoning"}}\n\n'
        ),
        (
            b'event: response.output_item.added\ndata: {"type":"response.output_item.added","'
            b'sequence_number":4,"output_index":1,"item":{"arguments":"","call_id":"ca'
            b'll_localb1287ab676b12301dc7ea71a","id":"fc_localfc9b3af1b1287ab676b12301dc7ea71a'
            b'c5227fd4","name":"weather","status":"in_progress","type":"function_call'
            b'"}}\n\n'
        ),
        (
            b'event: response.function_call_arguments.delta\ndata: {"type":"response.function_c'
            b'all_arguments.delta","sequence_number":5,"item_id":"fc_localfc9b3af1b1287ab676'
            b'b12301dc7ea71ac5227fd4","output_index":1,"delta":"{\\"city\\": "}\n\n'
        ),
        (
            b'event: response.function_call_arguments.delta\ndata: {"type":"response.function_c'
            b'all_arguments.delta","sequence_number":6,"item_id":"fc_localfc9b3af1b1287ab676'
            b'b12301dc7ea71ac5227fd4","output_index":1,"delta":"\\"local\\", "}\n\n'
        ),
        (
            b'event: response.function_call_arguments.delta\ndata: {"type":"response.function_c'
            b'all_arguments.delta","sequence_number":7,"item_id":"fc_localfc9b3af1b1287ab676'
            b'b12301dc7ea71ac5227fd4","output_index":1,"delta":"\\"days\\": "}\n\n'
        ),
        (
            b'event: response.function_call_arguments.delta\ndata: {"type":"response.function_c'
            b'all_arguments.delta","sequence_number":8,"item_id":"fc_localfc9b3af1b1287ab676'
            b'b12301dc7ea71ac5227fd4","output_index":1,"delta":"0}"}\n\n'
        ),
        (
            b'event: response.function_call_arguments.done\ndata: {"type":"response.function_ca'
            b'll_arguments.done","sequence_number":9,"item_id":"fc_localfc9b3af1b1287ab676b1'
            b'2301dc7ea71ac5227fd4","output_index":1,"arguments":"{\\"city\\": \\"local\\'
            b'", \\"days\\": 0}"}\n\n'
        ),
        (
            b'event: response.output_item.done\ndata: {"type":"response.output_item.done","se'
            b'quence_number":10,"output_index":1,"item":{"arguments":"{\\"city\\": \\"l'
            b'ocal\\", \\"days\\": 0}","call_id":"call_localb1287ab676b12301dc7ea71a","id'
            b'":"fc_localfc9b3af1b1287ab676b12301dc7ea71ac5227fd4","name":"weather","statu'
            b's":"completed","type":"function_call"}}\n\n'
        ),
        (
            b'event: response.completed\ndata: {"type":"response.completed","sequence_number'
            b'":11,"response":{"background":false,"billing":{"payer":"developer"},"com'
            b'pleted_at":1795000000,"created_at":1795000000,"error":null,"frequency_penalty'
            b'":0,"gatewayMetadata":{"keySource":"Local"},"id":"resp_local14586b886df7ab'
            b'fc37ab24fefc9b3af1b1287ab6","incomplete_details":null,"instructions":null,"max'
            b'_output_tokens":null,"max_tool_calls":null,"metadata":{},"model":"gpt-5.4-pr'
            b'o-2026-03-05","moderation":null,"object":"response","output":[{"id":"rs_'
            b'local6df7abfc37ab24fefc9b3af1b1287ab676b12301","summary":[],"type":"reasoning'
            b'"},{"arguments":"{\\"city\\": \\"local\\", \\"days\\": 0}","call_id":"'
            b'call_localb1287ab676b12301dc7ea71a","id":"fc_localfc9b3af1b1287ab676b12301dc7ea7'
            b'1ac5227fd4","name":"weather","status":"completed","type":"function_call'
            b'"}],"parallel_tool_calls":true,"presence_penalty":0,"previous_response_id":nu'
            b'll,"prompt_cache_key":null,"prompt_cache_retention":"in_memory","reasoning":'
            b'{"effort":"medium","summary":null},"safety_identifier":null,"service_tier"'
            b':"default","status":"completed","store":false,"temperature":1,"text":{"'
            b'format":{"type":"text"},"verbosity":"medium"},"tool_choice":"required",'
            b'"tools":[{"type":"function","name":"weather","parameters":{"type":"ob'
            b'ject","properties":{"city":{"type":"string"},"days":{"type":"integer"'
            b'}},"required":["city","days"]}}],"top_logprobs":0,"top_p":0.98,"truncatio'
            b'n":"disabled","usage":{"input_tokens":1,"input_tokens_details":{"cached_to'
            b'kens":0},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":16},'
            b'"total_tokens":21},"user":null}}\n\n'
        ),
    ],
}
