"""HTTP adapters for metrics: ``POST /metrics`` (a batch) and ``GET /metrics/series``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
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

Req = Request[Any, Any, Any]


class MetricController(Controller):
    path = "/api/v1/metrics"
    # Measurements come from the same producers as logs (there is no metrics:write scope).
    opt = policy("metrics:read", "logs:write")
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
