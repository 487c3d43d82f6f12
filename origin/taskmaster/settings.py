"""Typed settings, read from the environment when the app is built (never at import).

Every variable is documented here and in the README's configuration table.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from taskmaster.people.settings import PeopleSettings, PeopleSettingsError, people_from_env

DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - refused outside development
# A Fernet key (urlsafe base64 of 32 bytes) for configuration secrets in development and tests only.
DEV_CONFIG_KEY = "ZGV2LW9ubHktY29uZmlnLWtleS0wMTIzNDU2Nzg5YWI="


class SettingsError(ValueError):
    """A configuration variable is missing or malformed."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    """DATABASE_URL: libpq URL of the primary PostgreSQL (required)."""
    pool_min_size: int = 2
    """DATABASE_POOL_MIN: connections opened at start-up, per worker process."""
    pool_max_size: int = 10
    """DATABASE_POOL_MAX: most connections per worker process."""
    statement_timeout_ms: int = 5000
    """DATABASE_STATEMENT_TIMEOUT_MS: server-side cap on any one statement."""
    connect_timeout_s: int = 2
    """DATABASE_CONNECT_TIMEOUT_S: how long to wait for a new connection before answering 503."""
    acquire_timeout_s: float = 2.0
    """DATABASE_POOL_TIMEOUT_S: how long a request waits for a free connection (or a claim
    slot) before 503."""
    claim_concurrency: int = 1
    """DATABASE_CLAIM_CONCURRENCY: most claim statements (``POST /api/v1/tasks/next/claim``) a
    worker process runs at once; the others wait their turn, first come first served, without
    holding a connection (``db/pool.py``, ``Gate``), and the claims that wait together
    are leased by one statement (``graph/claim_groups.py``). Raise it when the database has many
    more cores than the origin has worker processes; 0: no limit (claims then seldom wait
    together, so they seldom share a statement)."""
    read_url: str = ""
    """DATABASE_READ_URL: libpq URL of a read replica. Set: safe reads (GETs of ``/api/v1``
    resources) use a second pool on it (same sizes), falling back to the primary while it is
    down; writes and read-your-writes paths stay on the primary. Empty: one pool."""
    replica_max_lag_ms: float = 1000.0
    """REPLICA_MAX_LAG_MS: a replica replaying further behind than this serves no reads."""
    replica_poll_interval_ms: float = 200.0
    """REPLICA_POLL_INTERVAL_MS: how often each worker reads the replica's replay position/lag."""


@dataclass(frozen=True, slots=True)
class ObservabilitySettings:
    log_level: str = "INFO"
    """LOG_LEVEL: level of the origin's ``taskmaster.*`` loggers (DEBUG, INFO, WARNING, ERROR)."""
    log_format: str = "json"
    """LOG_FORMAT: ``json`` (one JSON object per line on stderr) or ``text``."""
    log_requests: bool = True
    """LOG_REQUESTS: one log line per request (request id, key id, route, status, duration)."""
    slow_query_ms: float = 500.0
    """SLOW_QUERY_MS: statements slower than this are logged (``taskmaster.db.slow``); 0: off."""


@dataclass(frozen=True, slots=True)
class MaintenanceSettings:
    """Retention of ``taskmaster maintenance run`` / ``POST /internal/maintenance/run``, per table."""

    log_retention_days: int = 30
    """LOG_RETENTION_DAYS: ``logs`` rows older than this are deleted."""
    access_log_retention_days: int = 90
    """ACCESS_LOG_RETENTION_DAYS: ``api_access_logs`` rows older than this are deleted."""
    error_retention_days: int = 30
    """ERROR_RETENTION_DAYS: resolved ``error_logs`` rows resolved longer ago are deleted."""
    unresolved_error_retention_days: int = 365
    """UNRESOLVED_ERROR_RETENTION_DAYS: unresolved ``error_logs`` rows created longer ago go too."""
    audit_retention_days: int = 90
    """AUDIT_RETENTION_DAYS: ``audit_logs`` rows older than this are deleted."""
    metrics_retention_days: int = 30
    """METRICS_RETENTION_DAYS: ``system_metrics`` rows recorded longer ago are deleted."""
    event_retention_days: int = 30
    """EVENT_RETENTION_DAYS: ``integration_events`` and processed/skipped ``webhook_events``."""
    event_log_retention_days: int = 7
    """EVENT_LOG_RETENTION_DAYS: ``event_log`` rows (the stream's replay window) older than this."""


