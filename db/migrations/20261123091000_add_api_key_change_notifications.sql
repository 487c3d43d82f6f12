-- migrate:up
-- Every origin worker caches key verdicts in process and LISTENs on `api_keys_changed`; each row
-- change that can alter a verdict NOTIFYs "<id> <key_hash>" so the cached entry is dropped before
-- the next request (a revoked key fails on its very next request). Usage bookkeeping
-- (last_used_*, usage_count) cannot change a verdict and notifies nothing.
CREATE FUNCTION notify_api_key_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('api_keys_changed', OLD.id::text || ' ' || OLD.key_hash);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.key_hash IS DISTINCT FROM OLD.key_hash) THEN
        PERFORM pg_notify('api_keys_changed', NEW.id::text || ' ' || NEW.key_hash);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify_insert_delete AFTER INSERT OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION notify_api_key_change();
CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version'])
          IS DISTINCT FROM
          (to_jsonb(NEW) - ARRAY['last_used_at', 'last_used_ip', 'usage_count', 'updated_at', 'version']))
    EXECUTE FUNCTION notify_api_key_change();

-- migrate:down
DROP TRIGGER IF EXISTS api_keys_notify_update ON api_keys;
DROP TRIGGER IF EXISTS api_keys_notify_insert_delete ON api_keys;
DROP FUNCTION IF EXISTS notify_api_key_change();
