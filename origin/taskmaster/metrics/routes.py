"""HTTP adapters for metrics: ``POST /metrics`` (a batch) and ``GET /metrics/series``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.api.params import Req
from taskmaster.api.policy import policy
from taskmaster.db.session import Session
from taskmaster.metrics import service
from taskmaster.metrics.schemas import (
    NAME_PATTERN,
    Bucket,
    MetricBatch,
    MetricBatchResult,
    Series,
)

PATH = "/api/v1/metrics"
# Measurements come from the same producers as logs (there is no metrics:write scope).
READ, WRITE_SCOPE = "metrics:read", "logs:write"


class MetricBatchController(Controller):
    """``POST /metrics``: 10,000 measurements outgrow ``MAX_BODY_BYTES``, and a batch the schema
    allows must get a 201 or a 422 naming the bad item, not a 413; so, like the logs batch, it
    takes the large body limit (``LOGS_BATCH_MAX_BODY_BYTES``, its policy's ``large_body``)."""

    path = PATH  # served under the large body limit (app.py)
    opt = policy(READ, WRITE_SCOPE, large_body=True)
    tags = ["metrics"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Record up to 10,000 measurements (all or none; 422 names a bad one)",
    )
    async def record_metrics(
        self, request: Req, db: NamedDependency[Session], data: JSONBody[MetricBatch]
    ) -> Response[Envelope[MetricBatchResult]]:
        accepted = await service.write_batch(db, data)
        return single(request, MetricBatchResult(accepted=accepted), 201)


class MetricController(Controller):
    path = PATH
    opt = policy(READ, WRITE_SCOPE)
    tags = ["metrics"]

    @get(
        "/series",
        responses=problems(*COMMON),
        summary="Time-bucketed count/avg/min/max/sum of one metric over [from, to)",
    )
    async def metric_series(
        self,
        request: Req,
        db: NamedDependency[Session],
        name: Annotated[str, QueryParameter(pattern=NAME_PATTERN, description="Metric name")],
        start: Annotated[
            datetime, QueryParameter(name="from", description="Start (inclusive; UTC if no offset)")
        ],
        end: Annotated[
            datetime, QueryParameter(name="to", description="End (exclusive; UTC if no offset)")
        ],
        bucket: Annotated[Bucket, QueryParameter(description="Bucket width")] = "1m",
    ) -> Response[Envelope[Series]]:
        return single(request, await service.series(db, name, start, end, bucket))
