"""Agent configuration bodies (msgspec); Literals and ranges mirror the agent_configurations
CHECKs. Credentials are not part of this API (``encrypted_credentials`` is never read or written
here): store secrets as sensitive configuration settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.resource import patch_of
from taskmaster.api.rows import VersionedRow
from taskmaster.api.types import Description, ErrorText, Name, Object, Timeout, Timestamp

AgentType = Literal["claude_code", "codegen", "agentapi", "openai", "custom"]
Health = Literal["unknown", "healthy", "degraded", "unhealthy"]
Model = Annotated[str, msgspec.Meta(max_length=200)]
Capability = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Capabilities = Annotated[list[Capability], msgspec.Meta(max_length=100)]
Concurrency = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class Agent(VersionedRow):
    """An agent configuration as the API returns it. Field order = the select list."""

    id: UUID
    name: str
    agent_type: AgentType
    description: str | None
    model: str | None
    configuration: dict[str, Any]
    capabilities: list[str]
    max_concurrent_tasks: int
    timeout_seconds: int
    is_active: bool
    health_status: Health
    last_health_check_at: datetime | None
    last_error: str | None


class AgentWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /agent-configurations`` and ``PUT /agent-configurations/{id}``."""

    name: Name
    agent_type: AgentType
    description: Description | None = None
    model: Model | None = None
    configuration: Object = msgspec.field(default_factory=dict)
    capabilities: Capabilities = msgspec.field(default_factory=list)
    max_concurrent_tasks: Concurrency = 1
    timeout_seconds: Timeout = 3600
    is_active: bool = True
    health_status: Health = "unknown"
    last_health_check_at: Timestamp | None = None
    last_error: ErrorText | None = None
    metadata: Object = msgspec.field(default_factory=dict)


AgentPatch = patch_of(AgentWrite, "AgentPatch")
