"""The app factory. Settings are read here (never at import); the pool opens with the app.

Serve with ``granian --interface asgi --factory taskmaster.app:create_asgi_app`` (``make serve``).
To add a resource: write its package (schemas, service with its ``Table``, routes with its
controller and policy, see ``api/resource.py``) and add its controller to ``ROUTE_HANDLERS``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp

from taskmaster.admin.routes import admin_query
from taskmaster.agents.routes import AgentController
from taskmaster.analytics.routes import AnalyticsController
from taskmaster.api.apidocs import assets_router, redoc_plugin
from taskmaster.api.checks import check_request
from taskmaster.api.docs import (
    COMPONENTS,
    SECURITY,
    document_not_modified,
    forbid_unknown_fields_in_schema,
    tidy_composition,
)
from taskmaster.api.hot import HotTaskRead
from taskmaster.api.hot_claim import HotClaim
from taskmaster.api.idempotency import idempotency_middleware
from taskmaster.api.options import options_middleware
from taskmaster.api.pagination import CursorCodec
from taskmaster.api.policy import policy
from taskmaster.audit.routes import AccessLogController, AuditController
from taskmaster.auth.authenticate import Authenticator
from taskmaster.auth.cache import KeyChangeListener, VerdictCache
from taskmaster.auth.cf_access import AccessVerifier, load_jwks
from taskmaster.auth.recorder import Recorder
from taskmaster.auth.scopes import PUBLIC
from taskmaster.auth.tokens import AccessTokens
from taskmaster.background import BackgroundJobs
from taskmaster.configuration.routes import ConfigurationController
from taskmaster.console.routes import console_router
from taskmaster.db.consistency import Consistency, ReplicaWatch, WriteMarks
from taskmaster.db.observe import OBSERVER
from taskmaster.db.pool import ConnectionPool
from taskmaster.db.replica import read_routing_middleware
from taskmaster.db.session import provide_session
from taskmaster.deployments.routes import DeploymentController
from taskmaster.error_logs.routes import ErrorLogController
from taskmaster.errors import configure_problem_types, handle_exception
from taskmaster.events.routes import SubscriptionController
from taskmaster.front import front_middleware
from taskmaster.graph.routes import ProjectGraphController, TaskGraphController
from taskmaster.health.routes import health, health_detailed
from taskmaster.integrations.routes import IntegrationController
from taskmaster.keys.routes import KeyController, OwnKeyController, verify_key
from taskmaster.logs.routes import LogBatchController, LogController
from taskmaster.maintenance.routes import run_maintenance
from taskmaster.metrics.routes import MetricBatchController, MetricController
from taskmaster.observability.facts import DatabaseFacts
from taskmaster.observability.logs import RequestLog, configure_logging
from taskmaster.observability.metrics import OriginMetrics
from taskmaster.observability.routes import metrics
from taskmaster.people.authn import PeopleAuth
from taskmaster.people.routes import AuthController, BrowserSessionController, UserController, me
from taskmaster.people.service import Sessions
from taskmaster.problem_types.routes import problem_index, problem_type
from taskmaster.projects.routes import ProjectController
from taskmaster.pull_requests.routes import PullRequestController
from taskmaster.settings import Settings
from taskmaster.stream.hub import EventHub
from taskmaster.stream.routes import stream_events, stream_socket
from taskmaster.tasks.routes import TaskController
from taskmaster.tasks.subresources import TaskRelationsController
from taskmaster.templates.routes import TemplateController
from taskmaster.validations.routes import ValidationController
from taskmaster.webhooks.routes import webhook_router
from taskmaster.workflows.routes import WorkflowController

ROUTE_HANDLERS = [
    health,
    health_detailed,
    metrics,
    problem_index,
    problem_type,
    admin_query,
    run_maintenance,
    TaskController,
    TaskRelationsController,
    TaskGraphController,
    ProjectController,
    ProjectGraphController,
    WorkflowController,
    DeploymentController,
    ValidationController,
    ErrorLogController,
    KeyController,
    OwnKeyController,
    verify_key,
    LogController,
    MetricController,
    AnalyticsController,
    AuditController,
    AccessLogController,
    PullRequestController,
    SubscriptionController,
    webhook_router,
    AgentController,
    IntegrationController,
    TemplateController,
    ConfigurationController,
    AuthController,
    BrowserSessionController,
    me,
    UserController,
    stream_events,
    stream_socket,
]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    observability = settings.observability
    configure_logging(observability.log_level, observability.log_format)
    OBSERVER.configure(observability.slow_query_ms)
    configure_problem_types(settings.problem_type_base)
    db = settings.database

    def open_pool(url: str, name: str) -> ConnectionPool:
        return ConnectionPool(
            url,
            name=name,
            min_size=db.pool_min_size,
            max_size=db.pool_max_size,
            connect_timeout_s=db.connect_timeout_s,
            acquire_timeout_s=db.acquire_timeout_s,
            statement_timeout_ms=db.statement_timeout_ms,
            claim_concurrency=db.claim_concurrency,
        )

    pool = open_pool(db.url, "primary")
    # The read replica (DATABASE_READ_URL): safe reads only, routed in db/replica.py.
    replica = open_pool(db.read_url, "replica") if db.read_url else None
    # Which reads it may serve (read-your-writes, lag limit): db/consistency.py.
    watch = ReplicaWatch(replica, db.replica_poll_interval_ms / 1000) if replica else None
    consistency = (
        Consistency(watch, WriteMarks(pool), db.replica_max_lag_ms) if watch is not None else None
    )

    auth = settings.auth
    cache = VerdictCache(auth.key_cache_max_entries)
    listener = KeyChangeListener(db.url, cache, connect_timeout_s=db.connect_timeout_s)
    # GET /api/v1/stream: one connection of its own fans the event log out (stream/hub.py).
    hub = EventHub(db.url, settings.stream, connect_timeout_s=db.connect_timeout_s)
    recorder = Recorder(pool, auth.flush_interval_s)
    access = (
        AccessVerifier(auth.cf_access_aud, load_jwks(auth.cf_access_jwks), auth.cf_access_issuer)
        if auth.cf_access_aud
        else None
    )
    tokens = AccessTokens(settings.people.jwt_keys, settings.people.access_token_ttl_s)
    sessions = Sessions(settings.people, tokens)
    people = PeopleAuth(pool, cache, tokens, sessions)
    authenticator = Authenticator(
        pool,
        cache,
        recorder,
        edge_secret=auth.edge_signing_secret,
        access=access,
        people=people,
        metrics_token_sha256=auth.metrics_token_sha256,
        csrf_secret=settings.secret_key,
    )
    request_log = RequestLog(observability.log_format) if observability.log_requests else None
    metrics_registry = OriginMetrics()
    metrics_registry.watch([pool] + ([replica] if replica else []), cache)
    database_facts = DatabaseFacts(pool, watch)
    # Webhook processing and event delivery (taskmaster.background); BACKGROUND_JOBS=0: none here.
    jobs = BackgroundJobs(pool, settings) if settings.background_jobs else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await pool.open()
        if replica is not None:
            await replica.open()
        if watch is not None:
            await watch.poll()  # know the replica's state before the first read
            watch.start()
        listener.start()
        hub.start()
        recorder.start()
        metrics_registry.start()
        if jobs is not None:
            jobs.start()
        # Everything built so far (routes, schemas, OpenAPI, SQL) lives as long as the process:
        # move it out of the collector's sight, so full collections scan only request garbage
        # instead of pausing every request in flight for tens of milliseconds (the p99).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if watch is not None:
                await watch.stop()
            if jobs is not None:
                await jobs.stop()
            await listener.stop()
            await hub.stop()
            await recorder.stop()  # flushes what is buffered
            await metrics_registry.stop()
            if request_log is not None:
                request_log.flush()
            await pool.close()
            if replica is not None:
                await replica.close()

    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            # The batches (policy large_body) outgrow the app's body limit: they have their own.
            Router(
                path="/",
                route_handlers=[LogBatchController, MetricBatchController],
                request_max_body_size=settings.logs_batch_max_body_bytes,
            ),
            assets_router(),
            console_router(),
        ],
        state=State(
            {
                "settings": settings,
                "pool": pool,
                "stream_hub": hub,
                "cursors": CursorCodec(settings.secret_key),
                "authenticator": authenticator,
                "people": people,
                "sessions": sessions,
                "recorder": recorder,
                "metrics": metrics_registry,
                "database_facts": database_facts,
                "request_log": request_log,
                "replica": replica,
                "replica_watch": watch,
                "wake_webhooks": jobs.wake_webhooks if jobs is not None else None,
            }
        ),
        dependencies={"db": Provide(provide_session, sync_to_thread=False)},
        lifespan=[lifespan],
        # Authentication first: 401/403 before anything else looks at the request. Read routing
        # after it: key look-ups always read the primary.
        middleware=[
            authenticator.middleware,
            *([read_routing_middleware(replica, consistency)] if consistency is not None else []),
            options_middleware,
            idempotency_middleware,
        ],
        before_request=check_request,
        exception_handlers={Exception: handle_exception},
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="TaskMaster API",
            version="1.0.0",
            description="The secured data plane of an AI-driven CI/CD system.",
            path="/schema",
            render_plugins=[redoc_plugin()],  # served offline (api/apidocs.py)
            # The API description holds no data: public, like liveness.
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=policy(PUBLIC), include_in_schema=False
            ),
            components=COMPONENTS,
            security=SECURITY,
        ),
        debug=False,
    )
    forbid_unknown_fields_in_schema(app)
    document_not_modified(app)
    tidy_composition(app)
    return app


def create_asgi_app() -> ASGIApp:
    """The app as servers run it: behind the front layer (``taskmaster.front``), which gives every
    request, even one no route matches, its request id, metrics and access log."""
    app = create_app()
    state = app.state
    return front_middleware(
        app, state.metrics, state.recorder, state.request_log, HotTaskRead(app), HotClaim(app)
    )
