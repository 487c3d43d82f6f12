-- migrate:up
-- The access log's request_id lookups are equality only (?request_id=, one request's rows); a
-- hash index serves them as the btree did, at a fraction of the btree's price per inserted row:
-- request ids are random, so every btree insert lands on a random leaf page of a large index
-- (a cache miss, and a full-page write of that page after each checkpoint), whereas a hash
-- index keeps 4-byte hash codes in far fewer pages.
DROP INDEX api_access_logs_request_id_idx;
CREATE INDEX api_access_logs_request_id_idx ON api_access_logs USING hash (request_id)
    WHERE request_id IS NOT NULL;

-- migrate:down
DROP INDEX api_access_logs_request_id_idx;
CREATE INDEX api_access_logs_request_id_idx ON api_access_logs (request_id)
    WHERE request_id IS NOT NULL;
