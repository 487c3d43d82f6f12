-- Named statements for the logs resource (loaded by taskmaster.db.sql.load_queries).

-- fragment: log_columns
-- The select list of a log entry; its order is the field order of schemas.LogEntry.
id, level, message, source, component, correlation_id, task_id, workflow_id, integration_id,
context, created_at

-- name: get_log
SELECT {{log_columns}} FROM logs WHERE id = %(id)s;

-- name: insert_log
INSERT INTO logs (level, message, source, component, correlation_id, task_id, workflow_id,
                  integration_id, context, created_at)
VALUES (%(level)s, %(message)s, %(source)s, %(component)s, %(correlation_id)s, %(task_id)s,
        %(workflow_id)s, %(integration_id)s, %(context)s, coalesce(%(created_at)s, now()))
RETURNING {{log_columns}};


-- name: copy_logs
-- The batch path: one binary COPY in the request's transaction. Column order and types =
-- service._COPY_TYPES.
COPY logs (level, message, source, component, correlation_id, task_id, workflow_id,
           integration_id, context, created_at) FROM STDIN (FORMAT BINARY)
