"""Settings of people's authentication (read by ``taskmaster.settings.Settings.from_env``).

Every variable is documented here and in the README's configuration table.
"""

from __future__ import annotations

from dataclasses import dataclass

# kid:secret for development and tests only (refused in production).
DEV_JWT_KID = "dev"
DEV_JWT_SECRET = "dev-only-jwt-signing-secret-change-me-0123456789"  # noqa: S105
DEV_JWT_KEYS = f"{DEV_JWT_KID}:{DEV_JWT_SECRET}"


class PeopleSettingsError(ValueError):
    """A people setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class PeopleSettings:
    jwt_keys: tuple[tuple[str, str], ...] = ((DEV_JWT_KID, DEV_JWT_SECRET),)
    """JWT_SIGNING_KEYS: ``kid:secret`` pairs, comma-separated, signing the access tokens (HS256).
    The first signs; every one verifies (rotation: prepend the new key, drop the old one after
    ACCESS_TOKEN_TTL_S). The edge holds the same list (its verification needs no round trip).
    Secrets of at least 32 characters."""
    access_token_ttl_s: int = 900
    """ACCESS_TOKEN_TTL_S: lifetime of an access token (15 min)."""
    refresh_token_ttl_s: int = 30 * 86400
    """REFRESH_TOKEN_TTL_S: lifetime of a login session and its refresh tokens (30 days)."""
    login_max_attempts: int = 5
    """LOGIN_MAX_ATTEMPTS: failed logins in a row that lock an account."""
    login_lockout_s: int = 900
    """LOGIN_LOCKOUT_SECONDS: how long a locked account stays locked (or until an admin unlocks it)."""
    access_auto_provision: str = ""
    """ACCESS_AUTO_PROVISION: a role name. Set: a Cloudflare Access identity with no user yet gets
    one, with that role globally. Empty: unknown Access emails are refused (403)."""


def _pairs(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in raw.split(","):
        kid, sep, secret = entry.strip().partition(":")
        if not sep or not kid or not secret:
            raise PeopleSettingsError("JWT_SIGNING_KEYS must be kid:secret pairs, comma-separated")
        pairs.append((kid, secret))
    if len({kid for kid, _ in pairs}) != len(pairs):
        raise PeopleSettingsError("JWT_SIGNING_KEYS holds a kid twice")
    return tuple(pairs)


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name) or ""
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise PeopleSettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 1:
        raise PeopleSettingsError(f"{name} must be at least 1")
    return value


def people_from_env(env: dict[str, str], environment: str) -> PeopleSettings:
    raw_keys = env.get("JWT_SIGNING_KEYS") or DEV_JWT_KEYS
    if environment == "production" and DEV_JWT_KEYS in raw_keys.split(","):
        raise PeopleSettingsError("JWT_SIGNING_KEYS must be set in production")
    keys = _pairs(raw_keys)
    if environment == "production" and any(len(secret) < 32 for _, secret in keys):
        raise PeopleSettingsError("JWT_SIGNING_KEYS secrets must be at least 32 characters")
    return PeopleSettings(
        jwt_keys=keys,
        access_token_ttl_s=_positive(env, "ACCESS_TOKEN_TTL_S", 900),
        refresh_token_ttl_s=_positive(env, "REFRESH_TOKEN_TTL_S", 30 * 86400),
        login_max_attempts=_positive(env, "LOGIN_MAX_ATTEMPTS", 5),
        login_lockout_s=_positive(env, "LOGIN_LOCKOUT_SECONDS", 900),
        access_auto_provision=(env.get("ACCESS_AUTO_PROVISION") or "").strip(),
    )
