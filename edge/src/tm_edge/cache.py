"""Edge cache for GETs (docs/edge-origin-contract.md, "Edge cache") on the Cache API.

Cache key: a synthetic GET URL built from the purge group's generation, the key's scope
fingerprint, the path and the sorted query — never the raw key, so keys with the same scopes
share entries and no key material reaches the cache. Freshness comes from the origin's
`Cache-Control` (`s-maxage`/`max-age`; `private`, `no-store`, `no-cache`, `Set-Cookie` or
`Vary: *` mean "not stored"); EDGE_CACHE_DEFAULT_TTL applies when the origin says nothing.

Purge on writes: a successful write through the edge deletes the writer's entries for the path
and its collection, then moves the group's generation (KV `cachegen:<group>`), which orphans every
entry of the group for every fingerprint (the Cache API cannot delete by prefix). The Cache API is
per data centre and does nothing on *.workers.dev: it needs a custom-domain route.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from urllib.parse import parse_qsl, urlencode

from . import routes
from .ports import EdgeResponse, Headers, Ports

API_PREFIX = "/api/v1/"

CACHE_HOST = "https://edge-cache.taskmaster.invalid"
GEN_PREFIX = "cachegen:"
_PER_REQUEST = (
    "x-request-id",
    "ratelimit",
    "ratelimit-policy",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-cache",
    "set-cookie",
    "date",
    "server",
)
HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"


def eligible(method: str, path: str, headers: Headers) -> bool:
    """A GET of a route whose policy lets a shared cache keep it (key-owned rows under RLS and
    secrets never are, whatever the origin's Cache-Control says: the scope fingerprint does not
    separate keys), unless the client asks for a fresh answer."""
    if method.upper() != "GET" or routes.match("GET", path).cache_ttl is None:
        return False
    directives = _directives(headers.get("cache-control"))
    return "no-cache" not in directives and "no-store" not in directives


def fingerprint(scopes: list[str]) -> str:
    return hashlib.sha256(",".join(sorted(set(scopes))).encode()).hexdigest()[:16]


def sorted_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


async def generation(group: str, ports: Ports) -> str:
    return await ports.kv.get(GEN_PREFIX + group) or "0"


def cache_group(path: str) -> str:
    """The purge group of a path (from its route's policy: tasks and projects share one)."""
    return routes.match("GET", path).group


def cache_url(gen: str, scopes_fp: str, path: str, query: str) -> str:
    group = cache_group(path)
    url = f"{CACHE_HOST}/{group}/{gen}/{scopes_fp}{path}"
    q = sorted_query(query)
    return f"{url}?{q}" if q else url


async def url_for(path: str, query: str, scopes: list[str], ports: Ports) -> str:
    return cache_url(await generation(cache_group(path), ports), fingerprint(scopes), path, query)


def _directives(value: str | None) -> dict[str, str]:
    result = {}
    for part in (value or "").split(","):
        name, _, arg = part.strip().partition("=")
        if name:
            result[name.lower()] = arg.strip().strip('"')
    return result


def storable_copy(response: EdgeResponse, default_ttl: int) -> EdgeResponse | None:
    """The copy to put in the cache, or None when the response must not be stored."""
    if response.stream is not None:  # an event stream is never whole, so never a cache entry
        return None
    if response.status != 200 or "set-cookie" in response.headers:
        return None
    if (response.headers.get("vary") or "").strip() == "*":
        return None
    directives = _directives(response.headers.get("cache-control"))
    if {"private", "no-store", "no-cache"} & directives.keys():
        return None
    headers = response.headers.copy()
    for name in _PER_REQUEST:
        headers.delete(name)
    if "s-maxage" not in directives and "max-age" not in directives:
        if default_ttl <= 0:
            return None
        headers.set("cache-control", f"public, max-age={default_ttl}")
    elif _ttl(directives) <= 0:
        return None
    return EdgeResponse(200, headers, response.body)


def _ttl(directives: dict[str, str]) -> int:
    raw = directives.get("s-maxage", directives.get("max-age", "0"))
    return int(raw) if re.fullmatch(r"\d+", raw) else 0


def answer_from_cache(cached: EdgeResponse, request_headers: Headers) -> EdgeResponse:
    """A hit, or a 304 when the client's If-None-Match names the cached ETag."""
    etag = cached.headers.get("etag")
    wanted = request_headers.get("if-none-match")
    if etag and wanted:
        # If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` ignored on both sides,
        # as workerd's Cache API does when it answers a conditional match itself.
        tags = [_opaque(t) for t in wanted.split(",")]
        if "*" in tags or _opaque(etag) in tags:
            headers = Headers(
                (k, v) for k, v in cached.headers.items() if k in ("etag", "cache-control", "vary")
            )
            return EdgeResponse(304, headers, b"")
    return EdgeResponse(cached.status, cached.headers.copy(), cached.body)


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


async def purge(path: str, scopes: list[str], ports: Ports, group: str | None = None) -> None:
    """Forget what a successful write to `path` may have changed (`group`: the write route's
    purge group; by default the path's GET route's)."""
    group = group or cache_group(path)
    gen = await generation(group, ports)
    fp = fingerprint(scopes)
    collection = path.rstrip("/").rsplit("/", 1)[0]
    for target in {path, collection}:
        if target.startswith(API_PREFIX.rstrip("/")):
            await ports.cache.delete(cache_url(gen, fp, target, ""))
    # KV allows one write per second per key; a failed bump leaves the TTL to bound staleness.
    # The write itself succeeded: never fail it over the cache.
    with contextlib.suppress(Exception):
        await ports.kv.put(GEN_PREFIX + group, str(int(ports.now() * 1000)))
