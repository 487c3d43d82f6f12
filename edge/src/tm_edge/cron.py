"""The Worker's cron trigger (`[triggers] crons` in wrangler.toml): ask the origin to run maintenance.

`Default.scheduled` calls :func:`run_maintenance`, which sends `POST /internal/maintenance/run` to
the origin signed like every edge call (key id `-`, no scopes, client IP `cron`, an empty body) plus
the Access service-token headers. The origin holds an advisory lock, so overlapping triggers (or a
`taskmaster maintenance run` at the same time) are harmless. Returns the origin's status; raises
nothing (a failed run is logged by the runtime and retried at the next trigger).
"""

from __future__ import annotations

from . import origin, signing
from .config import Settings
from .ports import Headers, OriginRequest, OriginUnreachable, Ports

MAINTENANCE_PATH = "/internal/maintenance/run"
CRON_CLIENT = "cron"


def maintenance_request(settings: Settings, now: float, request_id: str) -> OriginRequest:
    return origin.signed_request(
        settings,
        now,
        method="POST",
        path_and_query=MAINTENANCE_PATH,
        key_id=signing.NO_KEY,
        scopes=[],
        client_ip=CRON_CLIENT,
        request_id=request_id,
        headers=Headers([("accept", "application/json")]),
    )


async def run_maintenance(settings: Settings, ports: Ports) -> int:
    """The origin's HTTP status (0 when it could not be reached in time or no secret is set)."""
    if not settings.signing_secret:
        return 0
    request = maintenance_request(settings, ports.now(), "cron-" + ports.new_id())
    try:
        response = await origin.send(request, ports, settings.origin_timeout)
    except (OriginUnreachable, TimeoutError):
        return 0
    return response.status
