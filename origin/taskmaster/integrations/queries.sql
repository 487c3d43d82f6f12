-- Named statements for integrations and their events (loaded by taskmaster.db.sql.load_queries).

-- fragment: integration_columns
-- The select list of a integration; its order is the field order of schemas.Integration.
id, name, type, status, health_status, last_health_check_at, config, rate_limit_config, usage_stats,
request_count, error_count, last_error, last_error_at, last_used_at, metadata, version, created_at,
updated_at

-- fragment: event_columns
-- The select list of an integration event; its order is the field order of schemas.Event.
id, integration_id, task_id, event_type, direction, status, http_status, duration_ms, request_data,
response_data, error_message, correlation_id, created_at

-- name: set_integration_status
UPDATE integrations SET
    status = %(status)s,
    last_error = CASE WHEN %(error)s::text IS NULL THEN last_error ELSE %(error)s END,
    last_error_at = CASE WHEN %(error)s::text IS NULL THEN last_error_at ELSE now() END
WHERE id = %(id)s AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{integration_columns}};

-- name: get_health
SELECT id, status, health_status, last_health_check_at, last_error, last_error_at
FROM integrations WHERE id = %(id)s;

-- name: record_health
-- A health check's outcome: the integration's health, and a health_check event, in one statement.
WITH checked AS (
    UPDATE integrations SET
        health_status = %(health_status)s,
        last_health_check_at = now(),
        last_error = CASE WHEN %(error)s::text IS NULL THEN last_error ELSE %(error)s END,
        last_error_at = CASE WHEN %(error)s::text IS NULL THEN last_error_at ELSE now() END
    WHERE id = %(id)s
    RETURNING id, status, health_status, last_health_check_at, last_error, last_error_at
), event AS (
    INSERT INTO integration_events (integration_id, event_type, direction, status, duration_ms,
                                    error_message)
    SELECT id, 'health_check', 'outbound',
           CASE WHEN %(health_status)s IN ('healthy', 'degraded') THEN 'success' ELSE 'failure' END,
           %(duration_ms)s, %(error)s
    FROM checked
)
SELECT * FROM checked;

-- name: get_usage
-- Counters from the integration row, aggregates from its events in [start, end) (NULL: open).
SELECT i.id, i.request_count, i.error_count,
       (i.error_count::float8 / nullif(i.request_count, 0)),
       i.last_used_at, i.usage_stats,
       coalesce(e.events, 0), coalesce(e.failed, 0), e.avg_duration,
       coalesce(e.by_type, '{}'::jsonb)
FROM integrations AS i
LEFT JOIN LATERAL (
    SELECT sum(n)::bigint AS events, sum(failed)::bigint AS failed,
           (sum(duration_sum) / nullif(sum(duration_n), 0))::float8 AS avg_duration,
           jsonb_object_agg(event_type, n) AS by_type
    FROM (
        SELECT event_type, count(*) AS n, count(*) FILTER (WHERE status = 'failure') AS failed,
               sum(duration_ms) AS duration_sum, count(duration_ms) AS duration_n
        FROM integration_events
        WHERE integration_id = i.id
          AND (%(start)s::timestamptz IS NULL OR created_at >= %(start)s)
          AND (%(end)s::timestamptz IS NULL OR created_at < %(end)s)
        GROUP BY event_type
    ) AS per_type
) AS e ON true
WHERE i.id = %(id)s;

-- name: insert_event
-- The event and the integration's usage counters, in one statement; no row when the integration
-- does not exist (→ 404).
WITH used AS (
    UPDATE integrations SET
        request_count = request_count
            + CASE WHEN %(event_type)s IN ('request', 'webhook', 'sync') THEN 1 ELSE 0 END,
        error_count = error_count
            + CASE WHEN %(status)s = 'failure' OR %(event_type)s = 'error' THEN 1 ELSE 0 END,
        last_error = CASE WHEN %(status)s = 'failure' OR %(event_type)s = 'error'
                          THEN coalesce(%(error_message)s, last_error) ELSE last_error END,
        last_error_at = CASE WHEN %(status)s = 'failure' OR %(event_type)s = 'error'
                             THEN now() ELSE last_error_at END,
        last_used_at = now()
    WHERE id = %(integration_id)s
    RETURNING id
)
INSERT INTO integration_events (integration_id, task_id, event_type, direction, status,
                                http_status, duration_ms, request_data, response_data,
                                error_message, correlation_id)
SELECT id, %(task_id)s, %(event_type)s, %(direction)s, %(status)s, %(http_status)s,
       %(duration_ms)s, %(request_data)s, %(response_data)s, %(error_message)s,
       %(correlation_id)s
FROM used
RETURNING {{event_columns}};
