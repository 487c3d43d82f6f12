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
-- PATCH: only the columns named in %(fields)s change ({{deployment_changes}}, composed from
-- DeploymentWrite in service.py); n.new_status is the status after the patch.
UPDATE deployments d SET
    {{deployment_changes}},
    status = n.new_status,
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
-- How a run went ({{script_changes}}: the fields of ScriptRun sent); times and duration follow
-- the status (n.new_status is the status afterwards).
UPDATE deployment_scripts sc SET
    status = n.new_status,
    {{script_changes}},
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
