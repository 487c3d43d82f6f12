-- migrate:up
-- API keys (design §4). The plain key (`ctm_…`) is shown once; only its SHA-256 (lower-case hex)
-- and a display prefix are stored. Empty allowed_ips / allowed_endpoints mean "no restriction".
-- Rotation: the new key's rotated_from_id points at the old key, whose grace_expires_at says until
-- when it is still accepted.
CREATE TABLE api_keys (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description           text CHECK (char_length(description) <= 2000),
    key_hash              text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    key_prefix            text NOT NULL CHECK (char_length(key_prefix) BETWEEN 4 AND 32),
    owner                 text NOT NULL CHECK (char_length(owner) BETWEEN 1 AND 255),
    scopes                text[] NOT NULL CHECK (
                              cardinality(scopes) >= 1
                              AND array_position(scopes, NULL) IS NULL
                              AND scopes <@ ARRAY[
                                  'tasks:read', 'tasks:write', 'workflows:read', 'workflows:write',
                                  'deployments:read', 'deployments:write', 'logs:read', 'logs:write',
                                  'metrics:read', 'keys:admin', 'admin']::text[]),
    rate_limit_per_minute integer NOT NULL DEFAULT 60 CHECK (rate_limit_per_minute > 0),
    rate_limit_per_hour   integer NOT NULL DEFAULT 1000 CHECK (rate_limit_per_hour > 0),
    rate_limit_per_day    integer NOT NULL DEFAULT 10000 CHECK (rate_limit_per_day > 0),
    rate_limit_burst      integer NOT NULL DEFAULT 20 CHECK (rate_limit_burst > 0),
    allowed_ips           cidr[] NOT NULL DEFAULT '{}' CHECK (array_position(allowed_ips, NULL) IS NULL),
    allowed_endpoints     text[] NOT NULL DEFAULT '{}' CHECK (array_position(allowed_endpoints, NULL) IS NULL),
    expires_at            timestamptz,
    revoked_at            timestamptz,
    revoked_reason        text CHECK (char_length(revoked_reason) <= 1000),
    last_used_at          timestamptz,
    last_used_ip          inet,
    usage_count           bigint NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    is_active             boolean NOT NULL DEFAULT true,
    rotated_from_id       uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    grace_expires_at      timestamptz,
    created_by_key_id     uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    metadata              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version               bigint NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_not_rotated_from_self CHECK (rotated_from_id IS NULL OR rotated_from_id <> id)
);
-- Recording a use (last_used_at, last_used_ip, usage_count) must not change the key's ETag or
-- updated_at, so these two triggers only fire when some other column changes.
CREATE TRIGGER api_keys_set_updated_at BEFORE UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version']))
    EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER api_keys_bump_version BEFORE UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version']))
    EXECUTE FUNCTION bump_row_version();
CREATE INDEX api_keys_created_at_id_idx ON api_keys (created_at, id);
CREATE INDEX api_keys_owner_idx ON api_keys (owner, created_at);
CREATE INDEX api_keys_key_prefix_idx ON api_keys (key_prefix);
CREATE INDEX api_keys_rotated_from_id_idx ON api_keys (rotated_from_id) WHERE rotated_from_id IS NOT NULL;
CREATE INDEX api_keys_created_by_key_id_idx ON api_keys (created_by_key_id) WHERE created_by_key_id IS NOT NULL;
CREATE INDEX api_keys_expires_at_idx ON api_keys (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

-- One row per API request, written in batches by the origin: identity key, no triggers, no FK
-- (api_key_id is a soft reference so history survives key deletion and costs no lookup).
CREATE TABLE api_access_logs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    api_key_id  uuid,                       -- NULL for unauthenticated requests
    request_id  text CHECK (char_length(request_id) <= 200),
    method      text NOT NULL CHECK (method IN ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')),
    path        text NOT NULL CHECK (char_length(path) <= 2048),
    status_code smallint NOT NULL CHECK (status_code BETWEEN 100 AND 599),
    duration_ms integer CHECK (duration_ms >= 0),
    client_ip   inet,
    user_agent  text CHECK (char_length(user_agent) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_access_logs_created_at_id_idx ON api_access_logs (created_at, id);
CREATE INDEX api_access_logs_api_key_id_created_at_idx ON api_access_logs (api_key_id, created_at, id);
CREATE INDEX api_access_logs_request_id_idx ON api_access_logs (request_id) WHERE request_id IS NOT NULL;

-- Row-change history. Written by audit_row_change() (attached below to the security-relevant
-- tables) or by the application. Rows are never updated.
CREATE TABLE audit_logs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name   text NOT NULL CHECK (char_length(table_name) BETWEEN 1 AND 63),
    row_id       text,
    action       text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
    old_data     jsonb,
    new_data     jsonb,
    actor_key_id uuid,                      -- soft reference to api_keys
    request_id   text CHECK (char_length(request_id) <= 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_data_matches_action CHECK (
        (action = 'INSERT' AND old_data IS NULL AND new_data IS NOT NULL)
        OR (action = 'UPDATE' AND old_data IS NOT NULL AND new_data IS NOT NULL)
        OR (action = 'DELETE' AND old_data IS NOT NULL AND new_data IS NULL))
);
CREATE INDEX audit_logs_created_at_id_idx ON audit_logs (created_at, id);
CREATE INDEX audit_logs_table_row_idx ON audit_logs (table_name, row_id, created_at);
CREATE INDEX audit_logs_actor_key_id_idx ON audit_logs (actor_key_id, created_at) WHERE actor_key_id IS NOT NULL;
CREATE INDEX audit_logs_request_id_idx ON audit_logs (request_id) WHERE request_id IS NOT NULL;

-- Generic AFTER trigger: records the change with the acting key and request id taken from the
-- transaction-local settings app.current_key_id / app.request_id (see the roles migration).
-- Trigger arguments name columns to leave out of old_data/new_data (secrets, hashes).
CREATE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - TG_ARGV;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - TG_ARGV;
    END IF;
    INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id, request_id)
    VALUES (TG_TABLE_NAME,
            coalesce(new_j, old_j) ->> 'id',
            TG_OP,
            old_j,
            new_j,
            NULLIF(current_setting('app.current_key_id', true), '')::uuid,
            NULLIF(current_setting('app.request_id', true), ''));
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_audit_insert_delete AFTER INSERT OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('key_hash');
CREATE TRIGGER api_keys_audit_update AFTER UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version']))
    EXECUTE FUNCTION audit_row_change('key_hash');
CREATE TRIGGER configuration_settings_audit AFTER INSERT OR UPDATE OR DELETE ON configuration_settings
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('encrypted_value');

-- migrate:down
DROP TRIGGER IF EXISTS configuration_settings_audit ON configuration_settings;
DROP TABLE IF EXISTS audit_logs;
DROP TABLE IF EXISTS api_access_logs;
DROP TABLE IF EXISTS api_keys;
DROP FUNCTION IF EXISTS audit_row_change();
