"""The hosted tools of the Responses API and their items, as the pinned `openai` SDK types them.

Tools: `openai.types.responses.tool_param`; items: `response_input_param` (what a caller sends
back of a previous answer: calls, their outputs, MCP listings and approvals).
"""

from __future__ import annotations

from airelay.core.models.tools.base import CallStatus as CallStatus
from airelay.core.models.tools.base import Coordinate as Coordinate
from airelay.core.models.tools.base import Count as Count
from airelay.core.models.tools.base import Deferred as Deferred
from airelay.core.models.tools.base import Headers as Headers
from airelay.core.models.tools.base import Ids as Ids
from airelay.core.models.tools.base import ItemId as ItemId
from airelay.core.models.tools.base import Names as Names
from airelay.core.models.tools.base import Parts as Parts
from airelay.core.models.tools.choices import ApplyPatchToolChoice as ApplyPatchToolChoice
from airelay.core.models.tools.choices import McpToolChoice as McpToolChoice
from airelay.core.models.tools.choices import ProgrammaticToolChoice as ProgrammaticToolChoice
from airelay.core.models.tools.choices import ShellToolChoice as ShellToolChoice
from airelay.core.models.tools.computer_items import ClickAction as ClickAction
from airelay.core.models.tools.computer_items import ComputerAction as ComputerAction
from airelay.core.models.tools.computer_items import ComputerCallItem as ComputerCallItem
from airelay.core.models.tools.computer_items import (
    ComputerCallOutputItem as ComputerCallOutputItem,
)
from airelay.core.models.tools.computer_items import ComputerScreenshot as ComputerScreenshot
from airelay.core.models.tools.computer_items import DoubleClickAction as DoubleClickAction
from airelay.core.models.tools.computer_items import DragAction as DragAction
from airelay.core.models.tools.computer_items import KeypressAction as KeypressAction
from airelay.core.models.tools.computer_items import Keys as Keys
from airelay.core.models.tools.computer_items import MoveAction as MoveAction
from airelay.core.models.tools.computer_items import Point as Point
from airelay.core.models.tools.computer_items import SafetyCheck as SafetyCheck
from airelay.core.models.tools.computer_items import ScreenshotAction as ScreenshotAction
from airelay.core.models.tools.computer_items import ScrollAction as ScrollAction
from airelay.core.models.tools.computer_items import TypeAction as TypeAction
from airelay.core.models.tools.computer_items import WaitAction as WaitAction
from airelay.core.models.tools.definitions import HOSTED_TOOLS as HOSTED_TOOLS
from airelay.core.models.tools.definitions import ApplyPatchTool as ApplyPatchTool
from airelay.core.models.tools.definitions import CodeInterpreterAuto as CodeInterpreterAuto
from airelay.core.models.tools.definitions import CodeInterpreterTool as CodeInterpreterTool
from airelay.core.models.tools.definitions import ComparisonFilter as ComparisonFilter
from airelay.core.models.tools.definitions import CompoundFilter as CompoundFilter
from airelay.core.models.tools.definitions import ComputerTool as ComputerTool
from airelay.core.models.tools.definitions import ComputerUsePreviewTool as ComputerUsePreviewTool
from airelay.core.models.tools.definitions import Connector as Connector
from airelay.core.models.tools.definitions import ContainerAuto as ContainerAuto
from airelay.core.models.tools.definitions import ContainerReference as ContainerReference
from airelay.core.models.tools.definitions import DomainSecret as DomainSecret
from airelay.core.models.tools.definitions import FileSearchTool as FileSearchTool
from airelay.core.models.tools.definitions import HybridSearch as HybridSearch
from airelay.core.models.tools.definitions import ImageAction as ImageAction
from airelay.core.models.tools.definitions import ImageBackground as ImageBackground
from airelay.core.models.tools.definitions import ImageFormat as ImageFormat
from airelay.core.models.tools.definitions import ImageGenerationTool as ImageGenerationTool
from airelay.core.models.tools.definitions import ImageMask as ImageMask
from airelay.core.models.tools.definitions import ImageQuality as ImageQuality
from airelay.core.models.tools.definitions import InlineSkill as InlineSkill
from airelay.core.models.tools.definitions import InlineSkillSource as InlineSkillSource
from airelay.core.models.tools.definitions import LocalEnvironment as LocalEnvironment
from airelay.core.models.tools.definitions import LocalShellTool as LocalShellTool
from airelay.core.models.tools.definitions import LocalSkill as LocalSkill
from airelay.core.models.tools.definitions import McpApprovalFilter as McpApprovalFilter
from airelay.core.models.tools.definitions import McpTool as McpTool
from airelay.core.models.tools.definitions import McpToolFilter as McpToolFilter
from airelay.core.models.tools.definitions import MemoryLimit as MemoryLimit
from airelay.core.models.tools.definitions import NetworkAllowlist as NetworkAllowlist
from airelay.core.models.tools.definitions import NetworkDisabled as NetworkDisabled
from airelay.core.models.tools.definitions import NetworkPolicy as NetworkPolicy
from airelay.core.models.tools.definitions import (
    ProgrammaticToolCallingTool as ProgrammaticToolCallingTool,
)
from airelay.core.models.tools.definitions import RankingOptions as RankingOptions
from airelay.core.models.tools.definitions import ShellTool as ShellTool
from airelay.core.models.tools.definitions import SkillReference as SkillReference
from airelay.core.models.tools.definitions import SvgOptions as SvgOptions
from airelay.core.models.tools.definitions import SvgReasoning as SvgReasoning
from airelay.core.models.tools.definitions import ToolSearchTool as ToolSearchTool
from airelay.core.models.tools.image_items import ImageGenerationCallItem as ImageGenerationCallItem
from airelay.core.models.tools.image_items import ImageGenerationError as ImageGenerationError
from airelay.core.models.tools.image_items import ModerationDetails as ModerationDetails
from airelay.core.models.tools.image_items import SvgUsage as SvgUsage
from airelay.core.models.tools.items import HOSTED_ITEMS as HOSTED_ITEMS
from airelay.core.models.tools.mcp_items import McpApprovalRequestItem as McpApprovalRequestItem
from airelay.core.models.tools.mcp_items import McpApprovalResponseItem as McpApprovalResponseItem
from airelay.core.models.tools.mcp_items import McpCallItem as McpCallItem
from airelay.core.models.tools.mcp_items import McpHttpError as McpHttpError
from airelay.core.models.tools.mcp_items import McpListedTool as McpListedTool
from airelay.core.models.tools.mcp_items import McpListToolsItem as McpListToolsItem
from airelay.core.models.tools.mcp_items import McpProtocolError as McpProtocolError
from airelay.core.models.tools.mcp_items import McpToolExecutionError as McpToolExecutionError
from airelay.core.models.tools.program_items import ProgramItem as ProgramItem
from airelay.core.models.tools.program_items import ProgramOutputItem as ProgramOutputItem
from airelay.core.models.tools.program_items import ToolSearchCallItem as ToolSearchCallItem
from airelay.core.models.tools.run_items import ApplyPatchCallItem as ApplyPatchCallItem
from airelay.core.models.tools.run_items import ApplyPatchCallOutputItem as ApplyPatchCallOutputItem
from airelay.core.models.tools.run_items import Caller as Caller
from airelay.core.models.tools.run_items import CodeInterpreterCallItem as CodeInterpreterCallItem
from airelay.core.models.tools.run_items import CreateFile as CreateFile
from airelay.core.models.tools.run_items import DeleteFile as DeleteFile
from airelay.core.models.tools.run_items import DirectCaller as DirectCaller
from airelay.core.models.tools.run_items import ExitOutcome as ExitOutcome
from airelay.core.models.tools.run_items import ImageOutput as ImageOutput
from airelay.core.models.tools.run_items import LocalShellAction as LocalShellAction
from airelay.core.models.tools.run_items import LocalShellCallItem as LocalShellCallItem
from airelay.core.models.tools.run_items import LocalShellCallOutputItem as LocalShellCallOutputItem
from airelay.core.models.tools.run_items import LogsOutput as LogsOutput
from airelay.core.models.tools.run_items import ProgramCaller as ProgramCaller
from airelay.core.models.tools.run_items import ShellAction as ShellAction
from airelay.core.models.tools.run_items import ShellCallItem as ShellCallItem
from airelay.core.models.tools.run_items import ShellCallOutputItem as ShellCallOutputItem
from airelay.core.models.tools.run_items import ShellOutputChunk as ShellOutputChunk
from airelay.core.models.tools.run_items import TimeoutOutcome as TimeoutOutcome
from airelay.core.models.tools.run_items import UpdateFile as UpdateFile
from airelay.core.models.tools.search_items import FileSearchCallItem as FileSearchCallItem
from airelay.core.models.tools.search_items import FileSearchResult as FileSearchResult
from airelay.core.models.tools.search_items import FindInPageAction as FindInPageAction
from airelay.core.models.tools.search_items import OpenPageAction as OpenPageAction
from airelay.core.models.tools.search_items import SearchAction as SearchAction
from airelay.core.models.tools.search_items import SearchSource as SearchSource
from airelay.core.models.tools.search_items import WebSearchCallItem as WebSearchCallItem
