-- Named statements for workflows and their stages (loaded by taskmaster.db.sql.load_queries).
-- started_at / completed_at follow the status: set when it leaves pending / reaches an end state.

-- fragment: workflow_columns
-- The select list of a workflow; its order is the field order of schemas.Workflow.
id, project_id, task_id, name, description, trigger_type, status, current_stage, total_stages,
completed_stages, progress_percent::float8 AS progress_percent, pipeline_config, state,
error_message, started_at, completed_at, created_by, metadata, version, created_at, updated_at

-- name: insert_workflow
INSERT INTO workflows (
    project_id, task_id, name, description, trigger_type, status, pipeline_config, state,
    error_message, created_by, metadata, started_at, completed_at
) VALUES (
    %(project_id)s, %(task_id)s, %(name)s, %(description)s, %(trigger_type)s, %(status)s,
    %(pipeline_config)s, %(state)s, %(error_message)s, %(created_by)s, %(metadata)s,
    CASE WHEN %(status)s::text <> 'pending' THEN now() END,
    CASE WHEN %(status)s::text IN ('completed', 'failed', 'cancelled') THEN now() END
)
RETURNING {{workflow_columns}};

-- name: replace_workflow
UPDATE workflows SET
    project_id = %(project_id)s, task_id = %(task_id)s, name = %(name)s,
    description = %(description)s, trigger_type = %(trigger_type)s, status = %(status)s,
    pipeline_config = %(pipeline_config)s, state = %(state)s, error_message = %(error_message)s,
    created_by = %(created_by)s, metadata = %(metadata)s,
    started_at = CASE WHEN %(status)s::text <> 'pending' THEN coalesce(started_at, now()) END,
    completed_at = CASE WHEN %(status)s::text IN ('completed', 'failed', 'cancelled')
        THEN coalesce(completed_at, now()) END
WHERE id = %(id)s AND tenancy_allows(project_id) AND (%(if_version)s::bigint IS NULL OR version = %(if_version)s)
RETURNING {{workflow_columns}};

-- name: patch_workflow
-- PATCH: only the columns named in %(fields)s change ({{workflow_changes}}, composed from
-- WorkflowWrite in service.py); n.new_status is the status after the patch.
UPDATE workflows w SET
    {{workflow_changes}},
    status = n.new_status,
    started_at = CASE WHEN n.new_status <> 'pending' THEN coalesce(w.started_at, now()) END,
    completed_at = CASE WHEN n.new_status IN ('completed', 'failed', 'cancelled')
        THEN coalesce(w.completed_at, now()) END
FROM (
    SELECT CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s::text ELSE status END AS new_status
    FROM workflows WHERE id = %(id)s AND tenancy_allows(project_id)
) n
WHERE w.id = %(id)s AND tenancy_allows(w.project_id) AND (%(if_version)s::bigint IS NULL OR w.version = %(if_version)s)
RETURNING {{workflow_columns}};

-- name: get_progress
SELECT id, status, completed_stages, total_stages, progress_percent::float8, current_stage, version
FROM workflows WHERE id = %(id)s AND tenancy_allows(project_id);

-- name: refresh_progress
-- Recounts a workflow's stages after one changed (same transaction). Skipped stages count as done;
-- the current stage is the first running one, else the first pending one.
UPDATE workflows w SET
    total_stages = s.total, completed_stages = s.done, current_stage = s.current
FROM (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE status IN ('completed', 'skipped')) AS done,
           coalesce(
               (array_agg(name ORDER BY stage_order) FILTER (WHERE status = 'running'))[1],
               (array_agg(name ORDER BY stage_order) FILTER (WHERE status = 'pending'))[1]
           ) AS current
    FROM workflow_stages WHERE workflow_id = %(workflow_id)s
) s
WHERE w.id = %(workflow_id)s
  AND (w.total_stages, w.completed_stages, w.current_stage)
      IS DISTINCT FROM (s.total, s.done, s.current);

-- fragment: stage_columns
-- The select list of a stage; its order is the field order of schemas.Stage.
id, workflow_id, name, stage_type, stage_order, status, config, result, error_message,
retry_count, max_retries, started_at, completed_at, duration_ms, metadata, version, created_at,
updated_at

-- name: insert_stage
-- Only under an existing workflow (no row back → 404); stage_order defaults to after the last.
INSERT INTO workflow_stages (
    workflow_id, name, stage_type, stage_order, config, max_retries, metadata
)
SELECT w.id, %(name)s, %(stage_type)s,
       coalesce(%(stage_order)s::integer,
                (SELECT coalesce(max(stage_order) + 1, 0) FROM workflow_stages
                 WHERE workflow_id = w.id)),
       %(config)s, %(max_retries)s, %(metadata)s
FROM workflows w WHERE w.id = %(workflow_id)s AND tenancy_allows(w.project_id)
RETURNING {{stage_columns}};

-- name: patch_stage
-- A status move and its outcome ({{stage_changes}}: the fields of StageUpdate sent); times follow
-- the status (n.new_status is the status afterwards).
UPDATE workflow_stages st SET
    status = n.new_status,
    {{stage_changes}},
    started_at = CASE WHEN n.new_status <> 'pending' THEN coalesce(st.started_at, now()) END,
    completed_at = CASE WHEN n.new_status IN ('completed', 'failed', 'skipped', 'cancelled')
        THEN coalesce(st.completed_at, now()) END,
    duration_ms = CASE WHEN n.new_status IN ('completed', 'failed', 'skipped', 'cancelled')
        THEN (extract(epoch FROM coalesce(st.completed_at, now())
                                 - coalesce(st.started_at, now())) * 1000)::bigint END
FROM (
    SELECT CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s::text ELSE status END AS new_status
    FROM workflow_stages WHERE id = %(id)s
) n
WHERE st.id = %(id)s AND st.workflow_id = %(workflow_id)s
  AND EXISTS (SELECT 1 FROM workflows w WHERE w.id = st.workflow_id AND tenancy_allows(w.project_id))
  AND (%(if_version)s::bigint IS NULL OR st.version = %(if_version)s)
RETURNING {{stage_columns}};
