-- migrate:up
-- People (docs/security.md, "Principals"): users, roles as sets of our scope strings, project
-- memberships, login sessions (refresh-token families) and their refresh tokens, stored hashed.
-- API keys gain an owner user (NULL: a service key) and an allow-list of projects (empty: none).

CREATE TABLE roles (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_-]{0,49}$'),
    description text CHECK (char_length(description) <= 2000),
    -- The same vocabulary as api_keys.scopes ('admin' holds every scope).
    permissions text[] NOT NULL CHECK (
                    array_position(permissions, NULL) IS NULL
                    AND permissions <@ ARRAY[
                        'tasks:read', 'tasks:write', 'workflows:read', 'workflows:write',
                        'deployments:read', 'deployments:write', 'logs:read', 'logs:write',
                        'metrics:read', 'keys:admin', 'admin']::text[]),
    is_builtin  boolean NOT NULL DEFAULT false,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT roles_name_key UNIQUE (name)
);
CREATE TRIGGER roles_set_updated_at BEFORE UPDATE ON roles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER roles_bump_version BEFORE UPDATE ON roles
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

-- The four roles of the source documents, in our scopes: validations and error logs are covered
-- by the tasks:* scopes (auth/scopes.py), so "validations:write, errors:read" become tasks:*.
INSERT INTO roles (name, description, permissions, is_builtin) VALUES
    ('admin', 'Everything, in every project', ARRAY['admin'], true),
    ('developer', 'Reads everything of a project; writes tasks, validations and errors',
     ARRAY['tasks:read', 'tasks:write', 'workflows:read', 'deployments:read', 'logs:read',
           'metrics:read'], true),
    ('viewer', 'Reads everything of a project, writes nothing',
     ARRAY['tasks:read', 'workflows:read', 'deployments:read', 'logs:read', 'metrics:read'], true),
    ('api_client', 'Automation acting on tasks and validations',
     ARRAY['tasks:read', 'tasks:write'], true);

CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- No '@' in a username: a login name with one is an email, without one a username.
    username           text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 100
                                            AND position('@' in username) = 0),
    email              text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 255 AND email LIKE '%_@_%'),
    -- argon2id, PHC string format; NULL: the user signs in through Cloudflare Access only.
    password_hash      text CHECK (password_hash LIKE '$argon2id$%'),
    -- A role applying to every project (and to resources with no project); NULL: only the roles
    -- of the user's project memberships.
    global_role_id     uuid REFERENCES roles (id) ON DELETE RESTRICT,
    is_active          boolean NOT NULL DEFAULT true,
    last_login_at      timestamptz,
    failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    locked_until       timestamptz,
    erased_at          timestamptz,
    metadata           jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    version            bigint NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Case-insensitive uniqueness (and the login look-up by either name).
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
CREATE INDEX users_global_role_id_idx ON users (global_role_id) WHERE global_role_id IS NOT NULL;
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER users_bump_version BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION bump_row_version();

CREATE TABLE project_members (
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id    uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_id_idx ON project_members (user_id);
CREATE INDEX project_members_role_id_idx ON project_members (role_id);

-- One login session = one refresh-token family. Access tokens carry its id (`sid`): revoking the
-- session (logout, reuse of a spent refresh token, deactivation) ends every token of the family.
CREATE TABLE auth_sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method         text NOT NULL CHECK (method IN ('password', 'access')),
    client_ip      inet,
    user_agent     text CHECK (char_length(user_agent) <= 1000),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text CHECK (char_length(revoked_reason) <= 200),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id, created_at);
CREATE INDEX auth_sessions_expires_at_idx ON auth_sessions (expires_at);

-- Refresh tokens: only their SHA-256 is stored. A token is spent once (used_at); presenting a
-- spent one again revokes its session (the whole family).
CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

ALTER TABLE api_keys
    ADD COLUMN owner_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN allowed_projects uuid[] NOT NULL DEFAULT '{}'
        CHECK (array_position(allowed_projects, NULL) IS NULL);
