-- Named statements for deployments and their scripts (loaded by taskmaster.db.sql.load_queries).
-- started_at / completed_at / the duration follow the status, as for workflow stages.

-- fragment: deployment_columns
-- The select list of a deployment; its order is the field order of schemas.Deployment.
id, project_id, task_id, workflow_id, rollback_of_id, environment, deployment_type, status,
source_branch, target_branch, commit_sha, pr_number, deployment_config, health_checks,
deployed_by, error_message, started_at, completed_at, duration_ms, metadata, version, created_at,
updated_at

-- name: insert_deployment
INSERT INTO deployments (
    project_id, task_id, workflow_id, rollback_of_id, environment, deployment_type, status,
    source_branch, target_branch, commit_sha, pr_number, deployment_config, health_checks,
    deployed_by, error_message, metadata, started_at, completed_at, duration_ms
) VALUES (
    %(project_id)s, %(task_id)s, %(workflow_id)s, %(rollback_of_id)s, %(environment)s,
    %(deployment_type)s, %(status)s, %(source_branch)s, %(target_branch)s, %(commit_sha)s,
    %(pr_number)s, %(deployment_config)s, %(health_checks)s, %(deployed_by)s, %(error_message)s,
    %(metadata)s,
    CASE WHEN %(status)s::text <> 'pending' THEN now() END,
    CASE WHEN %(status)s::text IN ('completed', 'failed', 'cancelled', 'rolled_back') THEN now() END,
    CASE WHEN %(status)s::text IN ('completed', 'failed', 'cancelled', 'rolled_back') THEN 0 END
)
RETURNING {{deployment_columns}};

-- fragment: deployment_times
-- SET items that make the times follow n.new_status (the status after the write).
started_at = CASE WHEN n.new_status <> 'pending' THEN coalesce(d.started_at, now()) END,
completed_at = CASE WHEN n.new_status IN ('completed', 'failed', 'cancelled', 'rolled_back')
    THEN coalesce(d.completed_at, now()) END,
duration_ms = CASE WHEN n.new_status IN ('completed', 'failed', 'cancelled', 'rolled_back')
    THEN coalesce(d.duration_ms,
                  (extract(epoch FROM now() - coalesce(d.started_at, now())) * 1000)::bigint) END

-- name: replace_deployment
UPDATE deployments d SET
    project_id = %(project_id)s, task_id = %(task_id)s, workflow_id = %(workflow_id)s,
    rollback_of_id = %(rollback_of_id)s, environment = %(environment)s,
    deployment_type = %(deployment_type)s, status = n.new_status,
    source_branch = %(source_branch)s, target_branch = %(target_branch)s,
    commit_sha = %(commit_sha)s, pr_number = %(pr_number)s,
    deployment_config = %(deployment_config)s, health_checks = %(health_checks)s,
    deployed_by = %(deployed_by)s, error_message = %(error_message)s, metadata = %(metadata)s,
    {{deployment_times}}
FROM (SELECT %(status)s::text AS new_status) n
WHERE d.id = %(id)s AND tenancy_allows(d.project_id) AND (%(if_version)s::bigint IS NULL OR d.version = %(if_version)s)
RETURNING {{deployment_columns}};

-- name: patch_deployment
-- PATCH: only the columns named in %(fields)s change.
UPDATE deployments d SET
    project_id = CASE WHEN 'project_id' = ANY(%(fields)s) THEN %(project_id)s ELSE d.project_id END,
    task_id = CASE WHEN 'task_id' = ANY(%(fields)s) THEN %(task_id)s ELSE d.task_id END,
    workflow_id = CASE WHEN 'workflow_id' = ANY(%(fields)s)
        THEN %(workflow_id)s ELSE d.workflow_id END,
    rollback_of_id = CASE WHEN 'rollback_of_id' = ANY(%(fields)s)
        THEN %(rollback_of_id)s ELSE d.rollback_of_id END,
    environment = CASE WHEN 'environment' = ANY(%(fields)s)
        THEN %(environment)s ELSE d.environment END,
    deployment_type = CASE WHEN 'deployment_type' = ANY(%(fields)s)
        THEN %(deployment_type)s ELSE d.deployment_type END,
    status = n.new_status,
    source_branch = CASE WHEN 'source_branch' = ANY(%(fields)s)
        THEN %(source_branch)s ELSE d.source_branch END,
    target_branch = CASE WHEN 'target_branch' = ANY(%(fields)s)
        THEN %(target_branch)s ELSE d.target_branch END,
    commit_sha = CASE WHEN 'commit_sha' = ANY(%(fields)s) THEN %(commit_sha)s ELSE d.commit_sha END,
    pr_number = CASE WHEN 'pr_number' = ANY(%(fields)s) THEN %(pr_number)s ELSE d.pr_number END,
    deployment_config = CASE WHEN 'deployment_config' = ANY(%(fields)s)
        THEN %(deployment_config)s ELSE d.deployment_config END,
    health_checks = CASE WHEN 'health_checks' = ANY(%(fields)s)
        THEN %(health_checks)s ELSE d.health_checks END,
    deployed_by = CASE WHEN 'deployed_by' = ANY(%(fields)s)
        THEN %(deployed_by)s ELSE d.deployed_by END,
    error_message = CASE WHEN 'error_message' = ANY(%(fields)s)
        THEN %(error_message)s ELSE d.error_message END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE d.metadata END,
    {{deployment_times}}
