"""Rate limits: the per-IP coarse filter and the exact per-key limits, and their headers.

Per IP: the Workers rate-limiting binding (counts per Cloudflare location, answers only
success); it runs before any key lookup so key guessing is throttled too. Per key: a Durable
Object per key id running `counters.hit` with the limits from the key's verdict.

Headers on every keyed response (IETF draft-ietf-httpapi-ratelimit-headers):
`RateLimit-Policy: "minute";q=60;w=60, "hour";q=1000;w=3600, …` and
`RateLimit: "<tightest>";r=<remaining>;t=<seconds to reset>`, plus the classic
`X-RateLimit-Limit/Remaining` of the tightest window and `X-RateLimit-Reset` as Unix seconds.
"""

from __future__ import annotations

from . import problems
from .ports import Headers, Ports

IP_PERIOD = 60  # the binding's `simple.period` in wrangler.toml


async def check_ip(client_ip: str, ports: Ports) -> None:
    if not await ports.ip_limiter.limit("ip:" + client_ip):
        raise problems.rate_limited(IP_PERIOD, "Too many requests from this IP address.")


async def check_key(key_id: str, rate_limits: dict, ports: Ports) -> Headers:
    """Count the request against the key's limits; raise 429 or return the headers to add."""
    if not rate_limits:
        return Headers()
    decision = await ports.key_limiter.hit(key_id, rate_limits)
    headers = headers_for(decision, ports.now())
    if not decision.get("allowed"):
        retry = int(decision.get("retry_after") or 1)
        problem = problems.rate_limited(retry, "The API key's rate limit is exhausted.")
        for name, value in headers.items():
            problem.headers[name] = value
        raise problem
    return headers


def headers_for(decision: dict, now: float) -> Headers:
    windows = decision.get("windows") or []
    headers = Headers()
    if not windows:
        return headers
    tightest = min(windows, key=lambda w: (w["remaining"], w["window"]))
    policy = ", ".join(f'"{w["name"]}";q={w["limit"]};w={w["window"]}' for w in windows)
    headers.set("ratelimit-policy", policy)
    headers.set(
        "ratelimit", f'"{tightest["name"]}";r={tightest["remaining"]};t={tightest["reset"]}'
    )
    headers.set("x-ratelimit-limit", str(tightest["limit"]))
    headers.set("x-ratelimit-remaining", str(tightest["remaining"]))
    headers.set("x-ratelimit-reset", str(int(now) + int(tightest["reset"])))
    return headers
