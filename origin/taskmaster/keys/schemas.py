"""API key request and response bodies (msgspec). The plain key appears only in :class:`KeyCreated`."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from taskmaster.api.envelope import Meta, Pagination
from taskmaster.api.types import Name

# Mirrors the CHECK constraint on api_keys.scopes (and auth.scopes.SCOPES).
Scope = Literal[
    "tasks:read", "tasks:write", "workflows:read", "workflows:write", "deployments:read",
    "deployments:write", "logs:read", "logs:write", "metrics:read", "keys:admin", "admin",
]  # fmt: skip
KeyStatus = Literal["active", "expired", "revoked", "inactive", "rotating"]

Owner = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
Reason = Annotated[str, msgspec.Meta(max_length=1000)]
Scopes = Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=11)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]
Cidr = Annotated[str, msgspec.Meta(min_length=2, max_length=64)]
EndpointPattern = Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=r"^/")]
GraceSeconds = Annotated[int, msgspec.Meta(ge=0, le=30 * 86400)]


class RateLimits(msgspec.Struct):
    per_minute: int
    per_hour: int
    per_day: int
    burst: int


class ApiKey(msgspec.Struct):
    """A key as the API shows it: display prefix and metadata, never the hash or the key."""

    id: UUID
    name: str
    description: str | None
    owner: str
    prefix: str
    scopes: list[str]
    rate_limits: RateLimits
    allowed_ips: list[str]
    allowed_endpoints: list[str]
    status: KeyStatus
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None
    grace_expires_at: datetime | None
    rotated_from_id: UUID | None
    created_by_key_id: UUID | None
    last_used_at: datetime | None
    last_used_ip: str | None
    usage_count: int
    metadata: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class KeyCreated(ApiKey, kw_only=True):
    key: str
    """The plain key. Shown in this response only; store it now, it cannot be retrieved again."""


class KeyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /api/v1/keys``. Empty allow-lists mean no restriction."""

    name: Name
    scopes: Scopes
    owner: Owner | None = None
    description: Description | None = None
    expires_at: datetime | None = None
    rate_limit_per_minute: Limit | None = None
    rate_limit_per_hour: Limit | None = None
    rate_limit_per_day: Limit | None = None
    rate_limit_burst: Limit | None = None
    allowed_ips: Annotated[list[Cidr], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )
    allowed_endpoints: Annotated[list[EndpointPattern], msgspec.Meta(max_length=100)] = (
        msgspec.field(default_factory=list)
    )
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.allowed_ips:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"allowed_ips: {entry!r} is not an IP address or CIDR") from exc
        if len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes: each scope may be given once")


class OwnKeyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /api/v1/me/keys``: a key the signed-in person owns (never more than their
    own scopes; its grants follow theirs)."""

    name: Name
    scopes: Scopes
    description: Description | None = None
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes: each scope may be given once")


class OwnKeysEnvelope(msgspec.Struct):
    data: list[ApiKey]
    meta: Meta


class KeyRevoke(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /api/v1/keys/{id}/revoke``."""

    reason: Reason | None = None


class KeyRotate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of ``POST /api/v1/keys/{id}/rotate``: how long the old key keeps working (0 = never)."""

    grace_seconds: GraceSeconds = 3600


class KeyEnvelope(msgspec.Struct):
    data: ApiKey
    meta: Meta


class KeyCreatedEnvelope(msgspec.Struct):
    data: KeyCreated
    meta: Meta


class KeyPage(msgspec.Struct):
    data: list[ApiKey]
    pagination: Pagination
    meta: Meta


class VerdictRateLimits(msgspec.Struct):
    per_minute: int
    per_hour: int
    per_day: int
    burst: int


class Verdict(msgspec.Struct):
    """``POST /internal/keys/verify`` answer (contract shape: invalid verdicts carry nulls)."""

    valid: bool
    reason: Literal["unknown", "revoked", "expired", "inactive"] | None = None
    key_id: UUID | None = None
    scopes: list[str] | None = None
    expires_at: datetime | None = None
    allowed_ips: list[str] | None = None
    allowed_endpoints: list[str] | None = None
    rate_limits: VerdictRateLimits | None = None
    cache_partition: str | None = None
    """Set (the key id) when the key is limited to projects or owned by a user: the edge must not
    share its cached answers with other keys of the same scopes (project tenancy)."""


class VerifyRequest(msgspec.Struct, forbid_unknown_fields=True):
    key_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class VerdictEnvelope(msgspec.Struct):
    data: Verdict
    meta: Meta