CREATE INDEX api_keys_owner_user_id_idx ON api_keys (owner_user_id) WHERE owner_user_id IS NOT NULL;

-- What tenancy needs about a key the edge vouched for (by id): under RLS the origin sees no key
-- row before it knows who is calling, hence SECURITY DEFINER (as find_api_key_by_hash).
CREATE FUNCTION find_api_key_grants(p_key_id uuid)
RETURNS TABLE (owner_user_id uuid, allowed_projects uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT owner_user_id, allowed_projects FROM api_keys WHERE id = p_key_id;
$$;
REVOKE EXECUTE ON FUNCTION find_api_key_grants(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION find_api_key_grants(uuid) TO taskmaster_api;

-- The audit trail names the acting user beside the acting key (app.current_user_id).
ALTER TABLE audit_logs ADD COLUMN actor_user_id uuid;  -- soft reference to users
CREATE INDEX audit_logs_actor_user_id_idx ON audit_logs (actor_user_id, created_at)
    WHERE actor_user_id IS NOT NULL;

CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                            actor_user_id, request_id)
    VALUES (TG_TABLE_NAME,
            coalesce(new_j, old_j) ->> 'id',
            TG_OP,
            old_j,
            new_j,
            NULLIF(current_setting('app.current_key_id', true), '')::uuid,
            NULLIF(current_setting('app.current_user_id', true), '')::uuid,
            NULLIF(current_setting('app.request_id', true), ''));
    RETURN NULL;
END;
$$;

-- Who-may-do-what changes are audited (never the password hash).
CREATE TRIGGER users_audit AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('password_hash');
-- Login bookkeeping (last login, failed attempts) is not a change of rights.
CREATE TRIGGER users_audit_update AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_login_at', 'failed_login_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_login_at', 'failed_login_count', 'updated_at', 'version']))
    EXECUTE FUNCTION audit_row_change('password_hash');
CREATE TRIGGER roles_audit AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER project_members_audit AFTER INSERT OR UPDATE OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- Every worker caches principals beside key verdicts (auth/cache.py); a change of a user, a role,
-- a membership or a session's revocation drops them all through the same channel ("people" is
-- not an "<id> <hash>" payload, so the whole cache goes).
CREATE FUNCTION notify_people_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('api_keys_changed', 'people');
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_notify_delete AFTER DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_people_change();
CREATE TRIGGER users_notify_update AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_login_at', 'failed_login_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_login_at', 'failed_login_count', 'updated_at', 'version']))
    EXECUTE FUNCTION notify_people_change();
CREATE TRIGGER roles_notify AFTER UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION notify_people_change();
CREATE TRIGGER project_members_notify AFTER INSERT OR UPDATE OR DELETE ON project_members
    FOR EACH STATEMENT EXECUTE FUNCTION notify_people_change();
CREATE TRIGGER auth_sessions_notify AFTER UPDATE OR DELETE ON auth_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_people_change();

-- migrate:down
DROP TRIGGER IF EXISTS auth_sessions_notify ON auth_sessions;
DROP TRIGGER IF EXISTS project_members_notify ON project_members;
DROP TRIGGER IF EXISTS roles_notify ON roles;
DROP TRIGGER IF EXISTS users_notify_update ON users;
DROP TRIGGER IF EXISTS users_notify_delete ON users;
DROP FUNCTION IF EXISTS notify_people_change();
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
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
DROP INDEX IF EXISTS audit_logs_actor_user_id_idx;
DROP FUNCTION IF EXISTS find_api_key_grants(uuid);
ALTER TABLE audit_logs DROP COLUMN IF EXISTS actor_user_id;
DROP INDEX IF EXISTS api_keys_owner_user_id_idx;
ALTER TABLE api_keys DROP COLUMN IF EXISTS allowed_projects, DROP COLUMN IF EXISTS owner_user_id;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS auth_sessions;
DROP TABLE IF EXISTS project_members;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS roles;
