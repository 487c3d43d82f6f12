"""HTTP adapters for configuration settings (``admin`` scope): list, get, PUT (create or replace),
DELETE. Sensitive values are write-only."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, put
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, Page, paged, single
from taskmaster.api.etags import parse_if_match
from taskmaster.api.pagination import DEFAULT_PAGE_SIZE
from taskmaster.api.params import Cursor, IfMatch, IfNoneMatch, Limit, Sort
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import ADMIN
from taskmaster.configuration import service
from taskmaster.configuration.schemas import KEY_PATTERN, Setting, SettingWrite, ValueType

Req = Request[Any, Any, Any]
Key = Annotated[str, Parameter(pattern=KEY_PATTERN, description="Setting key")]
ONE = "/{key:str}"


def _actor(request: Req) -> str | None:
    identity = request.scope.get("auth")  # type: ignore[call-overload]
    key_id = getattr(identity, "key_id", None)
    return str(key_id) if key_id else None


class ConfigurationController(Controller):
    path = "/api/v1/configuration"
    opt = policy(ADMIN, edge_ttl=None)  # secrets: never in a shared cache
    tags = ["configuration"]

    @get("/", responses=problems(*COMMON), summary="List configuration settings (by key)")
    async def list_settings(
        self, request: Req, state: State, limit: Limit = DEFAULT_PAGE_SIZE,
        cursor: Cursor = None, sort: Sort = None,
        key_prefix: Annotated[str | None, Parameter(max_length=200)] = None,
        is_sensitive: bool | None = None, value_type: list[ValueType] | None = None,
    ) -> Page[Setting]:  # fmt: skip
        filters = {"key_prefix": key_prefix, "is_sensitive": is_sensitive, "value_type": value_type}
        page = await service.SETTINGS.page(state.pool, state.cursors, filters, sort, cursor, limit)
        for setting in page.items:
            service.hidden(setting)
        return paged(request, page, limit)

    @get(ONE, responses=problems(*COMMON), summary="Get a setting (sensitive: value is null)")
    async def get_setting(
        self, request: Req, state: State, key: Key, if_none_match: IfNoneMatch = None
    ) -> Response[Envelope[Setting]]:
        setting = await service.get(state.pool, key)
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
        key: Key,
        data: JSONBody[SettingWrite],
        if_match: IfMatch = None,
    ) -> Response[Envelope[Setting]]:
        version = parse_if_match(if_match)
        saved = await service.put(
            state.pool, state.settings.config_key, key, data, version, _actor(request)
        )
        if saved.created:
            return single(request, saved.setting, 201, location=f"{self.path}/{key}")
        return single(request, saved.setting)

    @delete(ONE, responses=problems(*COMMON, 412), summary="Delete a setting")
    async def delete_setting(self, state: State, key: Key, if_match: IfMatch = None) -> None:
        await service.delete(state.pool, key, parse_if_match(if_match))