FROM (
    SELECT CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s::text ELSE status END AS new_status
    FROM deployments WHERE id = %(id)s AND tenancy_allows(project_id)
) n
WHERE d.id = %(id)s AND tenancy_allows(d.project_id) AND (%(if_version)s::bigint IS NULL OR d.version = %(if_version)s)
RETURNING {{deployment_columns}};

-- fragment: script_columns
-- The select list of a script; its order is the field order of schemas.Script.
id, deployment_id, task_id, script_name, script_type, script_content, script_version,
environment, parameters, execution_order, timeout_seconds, retry_count, max_retries, status,
started_at, completed_at, execution_duration_ms, exit_code, stdout_log, stderr_log, metadata,
version, created_at, updated_at

-- name: insert_script
-- Only under an existing deployment (no row back → 404); execution_order defaults to after the
-- last script, environment to the deployment's.
INSERT INTO deployment_scripts (
    deployment_id, task_id, script_name, script_type, script_content, script_version,
    environment, parameters, execution_order, timeout_seconds, max_retries, metadata
)
SELECT d.id, %(task_id)s, %(script_name)s, %(script_type)s, %(script_content)s,
       %(script_version)s, coalesce(%(environment)s::text, d.environment), %(parameters)s,
       coalesce(%(execution_order)s::integer,
                (SELECT coalesce(max(execution_order) + 1, 0) FROM deployment_scripts
                 WHERE deployment_id = d.id)),
       %(timeout_seconds)s, %(max_retries)s, %(metadata)s
FROM deployments d WHERE d.id = %(deployment_id)s AND tenancy_allows(d.project_id)
RETURNING {{script_columns}};

-- name: patch_script
-- How a run went; times and duration follow the status (n.new_status is the status afterwards).
UPDATE deployment_scripts sc SET
    status = n.new_status,
    exit_code = CASE WHEN 'exit_code' = ANY(%(fields)s) THEN %(exit_code)s ELSE sc.exit_code END,
    stdout_log = CASE WHEN 'stdout_log' = ANY(%(fields)s) THEN %(stdout_log)s ELSE sc.stdout_log END,
    stderr_log = CASE WHEN 'stderr_log' = ANY(%(fields)s) THEN %(stderr_log)s ELSE sc.stderr_log END,
    retry_count = CASE WHEN 'retry_count' = ANY(%(fields)s)
        THEN %(retry_count)s ELSE sc.retry_count END,
    metadata = CASE WHEN 'metadata' = ANY(%(fields)s) THEN %(metadata)s ELSE sc.metadata END,
    started_at = CASE WHEN n.new_status <> 'pending' THEN coalesce(sc.started_at, now()) END,
    completed_at = CASE WHEN n.new_status IN ('completed', 'failed', 'timed_out', 'skipped', 'cancelled')
        THEN coalesce(sc.completed_at, now()) END,
    execution_duration_ms = CASE
        WHEN n.new_status IN ('completed', 'failed', 'timed_out', 'skipped', 'cancelled')
        THEN coalesce(sc.execution_duration_ms,
                      (extract(epoch FROM now() - coalesce(sc.started_at, now())) * 1000)::bigint)
    END
FROM (
    SELECT CASE WHEN 'status' = ANY(%(fields)s) THEN %(status)s::text ELSE status END AS new_status
    FROM deployment_scripts WHERE id = %(id)s
) n
WHERE sc.id = %(id)s AND sc.deployment_id = %(deployment_id)s
  AND EXISTS (SELECT 1 FROM deployments d WHERE d.id = sc.deployment_id AND tenancy_allows(d.project_id))
  AND (%(if_version)s::bigint IS NULL OR sc.version = %(if_version)s)
RETURNING {{script_columns}};
