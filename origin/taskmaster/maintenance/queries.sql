-- name: try_lock
-- One maintenance run at a time across every origin process and the CLI (session-level lock).
SELECT pg_try_advisory_lock(%(key)s);

-- name: unlock
SELECT pg_advisory_unlock(%(key)s);

-- name: step_context
-- Inside each step's transaction: a generous timeout for big deletes, and the run id for the
-- audit trigger (rows changed by maintenance carry request_id = the run id, no key).
SELECT set_config('statement_timeout', %(timeout)s, true),
       set_config('app.request_id', %(run_id)s, true),
       set_config('app.current_key_id', '', true);

-- name: cleanup_logs
-- Retention per table (cleanup_old_logs_by_table), plus every expired idempotency key.
SELECT table_name, deleted_count FROM cleanup_old_logs_by_table(%(retention)s);

-- name: purge_event_log
-- Events older than EVENT_LOG_RETENTION_DAYS; a resume from before them gets event: reset.
SELECT purge_event_log(%(days)s);

-- name: release_expired_leases
-- Leases whose holder stopped heartbeating: the task is free again (pending if it was in
-- progress), as if its holder had released it.
UPDATE tasks
SET lease_owner = NULL, lease_expires_at = NULL,
    status = CASE WHEN status = 'in_progress' THEN 'pending' ELSE status END
WHERE lease_expires_at < now()
RETURNING id;

-- name: refresh_views
-- REFRESH MATERIALIZED VIEW CONCURRENTLY of task_dependency_tree and task_performance_summary.
SELECT refresh_materialized_views();

-- name: expire_edge_nonces
-- Nonces of edge signatures past their freshness window (taskmaster.auth.nonces).
DELETE FROM edge_nonces WHERE expires_at < now();
