"""HTTP routes of templates: list, get and delete generated from the table; writes (which check
the declared variables) and rendering beside them."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.params import Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.templates import service
from taskmaster.templates.schemas import (
    Rendered,
    RenderRequest,
    TemplatePatch,
)
from taskmaster.templates.service import TEMPLATES

ONE = "/{template_id:uuid}"


class TemplateController(
    crud_controller(
        TEMPLATES,
        "/api/v1/templates",
        "templates",
        patch_struct=TemplatePatch,
        summaries={"list": "List templates", "patch": "Update a template"},
        statuses={"delete": (*COMMON, 412)},
        # Declared variables are checked against the content; a built-in template is read-only.
        rules={"create": service.create, "replace": service.replace, "patch": service.patch},
    )
):
    opt = policy("workflows:read", "workflows:write")

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