@dataclass(frozen=True, slots=True)
class AdminQuerySettings:
    timeout_ms: int = 5000
    """ADMIN_QUERY_TIMEOUT_MS: statement timeout of ``POST /api/v1/admin/query`` (a request may
    ask for less, never more)."""
    max_rows: int = 1000
    """ADMIN_QUERY_MAX_ROWS: most rows it returns (``truncated: true`` when there were more)."""


@dataclass(frozen=True, slots=True)
class AuthSettings:
    edge_signing_secret: str = ""
    """EDGE_SIGNING_SECRET: HMAC secret shared with the edge (docs/edge-origin-contract.md). Empty:
    identity asserted by the edge is never believed and /internal/* answers 401."""
    cf_access_aud: str = ""
    """CF_ACCESS_AUD: Cloudflare Access application audience tag. Set: every non-public request
    must carry a valid Cf-Access-Jwt-Assertion (RS256). Empty: no Access check."""
    cf_access_jwks: str = ""
    """CF_ACCESS_JWKS: the Access signing keys, as a JWKS JSON document or a path to one
    (required when CF_ACCESS_AUD is set)."""
    cf_access_issuer: str = ""
    """CF_ACCESS_ISSUER: expected ``iss`` of Access tokens (``https://<team>.cloudflareaccess.com``);
    empty: not checked."""
    flush_interval_s: float = 1.0
    """AUTH_FLUSH_INTERVAL_S: how often per-key usage and access logs are written (batched)."""
    key_cache_max_entries: int = 10_000
    """KEY_CACHE_MAX_ENTRIES: most key verdicts cached per worker process."""
    metrics_token_sha256: str = ""
    """METRICS_TOKEN_SHA256: hex SHA-256 of a bearer token that may read ``GET /metrics`` without
    an API key, checked without the database (Prometheus keeps scraping through an outage).
    Empty: only keys with ``metrics:read``."""


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Webhooks in (``/api/v1/webhooks/{github,linear}``, docs/webhooks.md)."""

    github_secret: str = ""
    """GITHUB_WEBHOOK_SECRET: the secret of the GitHub webhook (``X-Hub-Signature-256``). Empty:
    every GitHub delivery is refused (401)."""
    linear_secret: str = ""
    """LINEAR_WEBHOOK_SECRET: the signing secret of the Linear webhook (``Linear-Signature``).
    Empty: every Linear delivery is refused (401)."""
    max_attempts: int = 5
    """WEBHOOK_MAX_ATTEMPTS: processing attempts of a stored event before it is dead-lettered."""
    retry_base_s: float = 30.0
    """WEBHOOK_RETRY_BASE_S: delay before the first retry; doubles per attempt."""
    retry_max_s: float = 3600.0
    """WEBHOOK_RETRY_MAX_S: longest delay between two attempts."""
    poll_interval_s: float = 2.0
    """WEBHOOK_POLL_INTERVAL_S: how often the origin's background loop looks for due events."""


