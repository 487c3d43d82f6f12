-- migrate:up
-- Read-your-writes with a read replica (origin/taskmaster/db/consistency.py): per caller (API key
-- id, '' for calls on no key's behalf), the primary's WAL insert position right after its last
-- write request. A read by that caller goes to the replica only once the replica has replayed
-- past it. Kept in the primary so every worker and every origin host sees it; UNLOGGED because a
-- mark is worthless after a crash (the replica is rebuilt or promoted) and needs no WAL of its own.
CREATE UNLOGGED TABLE replica_write_marks (
    key_id text PRIMARY KEY,
    lsn pg_lsn NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE replica_write_marks;
