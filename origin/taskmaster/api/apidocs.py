"""The API docs at ``/schema`` (Redoc), rendered from assets the origin serves itself.

Litestar's Redoc page loads its script, fonts and favicon from CDNs, so with no internet access
(a laptop offline, a locked-down network) ``/schema`` is a blank page. Here the Redoc standalone
bundle is vendored in ``api/static/`` and served at :data:`ASSETS_PATH` (public, under ``/schema``
like the document itself), with the system font stack instead of Google Fonts.

To upgrade Redoc: ``npm pack redoc@<version>``, copy ``package/bundles/redoc.standalone.js`` (and
its ``.LICENSE.txt``) over the files in ``api/static/``, update :data:`REDOC_VERSION`, and run
``tests/browser`` (the page is opened in headless Chromium and must list the operations).
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.static_files import create_static_files_router

from taskmaster.api.policy import policy
from taskmaster.auth.scopes import PUBLIC

REDOC_VERSION = "2.5.4"  # npm package redoc, bundles/redoc.standalone.js
STATIC_DIR = Path(__file__).with_name("static")
ASSETS_PATH = "/schema/assets"
_STYLE = "<style>body{margin:0;padding:0;font-family:system-ui,sans-serif}</style>"


def redoc_plugin() -> RedocRenderPlugin:
    """Redoc at ``/schema`` (and ``/schema/redoc``), with nothing fetched from another host."""
    return RedocRenderPlugin(
        js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        google_fonts=False,
        favicon="<link rel='icon' href='data:,'>",
        style=_STYLE,
        path="/redoc",  # the only plugin, so also the page at /schema itself
    )


def assets_router() -> Router:
    # The bundle changes only with REDOC_VERSION; browsers may keep it for a day.
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(max_age=86_400, public=True),
        include_in_schema=False,
        name="schema-assets",
        opt=policy(PUBLIC),  # the API docs' script: public, like the document
    )
