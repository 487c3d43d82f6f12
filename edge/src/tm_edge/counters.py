"""Exact per-key counters: the pure logic of the `KeyRateLimiter` Durable Object.

One state per key (one Durable Object per key id, so calls are serialised). Windows are anchored:
a window opens at the first request after the previous one closed and lasts its size, so "N
requests then one more" inside a window is always the 429 case, whatever the wall clock says.
`burst` is a token bucket of that capacity refilled at per_minute/60 tokens a second: it stops
spikes that the minute window alone would let through. A refused request consumes nothing.

To add a window: add it to `WINDOWS` and a `per_<name>` entry to the verdict's `rate_limits`.
"""

from __future__ import annotations

import math

WINDOWS = (("minute", 60), ("hour", 3600), ("day", 86400))


def hit(state: dict, limits: dict, now: float) -> tuple[dict, dict]:
    """Count one request. Returns (new state, decision).

    decision = {"allowed": bool, "retry_after": int, "windows": [{"name", "limit", "remaining",
    "reset", "window"}]} where reset is seconds until that window closes.
    """
    windows = dict(state.get("windows") or {})
    views = []
    blocked_for = 0.0
    for name, size in WINDOWS:
        limit = limits.get(f"per_{name}")
        if not limit:
            continue
        start, count = windows.get(name) or (now, 0)
        if now >= start + size:
            start, count = now, 0
        reset = start + size - now
        if count >= limit:
            blocked_for = max(blocked_for, reset)
        views.append({"name": name, "limit": limit, "count": count, "start": start, "size": size})

    bucket = None
    burst = limits.get("burst")
    if burst:
        rate = (limits.get("per_minute") or burst * 60) / 60.0
        tokens, last = state.get("bucket") or (float(burst), now)
        tokens = min(float(burst), tokens + max(0.0, now - last) * rate)
        if tokens < 1.0:
            blocked_for = max(blocked_for, (1.0 - tokens) / rate)
        bucket = [tokens, now]

    allowed = blocked_for == 0.0
    new_windows = {}
    report = []
    for view in views:
        count = view["count"] + (1 if allowed else 0)
        new_windows[view["name"]] = [view["start"], count]
        report.append(
            {
                "name": view["name"],
                "limit": view["limit"],
                "remaining": max(0, view["limit"] - count),
                "reset": max(1, math.ceil(view["start"] + view["size"] - now)),
                "window": view["size"],
            }
        )
    new_state: dict = {"windows": new_windows}
    if bucket is not None:
        if allowed:
            bucket[0] -= 1.0
        new_state["bucket"] = bucket
    decision = {
        "allowed": allowed,
        "retry_after": 0 if allowed else max(1, math.ceil(blocked_for)),
        "windows": report,
    }
    return new_state, decision
