-- migrate:up
-- Pull requests opened for tasks (the seeds' pr_tracking / pull_requests).
CREATE TABLE pull_requests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id      uuid REFERENCES projects (id) ON DELETE RESTRICT,
    task_id         uuid REFERENCES tasks (id) ON DELETE SET NULL,
    workflow_id     uuid REFERENCES workflows (id) ON DELETE SET NULL,
    repository      text NOT NULL CHECK (repository ~ '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'),  -- owner/name
    pr_number       integer NOT NULL CHECK (pr_number > 0),
    pr_url          text NOT NULL CHECK (pr_url ~ '^https?://'),
    title           text CHECK (char_length(title) <= 500),
    source_branch   text NOT NULL CHECK (char_length(source_branch) BETWEEN 1 AND 255),
    target_branch   text NOT NULL DEFAULT 'main' CHECK (char_length(target_branch) BETWEEN 1 AND 255),
    author          text CHECK (char_length(author) <= 255),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed', 'merged')),
    -- GitHub's mergeable_state vocabulary.
    merge_state     text NOT NULL DEFAULT 'unknown' CHECK (merge_state IN (
                        'unknown', 'clean', 'dirty', 'blocked', 'behind', 'unstable', 'has_hooks', 'draft')),
    review_status   text NOT NULL DEFAULT 'pending' CHECK (review_status IN (
                        'pending', 'approved', 'changes_requested', 'commented', 'dismissed')),
    ci_status       text NOT NULL DEFAULT 'pending' CHECK (ci_status IN (
                        'pending', 'running', 'success', 'failure', 'error', 'cancelled', 'skipped')),
    head_sha        text CHECK (head_sha ~ '^[0-9a-f]{7,64}$'),
    merge_commit_sha text CHECK (merge_commit_sha ~ '^[0-9a-f]{7,64}$'),
    additions       integer CHECK (additions >= 0),
    deletions       integer CHECK (deletions >= 0),
    changed_files   integer CHECK (changed_files >= 0),
    labels          text[] NOT NULL DEFAULT '{}',
    merged_at       timestamptz,
    merged_by       text CHECK (char_length(merged_by) <= 255),
    closed_at       timestamptz,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pull_requests_repository_number_key UNIQUE (repository, pr_number),
    CONSTRAINT pull_requests_merged_at_matches_status CHECK (merged_at IS NULL OR status = 'merged'),
    CONSTRAINT pull_requests_closed_at_matches_status CHECK (closed_at IS NULL OR status IN ('closed', 'merged'))
);
CREATE TRIGGER pull_requests_set_updated_at BEFORE UPDATE ON pull_requests
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER pull_requests_bump_version BEFORE UPDATE ON pull_requests
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX pull_requests_created_at_id_idx ON pull_requests (created_at, id);
CREATE INDEX pull_requests_status_created_at_id_idx ON pull_requests (status, created_at, id);
CREATE INDEX pull_requests_task_id_idx ON pull_requests (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX pull_requests_project_id_idx ON pull_requests (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX pull_requests_workflow_id_idx ON pull_requests (workflow_id) WHERE workflow_id IS NOT NULL;
-- webhook handlers look PRs up by branch
CREATE INDEX pull_requests_repository_branch_idx ON pull_requests (repository, source_branch);

-- Validation runs may belong to a PR (added here because pull_requests comes after validation_results).
ALTER TABLE validation_results
    ADD COLUMN pull_request_id uuid REFERENCES pull_requests (id) ON DELETE SET NULL;
CREATE INDEX validation_results_pull_request_id_idx ON validation_results (pull_request_id)
    WHERE pull_request_id IS NOT NULL;

-- Per-agent settings and health (Claude Code, Codegen, AgentAPI …). Secrets are encrypted by the
-- application and stored in encrypted_credentials; never in configuration.
CREATE TABLE agent_configurations (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    agent_type            text NOT NULL CHECK (agent_type IN (
                              'claude_code', 'codegen', 'agentapi', 'openai', 'custom')),
    description           text,
    model                 text CHECK (char_length(model) <= 200),
    configuration         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(configuration) = 'object'),
    encrypted_credentials bytea,
    capabilities          text[] NOT NULL DEFAULT '{}',
    max_concurrent_tasks  integer NOT NULL DEFAULT 1 CHECK (max_concurrent_tasks BETWEEN 1 AND 1000),
    timeout_seconds       integer NOT NULL DEFAULT 3600 CHECK (timeout_seconds BETWEEN 1 AND 86400),
    is_active             boolean NOT NULL DEFAULT true,
    health_status         text NOT NULL DEFAULT 'unknown' CHECK (health_status IN (
                              'unknown', 'healthy', 'degraded', 'unhealthy')),
    last_health_check_at  timestamptz,
    last_error            text,
    metadata              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_configurations_name_key UNIQUE (name)
);
CREATE TRIGGER agent_configurations_set_updated_at BEFORE UPDATE ON agent_configurations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER agent_configurations_bump_version BEFORE UPDATE ON agent_configurations
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX agent_configurations_created_at_id_idx ON agent_configurations (created_at, id);
CREATE INDEX agent_configurations_type_active_idx ON agent_configurations (agent_type, is_active);

-- External services (Linear, GitHub, AgentAPI, Claude Code …): configuration, health and usage.
CREATE TABLE integrations (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    type                  text NOT NULL CHECK (type IN (
                              'linear', 'github', 'agentapi', 'claude_code', 'codegen', 'cloudflare',
                              'slack', 'webhook', 'custom')),
    status                text NOT NULL DEFAULT 'inactive' CHECK (status IN (
                              'active', 'inactive', 'error', 'disabled')),
    health_status         text NOT NULL DEFAULT 'unknown' CHECK (health_status IN (
                              'unknown', 'healthy', 'degraded', 'unhealthy')),
    last_health_check_at  timestamptz,
    config                jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
    encrypted_credentials bytea,                     -- ciphertext written by the application
    rate_limit_config     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(rate_limit_config) = 'object'),
    usage_stats           jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(usage_stats) = 'object'),
    request_count         bigint NOT NULL DEFAULT 0 CHECK (request_count >= 0),
    error_count           bigint NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    last_error            text,
    last_error_at         timestamptz,
    last_used_at          timestamptz,
    metadata              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT integrations_name_key UNIQUE (name)
);
CREATE TRIGGER integrations_set_updated_at BEFORE UPDATE ON integrations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER integrations_bump_version BEFORE UPDATE ON integrations
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX integrations_created_at_id_idx ON integrations (created_at, id);
CREATE INDEX integrations_type_status_idx ON integrations (type, status);

