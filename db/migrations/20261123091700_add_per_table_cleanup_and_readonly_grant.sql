-- migrate:up
-- Maintenance (`taskmaster maintenance run`): retention per table. cleanup_old_logs(integer) applies
-- one retention to every log-like table; this variant takes {"<table>": days, …} and cleans only
-- the tables named, each with its own cutoff (same predicates), plus every expired idempotency key.
-- Keys: logs, api_access_logs, error_logs (resolved, by resolved_at), system_metrics (by
-- recorded_at), integration_events, webhook_events (processed/skipped). Days must be >= 1.
CREATE FUNCTION cleanup_old_logs_by_table(retention jsonb)
RETURNS TABLE (table_name text, deleted_count bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    name   text;
    days   integer;
    cutoff timestamptz;
    n      bigint;
BEGIN
    IF retention IS NULL OR jsonb_typeof(retention) <> 'object' THEN
        RAISE EXCEPTION 'retention must be a JSON object of table name to days'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR name IN SELECT jsonb_object_keys(retention) LOOP
        IF name NOT IN ('logs', 'api_access_logs', 'error_logs', 'system_metrics',
                        'integration_events', 'webhook_events') THEN
            RAISE EXCEPTION 'no retention rule for table %', name
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        days := (retention ->> name)::integer;
        IF days IS NULL OR days < 1 THEN
            RAISE EXCEPTION 'retention of % must be a positive number of days, got %', name, days
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        cutoff := now() - make_interval(days => days);
        CASE name
            WHEN 'logs' THEN
                DELETE FROM logs WHERE created_at < cutoff;
            WHEN 'api_access_logs' THEN
                DELETE FROM api_access_logs WHERE created_at < cutoff;
            WHEN 'error_logs' THEN
                DELETE FROM error_logs WHERE resolved AND resolved_at < cutoff;
            WHEN 'system_metrics' THEN
                DELETE FROM system_metrics WHERE recorded_at < cutoff;
            WHEN 'integration_events' THEN
                DELETE FROM integration_events WHERE created_at < cutoff;
            WHEN 'webhook_events' THEN
                DELETE FROM webhook_events
                WHERE status IN ('processed', 'skipped') AND created_at < cutoff;
        END CASE;
        GET DIAGNOSTICS n = ROW_COUNT;
        table_name := name; deleted_count := n; RETURN NEXT;
    END LOOP;

    DELETE FROM idempotency_keys WHERE expires_at < now();
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'idempotency_keys'; deleted_count := n; RETURN NEXT;
END;
$$;

REVOKE EXECUTE ON FUNCTION cleanup_old_logs_by_table(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cleanup_old_logs_by_table(jsonb) TO taskmaster_api;

-- Admin read-only SQL (POST /api/v1/admin/query) runs `SET LOCAL ROLE taskmaster_readonly`: the
-- origin's login role must be a member. Role membership is cluster-global (like the roles).
GRANT taskmaster_readonly TO taskmaster_app;

-- migrate:down
-- The membership is cluster-global and may serve other databases of the cluster: kept (revoke by
-- hand with REVOKE taskmaster_readonly FROM taskmaster_app once no database uses it).
DROP FUNCTION IF EXISTS cleanup_old_logs_by_table(jsonb);
