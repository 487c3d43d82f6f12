-- migrate:up
-- Replay protection of edge-signed calls (docs/edge-origin-contract.md): each signature carries a
-- nonce; the origin records it here on first use (INSERT … ON CONFLICT DO NOTHING) so every worker
-- of every origin process refuses a second use. A row is kept until its signature could no longer
-- pass the freshness check anyway (expires_at = timestamp + the 60 s window); maintenance deletes
-- expired rows. UNLOGGED: written on almost every edge-forwarded request, so it skips the WAL and
-- is not sent to replicas (which never check nonces). The cost: a crash restart of PostgreSQL
-- empties it, so a signature made in the 60 s before the crash could be used once more after it.
CREATE UNLOGGED TABLE edge_nonces (
    nonce      text PRIMARY KEY CHECK (nonce ~ '^[0-9a-f]{32}$'),
    expires_at timestamptz NOT NULL
);
CREATE INDEX edge_nonces_expires_at_idx ON edge_nonces (expires_at);
REVOKE ALL ON edge_nonces FROM taskmaster_readonly;

-- migrate:down
DROP TABLE IF EXISTS edge_nonces;
