"""Agent configuration data access: the ``AGENTS`` table; CRUD comes from :class:`Table`."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from taskmaster.agents.schemas import Agent, AgentType, AgentWrite, Health
from taskmaster.db.table import Filter, Table

AGENTS: Table[Agent] = Table(
    name="agent_configurations",
    struct=Agent,
    write=AgentWrite,
    sorts=("created_at", "updated_at", "name", "id"),
    filters={
        "agent_type": Filter("agent_type = ANY(%(agent_type)s)", list[AgentType] | None),
        "health_status": Filter("health_status = ANY(%(health_status)s)", list[Health] | None),
        "is_active": Filter("is_active = %(is_active)s", bool | None),
        "capability": Filter(
            "capabilities @> %(capability)s",
            Annotated[list[str] | None, QueryParameter(description="Has all of these")],
        ),
        "name": Filter("name = %(name)s", Annotated[str | None, QueryParameter(max_length=200)]),
    },
    jsonb=frozenset({"configuration", "metadata"}),
)
