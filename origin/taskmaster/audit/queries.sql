-- Named statements for the audit and access trails (loaded by taskmaster.db.sql.load_queries).

-- fragment: audit_columns
-- The select list of an audit entry; its order is the field order of schemas.AuditEntry.
id, table_name, row_id, action, old_data, new_data, actor_key_id, request_id, created_at

-- fragment: access_columns
-- The select list of an access entry; its order is the field order of schemas.AccessEntry.
id, api_key_id, request_id, method, path, status_code, duration_ms, host(client_ip), user_agent,
created_at

-- name: see_every_key
-- api_access_logs has row-level security: a non-owner role sees only its own key's rows unless
-- app.is_admin is on. The routes need the admin scope, so the read sees every row.
SELECT set_config('app.is_admin', 'on', true);