-- Append-only record of calls to / events from an integration (no updated_at, no triggers).
CREATE TABLE integration_events (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    task_id        uuid REFERENCES tasks (id) ON DELETE SET NULL,
    event_type     text NOT NULL CHECK (event_type IN (
                       'request', 'response', 'error', 'health_check', 'webhook', 'sync', 'rate_limited')),
    direction      text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('inbound', 'outbound')),
    status         text NOT NULL DEFAULT 'success' CHECK (status IN ('success', 'failure', 'pending')),
    http_status    smallint CHECK (http_status BETWEEN 100 AND 599),
    duration_ms    integer CHECK (duration_ms >= 0),
    request_data   jsonb,
    response_data  jsonb,
    error_message  text,
    correlation_id text CHECK (char_length(correlation_id) <= 200),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integration_events_created_at_id_idx ON integration_events (created_at, id);
CREATE INDEX integration_events_integration_created_at_idx ON integration_events (integration_id, created_at);
CREATE INDEX integration_events_task_id_idx ON integration_events (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX integration_events_correlation_id_idx ON integration_events (correlation_id)
    WHERE correlation_id IS NOT NULL;

-- Prompt templates. `variables` declares the placeholders: a JSON array such as
-- [{"name": "task_title", "type": "string", "required": true, "default": null}, …].
CREATE TABLE templates (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    template_type text NOT NULL DEFAULT 'prompt' CHECK (template_type IN (
                      'prompt', 'task', 'code_generation', 'code_review', 'validation',
                      'deployment', 'documentation', 'workflow')),
    category      text CHECK (char_length(category) <= 100),
    description   text,
    content       text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 1000000),
    variables     jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(variables) = 'array'),
    tags          text[] NOT NULL DEFAULT '{}',
    is_active     boolean NOT NULL DEFAULT true,
    usage_count   bigint NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    success_rate  numeric(5, 4) CHECK (success_rate BETWEEN 0 AND 1),   -- NULL until first use
    last_used_at  timestamptz,
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT templates_name_key UNIQUE (name)
);
CREATE TRIGGER templates_set_updated_at BEFORE UPDATE ON templates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER templates_bump_version BEFORE UPDATE ON templates
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX templates_created_at_id_idx ON templates (created_at, id);
CREATE INDEX templates_type_category_idx ON templates (template_type, category) WHERE is_active;
CREATE INDEX templates_tags_gin_idx ON templates USING gin (tags);

