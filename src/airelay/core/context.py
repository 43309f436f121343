"""Per-request state, built once by the core and handed to every endpoint handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airelay.core.errors import RelayError
from airelay.core.observability import RequestLog
from airelay.core.types import Platform, Request

if TYPE_CHECKING:
    from airelay.core.auth import Caller
    from airelay.core.endpoints import Endpoint
    from airelay.core.settings import Settings


@dataclass
class Context:
    """One request: what arrived, where it goes, who sent it, and what its log line says."""

    request: Request
    platform: Platform
    endpoint: Endpoint
    param: str
    log: RequestLog
    settings_or_error: Settings | RelayError
    caller: Caller | None = field(default=None)

    @property
    def settings(self) -> Settings:
        """Return the operator's settings; raise their 500 when they are misconfigured."""
        if isinstance(self.settings_or_error, RelayError):
            raise self.settings_or_error
        return self.settings_or_error
