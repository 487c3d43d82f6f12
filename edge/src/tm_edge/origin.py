"""Every call the edge makes to the origin, signed the same way: one stage, three callers.

Forwarding a client's request (`pipeline.forward`), asking for a key's verdict
(`verdicts.ask_origin`) and the cron's maintenance run (`cron.run_maintenance`) all send an
`OriginRequest` built by :func:`signed_request`: the `X-Edge-*` identity assertion over the exact
method, path+query and body with a fresh nonce (each signature is usable once;
docs/edge-origin-contract.md), the request id, and the Cloudflare
Access service-token headers the tunnel requires. :func:`send` gives the origin its time budget;
each caller turns `OriginUnreachable` / `TimeoutError` into its own answer (502/504, a fail-closed
503, or a status of 0 for the cron).
"""

from __future__ import annotations

import asyncio

from . import signing
from .config import Settings
from .ports import EdgeResponse, Headers, OriginRequest, Ports

BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


def add_access_headers(headers: Headers, settings: Settings) -> None:
    """Cloudflare Access service-token headers, when configured (the tunnel requires them)."""
    if settings.access_client_id and settings.access_client_secret:
        headers.set("cf-access-client-id", settings.access_client_id)
        headers.set("cf-access-client-secret", settings.access_client_secret)


def signed_request(
    settings: Settings,
    now: float,
    *,
    method: str,
    path_and_query: str,
    key_id: str,
    scopes: list[str],
    client_ip: str,
    request_id: str,
    body: bytes = b"",
    headers: Headers | None = None,
    nonce: str | None = None,
) -> OriginRequest:
    """The origin request for `path_and_query`: `headers` (the client's, already filtered, or
    none) plus the signed identity (`signing.identity_headers` draws a new nonce unless `nonce`
    is given) and the Access headers; a bodyless method sends no body."""
    outgoing = headers if headers is not None else Headers()
    identity = signing.identity_headers(
        settings.signing_secret,
        timestamp=int(now),
        method=method,
        path_and_query=path_and_query,
        key_id=key_id,
        scopes=scopes,
        client_ip=client_ip,
        request_id=request_id,
        body=body,
        nonce=nonce,
    )
    for name, value in identity.items():
        outgoing.set(name, value)
    add_access_headers(outgoing, settings)
    bodyless = method in BODYLESS
    return OriginRequest(
        method, settings.origin_url + path_and_query, outgoing, None if bodyless else body
    )


async def send(request: OriginRequest, ports: Ports, budget_s: float) -> EdgeResponse:
    """The origin's answer within `budget_s` seconds (raises OriginUnreachable / TimeoutError)."""
    return await asyncio.wait_for(ports.origin.fetch(request), budget_s)
