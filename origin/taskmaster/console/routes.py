"""The web console at ``/console`` (docs/console.md): one HTML shell and its script and style,
served from ``console/static/`` (no build step, nothing from another host).

The shell is public (it holds no data); every datum comes from the API with the person's session
cookie (auth/browser.py). The page's headers forbid what the console never needs: inline or
foreign scripts and styles, framing, other origins' connections.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.params import FromPath

from taskmaster.api.policy import policy
from taskmaster.auth.scopes import PUBLIC
from taskmaster.errors import not_found

STATIC_DIR = Path(__file__).with_name("static")
CONSOLE_PATH = "/console"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# The shell and its assets, by name (nothing else under the directory is served).
FILES = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
# Revalidated each time: the files change with a deploy and carry no version in their names.
REVALIDATE = CacheControlHeader(no_cache=True)


@get("/", media_type="text/html", cache_control=REVALIDATE)
async def console_page() -> Response[bytes]:
    """The shell; the script routes by the URL fragment (``#/board``, ``#/tasks/<id>`` …)."""
    return Response((STATIC_DIR / "index.html").read_bytes(), media_type="text/html")


@get("/assets/{name:str}", cache_control=REVALIDATE)
async def console_asset(name: FromPath[str]) -> Response[bytes]:
    media_type = FILES.get(name)
    if media_type is None:
        raise not_found("console asset", name)
    return Response((STATIC_DIR / name).read_bytes(), media_type=media_type)


def console_router() -> Router:
    return Router(
        path=CONSOLE_PATH,
        route_handlers=[console_page, console_asset],
        response_headers=[ResponseHeader(name=k, value=v) for k, v in SECURITY_HEADERS.items()],
        opt=policy(PUBLIC, edge_ttl=None),
        include_in_schema=False,
    )
