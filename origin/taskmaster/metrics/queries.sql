-- Named statements for system metrics (loaded by taskmaster.db.sql.load_queries).

-- name: copy_metrics
-- Binary COPY of a validated batch. Column order and types = service._COPY_TYPES.
COPY system_metrics (name, category, value, unit, labels, aggregation_period, recorded_at)
FROM STDIN (FORMAT BINARY)

-- name: metric_series
-- Time-bucketed aggregates of one metric over [start, end); served by
-- system_metrics_name_recorded_at_idx. Buckets align to UTC midnight of 2000-01-01.
SELECT date_bin(%(bucket)s::interval, recorded_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       count(*), avg(value), min(value), max(value), sum(value)
FROM system_metrics
WHERE name = %(name)s AND recorded_at >= %(start)s AND recorded_at < %(end)s
GROUP BY bucket_start
ORDER BY bucket_start;