-- Inbound webhooks, stored before processing. (provider, delivery_id) makes redeliveries idempotent:
-- INSERT … ON CONFLICT ON CONSTRAINT webhook_events_provider_delivery_key DO NOTHING.
-- A worker picks due rows with the status/next_retry_at index (FOR UPDATE SKIP LOCKED).
CREATE TABLE webhook_events (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider                text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,49}$'),  -- 'github', 'linear' …
    delivery_id             text NOT NULL CHECK (char_length(delivery_id) BETWEEN 1 AND 200),
    event_type              text NOT NULL CHECK (char_length(event_type) BETWEEN 1 AND 100),
    action                  text CHECK (char_length(action) <= 100),
    payload                 jsonb NOT NULL CHECK (jsonb_typeof(payload) IN ('object', 'array')),
    headers                 jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(headers) = 'object'),
    signature               text,
    signature_valid         boolean NOT NULL DEFAULT false,
    status                  text NOT NULL DEFAULT 'pending' CHECK (status IN (
                                'pending', 'processing', 'processed', 'failed', 'skipped', 'dead_letter')),
    processing_attempts     integer NOT NULL DEFAULT 0 CHECK (processing_attempts >= 0),
    max_processing_attempts integer NOT NULL DEFAULT 5 CHECK (max_processing_attempts BETWEEN 1 AND 100),
    next_retry_at           timestamptz,
    last_error              text,
    processed_at            timestamptz,
    task_id                 uuid REFERENCES tasks (id) ON DELETE SET NULL,
    pull_request_id         uuid REFERENCES pull_requests (id) ON DELETE SET NULL,
    metadata                jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    created_at              timestamptz NOT NULL DEFAULT now(),   -- = received at
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_events_provider_delivery_key UNIQUE (provider, delivery_id),
    CONSTRAINT webhook_events_processed_at_matches_status
        CHECK (processed_at IS NULL OR status IN ('processed', 'skipped', 'failed', 'dead_letter'))
);
CREATE TRIGGER webhook_events_set_updated_at BEFORE UPDATE ON webhook_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX webhook_events_created_at_id_idx ON webhook_events (created_at, id);
-- the processing queue: only rows still to do are indexed
CREATE INDEX webhook_events_due_idx ON webhook_events (next_retry_at NULLS FIRST, created_at)
    WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_events_provider_type_created_at_idx ON webhook_events (provider, event_type, created_at);
CREATE INDEX webhook_events_task_id_idx ON webhook_events (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX webhook_events_pull_request_id_idx ON webhook_events (pull_request_id) WHERE pull_request_id IS NOT NULL;
CREATE INDEX webhook_events_payload_gin_idx ON webhook_events USING gin (payload jsonb_path_ops);

-- migrate:down
DROP TABLE IF EXISTS webhook_events;
DROP TABLE IF EXISTS templates;
DROP TABLE IF EXISTS integration_events;
DROP TABLE IF EXISTS integrations;
DROP TABLE IF EXISTS agent_configurations;
DROP INDEX IF EXISTS validation_results_pull_request_id_idx;
ALTER TABLE validation_results DROP COLUMN IF EXISTS pull_request_id;
DROP TABLE IF EXISTS pull_requests;
