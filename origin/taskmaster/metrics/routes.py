"""HTTP adapters for metrics: ``POST /metrics`` (a batch) and ``GET /metrics/series``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import Parameter

from taskmaster.api.docs import COMMON, WRITE, problems
from taskmaster.api.envelope import Envelope, single
from taskmaster.metrics import service
from taskmaster.metrics.schemas import (
    NAME_PATTERN,
    Bucket,
    MetricBatch,
    MetricBatchResult,
    Series,
)

Req = Request[Any, Any, Any]
METRICS_BATCH_MAX_BODY_BYTES = 16_777_216


class MetricController(Controller):
    path = "/api/v1/metrics"
    tags = ["metrics"]

    @post(
        "/",
        responses=problems(*WRITE),
        summary="Record up to 10,000 measurements (all or none; 422 names a bad one)",
        # 10,000 measurements outgrow MAX_BODY_BYTES: a batch the schema allows must get a 201
        # or a 422 naming the bad item, not a 413 (the logs batch has its own limit likewise).
        request_max_body_size=METRICS_BATCH_MAX_BODY_BYTES,
    )
    async def record_metrics(
        self, request: Req, state: State, data: MetricBatch
    ) -> Response[Envelope[MetricBatchResult]]:
        accepted = await service.write_batch(state.pool, data)
        return single(request, MetricBatchResult(accepted=accepted), 201)

    @get(
        "/series",
        responses=problems(*COMMON),
        summary="Time-bucketed count/avg/min/max/sum of one metric over [from, to)",
    )
    async def metric_series(
        self,
        request: Req,
        state: State,
        name: Annotated[str, Parameter(pattern=NAME_PATTERN, description="Metric name")],
        start: Annotated[
            datetime, Parameter(query="from", description="Start (inclusive; UTC if no offset)")
        ],
        end: Annotated[
            datetime, Parameter(query="to", description="End (exclusive; UTC if no offset)")
        ],
        bucket: Annotated[Bucket, Parameter(description="Bucket width")] = "1m",
    ) -> Response[Envelope[Series]]:
        return single(request, await service.series(state.pool, name, start, end, bucket))
