"""Plain data the pipeline works on, and the I/O it needs, as small Protocols.

`entry.py` implements each Protocol over a real binding (KV, the rate-limiting binding, the
Durable Object namespace, the Cache API, `fetch`); tests implement them in memory. To give the
pipeline a new kind of I/O, add a Protocol here, add it to `Ports`, and implement it in
`entry.py` and in the unit tests' fakes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol


class Headers:
    """Case-insensitive, order-keeping, multi-valued header list (names kept lower-case)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [(k.lower(), v) for k, v in items]

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        values = [v for k, v in self._items if k == name]
        if not values:
            return default
        return ", ".join(values)

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self._items if k == name]

    def set(self, name: str, value: str) -> None:
        self.delete(name)
        self._items.append((name.lower(), value))

    def add(self, name: str, value: str) -> None:
        self._items.append((name.lower(), value))

    def setdefault(self, name: str, value: str) -> None:
        if name.lower() not in self:
            self.set(name, value)

    def delete(self, name: str) -> None:
        name = name.lower()
        self._items = [(k, v) for k, v in self._items if k != name]

    def delete_prefix(self, prefix: str) -> None:
        prefix = prefix.lower()
        self._items = [(k, v) for k, v in self._items if not k.startswith(prefix)]

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def copy(self) -> Headers:
        return Headers(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(k == name.lower() for k, _ in self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


async def _no_body() -> bytes:
    return b""


@dataclass
class EdgeRequest:
    """A client request as the pipeline sees it. `read_body` is called at most once."""

    method: str
    url: str
    headers: Headers
    read_body: Callable[[], Awaitable[bytes]] = _no_body


@dataclass
class EdgeResponse:
    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    stream: object | None = None
    """An event stream's body, passed on unread (the runtime's ReadableStream; `body` is then
    empty): it is never buffered, never cached, and ends when the origin ends it."""


def is_event_stream(headers: Headers) -> bool:
    """Server-Sent Events (``GET /api/v1/stream``): bodies the edge must not read in full."""
    return (headers.get("content-type") or "").split(";")[0].strip().lower() == "text/event-stream"


@dataclass
class OriginRequest:
    method: str
    url: str
    headers: Headers
    body: bytes | None = None


class OriginUnreachable(Exception):
    """The origin could not be reached (connection refused, DNS, TLS, tunnel down)."""


class KeyValueStore(Protocol):
    """Workers KV: `get` gives None for a missing key; `put` takes an optional TTL (≥ 60 s)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, ttl_seconds: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...


class IpRateLimiter(Protocol):
    """The Workers rate-limiting binding: True when the request may pass."""

    async def limit(self, key: str) -> bool: ...


class KeyLimiter(Protocol):
    """Exact per-key counters (a Durable Object per key). Takes and returns plain dicts."""

    async def hit(self, key_id: str, limits: dict) -> dict: ...


class ResponseCache(Protocol):
    """The Cache API (`caches.default`) addressed by synthetic GET URLs."""

    async def match(self, url: str) -> EdgeResponse | None: ...

    async def put(self, url: str, response: EdgeResponse) -> None: ...

    async def delete(self, url: str) -> bool: ...


class Origin(Protocol):
    """`fetch` to the origin. Raises OriginUnreachable when no response can be had."""

    async def fetch(self, request: OriginRequest) -> EdgeResponse: ...


@dataclass
class Ports:
    kv: KeyValueStore
    ip_limiter: IpRateLimiter
    key_limiter: KeyLimiter
    cache: ResponseCache
    origin: Origin
    now: Callable[[], float]
    new_id: Callable[[], str]
