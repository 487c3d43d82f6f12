-- migrate:up
-- Retention of the source documents' policy (issue 16): audit rows 90 days, resolved errors 30,
-- unresolved errors a year (settings AUDIT_RETENTION_DAYS, ERROR_RETENTION_DAYS,
-- UNRESOLVED_ERROR_RETENTION_DAYS). cleanup_old_logs_by_table gains two keys: audit_logs (by
-- created_at) and unresolved_error_logs (error_logs not resolved, by created_at).
CREATE OR REPLACE FUNCTION cleanup_old_logs_by_table(retention jsonb)
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
                        'integration_events', 'webhook_events', 'audit_logs',
                        'unresolved_error_logs') THEN
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
            WHEN 'unresolved_error_logs' THEN
                DELETE FROM error_logs WHERE NOT resolved AND created_at < cutoff;
            WHEN 'audit_logs' THEN
                DELETE FROM audit_logs WHERE created_at < cutoff;
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

-- migrate:down
CREATE OR REPLACE FUNCTION cleanup_old_logs_by_table(retention jsonb)
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
