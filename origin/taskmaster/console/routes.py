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
from litestar.static_files import create_static_files_router

from taskmaster.api.policy import policy
from taskmaster.auth.scopes import PUBLIC

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


@get("/", media_type="text/html", cache_control=CacheControlHeader(no_cache=True))
async def console_page() -> Response[bytes]:
    """The shell; the script routes by the URL fragment (``#/board``, ``#/tasks/<id>`` …)."""
    return Response((STATIC_DIR / "index.html").read_bytes(), media_type="text/html")


def console_router() -> Router:
    assets = create_static_files_router(
        path="/assets",
        directories=[STATIC_DIR],
        # Revalidated each time: the files change with a deploy and carry no version in the name.
        cache_control=CacheControlHeader(no_cache=True),
        name="console-assets",
    )
    return Router(
        path=CONSOLE_PATH,
        route_handlers=[console_page, assets],
        response_headers=[ResponseHeader(name=k, value=v) for k, v in SECURITY_HEADERS.items()],
        opt=policy(PUBLIC, edge_ttl=None),
        include_in_schema=False,
    )