@dataclass(frozen=True, slots=True)
class EventSettings:
    """Events out: delivery of task/deployment events to subscribers (docs/events.md)."""

    max_attempts: int = 10
    """EVENTS_MAX_ATTEMPTS: delivery attempts of one event to one subscriber before it is
    dead-lettered (the subscriber's next event for that task is then released)."""
    retry_base_s: float = 10.0
    """EVENTS_RETRY_BASE_S: delay before the first retry; doubles per attempt."""
    retry_max_s: float = 3600.0
    """EVENTS_RETRY_MAX_S: longest delay between two attempts."""
    http_timeout_s: float = 5.0
    """EVENTS_HTTP_TIMEOUT_S: connect/read timeout of one delivery POST."""
    poll_interval_s: float = 1.0
    """EVENTS_POLL_INTERVAL_S: how often the background loop dispatches new events and delivers."""
    allow_private_targets: bool = False
    """EVENTS_ALLOW_PRIVATE_TARGETS: ``1`` lets subscribers use loopback/private/link-local
    addresses (SSRF guard off). Defaults to on in development, off in production."""


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """``GET /api/v1/stream`` (docs/stream.md)."""

    heartbeat_s: float = 15.0
    """STREAM_HEARTBEAT_S: a comment (SSE) / heartbeat message (WebSocket) this often on an idle
    stream; the caller's key or session is re-checked at the same pace."""
    retry_ms: int = 3000
    """STREAM_RETRY_MS: the ``retry:`` advice of an SSE stream."""
    max_per_principal: int = 5
    """STREAM_MAX_PER_PRINCIPAL: concurrent streams of one key or user on one origin process
    (429 above it)."""
    queue_max: int = 1000
    """STREAM_QUEUE_MAX: events buffered for one stream; a consumer that falls further behind is
    cut off with ``event: overflow``."""
    poll_interval_ms: float = 20.0
    """EVENT_LOG_POLL_MS: how often each process's stream hub reads newly readable events."""


