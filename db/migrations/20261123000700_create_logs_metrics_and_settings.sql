-- migrate:up
-- Structured application logs. Written in bulk (COPY / multi-row INSERT), so: an identity key that
-- appends to the right edge of its index, no triggers, no foreign keys (task_id / workflow_id /
-- integration_id are soft references: a log line outlives the row it mentions and costs no FK
-- lookup), and only the indexes the documented filters need. Retention: cleanup_old_logs().
CREATE TABLE logs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level          text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error', 'fatal')),
    message        text NOT NULL CHECK (char_length(message) <= 100000),
    source         text CHECK (char_length(source) <= 100),      -- e.g. 'origin', 'edge', 'worker'
    component      text CHECK (char_length(component) <= 100),   -- e.g. 'tasks.service'
    correlation_id text CHECK (char_length(correlation_id) <= 200),  -- X-Request-Id or trace id
    task_id        uuid,
    workflow_id    uuid,
    integration_id uuid,
    context        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(context) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- keyset pagination and time-range scans (newest first works backwards over the same index)
CREATE INDEX logs_created_at_id_idx ON logs (created_at, id);
CREATE INDEX logs_level_created_at_idx ON logs (level, created_at, id);
CREATE INDEX logs_source_component_created_at_idx ON logs (source, component, created_at);
CREATE INDEX logs_correlation_id_idx ON logs (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX logs_task_id_created_at_idx ON logs (task_id, created_at) WHERE task_id IS NOT NULL;
CREATE INDEX logs_workflow_id_created_at_idx ON logs (workflow_id, created_at) WHERE workflow_id IS NOT NULL;

-- Time series of measurements. Also append-only, no triggers.
CREATE TABLE system_metrics (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.:-]{0,199}$'),
    category           text NOT NULL DEFAULT 'performance' CHECK (category IN (
                           'database', 'api', 'task_processing', 'deployment', 'error_rate',
                           'performance', 'security', 'resource_usage', 'business')),
    value              double precision NOT NULL,
    unit               text CHECK (char_length(unit) <= 30),   -- 'ms', 'bytes', 'count', '%' …
    labels             jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(labels) = 'object'),
    aggregation_period text NOT NULL DEFAULT 'instant' CHECK (aggregation_period IN (
                           'instant', 'minute', 'hour', 'day')),
    recorded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX system_metrics_name_recorded_at_idx ON system_metrics (name, recorded_at);
CREATE INDEX system_metrics_recorded_at_id_idx ON system_metrics (recorded_at, id);
CREATE INDEX system_metrics_category_recorded_at_idx ON system_metrics (category, recorded_at);
CREATE INDEX system_metrics_labels_gin_idx ON system_metrics USING gin (labels jsonb_path_ops);

-- Runtime settings. Exactly one of value / encrypted_value is set: plain settings keep their JSON
-- value; sensitive ones (is_sensitive) keep only application-encrypted ciphertext. value_type
-- says what the decrypted value is and must match jsonb_typeof(value) for plain settings.
CREATE TABLE configuration_settings (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key             text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_.-]{0,199}$'),
    value           jsonb,
    value_type      text NOT NULL DEFAULT 'string' CHECK (value_type IN (
                        'string', 'number', 'boolean', 'object', 'array')),
    is_sensitive    boolean NOT NULL DEFAULT false,
    encrypted_value bytea,
    description     text,
    updated_by      text CHECK (char_length(updated_by) <= 255),
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT configuration_settings_key_key UNIQUE (key),
    CONSTRAINT configuration_settings_value_storage CHECK (
        CASE WHEN is_sensitive THEN value IS NULL AND encrypted_value IS NOT NULL
             ELSE value IS NOT NULL AND encrypted_value IS NULL END),
    CONSTRAINT configuration_settings_value_type_matches
        CHECK (value IS NULL OR jsonb_typeof(value) = value_type)
);
CREATE TRIGGER configuration_settings_set_updated_at BEFORE UPDATE ON configuration_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER configuration_settings_bump_version BEFORE UPDATE ON configuration_settings
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE INDEX configuration_settings_created_at_id_idx ON configuration_settings (created_at, id);

-- migrate:down
DROP TABLE IF EXISTS configuration_settings;
DROP TABLE IF EXISTS system_metrics;
DROP TABLE IF EXISTS logs;
