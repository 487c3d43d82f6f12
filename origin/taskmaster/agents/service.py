"""Agent configuration data access: the ``AGENTS`` table; CRUD comes from :class:`Table`."""

from __future__ import annotations

from pathlib import Path

from taskmaster.agents.schemas import Agent
from taskmaster.api.listing import Table
from taskmaster.api.pagination import SortField
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("queries.sql"))

AGENTS: Table[Agent] = Table(
    name="agent_configurations",
    label="agent configuration",
    struct=Agent,
    columns=QUERIES["fragment:agent_columns"],
    sort_fields={
        "created_at": SortField("created_at", "timestamptz"),
        "updated_at": SortField("updated_at", "timestamptz"),
        "name": SortField("name", "text"),
        "id": SortField("id", "uuid"),
    },
    default_sort="created_at",
    filters={
        "agent_type": "agent_type = ANY(%(agent_type)s)",
        "health_status": "health_status = ANY(%(health_status)s)",
        "is_active": "is_active = %(is_active)s",
        "capability": "capabilities @> %(capability)s",
        "name": "name = %(name)s",
    },
    queries=QUERIES,
    key="agent",
    jsonb=frozenset({"configuration", "metadata"}),
)
