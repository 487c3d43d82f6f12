-- name: database_health
-- One round trip: the applied migration version proves the schema, now() proves the server.
SELECT (SELECT max(version) FROM schema_migrations) AS migration_version, now() AS server_time;
