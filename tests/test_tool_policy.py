"""ALLOWED_TOOLS and a token's tools: which tool types pass, and the 400 for those that do not."""

from __future__ import annotations

import typing
from typing import Any, get_args

import pytest
from openai.types.responses import response_create_params

from airelay.core.catalog import MINI, PRO
from airelay.core.errors import RelayError
from airelay.core.tool_policy import (
    ALL_TOOLS,
    DEFAULT_ALLOWED_TOOLS,
    TOOL_TYPES,
    ToolPolicy,
    parse_allowed_tools,
    parse_token_tools,
    requested,
    tool_type,
)
from airelay.hosts.local import local_env
from tests.client import ANYONE, CoreClient
from tests.token_support import SECRET, claims, hs256

MCP = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example.com/sse"}


def test_the_tool_types_are_exactly_the_sdks_responses_tool_types() -> None:
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    kinds = {
        tool_type(value)
        for tool in get_args(get_args(hints["tools"])[0])
        for value in get_args(typing.get_type_hints(tool)["type"])
    }
    assert kinds == set(TOOL_TYPES)


def test_the_default_leaves_out_billed_and_caller_addressed_tools_but_keeps_web_search() -> None:
    left_out = {
        "code_interpreter",
        "shell",
        "image_generation",
        "file_search",
        "programmatic_tool_calling",
        "mcp",
    }
    assert left_out == ALL_TOOLS - DEFAULT_ALLOWED_TOOLS
    assert {"function", "custom", "web_search", "web_search_preview"} <= DEFAULT_ALLOWED_TOOLS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("*", ALL_TOOLS),
        ("none", frozenset()),
        ("function, mcp", frozenset({"function", "mcp"})),
        (" code_interpreter ", frozenset({"code_interpreter"})),
    ],
)
def test_allowed_tools_reads_star_none_or_a_list(raw: str, expected: frozenset[str]) -> None:
    assert parse_allowed_tools(raw) == expected


@pytest.mark.parametrize("raw", ["functions", "mcp,,bogus", ",", "all"])
def test_allowed_tools_refuses_unknown_types_and_lists_the_known_ones(raw: str) -> None:
    with pytest.raises(ValueError, match="code_interpreter") as caught:
        parse_allowed_tools(raw)
    assert "expected '*'" in str(caught.value)


def test_a_dated_tool_type_counts_as_its_base_type() -> None:
    assert tool_type("web_search_2025_08_26") == "web_search"
    assert tool_type("web_search_preview_2025_03_11") == "web_search_preview"
    assert tool_type("mcp") == "mcp"


def test_requested_names_each_tool_and_chats_tool_parameters() -> None:
    body = {
        "tools": [{"type": "function"}, {"type": "web_search_2025_08_26"}],
        "web_search_options": {},
        "functions": [{"name": "f"}],
    }
    assert list(requested(body)) == [
        ("tools[0]", "function"),
        ("tools[1]", "web_search"),
        ("web_search_options", "web_search"),
        ("functions", "function"),
    ]


def test_tools_handed_over_by_a_client_run_tool_search_are_checked_too() -> None:
    search = {"type": "tool_search_output", "execution": "client", "tools": [MCP]}
    body = {"input": [{"role": "user", "content": "x"}, search]}
    assert list(requested(body)) == [("input[1].tools[0]", "mcp")]
    assert refusal(ToolPolicy(), body).param == "input[1].tools[0]"


def refusal(policy: ToolPolicy, body: dict[str, Any]) -> RelayError:
    """Return the error `policy` raises for `body`."""
    with pytest.raises(RelayError) as caught:
        policy.check(body)
    return caught.value


def test_a_refused_tool_gets_a_400_naming_it_the_variable_and_the_allowed_types() -> None:
    body = {"input": "x", "tools": [{"type": "function", "name": "f"}, {"type": "mcp"}]}
    error = refusal(ToolPolicy(frozenset({"function", "web_search"})), body)
    assert error.status == 400
    assert error.param == "tools[1]"
    assert error.code == "tool_not_allowed"
    assert error.message == (
        "Tool type 'mcp' (tools[1]) is not allowed by the relay's ALLOWED_TOOLS; "
        "allowed tool types: function, web_search."
    )


def test_the_default_policy_refuses_mcp_and_passes_function_tools() -> None:
    ToolPolicy().check({"tools": [{"type": "function"}, {"type": "web_search"}]})
    assert refusal(ToolPolicy(), {"tools": [{"type": "mcp"}]}).param == "tools[0]"


