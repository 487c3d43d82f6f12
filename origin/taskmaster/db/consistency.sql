-- name: mark_write
-- After a caller's write request: the primary's WAL insert position now is at or past the end of
-- that request's commit records. GREATEST: concurrent writes of one key never move it back.
INSERT INTO replica_write_marks AS m (key_id, lsn)
VALUES (%(key_id)s, pg_current_wal_insert_lsn())
ON CONFLICT (key_id) DO UPDATE
   SET lsn = GREATEST(m.lsn, excluded.lsn), written_at = now();

-- name: last_write
SELECT lsn::text FROM replica_write_marks WHERE key_id = %(key_id)s;

-- name: replica_status
-- On the replica: is it a standby, how far has it replayed, and how old is what it replays.
-- Nothing received and not replayed yet means it is caught up: lag 0, however idle the primary.
SELECT pg_is_in_recovery() AS in_recovery,
       pg_last_wal_replay_lsn()::text AS replay_lsn,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000, 0)
       END::float8 AS lag_ms,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused;
