"""Security headers on every response the edge returns, and headers never to pass through.

To add a header: put it in SECURITY_HEADERS (it overrides whatever the origin sent).
"""

from __future__ import annotations

from .ports import EdgeResponse

SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}
# Details about the software behind the edge are nobody's business.
STRIPPED = ("server", "x-powered-by", "x-aspnet-version", "x-runtime", "via")
# Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded in either direction.
HOP_BY_HOP = (
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
)


def secure(response: EdgeResponse, request_id: str) -> EdgeResponse:
    for name in STRIPPED + HOP_BY_HOP:
        response.headers.delete(name)
    for name, value in SECURITY_HEADERS.items():
        response.headers.set(name, value)
    response.headers.set("x-request-id", request_id)
    return response
