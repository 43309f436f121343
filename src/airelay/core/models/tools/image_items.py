"""The image generation calls a caller sends back."""

from __future__ import annotations

from typing import Literal

from airelay.core.models.common import Name, Text, Url
from airelay.core.models.tools.base import Count, Deferred, ItemId, Names
from airelay.core.models.tools.definitions import (
    ImageAction,
    ImageBackground,
    ImageFormat,
    ImageQuality,
)


class ModerationDetails(Deferred):
    categories: Names
    moderation_stage: Literal["input", "output", "unknown"]


class ImageGenerationError(Deferred):
    code: Name | None
    message: Text
    param: Name | None
    type: Name
    moderation_details: ModerationDetails | None = None


class SvgUsage(Deferred):
    input_tokens: Count
    model: Name
    output_tokens: Count
    reasoning_tokens: Count
    total_tokens: Count


class ImageGenerationCallItem(Deferred):
    type: Literal["image_generation_call"]
    id: ItemId
    result: Url | None
    status: Literal["in_progress", "completed", "generating", "failed"]
    action: ImageAction | None = None
    background: ImageBackground | None = None
    error: ImageGenerationError | None = None
    output_format: ImageFormat | None = None
    quality: ImageQuality | None = None
    revised_prompt: Text | None = None
    size: Name | None = None
    svg_usage: SvgUsage | None = None
