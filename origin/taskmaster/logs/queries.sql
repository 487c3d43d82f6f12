-- Named statements for the logs resource (loaded by taskmaster.db.sql.load_queries).

-- name: insert_log
INSERT INTO logs (level, message, source, component, correlation_id, task_id, workflow_id,
                  integration_id, context, created_at)
VALUES (%(level)s, %(message)s, %(source)s, %(component)s, %(correlation_id)s, %(task_id)s,
        %(workflow_id)s, %(integration_id)s, %(context)s, coalesce(%(created_at)s, now()))
RETURNING id, level, message, source, component, correlation_id, task_id, workflow_id, integration_id,
          context, created_at;


-- name: copy_logs
-- The batch path: one binary COPY in the request's transaction. Column order and types =
-- service._COPY_TYPES.
COPY logs (level, message, source, component, correlation_id, task_id, workflow_id,
           integration_id, context, created_at) FROM STDIN (FORMAT BINARY)