@dataclass(frozen=True, slots=True)
class Settings:
    database: DatabaseSettings
    auth: AuthSettings = AuthSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    maintenance: MaintenanceSettings = MaintenanceSettings()
    admin_query: AdminQuerySettings = AdminQuerySettings()
    webhooks: WebhookSettings = WebhookSettings()
    events: EventSettings = EventSettings()
    stream: StreamSettings = StreamSettings()
    people: PeopleSettings = field(default_factory=PeopleSettings)
    background_jobs: bool = True
    """BACKGROUND_JOBS: ``0`` stops this process from running the webhook-processing and
    event-delivery loops (then ``taskmaster maintenance run`` must drive them)."""
    environment: str = "development"
    """TASKMASTER_ENV: ``development`` or ``production`` (production refuses dev defaults)."""
    secret_key: str = DEV_SECRET_KEY
    """TASKMASTER_SECRET_KEY: signs pagination cursors; the same on every origin process."""
    max_body_bytes: int = 1_048_576
    """MAX_BODY_BYTES: largest request body accepted (413 above it)."""
    logs_batch_max_body_bytes: int = 16_777_216
    """LOGS_BATCH_MAX_BODY_BYTES: largest body of the batches ``POST /api/v1/logs/batch`` and
    ``POST /api/v1/metrics`` (10,000 items each)."""
    problem_type_base: str = "/problems/"
    """PROBLEM_TYPE_BASE: base of problem ``type`` URIs (``<base><code>``); the default, relative,
    resolves to the origin's own ``GET /problems/{code}`` pages."""
    config_key: str = DEV_CONFIG_KEY
    """TASKMASTER_CONFIG_KEY: Fernet key (``Fernet.generate_key()``) encrypting sensitive
    configuration settings; a comma-separated list rotates keys (the first encrypts, every one
    decrypts). The development default is refused in production."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("DATABASE_URL", "")
        if not url:
            raise SettingsError("DATABASE_URL is not set")
        database = DatabaseSettings(
            url=url,
            pool_min_size=_int(env, "DATABASE_POOL_MIN", 2),
            pool_max_size=_int(env, "DATABASE_POOL_MAX", 10),
            statement_timeout_ms=_int(env, "DATABASE_STATEMENT_TIMEOUT_MS", 5000),
            connect_timeout_s=_int(env, "DATABASE_CONNECT_TIMEOUT_S", 2),
            acquire_timeout_s=_float(env, "DATABASE_POOL_TIMEOUT_S", 2.0),
            claim_concurrency=_int(env, "DATABASE_CLAIM_CONCURRENCY", 1),
            read_url=env.get("DATABASE_READ_URL", ""),
            replica_max_lag_ms=_float(env, "REPLICA_MAX_LAG_MS", 1000.0),
            replica_poll_interval_ms=_float(env, "REPLICA_POLL_INTERVAL_MS", 200.0),
        )
        if database.claim_concurrency < 0:
            raise SettingsError("DATABASE_CLAIM_CONCURRENCY must be 0 (no limit) or more")
        observability = ObservabilitySettings(
            log_level=env.get("LOG_LEVEL", "") or "INFO",
            log_format=env.get("LOG_FORMAT", "") or "json",
            log_requests=_bool(env, "LOG_REQUESTS", True),
            slow_query_ms=_float(env, "SLOW_QUERY_MS", 500.0),
        )
        if observability.log_format not in ("json", "text"):
            raise SettingsError("LOG_FORMAT must be 'json' or 'text'")
        if observability.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        maintenance = maintenance_from_env(env)
        admin_query = AdminQuerySettings(
            timeout_ms=_int(env, "ADMIN_QUERY_TIMEOUT_MS", 5000),
            max_rows=_int(env, "ADMIN_QUERY_MAX_ROWS", 1000),
        )
        if admin_query.timeout_ms < 1 or admin_query.max_rows < 1:
            raise SettingsError("ADMIN_QUERY_TIMEOUT_MS and ADMIN_QUERY_MAX_ROWS must be positive")
        environment = env.get("TASKMASTER_ENV", "development")
        if environment not in ("development", "production"):
            raise SettingsError("TASKMASTER_ENV must be 'development' or 'production'")
        secret_key = env.get("TASKMASTER_SECRET_KEY") or DEV_SECRET_KEY
        if environment == "production" and secret_key == DEV_SECRET_KEY:
            raise SettingsError("TASKMASTER_SECRET_KEY must be set in production")
        config_key = env.get("TASKMASTER_CONFIG_KEY") or DEV_CONFIG_KEY
        if environment == "production" and DEV_CONFIG_KEY in config_key.split(","):
            raise SettingsError("TASKMASTER_CONFIG_KEY must be set in production")
        auth = AuthSettings(
            edge_signing_secret=env.get("EDGE_SIGNING_SECRET", ""),
            cf_access_aud=env.get("CF_ACCESS_AUD", ""),
            cf_access_jwks=env.get("CF_ACCESS_JWKS", ""),
            cf_access_issuer=env.get("CF_ACCESS_ISSUER", ""),
            flush_interval_s=_float(env, "AUTH_FLUSH_INTERVAL_S", 1.0),
            key_cache_max_entries=_int(env, "KEY_CACHE_MAX_ENTRIES", 10_000),
            metrics_token_sha256=env.get("METRICS_TOKEN_SHA256", "").strip(),
        )
        if auth.metrics_token_sha256 and not re.fullmatch(
            r"[0-9a-fA-F]{64}", auth.metrics_token_sha256
        ):
            raise SettingsError(
                "METRICS_TOKEN_SHA256 must be 64 hex digits (sha256sum of the token)"
            )
        if auth.cf_access_aud and not auth.cf_access_jwks:
            raise SettingsError("CF_ACCESS_JWKS must be set when CF_ACCESS_AUD is set")
        if environment == "production" and 0 < len(auth.edge_signing_secret) < 32:
            raise SettingsError("EDGE_SIGNING_SECRET must be at least 32 characters in production")
        webhooks = WebhookSettings(
            github_secret=env.get("GITHUB_WEBHOOK_SECRET", ""),
            linear_secret=env.get("LINEAR_WEBHOOK_SECRET", ""),
            max_attempts=_int(env, "WEBHOOK_MAX_ATTEMPTS", 5),
            retry_base_s=_float(env, "WEBHOOK_RETRY_BASE_S", 30.0),
            retry_max_s=_float(env, "WEBHOOK_RETRY_MAX_S", 3600.0),
            poll_interval_s=_float(env, "WEBHOOK_POLL_INTERVAL_S", 2.0),
        )
        if not 1 <= webhooks.max_attempts <= 100:
            raise SettingsError("WEBHOOK_MAX_ATTEMPTS must be between 1 and 100")
        events = EventSettings(
            max_attempts=_int(env, "EVENTS_MAX_ATTEMPTS", 10),
            retry_base_s=_float(env, "EVENTS_RETRY_BASE_S", 10.0),
            retry_max_s=_float(env, "EVENTS_RETRY_MAX_S", 3600.0),
            http_timeout_s=_float(env, "EVENTS_HTTP_TIMEOUT_S", 5.0),
            poll_interval_s=_float(env, "EVENTS_POLL_INTERVAL_S", 1.0),
            allow_private_targets=_bool(
                env, "EVENTS_ALLOW_PRIVATE_TARGETS", environment == "development"
            ),
        )
        if events.max_attempts < 1:
            raise SettingsError("EVENTS_MAX_ATTEMPTS must be at least 1")
        stream = StreamSettings(
            heartbeat_s=_float(env, "STREAM_HEARTBEAT_S", 15.0),
            retry_ms=_int(env, "STREAM_RETRY_MS", 3000),
            max_per_principal=_int(env, "STREAM_MAX_PER_PRINCIPAL", 5),
            queue_max=_int(env, "STREAM_QUEUE_MAX", 1000),
            poll_interval_ms=_float(env, "EVENT_LOG_POLL_MS", 20.0),
        )
        if stream.heartbeat_s <= 0 or stream.poll_interval_ms <= 0:
            raise SettingsError("STREAM_HEARTBEAT_S and EVENT_LOG_POLL_MS must be positive")
        if stream.max_per_principal < 1 or stream.queue_max < 1 or stream.retry_ms < 0:
            raise SettingsError(
                "STREAM_MAX_PER_PRINCIPAL and STREAM_QUEUE_MAX must be positive, STREAM_RETRY_MS not negative"
            )
        try:
            people = people_from_env(env, environment)
        except PeopleSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        return cls(
            database=database,
            people=people,
            auth=auth,
            observability=observability,
            maintenance=maintenance,
            admin_query=admin_query,
            webhooks=webhooks,
            events=events,
            stream=stream,
            background_jobs=_bool(env, "BACKGROUND_JOBS", True),
            environment=environment,
            secret_key=secret_key,
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_048_576),
            logs_batch_max_body_bytes=_int(env, "LOGS_BATCH_MAX_BODY_BYTES", 16_777_216),
            problem_type_base=env.get("PROBLEM_TYPE_BASE") or "/problems/",
            config_key=config_key,
        )


def maintenance_from_env(environ: dict[str, str] | None = None) -> MaintenanceSettings:
    """The retention settings alone (the maintenance CLI needs no other setting)."""
    env = dict(os.environ if environ is None else environ)
    settings = MaintenanceSettings(
        log_retention_days=_int(env, "LOG_RETENTION_DAYS", 30),
        access_log_retention_days=_int(env, "ACCESS_LOG_RETENTION_DAYS", 90),
        error_retention_days=_int(env, "ERROR_RETENTION_DAYS", 30),
        unresolved_error_retention_days=_int(env, "UNRESOLVED_ERROR_RETENTION_DAYS", 365),
        audit_retention_days=_int(env, "AUDIT_RETENTION_DAYS", 90),
        metrics_retention_days=_int(env, "METRICS_RETENTION_DAYS", 30),
        event_retention_days=_int(env, "EVENT_RETENTION_DAYS", 30),
        event_log_retention_days=_int(env, "EVENT_LOG_RETENTION_DAYS", 7),
    )
    for name in settings.__dataclass_fields__:
        if getattr(settings, name) < 1:
            raise SettingsError(f"{name.upper()} must be at least 1 day")
    return settings
