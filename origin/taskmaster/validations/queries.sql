-- Named statements for validation results (loaded by taskmaster.db.sql.load_queries).

-- fragment: validation_columns
-- The select list of a validation result; its order is the field order of schemas.ValidationResult.
id, task_id, workflow_stage_id, pull_request_id, validation_type, validation_status,
validation_score::float8 AS validation_score, validation_data, validator, validator_version,
validation_environment, started_at, completed_at, execution_time_ms, error_message, error_details,
retry_count, metadata, version, created_at, updated_at

-- name: get_validation
SELECT {{validation_columns}} FROM validation_results WHERE id = %(id)s AND tenancy_task_visible(task_id);

-- name: insert_validation
INSERT INTO validation_results (
    task_id, workflow_stage_id, pull_request_id, validation_type, validation_status,
    validation_score, validation_data, validator, validator_version, validation_environment,
    started_at, completed_at, execution_time_ms, error_message, error_details, retry_count, metadata
) VALUES (
    %(task_id)s, %(workflow_stage_id)s, %(pull_request_id)s, %(validation_type)s,
    %(validation_status)s, %(validation_score)s, %(validation_data)s, %(validator)s,
    %(validator_version)s, %(validation_environment)s, %(started_at)s, %(completed_at)s,
    %(execution_time_ms)s, %(error_message)s, %(error_details)s, %(retry_count)s, %(metadata)s
)
RETURNING {{validation_columns}};

-- name: patch_validation
-- PATCH: only the columns named in %(fields)s change.
UPDATE validation_results SET
    validation_status = CASE WHEN 'validation_status' = ANY(%(fields)s)
        THEN %(validation_status)s ELSE validation_status END,
    validation_score = CASE WHEN 'validation_score' = ANY(%(fields)s)
        THEN %(validation_score)s ELSE validation_score END,
    validation_data = CASE WHEN 'validation_data' = ANY(%(fields)s)
        THEN %(validation_data)s ELSE validation_data END,
    started_at = CASE WHEN 'started_at' = ANY(%(fields)s) THEN %(started_at)s ELSE started_at END,
    completed_at = CASE WHEN 'completed_at' = ANY(%(fields)s)
        THEN %(completed_at)s ELSE completed_at END,
    execution_time_ms = CASE WHEN 'execution_time_ms' = ANY(%(fields)s)
        THEN %(execution_time_ms)s ELSE execution_time_ms END,
    error_message = CASE WHEN 'error_message' = ANY(%(fields)s)
        THEN %(error_message)s ELSE error_message END,
    error_details = CASE WHEN 'error_details' = ANY(%(fields)s)
        THEN %(error_details)s ELSE error_details END,
    retry_count = CASE WHEN 'retry_count' = ANY(%(fields)s) THEN %(retry_count)s ELSE retry_count END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE metadata END
WHERE id = %(id)s AND tenancy_task_visible(task_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{validation_columns}};

-- name: delete_validation
DELETE FROM validation_results
WHERE id = %(id)s AND tenancy_task_visible(task_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING id;