def test_a_token_narrows_the_operators_set_and_its_error_says_so() -> None:
    policy = ToolPolicy(ALL_TOOLS, token=frozenset({"function", "mcp"}))
    policy.check({"tools": [{"type": "mcp"}]})
    error = refusal(policy, {"tools": [{"type": "image_generation"}]})
    assert "this token's scope" in error.message
    assert error.message.endswith("allowed tool types: function, mcp.")


def test_a_token_cannot_widen_the_operators_set() -> None:
    policy = ToolPolicy(DEFAULT_ALLOWED_TOOLS, token=frozenset({"mcp"}))
    assert "ALLOWED_TOOLS" in refusal(policy, {"tools": [{"type": "mcp"}]}).message


def test_chats_web_search_options_is_refused_when_web_search_is_not_allowed() -> None:
    error = refusal(ToolPolicy(frozenset({"function"})), {"web_search_options": {}})
    assert error.param == "web_search_options"


def test_allowing_none_refuses_every_tool() -> None:
    error = refusal(ToolPolicy(frozenset()), {"tools": [{"type": "function"}]})
    assert error.message.endswith("allowed tool types: none.")


@pytest.mark.parametrize("raw", ["mcp", [1], ["bogus"]])
def test_a_tokens_tools_must_be_a_list_of_known_types(raw: Any) -> None:
    with pytest.raises(ValueError, match="'tools'"):
        parse_token_tools(raw)


def test_a_tokens_tools_are_read_as_a_set() -> None:
    assert parse_token_tools(["mcp", "function"]) == frozenset({"mcp", "function"})


# --- through the relay ---------------------------------------------------------------------------


def test_by_default_the_relay_refuses_mcp_naming_the_variable_before_the_model_is_asked() -> None:
    client = CoreClient()
    result = client.post(PRO.path, json={"input": "hi", "tools": [MCP]})
    assert result.status == 400
    assert result.error["code"] == "tool_not_allowed"
    assert "ALLOWED_TOOLS" in result.error["message"]
    assert client.backend.calls == []


def test_allowed_tools_star_relays_every_hosted_tool_as_sent() -> None:
    client = CoreClient(env={**ANYONE, "ALLOWED_TOOLS": "*"})
    tools = [MCP, {"type": "code_interpreter", "container": {"type": "auto"}}]
    assert client.post(PRO.path, json={"input": "hi", "tools": tools}).status == 200
    assert client.backend.call.inputs["tools"] == tools


def test_allowed_tools_can_take_web_search_away_from_chat() -> None:
    client = CoreClient(env={**ANYONE, "ALLOWED_TOOLS": "function"})
    body = {"messages": [{"role": "user", "content": "hi"}], "web_search_options": {}}
    result = client.post(MINI.path, json=body)
    assert result.status == 400
    assert result.error["param"] == "web_search_options"


def test_a_bad_allowed_tools_is_a_misconfiguration_naming_the_variable() -> None:
    result = CoreClient(env={**ANYONE, "ALLOWED_TOOLS": "mcp,telnet"}).post(
        PRO.path, json={"input": "hi"}
    )
    assert result.status == 500
    assert "ALLOWED_TOOLS" in result.error["message"]
    assert "'telnet'" in result.error["message"]


def test_a_tokens_tools_narrow_what_its_caller_may_send() -> None:
    client = CoreClient(env={"TOKEN_SECRETS": SECRET, "ALLOWED_TOOLS": "*"})
    token = hs256(claims("alice", airelay={"tools": ["function"]}))
    headers = {"authorization": f"Bearer {token}"}
    body = {"input": "hi", "tools": [{"type": "image_generation"}]}
    result = client.post(PRO.path, json=body, headers=headers)
    assert result.status == 400
    assert "this token's scope" in result.error["message"]
    fine = {"input": "hi", "tools": [{"type": "function", "name": "f"}]}
    assert client.post(PRO.path, json=fine, headers=headers).status == 200


def test_a_token_with_malformed_tools_is_refused() -> None:
    client = CoreClient(env={"TOKEN_SECRETS": SECRET})
    token = hs256(claims("alice", airelay={"tools": "mcp"}))
    result = client.post(
        PRO.path, json={"input": "hi"}, headers={"authorization": f"Bearer {token}"}
    )
    assert result.status == 401
    assert "'tools'" in result.error["message"]


def test_the_local_host_allows_every_tool_unless_the_operator_narrows_them() -> None:
    assert local_env({})["ALLOWED_TOOLS"] == "*"
    assert local_env({"ALLOWED_TOOLS": " "})["ALLOWED_TOOLS"] == "*"
    assert local_env({"ALLOWED_TOOLS": "function"})["ALLOWED_TOOLS"] == "function"
