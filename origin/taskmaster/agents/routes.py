"""HTTP routes of agent configurations: the resource's usual routes, generated from its table."""

from __future__ import annotations

from taskmaster.agents.schemas import AgentPatch
from taskmaster.agents.service import AGENTS
from taskmaster.api.docs import COMMON
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller


class AgentController(
    crud_controller(
        AGENTS,
        "/api/v1/agent-configurations",
        "agent-configurations",
        name="agent",
        patch_struct=AgentPatch,
        summaries={
            "create": "Create an agent configuration",
            "list": "List agent configurations",
            "get": "Get an agent configuration",
            "replace": "Replace an agent",
            "patch": "Update an agent",
            "delete": "Delete an agent",
        },
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("workflows:read", "workflows:write")
