"""HTTP routes of templates: list, get and delete generated from the table; writes (which check
the declared variables) and rendering beside them."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.templates import service
from taskmaster.templates.schemas import (
    Rendered,
    RenderRequest,
    Template,
    TemplatePatch,
    TemplateWrite,
)
from taskmaster.templates.service import TEMPLATES

ONE = "/{template_id:uuid}"


class TemplateController(
    crud_controller(
        TEMPLATES,
        "/api/v1/templates",
        "templates",
        ops=("list", "get", "delete"),
        summaries={"list": "List templates"},
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("workflows:read", "workflows:write")

    @post("/", responses=problems(*WRITE), summary="Create a template")
    async def create_template(
        self, request: Req, db: NamedDependency[Session], data: JSONBody[TemplateWrite]
    ) -> Response[Envelope[Template]]:
        template = await service.create(db, data)
        return single(request, template, 201, location=f"{self.path}/{template.id}")

    @put(ONE, responses=problems(*WRITE, 412), summary="Replace a template")
    async def replace_template(
        self, request: Req, db: NamedDependency[Session], template_id: FromPath[UUID], data: JSONBody[TemplateWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Template]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.replace(db, template_id, data, version))

    @patch(ONE, responses=problems(*WRITE, 412), summary="Update a template")
    async def patch_template(
        self, request: Req, db: NamedDependency[Session], template_id: FromPath[UUID], data: JSONBody[TemplatePatch],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Template]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.patch(db, template_id, data, version))

    @post(
        ONE + "/render",
        responses=problems(*WRITE),
        status_code=200,
        summary="Fill the template's variables (422 names missing or unknown ones); counts a use",
    )
    async def render_template(
        self,
        request: Req,
        db: NamedDependency[Session],
        template_id: FromPath[UUID],
        data: JSONBody[RenderRequest],
    ) -> Response[Envelope[Rendered]]:
        return single(request, await service.render(db, template_id, data))
