-- name: events_after
-- The readable events after an id (below the xid watermark, docs/stream.md "Ids": a gap-free
-- prefix of the log), in id order, as the stream sends them: the filter fields and the
-- finished JSON of the event (encoded once, sent to every matching stream). Under the caller's
-- tenancy (row-level security) when read for a replay.
SELECT id, type, project_id::text,
       CASE resource_kind
           WHEN 'task' THEN ARRAY[resource_id::text]
           WHEN 'dependency' THEN ARRAY[payload #>> '{data,task_id}',
                                        payload #>> '{data,depends_on_task_id}']
           ELSE ARRAY[payload #>> '{data,task_id}']
       END AS task_ids,
       jsonb_build_object(
           'id', id, 'type', type, 'project_id', project_id,
           'resource', jsonb_build_object('kind', resource_kind, 'id', resource_id),
           'occurred_at', api_timestamp(created_at),
           'data', payload -> 'data', 'changes', payload -> 'changes')::text AS json
FROM event_log
WHERE id > %(after)s AND id < event_log_readable_before()
ORDER BY id
LIMIT %(limit)s;

-- name: position
-- "Now": every id up to this one is readable and no later event can appear at or below it;
-- and the highest id retention deleted.
SELECT event_log_readable_before() - 1, h.purged_through
FROM event_log_horizon h;

-- name: live_principals
-- Which of the streams' keys and login sessions may still be used (re-checked on heartbeat).
SELECT 'key', id::text FROM api_keys
WHERE id = ANY (%(keys)s::uuid[]) AND is_active AND revoked_at IS NULL
  AND coalesce(least(expires_at, grace_expires_at) > now(), true)
UNION ALL
SELECT 'session', s.id::text FROM auth_sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = ANY (%(sessions)s::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now()
  AND u.is_active AND u.erased_at IS NULL;
