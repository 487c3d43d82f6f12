-- Named statements for Idempotency-Key replay (see api/idempotency.py).

-- name: claim_key
-- Take the key for this request, or reclaim it if the old record expired; no row = someone has it.
INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, response_status, response_body)
VALUES (%(scope)s, %(key)s, %(request_hash)s, 0, '')
ON CONFLICT (scope, idempotency_key) DO UPDATE
    SET request_hash = EXCLUDED.request_hash, response_status = 0, response_body = '',
        response_headers = '{}', created_at = now(), expires_at = now() + interval '24 hours'
    WHERE idempotency_keys.expires_at <= now()
RETURNING true;

-- name: get_key
SELECT request_hash, response_status, response_body, response_headers
FROM idempotency_keys
WHERE scope = %(scope)s AND idempotency_key = %(key)s;

-- name: store_response
UPDATE idempotency_keys
SET response_status = %(status)s, response_body = %(body)s, response_headers = %(headers)s
WHERE scope = %(scope)s AND idempotency_key = %(key)s;

-- name: release_key
-- The first request failed on our side (5xx): let the client retry with the same key.
DELETE FROM idempotency_keys WHERE scope = %(scope)s AND idempotency_key = %(key)s;
