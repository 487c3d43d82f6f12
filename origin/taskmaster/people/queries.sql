-- Named statements for people: users, roles, memberships, sessions (taskmaster.people.service).

-- fragment: user_columns
-- The public view of a user, in schemas.User field order (never the password hash).
u.id, u.username, u.email, u.is_active, r.name, u.last_login_at, u.failed_login_count,
u.locked_until, u.metadata, u.version, u.created_at, u.updated_at

-- name: set_context
-- Transaction-local identity for RLS and the audit trigger (as keys/queries.sql set_context).
SELECT set_config('app.current_key_id', %(key_id)s, true),
       set_config('app.current_user_id', %(user_id)s, true),
       set_config('app.is_admin', %(is_admin)s, true),
       set_config('app.request_id', %(request_id)s, true)

-- name: find_login_by_email
-- Login look-up (case-insensitive). Not locked: the password check takes tens of milliseconds,
-- and the bookkeeping after it is one atomic UPDATE.
SELECT id, password_hash, is_active AND erased_at IS NULL, locked_until
FROM users WHERE lower(email) = lower(%(login)s);

-- name: find_login_by_username
SELECT id, password_hash, is_active AND erased_at IS NULL, locked_until
FROM users WHERE lower(username) = lower(%(login)s);

-- name: record_failure
-- One more failed login; the attempt that reaches the maximum locks the account.
UPDATE users SET
    failed_login_count = failed_login_count + 1,
    locked_until = CASE WHEN failed_login_count + 1 >= %(max_attempts)s
                        THEN now() + make_interval(secs => %(lockout_s)s) ELSE locked_until END
WHERE id = %(id)s
RETURNING locked_until;

-- name: record_success
UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = now(),
    password_hash = coalesce(%(rehash)s, password_hash)
WHERE id = %(id)s;

-- name: insert_session
INSERT INTO auth_sessions (user_id, method, client_ip, user_agent, expires_at)
VALUES (%(user_id)s, %(method)s, %(client_ip)s::inet, %(user_agent)s,
        now() + make_interval(secs => %(ttl_s)s))
RETURNING id;

-- name: insert_refresh_token
INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
SELECT id, %(token_hash)s, expires_at FROM auth_sessions WHERE id = %(session_id)s;

-- name: find_refresh_token
-- The token, its session and user, locked: two concurrent refreshes of one token see it spent once.
SELECT rt.id, rt.session_id, rt.used_at, rt.expires_at <= now(), s.user_id,
       s.revoked_at IS NOT NULL OR s.expires_at <= now(), u.is_active
FROM refresh_tokens rt
JOIN auth_sessions s ON s.id = rt.session_id
JOIN users u ON u.id = s.user_id
WHERE rt.token_hash = %(token_hash)s
FOR UPDATE OF rt, s;

-- name: spend_refresh_token
UPDATE refresh_tokens SET used_at = now() WHERE id = %(id)s;

-- name: revoke_session
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = %(reason)s
WHERE id = %(id)s AND revoked_at IS NULL;

-- name: revoke_user_sessions
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = %(reason)s
WHERE user_id = %(user_id)s AND revoked_at IS NULL;

-- name: principal
-- What authentication needs about a user (and, with a session id, whether the session is live):
-- active, the global role's permissions, [[project id, permissions], …] of the memberships.
SELECT u.is_active AND u.erased_at IS NULL,
       coalesce(gr.permissions, '{}'),
       (SELECT coalesce(json_agg(json_build_array(m.project_id, r.permissions)), '[]')
          FROM project_members m JOIN roles r ON r.id = m.role_id
         WHERE m.user_id = u.id),
       %(session_id)s::uuid IS NULL OR EXISTS (
           SELECT 1 FROM auth_sessions s
            WHERE s.id = %(session_id)s::uuid AND s.user_id = u.id
              AND s.revoked_at IS NULL AND s.expires_at > now())
FROM users u LEFT JOIN roles gr ON gr.id = u.global_role_id
WHERE u.id = %(user_id)s;

-- name: me
-- GET /me: the user, its global role and its memberships with role names.
SELECT {{user_columns}},
       (SELECT coalesce(json_agg(json_build_object(
                   'project_id', m.project_id, 'project_slug', p.slug, 'role', mr.name)
                   ORDER BY p.slug), '[]')
          FROM project_members m JOIN roles mr ON mr.id = m.role_id
          JOIN projects p ON p.id = m.project_id
         WHERE m.user_id = u.id)
FROM users u LEFT JOIN roles r ON r.id = u.global_role_id
WHERE u.id = %(id)s;

-- name: insert_user
INSERT INTO users (username, email, password_hash, global_role_id, metadata)
VALUES (%(username)s, %(email)s, %(password_hash)s,
        (SELECT id FROM roles WHERE name = %(role)s), %(metadata)s)
