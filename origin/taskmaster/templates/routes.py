"""HTTP adapters for templates and rendering."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.templates import service
from taskmaster.templates.schemas import (
    Rendered,
    RenderRequest,
    Template,
    TemplatePatch,
    TemplateType,
    TemplateWrite,
)
from taskmaster.templates.service import TEMPLATES

Req = Request[Any, Any, Any]
ONE = "/{template_id:uuid}"


class TemplateController(Controller):
    path = "/api/v1/templates"
    opt = policy("workflows:read", "workflows:write")
    tags = ["templates"]

    @post("/", responses=problems(*WRITE), summary="Create a template")
    async def create_template(
        self, request: Req, state: State, data: JSONBody[TemplateWrite]
    ) -> Response[Envelope[Template]]:
        template = await service.create(state.pool, data)
        return single(request, template, 201, location=f"{self.path}/{template.id}")

    @get("/", responses=problems(*COMMON), summary="List templates")
    async def list_templates(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        template_type: list[TemplateType] | None = None,
        category: Annotated[str | None, Parameter(max_length=100)] = None,
        tag: Annotated[list[str] | None, Parameter(description="Has all of these tags")] = None,
        is_active: bool | None = None,
        name: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> Page[Template]:  # fmt: skip
        filters = {
            "template_type": template_type, "category": category, "tag": tag,
            "is_active": is_active, "name": name,
        }  # fmt: skip
        page = await TEMPLATES.page(state.pool, state.cursors, filters, sort, cursor, limit)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get a template")
    async def get_template(
        self, request: Req, state: State, template_id: UUID, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Template]]:
        template = await TEMPLATES.get(state.pool, template_id)
        return single(request, template, if_none_match=if_none_match)

    @put(ONE, responses=problems(*WRITE, 412), summary="Replace a template")
    async def replace_template(
        self, request: Req, state: State, template_id: UUID, data: JSONBody[TemplateWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Template]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.replace(state.pool, template_id, data, version))

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update a template")
    async def patch_template(
        self, request: Req, state: State, template_id: UUID, data: JSONBody[TemplatePatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Template]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.patch(state.pool, template_id, data, version))

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a template")
    async def delete_template(
        self, state: State, template_id: UUID, if_match: IfMatch = None
    ) -> None:
        await TEMPLATES.delete(state.pool, template_id, parse_if_match(if_match))

    @post(
        ONE + "/render",
        responses=problems(*WRITE),
        status_code=200,
        summary="Fill the template's variables (422 names missing or unknown ones); counts a use",
    )
    async def render_template(
        self, request: Req, state: State, template_id: UUID, data: JSONBody[RenderRequest]
    ) -> Response[Envelope[Rendered]]:
        return single(request, await service.render(state.pool, template_id, data))
