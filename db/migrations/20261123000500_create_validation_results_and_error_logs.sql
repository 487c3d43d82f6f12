-- migrate:up
-- Outcome of one validation run (Claude Code or another validator) against a task.
CREATE TABLE validation_results (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id                uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    workflow_stage_id      uuid REFERENCES workflow_stages (id) ON DELETE SET NULL,
    validation_type        text NOT NULL CHECK (validation_type IN (
                               'syntax', 'security', 'performance', 'style', 'testing', 'integration',
                               'deployment', 'compliance', 'documentation')),
    validation_status      text NOT NULL DEFAULT 'pending' CHECK (validation_status IN (
                               'pending', 'running', 'passed', 'failed', 'warning', 'error', 'skipped')),
    validation_score       numeric(5, 2) CHECK (validation_score BETWEEN 0 AND 100),
    validation_data        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(validation_data) = 'object'),
    validator              text CHECK (char_length(validator) <= 100),       -- e.g. 'claude_code'
    validator_version      text CHECK (char_length(validator_version) <= 50),
    validation_environment jsonb NOT NULL DEFAULT '{}'::jsonb
                               CHECK (jsonb_typeof(validation_environment) = 'object'),
    started_at             timestamptz,
    completed_at           timestamptz,
    execution_time_ms      bigint CHECK (execution_time_ms >= 0),
    error_message          text,
    error_details          jsonb CHECK (error_details IS NULL OR jsonb_typeof(error_details) = 'object'),
    retry_count            integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    metadata               jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version                bigint NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT validation_results_completed_after_started
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE TRIGGER validation_results_set_updated_at BEFORE UPDATE ON validation_results
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER validation_results_bump_version BEFORE UPDATE ON validation_results
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE INDEX validation_results_created_at_id_idx ON validation_results (created_at, id);
CREATE INDEX validation_results_task_id_created_at_idx ON validation_results (task_id, created_at);
CREATE INDEX validation_results_type_status_idx ON validation_results (validation_type, validation_status, created_at);
CREATE INDEX validation_results_workflow_stage_id_idx ON validation_results (workflow_stage_id)
    WHERE workflow_stage_id IS NOT NULL;

-- Errors, de-duplicated while open: the same (task, code, message) seen again increments
-- occurrence_count instead of adding a row. The application writes
--
--   INSERT INTO error_logs (task_id, error_code, message, ...) VALUES (...)
--   ON CONFLICT (task_id, error_code, message_hash) WHERE resolved = false
--   DO UPDATE SET occurrence_count = error_logs.occurrence_count + 1, last_seen_at = now()
--   RETURNING *;
--
-- task_id may be NULL (system-level errors); the index is NULLS NOT DISTINCT (PG 15+) so those
-- de-duplicate too. Once resolved, a new occurrence opens a new row.
CREATE TABLE error_logs (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id              uuid REFERENCES tasks (id) ON DELETE SET NULL,
    workflow_id          uuid REFERENCES workflows (id) ON DELETE SET NULL,
    workflow_stage_id    uuid REFERENCES workflow_stages (id) ON DELETE SET NULL,
    deployment_script_id uuid REFERENCES deployment_scripts (id) ON DELETE SET NULL,
    validation_result_id uuid REFERENCES validation_results (id) ON DELETE SET NULL,
    error_type           text NOT NULL CHECK (error_type IN (
                             'validation', 'compilation', 'runtime', 'network', 'database',
                             'authentication', 'authorization', 'timeout', 'resource',
                             'configuration', 'integration', 'deployment', 'unknown')),
    error_category       text NOT NULL DEFAULT 'application' CHECK (error_category IN (
                             'application', 'infrastructure', 'integration', 'security', 'data',
                             'user', 'other')),
    severity             text NOT NULL DEFAULT 'error' CHECK (severity IN (
                             'info', 'warning', 'error', 'critical')),
    error_code           text NOT NULL CHECK (char_length(error_code) BETWEEN 1 AND 100),
    message              text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 100000),
    message_hash         text GENERATED ALWAYS AS (md5(message)) STORED,
    details              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
    context              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(context) = 'object'),
    stack_trace          text,
    source_component     text CHECK (char_length(source_component) <= 100),
    source_file          text CHECK (char_length(source_file) <= 1000),
    source_line          integer CHECK (source_line > 0),
    request_id           text CHECK (char_length(request_id) <= 200),
    environment          text CHECK (char_length(environment) <= 50),
    service_name         text CHECK (char_length(service_name) <= 100),
    service_version      text CHECK (char_length(service_version) <= 50),
    resolved             boolean NOT NULL DEFAULT false,
    resolved_at          timestamptz,
    resolved_by          text CHECK (char_length(resolved_by) <= 255),
    resolution_notes     text,
    occurrence_count     integer NOT NULL DEFAULT 1 CHECK (occurrence_count >= 1),
    first_seen_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at         timestamptz NOT NULL DEFAULT now(),
    metadata             jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version              bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT error_logs_resolved_at_matches_resolved CHECK (resolved = (resolved_at IS NOT NULL)),
    CONSTRAINT error_logs_seen_order CHECK (last_seen_at >= first_seen_at)
);
CREATE TRIGGER error_logs_set_updated_at BEFORE UPDATE ON error_logs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER error_logs_bump_version BEFORE UPDATE ON error_logs
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- The ON CONFLICT arbiter (see above).
CREATE UNIQUE INDEX error_logs_open_fingerprint_key ON error_logs (task_id, error_code, message_hash)
    NULLS NOT DISTINCT WHERE resolved = false;
CREATE INDEX error_logs_created_at_id_idx ON error_logs (created_at, id);
CREATE INDEX error_logs_last_seen_at_id_idx ON error_logs (last_seen_at, id);
-- "open errors by severity, newest first"
CREATE INDEX error_logs_open_severity_idx ON error_logs (severity, last_seen_at DESC) WHERE resolved = false;
CREATE INDEX error_logs_type_category_idx ON error_logs (error_type, error_category, created_at);
CREATE INDEX error_logs_error_code_idx ON error_logs (error_code, created_at);
CREATE INDEX error_logs_task_id_created_at_idx ON error_logs (task_id, created_at) WHERE task_id IS NOT NULL;
CREATE INDEX error_logs_workflow_id_idx ON error_logs (workflow_id) WHERE workflow_id IS NOT NULL;
CREATE INDEX error_logs_workflow_stage_id_idx ON error_logs (workflow_stage_id) WHERE workflow_stage_id IS NOT NULL;
CREATE INDEX error_logs_deployment_script_id_idx ON error_logs (deployment_script_id)
    WHERE deployment_script_id IS NOT NULL;
CREATE INDEX error_logs_validation_result_id_idx ON error_logs (validation_result_id)
    WHERE validation_result_id IS NOT NULL;
CREATE INDEX error_logs_request_id_idx ON error_logs (request_id) WHERE request_id IS NOT NULL;
-- retention: cleanup_old_logs() deletes resolved errors by resolved_at
CREATE INDEX error_logs_resolved_at_idx ON error_logs (resolved_at) WHERE resolved;

-- migrate:down
DROP TABLE IF EXISTS error_logs;
DROP TABLE IF EXISTS validation_results;
