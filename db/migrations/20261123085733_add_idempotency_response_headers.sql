-- migrate:up
-- A replayed response must carry the headers that make it the same response (Location, ETag, type).
-- response_status 0 marks a key whose first request is still running.
ALTER TABLE idempotency_keys
    ADD COLUMN response_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD CONSTRAINT idempotency_keys_status_range CHECK (response_status BETWEEN 0 AND 599);

-- migrate:down
ALTER TABLE idempotency_keys
    DROP CONSTRAINT idempotency_keys_status_range,
    DROP COLUMN response_headers;
