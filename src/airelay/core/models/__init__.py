"""Request bodies of the two routes, one pydantic model per API, mirroring the model cards."""

from __future__ import annotations

from airelay.core.models.chat import (
    AssistantMessage as AssistantMessage,
)
from airelay.core.models.chat import (
    ChatCompletionRequest as ChatCompletionRequest,
)
from airelay.core.models.chat import (
    ChatCustomDefinition as ChatCustomDefinition,
)
from airelay.core.models.chat import (
    ChatPromptCacheOptions as ChatPromptCacheOptions,
)
from airelay.core.models.chat import (
    FunctionDefinition as FunctionDefinition,
)
from airelay.core.models.chat import (
    JsonSchemaSpec as JsonSchemaSpec,
)
from airelay.core.models.chat import (
    StreamOptions as StreamOptions,
)
from airelay.core.models.chat import (
    ToolMessage as ToolMessage,
)
from airelay.core.models.chat import (
    UserMessage as UserMessage,
)
from airelay.core.models.chat import (
    WebSearchOptions as WebSearchOptions,
)

# The names the relay, OpenAPI and the tests use, each defined once in its module.
from airelay.core.models.common import (
    Effort as Effort,
)
from airelay.core.models.common import (
    Moderation as Moderation,
)
from airelay.core.models.responses import (
    Conversation as Conversation,
)
from airelay.core.models.responses import (
    CustomTool as CustomTool,
)
from airelay.core.models.responses import (
    FunctionCallItem as FunctionCallItem,
)
from airelay.core.models.responses import (
    FunctionCallOutputItem as FunctionCallOutputItem,
)
from airelay.core.models.responses import (
    FunctionTool as FunctionTool,
)
from airelay.core.models.responses import (
    Include as Include,
)
from airelay.core.models.responses import (
    InputMessage as InputMessage,
)
from airelay.core.models.responses import (
    Prompt as Prompt,
)
from airelay.core.models.responses import (
    Reasoning as Reasoning,
)
from airelay.core.models.responses import (
    ReasoningItem as ReasoningItem,
)
from airelay.core.models.responses import (
    ResponsesJsonSchemaFormat as ResponsesJsonSchemaFormat,
)
from airelay.core.models.responses import (
    ResponsesPromptCacheOptions as ResponsesPromptCacheOptions,
)
from airelay.core.models.responses import (
    ResponsesRequest as ResponsesRequest,
)
from airelay.core.models.responses import (
    ResponsesStreamOptions as ResponsesStreamOptions,
)
from airelay.core.models.responses import (
    TextOptions as TextOptions,
)
from airelay.core.models.responses import (
    WebSearchPreviewTool as WebSearchPreviewTool,
)
from airelay.core.models.responses import (
    WebSearchTool as WebSearchTool,
)

RelayRequest = ChatCompletionRequest | ResponsesRequest
