"""Spellings from the project's seed documents that differ from the API's only in spelling, kept
working so a newcomer following them is not met with a 404 or a 422 (docs/compatibility.md).

- :data:`PATH_ALIASES`: a seed path → the route that answers it. ``taskmaster.front`` rewrites
  the path before anything else sees it, so authentication, scopes, metrics and logs treat the
  alias exactly as the route itself (one dict look-up per request).
- Field aliases live on the body structs themselves (e.g. ``TaskStatusChange.notes``).

To add an alias: one entry here (paths) or one optional field on the struct (bodies), and one
row in docs/compatibility.md.
"""

from __future__ import annotations

PATH_ALIASES: dict[str, str] = {
    "/api/v1/health": "/health",
    "/api/v1/health/detailed": "/health/detailed",
}
