"""HTTP adapters for configuration settings (``admin`` scope): list, get, PUT (create or replace),
DELETE. Sensitive values are write-only."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, PathParameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.params import IfMatch, IfNoneMatch, Req
from taskmaster.api.policy import policy
from taskmaster.api.resource import crud_controller
from taskmaster.auth.scopes import ADMIN
from taskmaster.configuration import service
from taskmaster.configuration.schemas import KEY_PATTERN, Setting, SettingWrite
from taskmaster.db.session import Session

Key = Annotated[str, PathParameter(pattern=KEY_PATTERN, description="Setting key")]
ONE = "/{key:str}"


def _actor(request: Req) -> str | None:
    identity = request.scope.get("auth")  # type: ignore[call-overload]
    key_id = getattr(identity, "key_id", None)
    return str(key_id) if key_id else None


class ConfigurationController(
    crud_controller(
        service.SETTINGS,
        "/api/v1/configuration",
        "configuration",
        plural="settings",
        ops=("list",),
        summaries={"list": "List configuration settings (by key)"},
    )
):
    opt = policy(ADMIN, edge_ttl=None)  # secrets: never in a shared cache

    @get(ONE, responses=problems(*COMMON), summary="Get a setting (sensitive: value is null)")
    async def get_setting(
        self,
        request: Req,
        db: NamedDependency[Session],
        key: Key,
        if_none_match: IfNoneMatch = None,
    ) -> Response[Envelope[Setting]]:
        setting = await service.get(db, key)
        return single(request, setting, if_none_match=if_none_match)

    @put(
        ONE,
        responses={
            201: ResponseSpec(Envelope[Setting], description="Created", generate_examples=False),
            **problems(*WRITE, 412),
        },
        summary="Create (201) or replace (200) a setting; sensitive values are encrypted",
    )
    async def put_setting(
        self,
        request: Req,
        state: State,
        db: NamedDependency[Session],
        key: Key,
        data: JSONBody[SettingWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Setting]]:
        version = parse_if_match(if_match)
        # "If-Match: *" holds only for a setting that exists (RFC 9110 §13.1.1): never a create.
        replace_only = if_match is not None and version is None
        saved = await service.put(
            db, state.settings.config_key, key, data, version, _actor(request),
            replace_only=replace_only,
        )  # fmt: skip
        if saved.created:
            return single(request, saved.setting, 201, location=f"{self.path}/{key}")
        return single(request, saved.setting)

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a setting")
    async def delete_setting(
        self, db: NamedDependency[Session], key: Key, if_match: IfMatch = None
    ) -> None:
        await service.delete(db, key, parse_if_match(if_match))
