-- Named statements of edge-signature replay protection (taskmaster.auth.nonces).

-- name: claim_edge_nonce
-- Record a nonce on its first use; returns a row only then (a replay returns none).
INSERT INTO edge_nonces (nonce, expires_at)
VALUES (%(nonce)s, to_timestamp(%(expires_at)s))
ON CONFLICT (nonce) DO NOTHING
RETURNING 1;
