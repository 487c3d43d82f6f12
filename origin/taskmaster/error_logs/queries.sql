-- Named statements for error logs (loaded by taskmaster.db.sql.load_queries).

-- fragment: error_columns
-- The select list of an error; its order is the field order of schemas.ErrorLog.
id, task_id, workflow_id, workflow_stage_id, deployment_script_id, validation_result_id,
error_type, error_category, severity, error_code, message, message_hash, details, context,
stack_trace, source_component, source_file, source_line, request_id, environment, service_name,
service_version, resolved, resolved_at, resolved_by, resolution_notes, occurrence_count,
first_seen_at, last_seen_at, metadata, version, created_at, updated_at

-- name: log_error
-- Insert, or count one more occurrence of the open error with the same fingerprint (the arbiter
-- is the partial unique index error_logs_open_fingerprint_key, NULLS NOT DISTINCT on task_id).
-- The last occurrence's details, context and trace replace the earlier ones; severity only rises.
-- "inserted" (xmax = 0 only for a freshly inserted row version) tells 201 from 200.
INSERT INTO error_logs (
    task_id, workflow_id, workflow_stage_id, deployment_script_id, validation_result_id,
    error_type, error_category, severity, error_code, message, details, context, stack_trace,
    source_component, source_file, source_line, request_id, environment, service_name,
    service_version, metadata
) VALUES (
    %(task_id)s, %(workflow_id)s, %(workflow_stage_id)s, %(deployment_script_id)s,
    %(validation_result_id)s, %(error_type)s, %(error_category)s, %(severity)s, %(error_code)s,
    %(message)s, %(details)s, %(context)s, %(stack_trace)s, %(source_component)s,
    %(source_file)s, %(source_line)s, %(request_id)s, %(environment)s, %(service_name)s,
    %(service_version)s, %(metadata)s
)
ON CONFLICT (task_id, error_code, message_hash) WHERE resolved = false
DO UPDATE SET
    occurrence_count = error_logs.occurrence_count + 1,
    last_seen_at = now(),
    details = EXCLUDED.details,
    context = EXCLUDED.context,
    stack_trace = coalesce(EXCLUDED.stack_trace, error_logs.stack_trace),
    request_id = coalesce(EXCLUDED.request_id, error_logs.request_id),
    severity = CASE
        WHEN array_position(ARRAY['info', 'warning', 'error', 'critical'], EXCLUDED.severity)
           > array_position(ARRAY['info', 'warning', 'error', 'critical'], error_logs.severity)
        THEN EXCLUDED.severity ELSE error_logs.severity END
RETURNING (xmax = 0) AS inserted, {{error_columns}};

-- name: resolve_error
-- Idempotent: resolving a resolved error keeps its first resolved_at.
UPDATE error_logs SET
    resolved = true,
    resolved_at = coalesce(resolved_at, now()),
    resolved_by = coalesce(%(resolved_by)s, resolved_by),
    resolution_notes = coalesce(%(resolution_notes)s, resolution_notes)
WHERE id = %(id)s AND tenancy_task_visible(task_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{error_columns}};
