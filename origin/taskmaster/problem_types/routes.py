"""``GET /problems`` and ``GET /problems/{code}``: the page each problem ``type`` URI points to.

JSON by default; HTML when the client prefers ``text/html`` (a browser following the link).
Public, like the API docs. The pages come from :data:`catalog.CATALOG`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath

from taskmaster.api.docs import PUBLIC_SECURITY, problems
from taskmaster.api.policy import policy
from taskmaster.auth.scopes import PUBLIC
from taskmaster.errors import not_found
from taskmaster.problem_types.catalog import CATALOG, ProblemType

HTML = "text/html"
_encode = msgspec.json.encode


@dataclass
class _AlsoHtml(Operation):
    """The 200 answer is JSON or, when preferred, an HTML page: document both."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[HTML] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", HTML], "application/json") == HTML


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;"
        "padding:0 1em}code{background:#f3f3f3;padding:0 .2em}</style>"
        f"</head><body>{body}</body></html>"
    )


def _describe(entry: ProblemType) -> str:
    statuses = ", ".join(str(s) for s in entry.statuses)
    return (
        f"<h1><code>{html.escape(entry.code)}</code> — {html.escape(entry.title)}</h1>"
        f"<p>HTTP status: {statuses}</p><p>{html.escape(entry.description)}</p>"
        '<p><a href="../problems">All problem types</a></p>'
    )


@get(
    "/problems",
    summary="Every problem type the API answers with",
    tags=["problems"],
    security=PUBLIC_SECURITY,
    responses=problems(400),
    operation_class=_AlsoHtml,
    opt=policy(PUBLIC, replica=False),  # no data: nothing to read from a replica
)
async def problem_index(request: Request[Any, Any, Any]) -> Response[list[ProblemType]]:
    entries = list(CATALOG.values())
    if not _wants_html(request):
        return Response(entries)
    rows = "".join(
        f'<li><a href="problems/{e.code}"><code>{e.code}</code></a> — {html.escape(e.title)}</li>'
        for e in entries
    )
    return Response(
        _page("Problem types", f"<h1>Problem types</h1><ul>{rows}</ul>"), media_type=HTML
    )  # type: ignore[arg-type]


@get(
    "/problems/{code:str}",
    summary="What one problem type means",
    tags=["problems"],
    security=PUBLIC_SECURITY,
    responses=problems(400, 404),
    operation_class=_AlsoHtml,
    opt=policy(PUBLIC, replica=False),  # no data: nothing to read from a replica
)
async def problem_type(
    request: Request[Any, Any, Any], code: FromPath[str]
) -> Response[ProblemType]:
    entry = CATALOG.get(code)
    if entry is None:
        raise not_found("problem type", code)
    if not _wants_html(request):
        return Response(entry)
    return Response(_page(entry.code, _describe(entry)), media_type=HTML)  # type: ignore[arg-type]
