-- migrate:up
-- A deployment of a project (optionally for a task / from a workflow) to an environment.
CREATE TABLE deployments (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id        uuid REFERENCES projects (id) ON DELETE RESTRICT,
    task_id           uuid REFERENCES tasks (id) ON DELETE SET NULL,
    workflow_id       uuid REFERENCES workflows (id) ON DELETE SET NULL,
    rollback_of_id    uuid REFERENCES deployments (id) ON DELETE SET NULL,  -- set on rollback deployments
    environment       text NOT NULL DEFAULT 'development' CHECK (environment IN (
                          'development', 'test', 'staging', 'preview', 'production')),
    deployment_type   text NOT NULL DEFAULT 'full' CHECK (deployment_type IN (
                          'full', 'incremental', 'hotfix', 'rollback', 'canary', 'blue_green')),
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN (
                          'pending', 'running', 'completed', 'failed', 'cancelled', 'rolled_back')),
    source_branch     text CHECK (char_length(source_branch) <= 255),
    target_branch     text CHECK (char_length(target_branch) <= 255),
    commit_sha        text CHECK (commit_sha ~ '^[0-9a-f]{7,64}$'),
    pr_number         integer CHECK (pr_number > 0),
    deployment_config jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(deployment_config) = 'object'),
    health_checks     jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(health_checks) = 'array'),
    deployed_by       text CHECK (char_length(deployed_by) <= 255),
    error_message     text,
    started_at        timestamptz,
    completed_at      timestamptz,
    duration_ms       bigint CHECK (duration_ms >= 0),
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deployments_not_own_rollback CHECK (rollback_of_id IS NULL OR rollback_of_id <> id),
    CONSTRAINT deployments_completed_at_matches_status
        CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'cancelled', 'rolled_back')),
    CONSTRAINT deployments_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER deployments_set_updated_at BEFORE UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER deployments_bump_version BEFORE UPDATE ON deployments
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE INDEX deployments_created_at_id_idx ON deployments (created_at, id);
CREATE INDEX deployments_status_created_at_id_idx ON deployments (status, created_at, id);
-- "latest deployments of project X to environment Y"
CREATE INDEX deployments_project_env_created_at_idx ON deployments (project_id, environment, created_at DESC)
    WHERE project_id IS NOT NULL;
CREATE INDEX deployments_environment_created_at_idx ON deployments (environment, created_at, id);
CREATE INDEX deployments_task_id_idx ON deployments (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX deployments_workflow_id_idx ON deployments (workflow_id) WHERE workflow_id IS NOT NULL;
CREATE INDEX deployments_rollback_of_id_idx ON deployments (rollback_of_id) WHERE rollback_of_id IS NOT NULL;
CREATE INDEX deployments_commit_sha_idx ON deployments (commit_sha) WHERE commit_sha IS NOT NULL;

-- Scripts run for a task and/or as steps of a deployment, in execution_order.
-- `script_version` is the script's own label (seed: `version`); `version` is the row version (ETag).
CREATE TABLE deployment_scripts (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id               uuid REFERENCES tasks (id) ON DELETE CASCADE,
    deployment_id         uuid REFERENCES deployments (id) ON DELETE CASCADE,
    script_name           text NOT NULL CHECK (char_length(script_name) BETWEEN 1 AND 255),
    script_type           text NOT NULL CHECK (script_type IN (
                              'build', 'test', 'deploy', 'rollback', 'migration', 'validation', 'cleanup')),
    script_content        text NOT NULL CHECK (char_length(script_content) <= 1000000),
    script_version        text NOT NULL DEFAULT '1.0.0' CHECK (char_length(script_version) <= 50),
    environment           text NOT NULL DEFAULT 'development' CHECK (environment IN (
                              'development', 'test', 'staging', 'preview', 'production')),
    parameters            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
    execution_order       integer NOT NULL DEFAULT 0 CHECK (execution_order >= 0),
    timeout_seconds       integer NOT NULL DEFAULT 300 CHECK (timeout_seconds BETWEEN 1 AND 86400),
    retry_count           integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    max_retries           integer NOT NULL DEFAULT 3 CHECK (max_retries BETWEEN 0 AND 100),
    status                text NOT NULL DEFAULT 'pending' CHECK (status IN (
                              'pending', 'running', 'completed', 'failed', 'timed_out', 'skipped', 'cancelled')),
    started_at            timestamptz,
    completed_at          timestamptz,
    execution_duration_ms bigint CHECK (execution_duration_ms >= 0),
    exit_code             integer,
    stdout_log            text,
    stderr_log            text,
    metadata              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deployment_scripts_has_owner CHECK (task_id IS NOT NULL OR deployment_id IS NOT NULL),
    CONSTRAINT deployment_scripts_retries_within_max CHECK (retry_count <= max_retries),
    CONSTRAINT deployment_scripts_completed_at_matches_status
        CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'timed_out', 'skipped', 'cancelled')),
    CONSTRAINT deployment_scripts_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER deployment_scripts_set_updated_at BEFORE UPDATE ON deployment_scripts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER deployment_scripts_bump_version BEFORE UPDATE ON deployment_scripts
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE INDEX deployment_scripts_created_at_id_idx ON deployment_scripts (created_at, id);
CREATE INDEX deployment_scripts_status_created_at_id_idx ON deployment_scripts (status, created_at, id);
-- "scripts of task X / deployment Y in execution order"
CREATE INDEX deployment_scripts_task_order_idx ON deployment_scripts (task_id, execution_order)
    WHERE task_id IS NOT NULL;
CREATE INDEX deployment_scripts_deployment_order_idx ON deployment_scripts (deployment_id, execution_order)
    WHERE deployment_id IS NOT NULL;

-- migrate:down
DROP TABLE IF EXISTS deployment_scripts;
DROP TABLE IF EXISTS deployments;
