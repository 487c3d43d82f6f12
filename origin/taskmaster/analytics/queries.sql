-- Named statements for analytics (loaded by taskmaster.db.sql.load_queries). Each is one round
-- trip: the filtered rows once (a CTE), every aggregate over them. Absent filters are NULL.

-- name: task_analytics
-- Estimate accuracy uses tasks with estimated_hours > 0 and actual_hours recorded.
WITH scoped AS (
    SELECT status, complexity_score, estimated_hours, actual_hours
    FROM tasks
    WHERE (%(project_id)s::uuid IS NULL OR project_id = %(project_id)s)
      AND (%(created_after)s::timestamptz IS NULL OR created_at >= %(created_after)s)
      AND (%(created_before)s::timestamptz IS NULL OR created_at < %(created_before)s)
), estimated AS (
    SELECT estimated_hours, actual_hours FROM scoped
    WHERE estimated_hours > 0 AND actual_hours IS NOT NULL
)
SELECT
    (SELECT count(*) FROM scoped),
    (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
       FROM (SELECT status, count(*) AS n FROM scoped GROUP BY status) AS s),
    (SELECT avg(complexity_score)::float8 FROM scoped),
    (SELECT count(*) FROM estimated),
    (SELECT avg(actual_hours / estimated_hours)::float8 FROM estimated),
    (SELECT avg(abs(actual_hours - estimated_hours) / estimated_hours)::float8 FROM estimated),
    (SELECT coalesce(sum(estimated_hours), 0)::float8 FROM estimated),
    (SELECT coalesce(sum(actual_hours), 0)::float8 FROM estimated);

-- name: validation_analytics
-- pass_rate = passed / (passed + failed + warning + error); pending, running, skipped are not runs
-- with an outcome.
WITH scoped AS (
    SELECT validation_type, validation_status, validation_score, execution_time_ms
    FROM validation_results
    WHERE (%(task_id)s::uuid IS NULL OR task_id = %(task_id)s)
      AND (%(created_after)s::timestamptz IS NULL OR created_at >= %(created_after)s)
      AND (%(created_before)s::timestamptz IS NULL OR created_at < %(created_before)s)
)
SELECT
    (SELECT count(*) FROM scoped),
    (SELECT coalesce(jsonb_object_agg(validation_status, n), '{}'::jsonb)
       FROM (SELECT validation_status, count(*) AS n FROM scoped GROUP BY 1) AS s),
    (SELECT coalesce(jsonb_object_agg(validation_type, n), '{}'::jsonb)
       FROM (SELECT validation_type, count(*) AS n FROM scoped GROUP BY 1) AS t),
    (SELECT avg(validation_score)::float8 FROM scoped),
    (SELECT avg(execution_time_ms)::float8 FROM scoped),
    (SELECT (count(*) FILTER (WHERE validation_status = 'passed'))::float8
            / nullif(count(*) FILTER (WHERE validation_status IN ('passed', 'failed', 'warning', 'error')), 0)
       FROM scoped);

-- name: error_analytics
WITH scoped AS (
    SELECT error_type, severity, error_code, resolved, occurrence_count
    FROM error_logs
    WHERE (%(task_id)s::uuid IS NULL OR task_id = %(task_id)s)
      AND (%(created_after)s::timestamptz IS NULL OR created_at >= %(created_after)s)
      AND (%(created_before)s::timestamptz IS NULL OR created_at < %(created_before)s)
)
SELECT
    (SELECT count(*) FROM scoped),
    (SELECT count(*) FROM scoped WHERE NOT resolved),
    (SELECT coalesce(sum(occurrence_count), 0) FROM scoped),
    (SELECT coalesce(jsonb_object_agg(severity, n), '{}'::jsonb)
       FROM (SELECT severity, count(*) AS n FROM scoped GROUP BY 1) AS s),
    (SELECT coalesce(jsonb_object_agg(error_type, n), '{}'::jsonb)
       FROM (SELECT error_type, count(*) AS n FROM scoped GROUP BY 1) AS t),
    (SELECT coalesce(jsonb_agg(jsonb_build_array(error_code, n, occurrences)
                               ORDER BY occurrences DESC, error_code), '[]'::jsonb)
       FROM (SELECT error_code, count(*) AS n, sum(occurrence_count) AS occurrences
               FROM scoped GROUP BY error_code
               ORDER BY occurrences DESC, error_code LIMIT 10) AS c);
