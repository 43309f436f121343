"""The hosted tools and their items match the pinned openai SDK's TypedDicts, field by field."""

from __future__ import annotations

import inspect
import typing
from typing import Any, get_args

import pytest
from openai.types.responses import (
    apply_patch_tool_param,
    computer_tool_param,
    computer_use_preview_tool_param,
    container_auto_param,
    container_network_policy_allowlist_param,
    container_reference_param,
    file_search_tool_param,
    function_shell_tool_param,
    local_environment_param,
    namespace_tool_param,
    response_code_interpreter_tool_call_param,
    response_computer_tool_call_param,
    response_create_params,
    response_file_search_tool_call_param,
    response_function_web_search_param,
    response_input_param,
    tool_choice_mcp_param,
    tool_param,
    tool_search_tool_param,
)
from openai.types.shared_params import comparison_filter, compound_filter
from pydantic import BaseModel, ValidationError

from airelay.backends.local import hosted as hosted_tools
from airelay.core.models import responses as rm
from airelay.core.models import tools as tm
from tests.test_local_hosted_tools import ALL_INCLUDES, SEED, TOOLS

PAIRS: list[tuple[type[BaseModel], Any]] = [
    (tm.FileSearchTool, file_search_tool_param.FileSearchToolParam),
    (tm.ComparisonFilter, comparison_filter.ComparisonFilter),
    (tm.CompoundFilter, compound_filter.CompoundFilter),
    (tm.RankingOptions, file_search_tool_param.RankingOptions),
    (tm.HybridSearch, file_search_tool_param.RankingOptionsHybridSearch),
    (tm.ComputerTool, computer_tool_param.ComputerToolParam),
    (tm.ComputerUsePreviewTool, computer_use_preview_tool_param.ComputerUsePreviewToolParam),
    (tm.McpTool, tool_param.Mcp),
    (tm.McpToolFilter, tool_param.McpAllowedToolsMcpToolFilter),
    (tm.McpApprovalFilter, tool_param.McpRequireApprovalMcpToolApprovalFilter),
    (tm.CodeInterpreterTool, tool_param.CodeInterpreter),
    (tm.CodeInterpreterAuto, tool_param.CodeInterpreterContainerCodeInterpreterToolAuto),
    (
        tm.NetworkAllowlist,
        container_network_policy_allowlist_param.ContainerNetworkPolicyAllowlistParam,
    ),
    (tm.ProgrammaticToolCallingTool, tool_param.ProgrammaticToolCalling),
    (tm.ImageGenerationTool, tool_param.ImageGeneration),
    (tm.ImageMask, tool_param.ImageGenerationInputImageMask),
    (tm.SvgOptions, tool_param.ImageGenerationSvg),
    (tm.LocalShellTool, tool_param.LocalShell),
    (tm.ShellTool, function_shell_tool_param.FunctionShellToolParam),
    (tm.ContainerAuto, container_auto_param.ContainerAutoParam),
    (tm.LocalEnvironment, local_environment_param.LocalEnvironmentParam),
    (tm.ContainerReference, container_reference_param.ContainerReferenceParam),
    (rm.NamespaceTool, namespace_tool_param.NamespaceToolParam),
    (tm.ToolSearchTool, tool_search_tool_param.ToolSearchToolParam),
    (tm.ApplyPatchTool, apply_patch_tool_param.ApplyPatchToolParam),
    (tm.McpToolChoice, tool_choice_mcp_param.ToolChoiceMcpParam),
    (tm.FileSearchCallItem, response_file_search_tool_call_param.ResponseFileSearchToolCallParam),
    (tm.FileSearchResult, response_file_search_tool_call_param.Result),
    (tm.ComputerCallItem, response_computer_tool_call_param.ResponseComputerToolCallParam),
    (tm.ClickAction, response_computer_tool_call_param.ActionClick),
    (tm.DoubleClickAction, response_computer_tool_call_param.ActionDoubleClick),
    (tm.DragAction, response_computer_tool_call_param.ActionDrag),
    (tm.ScrollAction, response_computer_tool_call_param.ActionScroll),
    (tm.ComputerCallOutputItem, response_input_param.ComputerCallOutput),
    (tm.WebSearchCallItem, response_function_web_search_param.ResponseFunctionWebSearchParam),
    (tm.SearchAction, response_function_web_search_param.ActionSearch),
    (tm.FindInPageAction, response_function_web_search_param.ActionFind),
    (tm.ImageGenerationCallItem, response_input_param.ImageGenerationCall),
    (tm.ImageGenerationError, response_input_param.ImageGenerationCallError),
    (tm.SvgUsage, response_input_param.ImageGenerationCallSvgUsage),
    (
        tm.CodeInterpreterCallItem,
        response_code_interpreter_tool_call_param.ResponseCodeInterpreterToolCallParam,
    ),
    (tm.LocalShellCallItem, response_input_param.LocalShellCall),
    (tm.LocalShellAction, response_input_param.LocalShellCallAction),
    (tm.LocalShellCallOutputItem, response_input_param.LocalShellCallOutput),
    (tm.ShellCallItem, response_input_param.ShellCall),
    (tm.ShellAction, response_input_param.ShellCallAction),
    (tm.ShellCallOutputItem, response_input_param.ShellCallOutput),
    (tm.ApplyPatchCallItem, response_input_param.ApplyPatchCall),
    (tm.ApplyPatchCallOutputItem, response_input_param.ApplyPatchCallOutput),
    (tm.McpListToolsItem, response_input_param.McpListTools),
    (tm.McpListedTool, response_input_param.McpListToolsTool),
    (tm.McpApprovalRequestItem, response_input_param.McpApprovalRequest),
    (tm.McpApprovalResponseItem, response_input_param.McpApprovalResponse),
    (tm.McpCallItem, response_input_param.McpCall),
]


