-- migrate:up
-- A workflow is one CI/CD pipeline run (analysis → code generation → build → test → review → deploy …)
-- for a project and, usually, one task. Its stages live in workflow_stages; the tasks it covers in
-- workflow_tasks (the seeds' `task_ids` JSON array, normalised).
CREATE TABLE workflows (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id       uuid REFERENCES projects (id) ON DELETE RESTRICT,
    task_id          uuid REFERENCES tasks (id) ON DELETE SET NULL,   -- the task that started it
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description      text CHECK (char_length(description) <= 10000),
    trigger_type     text NOT NULL DEFAULT 'manual' CHECK (trigger_type IN (
                         'manual', 'task', 'pull_request', 'webhook', 'schedule', 'api')),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN (
                         'pending', 'running', 'paused', 'completed', 'failed', 'cancelled')),
    current_stage    text,                                            -- name of the running stage
    total_stages     integer NOT NULL DEFAULT 0 CHECK (total_stages >= 0),
    completed_stages integer NOT NULL DEFAULT 0 CHECK (completed_stages >= 0),
    -- Derived, never written by the application: always consistent with the two counters.
    progress_percent numeric(5, 2) GENERATED ALWAYS AS (
                         CASE WHEN total_stages > 0
                              THEN round(completed_stages * 100.0 / total_stages, 2)
                              ELSE 0 END) STORED,
    pipeline_config  jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(pipeline_config) = 'object'),
    state            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(state) = 'object'),
    error_message    text,
    started_at       timestamptz,
    completed_at     timestamptz,
    created_by       text CHECK (char_length(created_by) <= 255),
    metadata         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflows_completed_stages_le_total CHECK (completed_stages <= total_stages),
    CONSTRAINT workflows_completed_at_matches_status
        CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'cancelled')),
    CONSTRAINT workflows_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER workflows_set_updated_at BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER workflows_bump_version BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE INDEX workflows_created_at_id_idx ON workflows (created_at, id);
CREATE INDEX workflows_status_created_at_id_idx ON workflows (status, created_at, id);
CREATE INDEX workflows_project_id_status_idx ON workflows (project_id, status) WHERE project_id IS NOT NULL;
CREATE INDEX workflows_task_id_idx ON workflows (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX workflows_metadata_gin_idx ON workflows USING gin (metadata jsonb_path_ops);

-- One row per stage; stage_order gives the pipeline order (0-based or 1-based, the app decides).
CREATE TABLE workflow_stages (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id   uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    stage_type    text NOT NULL DEFAULT 'custom' CHECK (stage_type IN (
                      'analysis', 'code_generation', 'build', 'test', 'validation', 'review',
                      'deploy', 'notification', 'custom')),
    stage_order   integer NOT NULL CHECK (stage_order >= 0),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN (
                      'pending', 'running', 'completed', 'failed', 'skipped', 'cancelled')),
    config        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
    result        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(result) = 'object'),
    error_message text,
    retry_count   integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    max_retries   integer NOT NULL DEFAULT 0 CHECK (max_retries BETWEEN 0 AND 100),
    started_at    timestamptz,
    completed_at  timestamptz,
    duration_ms   bigint CHECK (duration_ms >= 0),
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_stages_workflow_order_key UNIQUE (workflow_id, stage_order),
    CONSTRAINT workflow_stages_workflow_name_key UNIQUE (workflow_id, name),
    CONSTRAINT workflow_stages_completed_at_matches_status
        CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'skipped', 'cancelled')),
    CONSTRAINT workflow_stages_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER workflow_stages_set_updated_at BEFORE UPDATE ON workflow_stages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER workflow_stages_bump_version BEFORE UPDATE ON workflow_stages
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
-- (workflow_id, stage_order) UNIQUE above serves the FK and "stages of a workflow in order".
CREATE INDEX workflow_stages_created_at_id_idx ON workflow_stages (created_at, id);
CREATE INDEX workflow_stages_status_idx ON workflow_stages (status) WHERE status IN ('pending', 'running');

-- Workflow ↔ task membership (many-to-many).
CREATE TABLE workflow_tasks (
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    position    integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, task_id)
);
CREATE INDEX workflow_tasks_task_id_idx ON workflow_tasks (task_id);

-- migrate:down
DROP TABLE IF EXISTS workflow_tasks;
DROP TABLE IF EXISTS workflow_stages;
DROP TABLE IF EXISTS workflows;
