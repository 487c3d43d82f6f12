-- migrate:up
-- Tasks still in play, with counts the dashboards need. Correlated sub-selects (not joins + GROUP BY)
-- so the counts do not multiply each other.
CREATE VIEW active_tasks AS
SELECT
    t.*,
    (SELECT count(*) FROM task_contexts tc WHERE tc.task_id = t.id)            AS context_count,
    (SELECT count(*) FROM tasks c WHERE c.parent_task_id = t.id)               AS subtask_count,
    (SELECT count(*) FROM task_dependencies d
      WHERE d.task_id = t.id AND d.dependency_type = 'depends_on')             AS dependency_count,
    (SELECT count(*) FROM task_dependencies d
       JOIN tasks dt ON dt.id = d.depends_on_task_id
      WHERE d.task_id = t.id AND d.dependency_type = 'depends_on'
        AND dt.status <> 'completed')                                          AS open_dependency_count,
    (SELECT count(*) FROM task_dependencies d
      WHERE d.depends_on_task_id = t.id AND d.dependency_type = 'depends_on')  AS dependent_count
FROM tasks t
WHERE t.status IN ('pending', 'in_progress', 'blocked', 'review');

-- Every 'depends_on' chain, walked from the tasks that depend on nothing (depth 0) towards the
-- tasks that depend on them. task_dependencies(task_id depends on depends_on_task_id).
-- `path` is the chain of task ids from the root; a task already on the path is never revisited,
-- so a cycle (which the API refuses anyway) cannot make the walk loop. One row per distinct path.
CREATE MATERIALIZED VIEW task_dependency_tree AS
WITH RECURSIVE tree AS (
    SELECT t.id AS task_id, t.id AS root_task_id, 0 AS depth, ARRAY[t.id] AS path
    FROM tasks t
    WHERE NOT EXISTS (
        SELECT 1 FROM task_dependencies d
        WHERE d.task_id = t.id AND d.dependency_type = 'depends_on')
    UNION ALL
    SELECT d.task_id, tree.root_task_id, tree.depth + 1, tree.path || d.task_id
    FROM tree
    JOIN task_dependencies d
      ON d.depends_on_task_id = tree.task_id AND d.dependency_type = 'depends_on'
    WHERE d.task_id <> ALL (tree.path)
)
SELECT tree.task_id, tree.root_task_id, tree.depth, tree.path,
       t.title, t.status, t.priority, t.project_id
FROM tree
JOIN tasks t ON t.id = tree.task_id;
CREATE UNIQUE INDEX task_dependency_tree_path_key ON task_dependency_tree (path);
CREATE INDEX task_dependency_tree_task_id_idx ON task_dependency_tree (task_id);
CREATE INDEX task_dependency_tree_root_depth_idx ON task_dependency_tree (root_task_id, depth);

-- Per-task performance figures. estimate_accuracy_pct = actual / estimated hours × 100
-- (100 = on estimate, > 100 = overran); NULL when either is missing or the estimate is 0.
CREATE MATERIALIZED VIEW task_performance_summary AS
SELECT
    t.id AS task_id,
    t.project_id,
    t.title,
    t.type,
    t.status,
    t.complexity_score,
    t.estimated_hours,
    t.actual_hours,
    CASE WHEN t.estimated_hours > 0 AND t.actual_hours IS NOT NULL
         THEN round(t.actual_hours / t.estimated_hours * 100, 2) END          AS estimate_accuracy_pct,
    coalesce(e.error_count, 0)                                               AS error_count,
    coalesce(e.open_error_count, 0)                                          AS open_error_count,
    coalesce(e.error_occurrences, 0)                                         AS error_occurrences,
    coalesce(s.script_count, 0)                                              AS deployment_script_count,
    coalesce(s.succeeded_count, 0)                                           AS successful_script_count,
    coalesce(s.failed_count, 0)                                              AS failed_script_count,
    s.avg_duration_ms                                                        AS avg_script_duration_ms,
    t.created_at,
    t.updated_at,
    t.completed_at,
    now()                                                                    AS refreshed_at
FROM tasks t
LEFT JOIN (
    SELECT task_id,
           count(*)                              AS error_count,
           count(*) FILTER (WHERE NOT resolved)  AS open_error_count,
           sum(occurrence_count)                 AS error_occurrences
    FROM error_logs WHERE task_id IS NOT NULL GROUP BY task_id
) e ON e.task_id = t.id
LEFT JOIN (
    SELECT task_id,
           count(*)                                                   AS script_count,
           count(*) FILTER (WHERE status = 'completed')               AS succeeded_count,
           count(*) FILTER (WHERE status IN ('failed', 'timed_out'))  AS failed_count,
           round(avg(execution_duration_ms), 2)                       AS avg_duration_ms
    FROM deployment_scripts WHERE task_id IS NOT NULL GROUP BY task_id
) s ON s.task_id = t.id;
CREATE UNIQUE INDEX task_performance_summary_task_id_key ON task_performance_summary (task_id);
CREATE INDEX task_performance_summary_project_id_idx ON task_performance_summary (project_id);

-- Both materialized views, without blocking readers (needs their UNIQUE indexes). SECURITY DEFINER
-- because REFRESH needs ownership; EXECUTE is granted to taskmaster_api only (roles migration).
CREATE FUNCTION refresh_materialized_views() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY task_dependency_tree;
    REFRESH MATERIALIZED VIEW CONCURRENTLY task_performance_summary;
END;
$$;

-- Retention. Deletes rows older than retention_days from the log-like tables and every expired
-- idempotency key; returns one row per table with the number of rows deleted. SECURITY DEFINER so
-- row-level security on api_access_logs does not hide other keys' rows from the cleanup.
-- audit_logs are deliberately kept. Unprocessed webhook events are kept whatever their age.
CREATE FUNCTION cleanup_old_logs(retention_days integer)
RETURNS TABLE (table_name text, deleted_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    n      bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < 1 THEN
        RAISE EXCEPTION 'retention_days must be a positive integer, got %', retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - make_interval(days => retention_days);

    DELETE FROM logs WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM api_access_logs WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'api_access_logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM error_logs WHERE resolved AND resolved_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'error_logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM system_metrics WHERE recorded_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'system_metrics'; deleted_count := n; RETURN NEXT;

    DELETE FROM integration_events WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'integration_events'; deleted_count := n; RETURN NEXT;

    DELETE FROM webhook_events
    WHERE status IN ('processed', 'skipped') AND created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'webhook_events'; deleted_count := n; RETURN NEXT;

    DELETE FROM idempotency_keys WHERE expires_at < now();
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'idempotency_keys'; deleted_count := n; RETURN NEXT;
END;
$$;

-- Authentication lookup for the API role: api_keys has row-level security keyed on the caller's key
-- id, which is not known until the key is found. Returns the (at most one) row with this hash.
CREATE FUNCTION find_api_key_by_hash(p_key_hash text) RETURNS SETOF api_keys
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM api_keys WHERE key_hash = p_key_hash;
$$;

-- migrate:down
DROP FUNCTION IF EXISTS find_api_key_by_hash(text);
DROP FUNCTION IF EXISTS cleanup_old_logs(integer);
DROP FUNCTION IF EXISTS refresh_materialized_views();
DROP MATERIALIZED VIEW IF EXISTS task_performance_summary;
DROP MATERIALIZED VIEW IF EXISTS task_dependency_tree;
DROP VIEW IF EXISTS active_tasks;