def required_keys(sdk: Any) -> set[str]:
    """Return the keys the SDK marks Required (read from source: postponed annotations)."""
    keys = set()
    for klass in inspect.getmro(sdk):
        if klass in (dict, object) or not hasattr(klass, "__annotations__"):
            continue
        for line in inspect.getsource(klass).splitlines():
            if "Required[" in line and ":" in line and "NotRequired" not in line:
                keys.add(line.split(":")[0].strip())
    return keys


def wire(model: type[BaseModel]) -> dict[str, bool]:
    """Return the JSON names `model` accepts, each with whether it is required."""
    return {
        (field.alias or name): field.is_required() for name, field in model.model_fields.items()
    }


@pytest.mark.parametrize(("model", "sdk"), PAIRS, ids=[m.__name__ for m, _ in PAIRS])
def test_each_hosted_tool_model_has_the_sdks_fields_and_required_ones(
    model: type[BaseModel], sdk: Any
) -> None:
    ours = wire(model)
    theirs = set(typing.get_type_hints(sdk))
    assert set(ours) == theirs, (
        f"{model.__name__} differs from the SDK's {sdk.__name__}: missing "
        f"{sorted(theirs - set(ours))}, extra {sorted(set(ours) - theirs)}"
    )
    required = {name for name, needed in ours.items() if needed}
    assert required == required_keys(sdk), model.__name__


def test_every_sdk_tool_type_has_a_model() -> None:
    hints = typing.get_type_hints(response_create_params.ResponseCreateParamsBase)
    kinds = {
        value
        for tool in get_args(get_args(hints["tools"])[0])
        for value in get_args(typing.get_type_hints(tool)["type"])
    }
    basic = {"function", "custom", "namespace", "web_search", "web_search_2025_08_26"}
    basic |= {"web_search_preview", "web_search_preview_2025_03_11"}
    assert kinds - basic == set(tm.HOSTED_TOOLS)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_the_local_models_test_tools_are_valid_requests(name: str) -> None:
    tool = TOOLS[name]
    if tool["type"].startswith("web_search"):
        return  # validated by core/models' WebSearchTool
    tm.HOSTED_TOOLS[tool["type"]].model_validate(tool)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_item_the_local_model_answers_is_a_valid_input_item_when_sent_back(
    name: str,
) -> None:
    answer = hosted_tools.answer(TOOLS[name], "say hi", SEED, include=ALL_INCLUDES)
    for item in answer.items:
        tm.HOSTED_ITEMS[item["type"]].model_validate(item)


def test_an_approval_response_is_a_valid_input_item() -> None:
    item = {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True}
    tm.McpApprovalResponseItem.model_validate(item)


@pytest.mark.parametrize(
    ("model", "bad"),
    [
        (tm.McpTool, {"type": "mcp"}),
        (tm.McpTool, {"type": "mcp", "server_label": "s", "require_approval": "sometimes"}),
        (tm.ImageGenerationTool, {"type": "image_generation", "partial_images": 4}),
        (tm.FileSearchTool, {"type": "file_search", "vector_store_ids": ["v"], "x": 1}),
        (tm.FileSearchTool, {"type": "file_search", "vector_store_ids": "v"}),
        (tm.CodeInterpreterTool, {"type": "code_interpreter"}),
        (tm.ShellTool, {"type": "shell", "environment": {"type": "vm"}}),
        (tm.ComputerUsePreviewTool, {"type": "computer_use_preview", "display_width": 1}),
    ],
)
def test_malformed_hosted_tools_are_refused(model: type[BaseModel], bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(bad)


def test_nested_compound_filters_are_accepted() -> None:
    inner = {"type": "or", "filters": [{"key": "a", "type": "eq", "value": 1.0}]}
    tool = {
        "type": "file_search",
        "vector_store_ids": ["vs_1"],
        "filters": {"type": "and", "filters": [inner, {"key": "b", "type": "in", "value": ["x"]}]},
    }
    parsed = tm.FileSearchTool.model_validate(tool)
    assert isinstance(parsed.filters, tm.CompoundFilter)
    assert isinstance(parsed.filters.filters[0], tm.CompoundFilter)
