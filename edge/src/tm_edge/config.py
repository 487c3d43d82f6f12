"""Edge settings, read from the Worker's `env` (wrangler `[vars]` and secrets) per request.

Every setting is documented here, in wrangler.toml and in docs/edge.md. To add one: add a field
with its docstring, parse it in `Settings.from_env`, declare it under `[vars]` (or as a secret in
the comments) in wrangler.toml, and list it in docs/edge.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_KEY_CACHE_TTL = 30  # docs/edge-origin-contract.md: revocation reaches the edge within 30 s


@dataclass(frozen=True)
class Settings:
    origin_url: str
    """ORIGIN_URL: base URL of the origin (the tunnel hostname in production), no trailing slash."""
    signing_secret: str
    """EDGE_SIGNING_SECRET (secret): HMAC key shared with the origin."""
    access_client_id: str = ""
    """CF_ACCESS_CLIENT_ID (secret): Cloudflare Access service-token id sent to the origin."""
    access_client_secret: str = ""
    """CF_ACCESS_CLIENT_SECRET (secret): Cloudflare Access service-token secret."""
    cors_allowed_origins: tuple[str, ...] = ()
    """CORS_ALLOWED_ORIGINS: comma-separated browser origins allowed to call the API."""
    max_body_bytes: int = 1_048_576
    """MAX_BODY_BYTES: largest request body accepted; larger ones get 413 at the edge."""
    batch_max_body_bytes: int = 16_777_216
    """BATCH_MAX_BODY_BYTES: body limit of the batch endpoints (`POST /api/v1/logs/batch` and
    `POST /api/v1/metrics`, up to 10,000 items); the origin's LOGS_BATCH_MAX_BODY_BYTES."""
    key_cache_ttl: int = MAX_KEY_CACHE_TTL
    """KEY_CACHE_TTL_SECONDS: how long a valid key's verdict is trusted (capped at 30)."""
    key_negative_ttl: int = 5
    """KEY_NEGATIVE_TTL_SECONDS: how long an unknown/revoked verdict is trusted."""
    origin_timeout: float = 25.0
    """ORIGIN_TIMEOUT_SECONDS: time the origin has to answer a forwarded request (then 504)."""
    verify_timeout: float = 5.0
    """VERIFY_TIMEOUT_SECONDS: time the origin has to answer /internal/keys/verify (then 503)."""
    cache_default_ttl: int = 0
    """EDGE_CACHE_DEFAULT_TTL: seconds to cache a GET whose origin response has no Cache-Control
    (0: only what the origin marks cacheable is cached)."""
    ip_limit_enabled: bool = True
    """IP_RATE_LIMIT_ENABLED: "false" turns the per-IP coarse filter off."""
    jwt_keys: tuple[tuple[str, str], ...] = ()
    """JWT_SIGNING_KEYS (secret): the origin's ``kid:secret`` list; people's access tokens are
    verified here with it. Empty: a bearer JWT is refused (401)."""
    user_rate_limits: tuple[tuple[str, int], ...] = (
        ("per_minute", 120),
        ("per_hour", 5000),
        ("per_day", 50000),
        ("burst", 40),
    )
    """USER_RATE_LIMIT_PER_MINUTE / _PER_HOUR / _PER_DAY / USER_RATE_LIMIT_BURST: each user's
    limits (counted per user, across its sessions)."""

    @classmethod
    def from_env(cls, get: Callable[[str], str | None]) -> Settings:
        def text(name: str, default: str = "") -> str:
            value = get(name)
            return default if value is None else str(value).strip()

        def number(name: str, default: float) -> float:
            raw = text(name)
            try:
                return float(raw) if raw else default
            except ValueError:
                return default

        def items(name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
            raw = get(name)
            if raw is None:
                return default
            return tuple(part.strip() for part in str(raw).split(",") if part.strip())

        return cls(
            origin_url=text("ORIGIN_URL", "http://127.0.0.1:8000").rstrip("/"),
            signing_secret=text("EDGE_SIGNING_SECRET"),
            access_client_id=text("CF_ACCESS_CLIENT_ID"),
            access_client_secret=text("CF_ACCESS_CLIENT_SECRET"),
            cors_allowed_origins=items("CORS_ALLOWED_ORIGINS"),
            max_body_bytes=int(number("MAX_BODY_BYTES", 1_048_576)),
            batch_max_body_bytes=int(number("BATCH_MAX_BODY_BYTES", 16_777_216)),
            key_cache_ttl=_ttl(number("KEY_CACHE_TTL_SECONDS", MAX_KEY_CACHE_TTL)),
            key_negative_ttl=_ttl(number("KEY_NEGATIVE_TTL_SECONDS", 5)),
            origin_timeout=number("ORIGIN_TIMEOUT_SECONDS", 25.0),
            verify_timeout=number("VERIFY_TIMEOUT_SECONDS", 5.0),
            cache_default_ttl=max(0, int(number("EDGE_CACHE_DEFAULT_TTL", 0))),
            ip_limit_enabled=text("IP_RATE_LIMIT_ENABLED", "true").lower() != "false",
            jwt_keys=tuple(
                (kid, secret)
                for kid, _, secret in (e.partition(":") for e in items("JWT_SIGNING_KEYS"))
                if kid and secret
            ),
            user_rate_limits=tuple(
                (name, int(number(f"USER_RATE_LIMIT_{env}", default)))
                for name, env, default in (
                    ("per_minute", "PER_MINUTE", 120),
                    ("per_hour", "PER_HOUR", 5000),
                    ("per_day", "PER_DAY", 50000),
                    ("burst", "BURST", 40),
                )
            ),
        )


def _ttl(seconds: float) -> int:
    return max(1, min(MAX_KEY_CACHE_TTL, int(seconds)))
