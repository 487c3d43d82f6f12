"""Key verdicts: what the origin says about a key hash, cached in KV.

Lookup order: KV (`keyv:v1:<key_hash>`) → on a miss or a stale entry, the origin's signed
`POST /internal/keys/verify`. Valid verdicts are trusted for KEY_CACHE_TTL_SECONDS (≤ 30 s),
invalid ones for KEY_NEGATIVE_TTL_SECONDS. KV's own `expirationTtl` has a 60 s minimum and KV
reads may be served from a regional cache, so freshness is decided by the `fresh_until` stamp
stored inside the entry, never by KV expiry. If the origin cannot answer, the edge fails closed
(503) — a stale verdict is never used.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from . import origin, problems, signing
from .config import Settings
from .ports import Headers, OriginUnreachable, Ports

KV_PREFIX = "keyv:v1:"
KV_MIN_TTL = 60  # Workers KV rejects expirationTtl below 60 s
VERIFY_PATH = "/internal/keys/verify"
REASONS = ("unknown", "revoked", "expired", "inactive")


@dataclass
class Verdict:
    valid: bool
    reason: str | None = None
    key_id: str | None = None
    scopes: list[str] = field(default_factory=list)
    expires_at: float | None = None  # Unix seconds
    allowed_ips: list[str] = field(default_factory=list)
    allowed_endpoints: list[str] = field(default_factory=list)
    rate_limits: dict = field(default_factory=dict)
    cache_partition: str | None = None  # set: the key's cached answers are its own (tenancy)

    @classmethod
    def from_origin(cls, data: dict) -> Verdict:
        """Parse the `data` object of a /internal/keys/verify answer."""
        valid = bool(data.get("valid"))
        if not valid:
            reason = data.get("reason")
            return cls(valid=False, reason=reason if reason in REASONS else "unknown")
        if not data.get("key_id"):
            raise ValueError("valid verdict without key_id")
        return cls(
            valid=True,
            key_id=str(data["key_id"]),
            scopes=[str(s) for s in data.get("scopes") or []],
            expires_at=parse_time(data.get("expires_at")),
            allowed_ips=[str(s) for s in data.get("allowed_ips") or []],
            allowed_endpoints=[str(s) for s in data.get("allowed_endpoints") or []],
            rate_limits={
                k: int(v)
                for k, v in (data.get("rate_limits") or {}).items()
                if k in ("per_minute", "per_hour", "per_day", "burst") and v is not None
            },
            cache_partition=str(data["cache_partition"]) if data.get("cache_partition") else None,
        )


def parse_time(value: object) -> float | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("expires_at must carry a time zone")
    return moment.timestamp()


def _encode(verdict: Verdict, fresh_until: float) -> str:
    entry = {"fresh_until": fresh_until, "verdict": asdict(verdict)}
    return json.dumps(entry, separators=(",", ":"))


def _decode(raw: str, now: float) -> Verdict | None:
    try:
        entry = json.loads(raw)
        if float(entry["fresh_until"]) <= now:
            return None
        return Verdict(**entry["verdict"])
    except (ValueError, KeyError, TypeError):
        return None


async def lookup(
    key_hash: str, settings: Settings, ports: Ports, *, client_ip: str, request_id: str
) -> tuple[Verdict, bool]:
    """The verdict for `key_hash` and whether it came from the cache."""
    now = ports.now()
    raw = await ports.kv.get(KV_PREFIX + key_hash)
    if raw is not None:
        cached = _decode(raw, now)
        if cached is not None:
            return cached, True
    verdict = await ask_origin(
        key_hash, settings, ports, client_ip=client_ip, request_id=request_id
    )
    ttl = settings.key_cache_ttl if verdict.valid else settings.key_negative_ttl
    await ports.kv.put(
        KV_PREFIX + key_hash, _encode(verdict, ports.now() + ttl), max(KV_MIN_TTL, ttl)
    )
    return verdict, False


async def ask_origin(
    key_hash: str, settings: Settings, ports: Ports, *, client_ip: str, request_id: str
) -> Verdict:
    if not settings.signing_secret:
        raise problems.edge_misconfigured("EDGE_SIGNING_SECRET is not set.")
    body = json.dumps({"key_hash": key_hash}, separators=(",", ":")).encode()
    request = origin.signed_request(
        settings,
        ports.now(),
        method="POST",
        path_and_query=VERIFY_PATH,
        key_id=signing.NO_KEY,
        scopes=[],
        client_ip=client_ip,
        request_id=request_id,
        body=body,
        headers=Headers([("content-type", "application/json"), ("accept", "application/json")]),
    )
    try:
        response = await origin.send(request, ports, settings.verify_timeout)
    except OriginUnreachable:
        raise problems.verification_unavailable("The key service is unreachable.") from None
    except TimeoutError:
        raise problems.verification_unavailable("The key service did not answer in time.") from None
    if response.status != 200:
        raise problems.verification_unavailable(f"The key service answered {response.status}.")
    try:
        return Verdict.from_origin(json.loads(response.body)["data"])
    except (ValueError, KeyError, TypeError):
        raise problems.verification_unavailable("The key service answered nonsense.") from None


def refuse_invalid(verdict: Verdict) -> None:
    """Raise the 401 matching an invalid verdict."""
    if verdict.valid:
        return
    raise {
        "revoked": problems.revoked_api_key,
        "expired": problems.expired_api_key,
        "inactive": problems.inactive_api_key,
    }.get(verdict.reason or "", problems.invalid_api_key)()
