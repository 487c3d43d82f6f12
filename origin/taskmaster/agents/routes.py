"""HTTP adapters for agent configurations: parse, call the table, wrap in the envelope."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.agents.schemas import Agent, AgentPatch, AgentType, AgentWrite, Health
from taskmaster.agents.service import AGENTS
from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy

Req = Request[Any, Any, Any]


class AgentController(Controller):
    path = "/api/v1/agent-configurations"
    opt = policy("workflows:read", "workflows:write")
    tags = ["agent-configurations"]

    @post("/", responses=problems(*WRITE), summary="Create an agent configuration")
    async def create_agent(
        self, request: Req, state: State, data: JSONBody[AgentWrite]
    ) -> Response[Envelope[Agent]]:
        agent = await AGENTS.create(state.pool, data)
        return single(request, agent, 201, location=f"{self.path}/{agent.id}")

    @get("/", responses=problems(*COMMON), summary="List agent configurations")
    async def list_agents(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None, agent_type: list[AgentType] | None = None,
        health_status: list[Health] | None = None, is_active: bool | None = None,
        capability: Annotated[list[str] | None, Parameter(description="Has all of these")] = None,
        name: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> Page[Agent]:  # fmt: skip
        filters = {
            "agent_type": agent_type, "health_status": health_status, "is_active": is_active,
            "capability": capability, "name": name,
        }  # fmt: skip
        page = await AGENTS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get("/{agent_id:uuid}", responses=problems(*COMMON), summary="Get an agent configuration")
    async def get_agent(
        self, request: Req, state: State, agent_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Agent]]:
        agent = await AGENTS.get(state.pool, agent_id)
        return single(request, agent, if_none_match=if_none_match)

    @put("/{agent_id:uuid}", responses=problems(*WRITE, 412), summary="Replace an agent")
    async def replace_agent(
        self, request: Req, state: State, agent_id: UUID, data: JSONBody[AgentWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Agent]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await AGENTS.replace(state.pool, agent_id, data, version))

    @patch("/{agent_id:uuid}", responses=problems(*WRITE, 412), summary="Update an agent")
    async def patch_agent(
        self, request: Req, state: State, agent_id: UUID, data: JSONBody[AgentPatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Agent]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await AGENTS.patch(state.pool, agent_id, data, version))

    @delete("/{agent_id:uuid}", responses=problems(*COMMON, 412), summary="Delete an agent")
    async def delete_agent(self, state: State, agent_id: UUID, if_match: IfMatch = None) -> None:
        await AGENTS.delete(state.pool, agent_id, parse_if_match(if_match))
