"""The hosted tools' input items by `type`."""

from __future__ import annotations

from airelay.core.models.common import Strict
from airelay.core.models.tools.computer_items import ComputerCallItem, ComputerCallOutputItem
from airelay.core.models.tools.image_items import ImageGenerationCallItem
from airelay.core.models.tools.mcp_items import (
    McpApprovalRequestItem,
    McpApprovalResponseItem,
    McpCallItem,
    McpListToolsItem,
)
from airelay.core.models.tools.program_items import (
    ProgramItem,
    ProgramOutputItem,
    ToolSearchCallItem,
)
from airelay.core.models.tools.run_items import (
    ApplyPatchCallItem,
    ApplyPatchCallOutputItem,
    CodeInterpreterCallItem,
    LocalShellCallItem,
    LocalShellCallOutputItem,
    ShellCallItem,
    ShellCallOutputItem,
)
from airelay.core.models.tools.search_items import FileSearchCallItem, WebSearchCallItem

# The hosted tools' input items by `type` (`tool_search_output`, which holds tools, is in
# responses.py).
HOSTED_ITEMS: dict[str, type[Strict]] = {
    "file_search_call": FileSearchCallItem,
    "computer_call": ComputerCallItem,
    "computer_call_output": ComputerCallOutputItem,
    "web_search_call": WebSearchCallItem,
    "image_generation_call": ImageGenerationCallItem,
    "code_interpreter_call": CodeInterpreterCallItem,
    "local_shell_call": LocalShellCallItem,
    "local_shell_call_output": LocalShellCallOutputItem,
    "shell_call": ShellCallItem,
    "shell_call_output": ShellCallOutputItem,
    "apply_patch_call": ApplyPatchCallItem,
    "apply_patch_call_output": ApplyPatchCallOutputItem,
    "mcp_list_tools": McpListToolsItem,
    "mcp_approval_request": McpApprovalRequestItem,
    "mcp_approval_response": McpApprovalResponseItem,
    "mcp_call": McpCallItem,
    "tool_search_call": ToolSearchCallItem,
    "program": ProgramItem,
    "program_output": ProgramOutputItem,
}