RETURNING id;

-- name: get_user
SELECT {{user_columns}} FROM users u LEFT JOIN roles r ON r.id = u.global_role_id
WHERE u.id = %(id)s;

-- name: find_user_by_email
SELECT id, is_active AND erased_at IS NULL FROM users WHERE lower(email) = lower(%(email)s);

-- name: list_users
SELECT {{user_columns}} FROM users u LEFT JOIN roles r ON r.id = u.global_role_id
ORDER BY u.created_at, u.id;

-- name: find_user_id
-- A user by id, username or email (the CLI's argument).
SELECT id FROM users
WHERE id::text = %(ref)s OR lower(username) = lower(%(ref)s) OR lower(email) = lower(%(ref)s)
LIMIT 1;

-- name: set_password
UPDATE users SET password_hash = %(password_hash)s, failed_login_count = 0, locked_until = NULL
WHERE id = %(id)s
RETURNING id;

-- name: unlock_user
UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = %(id)s RETURNING id;

-- name: set_active
UPDATE users SET is_active = %(active)s WHERE id = %(id)s RETURNING id;

-- name: set_global_role
UPDATE users SET global_role_id = (SELECT id FROM roles WHERE name = %(role)s)
WHERE id = %(id)s
RETURNING id;

-- name: role_exists
SELECT 1 FROM roles WHERE name = %(name)s;

-- name: list_roles
SELECT name, description, permissions, is_builtin FROM roles ORDER BY is_builtin DESC, name;

-- name: upsert_role
-- Custom roles only: a built-in role is never changed.
INSERT INTO roles (name, description, permissions) VALUES (%(name)s, %(description)s, %(permissions)s)
ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
                                 permissions = EXCLUDED.permissions
WHERE NOT roles.is_builtin
RETURNING name;

-- name: delete_role
DELETE FROM roles WHERE name = %(name)s AND NOT is_builtin RETURNING name;

-- name: add_member
INSERT INTO project_members (project_id, user_id, role_id)
SELECT p.id, %(user_id)s, r.id FROM projects p, roles r
WHERE (p.id::text = %(project)s OR p.slug = %(project)s) AND r.name = %(role)s
ON CONFLICT (project_id, user_id) DO UPDATE SET role_id = EXCLUDED.role_id
RETURNING project_id;

-- name: remove_member
DELETE FROM project_members m USING projects p
WHERE m.project_id = p.id AND m.user_id = %(user_id)s
  AND (p.id::text = %(project)s OR p.slug = %(project)s)
RETURNING m.project_id;

-- name: key_grants
-- Owner and project allow-list of a key the edge vouched for (SECURITY DEFINER: see migration).
SELECT owner_user_id, allowed_projects FROM find_api_key_grants(%(id)s);

-- name: export_user
-- GET /users/{id}/export: every row that references the user, one JSON document per line
-- (table, row), credentials left out (password hash, key and token hashes).
SELECT 'users' AS source, to_jsonb(u) - 'password_hash' FROM users u WHERE u.id = %(id)s
UNION ALL
SELECT 'project_members', to_jsonb(m) FROM project_members m WHERE m.user_id = %(id)s
UNION ALL
SELECT 'auth_sessions', to_jsonb(s) FROM auth_sessions s WHERE s.user_id = %(id)s
UNION ALL
SELECT 'refresh_tokens', to_jsonb(rt) - 'token_hash'
FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id WHERE s.user_id = %(id)s
UNION ALL
SELECT 'api_keys', to_jsonb(k) - 'key_hash' FROM api_keys k WHERE k.owner_user_id = %(id)s
UNION ALL
SELECT 'audit_logs', to_jsonb(a) FROM audit_logs a
WHERE a.actor_user_id = %(id)s OR (a.table_name = 'users' AND a.row_id = %(id)s::text);

-- name: erase_user
-- POST /users/{id}/erase (see the migration add_user_erasure); -1: no such user. A whole-database
-- rewrite may take longer than the pool's statement timeout.
SELECT set_config('statement_timeout', '0', true), erase_user(%(id)s, %(pseudonym)s);

-- name: record_erasure
-- The erasure's own audit row (the rewrite itself is not audited: history keeps its rows).
INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                        actor_user_id, request_id)
VALUES ('users', %(id)s::text, 'UPDATE', '{"erased": false}', %(event)s,
        NULLIF(%(key_id)s, '')::uuid, NULLIF(%(user_id)s, '')::uuid, NULLIF(%(request_id)s, ''));

-- name: record_export
-- An export is audited too (who read a person's data).
INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                        actor_user_id, request_id)
VALUES ('users', %(id)s::text, 'UPDATE', '{"exported": false}', '{"exported": true}',
        NULLIF(%(key_id)s, '')::uuid, NULLIF(%(user_id)s, '')::uuid, NULLIF(%(request_id)s, ''));
