-- migrate:up
-- Two group roles (NOLOGIN): ops grant them to real login roles, e.g.
--   CREATE ROLE taskmaster_app LOGIN PASSWORD '…' IN ROLE taskmaster_api;
-- taskmaster_api       DML on the application tables, EXECUTE on the maintenance functions, no DDL.
-- taskmaster_readonly  SELECT only.
-- Roles are cluster-global while this migration runs once per database (tests create many
-- databases in one cluster), so they are created only if missing, tolerating a concurrent creator.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmaster_api') THEN
        BEGIN
            CREATE ROLE taskmaster_api NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmaster_readonly') THEN
        BEGIN
            CREATE ROLE taskmaster_readonly NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO taskmaster_api, taskmaster_readonly;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    projects, tasks, task_dependencies, task_contexts, idempotency_keys,
    workflows, workflow_stages, workflow_tasks,
    deployments, deployment_scripts,
    validation_results, error_logs,
    pull_requests, agent_configurations, integrations, integration_events, templates, webhook_events,
    logs, system_metrics, configuration_settings,
    api_keys, api_access_logs
    TO taskmaster_api;
-- The audit trail is append-only for the application.
GRANT SELECT, INSERT ON audit_logs TO taskmaster_api;
GRANT SELECT ON active_tasks, task_dependency_tree, task_performance_summary TO taskmaster_api;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO taskmaster_api;

GRANT SELECT ON
    projects, tasks, task_dependencies, task_contexts, idempotency_keys,
    workflows, workflow_stages, workflow_tasks,
    deployments, deployment_scripts,
    validation_results, error_logs,
    pull_requests, agent_configurations, integrations, integration_events, templates, webhook_events,
    logs, system_metrics, configuration_settings,
    api_keys, api_access_logs, audit_logs,
    active_tasks, task_dependency_tree, task_performance_summary
    TO taskmaster_readonly;

-- Functions are executable by PUBLIC by default; the SECURITY DEFINER ones must not be.
REVOKE EXECUTE ON FUNCTION refresh_materialized_views(), cleanup_old_logs(integer),
    find_api_key_by_hash(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_materialized_views(), cleanup_old_logs(integer),
    find_api_key_by_hash(text) TO taskmaster_api;

-- Objects that later migrations create (as the same migration user) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO taskmaster_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO taskmaster_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT ON TABLES TO taskmaster_readonly;

-- Row-level security on the key-owned tables. The origin sets, per transaction (SET LOCAL or
-- set_config(..., true)), two custom settings:
--   app.current_key_id  the authenticated API key's id (uuid text). A key sees only its own rows.
--   app.is_admin        'on' when that key holds keys:admin or admin. Then every row is visible.
-- Unset or empty settings match nothing (fail closed); a malformed app.current_key_id raises an
-- error. The table owner (the migration user) bypasses these policies (no FORCE ROW LEVEL SECURITY).
-- Authentication itself uses find_api_key_by_hash() (SECURITY DEFINER), because the key id is not
-- known before the key is found. api_access_logs: the origin may INSERT rows for any key (batched
-- access logging) but reads only its own; use INSERT without RETURNING for other keys' rows, and
-- multi-row INSERT rather than COPY (COPY FROM is not allowed under RLS for non-owners).
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_access_logs ENABLE ROW LEVEL SECURITY;

CREATE POLICY api_keys_api_own_or_admin ON api_keys
    FOR ALL TO taskmaster_api
    USING (id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
           OR current_setting('app.is_admin', true) = 'on')
    WITH CHECK (id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
                OR current_setting('app.is_admin', true) = 'on');
CREATE POLICY api_keys_readonly_own_or_admin ON api_keys
    FOR SELECT TO taskmaster_readonly
    USING (id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
           OR current_setting('app.is_admin', true) = 'on');

CREATE POLICY api_access_logs_api_own_or_admin ON api_access_logs
    FOR ALL TO taskmaster_api
    USING (api_key_id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
           OR current_setting('app.is_admin', true) = 'on')
    WITH CHECK (api_key_id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
                OR current_setting('app.is_admin', true) = 'on');
CREATE POLICY api_access_logs_api_insert_any ON api_access_logs
    FOR INSERT TO taskmaster_api
    WITH CHECK (true);
CREATE POLICY api_access_logs_readonly_own_or_admin ON api_access_logs
    FOR SELECT TO taskmaster_readonly
    USING (api_key_id = NULLIF(current_setting('app.current_key_id', true), '')::uuid
           OR current_setting('app.is_admin', true) = 'on');

-- migrate:down
DROP POLICY IF EXISTS api_access_logs_readonly_own_or_admin ON api_access_logs;
DROP POLICY IF EXISTS api_access_logs_api_insert_any ON api_access_logs;
DROP POLICY IF EXISTS api_access_logs_api_own_or_admin ON api_access_logs;
DROP POLICY IF EXISTS api_keys_readonly_own_or_admin ON api_keys;
DROP POLICY IF EXISTS api_keys_api_own_or_admin ON api_keys;
ALTER TABLE api_access_logs DISABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;

GRANT EXECUTE ON FUNCTION refresh_materialized_views(), cleanup_old_logs(integer),
    find_api_key_by_hash(text) TO PUBLIC;

-- Take back everything this database granted, then drop each role unless another database of the
-- cluster still holds grants or objects for it (that database's own rollback will drop it).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['taskmaster_api', 'taskmaster_readonly'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM %I', r);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM %I', r);
        EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I', r);
        BEGIN
            EXECUTE format('DROP ROLE %I', r);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % kept: still used by another database', r;
        END;
    END LOOP;
END
$$;
