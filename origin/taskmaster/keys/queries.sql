-- fragment: key_columns
-- The public view of a key, in ApiKey field order (status computed from the row and now()).
id, name, description, owner, key_prefix, scopes,
rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day, rate_limit_burst,
allowed_ips::text[], allowed_endpoints,
CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
     WHEN NOT is_active THEN 'inactive'
     WHEN expires_at <= now() OR grace_expires_at <= now() THEN 'expired'
     WHEN grace_expires_at IS NOT NULL THEN 'rotating'
     ELSE 'active' END,
expires_at, revoked_at, revoked_reason, grace_expires_at, rotated_from_id, created_by_key_id,
last_used_at, host(last_used_ip), usage_count, metadata, version, created_at, updated_at

-- fragment: verdict_columns
-- What authentication needs, in KeyRecord field order.
id, key_hash, scopes, allowed_ips::text[], allowed_endpoints, expires_at, grace_expires_at,
revoked_at, is_active, rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day,
rate_limit_burst, owner_user_id, allowed_projects

-- name: set_context
-- Transaction-local identity for RLS (app.current_key_id, app.is_admin) and the audit trigger.
SELECT set_config('app.current_key_id', %(key_id)s, true),
       set_config('app.is_admin', %(is_admin)s, true),
       set_config('app.request_id', %(request_id)s, true)

-- name: find_key_by_hash
-- Authentication lookup; SECURITY DEFINER because the key id is not known before the key is found.
SELECT {{verdict_columns}} FROM find_api_key_by_hash(%(key_hash)s)

-- name: insert_key
INSERT INTO api_keys (
    name, description, key_hash, key_prefix, owner, scopes,
    rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day, rate_limit_burst,
    allowed_ips, allowed_endpoints, expires_at, metadata, created_by_key_id
) VALUES (
    %(name)s, %(description)s, %(key_hash)s, %(key_prefix)s, %(owner)s, %(scopes)s,
    coalesce(%(rate_limit_per_minute)s, 60), coalesce(%(rate_limit_per_hour)s, 1000),
    coalesce(%(rate_limit_per_day)s, 10000), coalesce(%(rate_limit_burst)s, 20),
    %(allowed_ips)s::cidr[], %(allowed_endpoints)s, %(expires_at)s, %(metadata)s,
    %(created_by_key_id)s
) RETURNING {{key_columns}}

-- name: get_key
SELECT {{key_columns}} FROM api_keys WHERE id = %(id)s

-- name: lock_key
-- The key being rotated, locked so two rotations cannot both succeed.
SELECT revoked_at IS NOT NULL OR NOT is_active OR expires_at <= now()
       OR grace_expires_at <= now() AS dead,
       grace_expires_at IS NOT NULL AS rotated
FROM api_keys WHERE id = %(id)s FOR UPDATE

-- name: insert_rotated_key
-- The successor inherits name, description, owner, scopes, limits, allow-lists, expiry, metadata.
INSERT INTO api_keys (
    name, description, key_hash, key_prefix, owner, scopes,
    rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day, rate_limit_burst,
    allowed_ips, allowed_endpoints, expires_at, metadata, rotated_from_id, created_by_key_id
)
SELECT name, description, %(key_hash)s, %(key_prefix)s, owner, scopes,
       rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day, rate_limit_burst,
       allowed_ips, allowed_endpoints, expires_at, metadata, id, %(created_by_key_id)s
FROM api_keys WHERE id = %(id)s
RETURNING {{key_columns}}

-- name: start_grace
-- The rotated key keeps working until grace_expires_at; with no grace it is revoked at once.
UPDATE api_keys
SET grace_expires_at = now() + make_interval(secs => %(grace_seconds)s),
    revoked_at = CASE WHEN %(grace_seconds)s = 0 THEN now() END,
    revoked_reason = CASE WHEN %(grace_seconds)s = 0 THEN 'rotated' END
WHERE id = %(id)s

-- name: revoke_key
-- Idempotent: revoking a revoked key keeps the first revocation time and reason.
UPDATE api_keys
SET revoked_at = coalesce(revoked_at, now()),
    revoked_reason = CASE WHEN revoked_at IS NULL THEN %(reason)s ELSE revoked_reason END,
    is_active = false
WHERE id = %(id)s
RETURNING {{key_columns}}

-- name: record_usage
-- Batched usage bookkeeping (one statement per flush); touches no verdict column, so it neither
-- bumps the version nor notifies listeners nor writes audit rows.
UPDATE api_keys AS k
SET usage_count = k.usage_count + u.n,
    last_used_at = greatest(k.last_used_at, u.at),
    last_used_ip = coalesce(u.ip, k.last_used_ip)
FROM unnest(%(ids)s::uuid[], %(counts)s::bigint[], %(ats)s::timestamptz[], %(ips)s::inet[])
     AS u(id, n, at, ip)
WHERE k.id = u.id

-- name: insert_access_logs
-- Batched access log: one JSON array of entries (auth/recorder.py AccessEntry; created_at is Unix
-- time). Not COPY: COPY is not allowed under RLS for non-owners.
INSERT INTO api_access_logs (
    api_key_id, request_id, method, path, status_code, duration_ms, client_ip, user_agent, created_at
)
SELECT api_key_id, request_id, method, path, status_code, duration_ms, client_ip, user_agent,
       to_timestamp(created_at)
FROM json_to_recordset(%(entries)s::json) AS e(
    api_key_id uuid, request_id text, method text, path text, status_code smallint,
    duration_ms integer, client_ip inet, user_agent text, created_at float8
)

-- name: set_owner_context
-- A person managing their own keys (/api/v1/me/keys): RLS shows the keys they own, nothing else.
SELECT set_config('app.current_key_id', '', true),
       set_config('app.current_user_id', %(user_id)s, true),
       set_config('app.is_admin', 'off', true),
       set_config('app.request_id', %(request_id)s, true)

-- name: insert_owned_key
INSERT INTO api_keys (
    name, description, key_hash, key_prefix, owner, owner_user_id, scopes, expires_at
) VALUES (
    %(name)s, %(description)s, %(key_hash)s, %(key_prefix)s, %(owner)s, %(owner_user_id)s,
    %(scopes)s, %(expires_at)s
) RETURNING {{key_columns}}

-- name: list_owned_keys
-- Newest first; a person holds few keys, so one bounded page (no cursor).
SELECT {{key_columns}} FROM api_keys WHERE owner_user_id = %(owner_user_id)s
ORDER BY created_at DESC, id DESC LIMIT %(limit)s

-- name: revoke_owned_key
-- revoke_key for the key's owner: the filter says so too (RLS alone would not bind a table owner).
UPDATE api_keys
SET revoked_at = coalesce(revoked_at, now()),
    revoked_reason = CASE WHEN revoked_at IS NULL THEN %(reason)s ELSE revoked_reason END,
    is_active = false
WHERE id = %(id)s AND owner_user_id = %(owner_user_id)s
RETURNING {{key_columns}}
