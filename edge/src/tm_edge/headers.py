"""Security headers on every response the edge returns, and headers never to pass through.

To add a header: put it in SECURITY_HEADERS (it overrides whatever the origin sent). One
exception: a Content-Security-Policy the origin sent is kept — the origin sets one only on the
pages it serves (the web console, docs/console.md: scripts and styles from itself alone), which
the API's `default-src 'none'` would leave blank.
"""

from __future__ import annotations

from .ports import EdgeResponse

CSP = "content-security-policy"
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    CSP: "default-src 'none'; frame-ancestors 'none'",
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
        if name != CSP or CSP not in response.headers:
            response.headers.set(name, value)
    response.headers.set("x-request-id", request_id)
    return response
