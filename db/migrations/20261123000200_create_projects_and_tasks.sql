-- migrate:up
CREATE TABLE projects (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    description text,
    repository_url text,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER projects_set_updated_at BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER projects_bump_version BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE tasks (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id          uuid REFERENCES projects (id) ON DELETE RESTRICT,
    parent_task_id      uuid REFERENCES tasks (id) ON DELETE CASCADE,
    title               text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
    description         text CHECK (char_length(description) <= 100000),
    type                text NOT NULL DEFAULT 'feature' CHECK (type IN (
                            'feature', 'bug', 'enhancement', 'refactor', 'documentation',
                            'test', 'research', 'deployment', 'maintenance', 'security', 'general')),
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN (
                            'pending', 'in_progress', 'blocked', 'review', 'completed',
                            'failed', 'cancelled', 'deferred')),
    priority            smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 10),
    complexity_score    smallint CHECK (complexity_score BETWEEN 1 AND 10),
    affected_files      text[] NOT NULL DEFAULT '{}',
    requirements        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(requirements) = 'array'),
    acceptance_criteria jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(acceptance_criteria) = 'array'),
    tags                text[] NOT NULL DEFAULT '{}',
    assigned_to         text CHECK (char_length(assigned_to) <= 255),
    estimated_hours     numeric(8, 2) CHECK (estimated_hours >= 0),
    actual_hours        numeric(8, 2) CHECK (actual_hours >= 0),
    linear_issue_id     text,
    github_pr_url       text,
    -- Lease held by an agent that claimed the task (task-graph claims).
    lease_owner         text,
    lease_expires_at    timestamptz,
    completed_at        timestamptz,
    metadata            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_not_own_parent CHECK (parent_task_id IS NULL OR parent_task_id <> id),
    CONSTRAINT tasks_completed_at_matches_status
        CHECK (completed_at IS NULL OR status IN ('completed', 'failed', 'cancelled'))
);
CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- completed_at follows status, whichever path changes it (API, claims, ad-hoc SQL); a finished
-- task holds no lease.
CREATE FUNCTION tasks_sync_completion() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed', 'cancelled') THEN
        NEW.completed_at := COALESCE(NEW.completed_at, now());
        NEW.lease_owner := NULL;
        NEW.lease_expires_at := NULL;
    ELSE
        NEW.completed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER tasks_sync_completion BEFORE INSERT OR UPDATE OF status, completed_at ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_sync_completion();

-- Keyset pagination: every sortable column is paired with id as the tie-breaker.
CREATE INDEX tasks_created_at_id_idx ON tasks (created_at, id);
CREATE INDEX tasks_updated_at_id_idx ON tasks (updated_at, id);
CREATE INDEX tasks_priority_id_idx ON tasks (priority, id);
CREATE INDEX tasks_status_priority_id_idx ON tasks (status, priority DESC, id);
CREATE INDEX tasks_status_created_at_id_idx ON tasks (status, created_at, id);
CREATE INDEX tasks_project_status_idx ON tasks (project_id, status);
CREATE INDEX tasks_parent_task_id_idx ON tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_assigned_to_status_idx ON tasks (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX tasks_tags_gin_idx ON tasks USING gin (tags);
CREATE INDEX tasks_metadata_gin_idx ON tasks USING gin (metadata jsonb_path_ops);
CREATE INDEX tasks_title_trgm_idx ON tasks USING gin (title gin_trgm_ops);

CREATE TABLE task_dependencies (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id            uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    depends_on_task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    dependency_type    text NOT NULL DEFAULT 'depends_on'
                           CHECK (dependency_type IN ('depends_on', 'blocks', 'related')),
    metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_dependencies_no_self_edge CHECK (task_id <> depends_on_task_id),
    CONSTRAINT task_dependencies_unique_edge UNIQUE (task_id, depends_on_task_id, dependency_type)
);
CREATE INDEX task_dependencies_depends_on_idx ON task_dependencies (depends_on_task_id);

CREATE TABLE task_contexts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id      uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    context_type text NOT NULL CHECK (context_type IN (
                     'requirement', 'codebase', 'ai_interaction', 'validation', 'workflow',
                     'status_change', 'completion', 'dependency_parent', 'dependency_child',
                     'error', 'performance', 'note')),
    context_data jsonb NOT NULL DEFAULT '{}'::jsonb,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER task_contexts_set_updated_at BEFORE UPDATE ON task_contexts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX task_contexts_task_id_type_idx ON task_contexts (task_id, context_type, created_at);
CREATE INDEX task_contexts_data_gin_idx ON task_contexts USING gin (context_data jsonb_path_ops);

-- Idempotency-Key replay store for POSTs (expires after 24 h; see cleanup).
CREATE TABLE idempotency_keys (
    scope           text NOT NULL,          -- caller identity (key id) or 'anonymous'
    idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    text NOT NULL,          -- sha256 of method, path and body
    response_status smallint NOT NULL,
    response_body   bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

-- migrate:down
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS task_contexts;
DROP TABLE IF EXISTS task_dependencies;
DROP TABLE IF EXISTS tasks;
DROP TABLE IF EXISTS projects;
DROP FUNCTION IF EXISTS tasks_sync_completion();
