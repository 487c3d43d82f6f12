-- migrate:up
-- The login role the origin connects as: member of taskmaster_api (DML on application tables, no
-- DDL, subject to RLS), never superuser, never BYPASSRLS. It is created without a password: where
-- pg_hba.conf asks for one (any real deployment), ops set it once with
--   ALTER ROLE taskmaster_app PASSWORD '…';
-- Roles are cluster-global while this migration runs once per database, so the role is created
-- only if missing (tolerating a concurrent creator) and its membership is (re)granted every time:
-- rolling back the roles migration of some database may have dropped and recreated taskmaster_api.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'taskmaster_app') THEN
        BEGIN
            CREATE ROLE taskmaster_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by a migration of another database
        END;
    END IF;
END
$$;
GRANT taskmaster_api TO taskmaster_app;

-- migrate:down
-- taskmaster_app is cluster-global and may still serve other databases of the cluster, so a
-- rollback of one database leaves it in place (it owns nothing and holds no grants of its own);
-- drop it by hand once no database uses it: DROP ROLE taskmaster_app;
SELECT 1;
