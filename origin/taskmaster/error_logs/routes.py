"""HTTP routes of error logs: list, get and delete generated from the table; log (with occurrence
counting) and resolve beside them."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.db.session import Session
from taskmaster.error_logs import service
from taskmaster.error_logs.schemas import ErrorLog, ErrorResolution, ErrorWrite
from taskmaster.error_logs.service import ERRORS

ONE = "/{error_id:uuid}"
COUNTED_AGAIN = ResponseSpec(
    data_container=Envelope[ErrorLog],
    description="An open error with the same task, code and message exists; its "
    "occurrence_count was incremented",
    generate_examples=False,
)


class ErrorLogController(
    crud_controller(
        ERRORS,
        "/api/v1/errors",
        "errors",
        ops=("list", "get", "delete"),
        summaries={"get": "Get an error", "delete": "Delete an error"},
        statuses={"delete": (*COMMON, 412)},
    )
):
    opt = policy("tasks:read", "tasks:write")

    @post(
        "/",
        responses={200: COUNTED_AGAIN, **problems(*WRITE)},
        summary="Log an error (201 new; 200 when an open duplicate was counted again)",
    )
    async def log_error(
        self, request: Req, db: NamedDependency[Session], data: JSONBody[ErrorWrite]
    ) -> Response[Envelope[ErrorLog]]:
        error, created = await service.log_error(db, data)
        location = f"{self.path}/{error.id}"
        return single(request, error, 201 if created else 200, location=location)

    @post(
        ONE + "/resolve",
        status_code=200,
        responses=problems(*WRITE, 412),
        summary="Resolve an error (idempotent); a later occurrence opens a new error",
    )
    async def resolve_error(
        self, request: Req, db: NamedDependency[Session], error_id: FromPath[UUID],
        data: JSONBody[ErrorResolution], if_match: IfMatch = None,
    ) -> Response[Envelope[ErrorLog]]:  # fmt: skip
        version = parse_if_match(if_match)
        return single(request, await service.resolve(db, error_id, data, version))
