\restrict dbmate

-- Dumped from database version 18.6
-- Dumped by pg_dump version 18.6

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;


--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: api_timestamp(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.api_timestamp(value timestamp with time zone) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT to_char(
        value AT TIME ZONE 'UTC',
        CASE WHEN date_trunc('second', value) = value
            THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
            ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
        END
    )
$$;


--
-- Name: audit_row_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_row_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
    IF current_setting('app.erasing', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_j := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_j := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
    END IF;
    INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                            actor_user_id, request_id)
    VALUES (TG_TABLE_NAME,
            coalesce(new_j, old_j) ->> 'id',
            TG_OP,
            old_j,
            new_j,
            NULLIF(current_setting('app.current_key_id', true), '')::uuid,
            NULLIF(current_setting('app.current_user_id', true), '')::uuid,
            NULLIF(current_setting('app.request_id', true), ''));
    RETURN NULL;
END;
$$;


--
-- Name: bump_row_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bump_row_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;


--
-- Name: cleanup_old_logs(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cleanup_old_logs(retention_days integer) RETURNS TABLE(table_name text, deleted_count bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    cutoff timestamptz;
    n      bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < 1 THEN
        RAISE EXCEPTION 'retention_days must be a positive integer, got %', retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := now() - make_interval(days => retention_days);

    DELETE FROM logs WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM api_access_logs WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'api_access_logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM error_logs WHERE resolved AND resolved_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'error_logs'; deleted_count := n; RETURN NEXT;

    DELETE FROM system_metrics WHERE recorded_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'system_metrics'; deleted_count := n; RETURN NEXT;

    DELETE FROM integration_events WHERE created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'integration_events'; deleted_count := n; RETURN NEXT;

    DELETE FROM webhook_events
    WHERE status IN ('processed', 'skipped') AND created_at < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'webhook_events'; deleted_count := n; RETURN NEXT;

    DELETE FROM idempotency_keys WHERE expires_at < now();
    GET DIAGNOSTICS n = ROW_COUNT;
    table_name := 'idempotency_keys'; deleted_count := n; RETURN NEXT;
END;
$$;


--
-- Name: cleanup_old_logs_by_table(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cleanup_old_logs_by_table(retention jsonb) RETURNS TABLE(table_name text, deleted_count bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
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


--
-- Name: dispatch_event_log(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.dispatch_event_log(batch integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    before bigint := event_log_readable_before();  -- a later snapshot sees all below it
    after  bigint;
    seen   integer;
    top    bigint;
BEGIN
    SELECT last_id INTO after FROM outbound_event_cursor FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM event_subscriptions s WHERE s.active) THEN
        -- Nobody to deliver to: everything below the bound is dispatched (to no one).
        UPDATE outbound_event_cursor SET last_id = before - 1 WHERE last_id < before - 1;
        RETURN 0;
    END IF;
    WITH page AS (
        SELECT e.id, e.resource_kind, e.resource_id, e.payload, e.created_at,
               webhook_event_type(e.type, e.payload) AS event_type
        FROM event_log e
        WHERE e.id > after AND e.id < before
        ORDER BY e.id
        LIMIT batch
    ), wanted AS (
        -- Per aggregate in change order: the row's version, then the id. (Ids follow xids: a
        -- transaction that took its xid first but changed the row after a later-xid one, having
        -- waited for its row lock, has the lower id and the higher version.)
        SELECT p.*, row_number() OVER (
                   PARTITION BY p.resource_id
                   ORDER BY (p.payload #>> '{data,version}')::bigint, p.id) AS nth
        FROM page p
        WHERE p.event_type IS NOT NULL
          AND EXISTS (SELECT 1 FROM event_subscriptions s
                      WHERE s.active AND s.created_at <= p.created_at)
    ), ev AS (
        INSERT INTO outbound_events
            (event_type, aggregate_type, aggregate_id, sequence, payload, created_at)
        SELECT w.event_type, w.resource_kind, w.resource_id,
               coalesce((SELECT max(o.sequence) FROM outbound_events o
                         WHERE o.aggregate_id = w.resource_id), 0) + w.nth,
               w.payload -> 'data', w.created_at
        FROM wanted w
        RETURNING id, event_type, aggregate_id, sequence, created_at
    ), delivered AS (
        -- created_at: the event's time (lists sort by it), not the dispatch's
        INSERT INTO event_deliveries
            (subscription_id, event_id, event_type, aggregate_id, sequence, created_at)
        SELECT s.id, ev.id, ev.event_type, ev.aggregate_id, ev.sequence, ev.created_at
        FROM ev JOIN event_subscriptions s
          ON s.active AND s.created_at <= ev.created_at
         AND (cardinality(s.event_types) = 0 OR ev.event_type = ANY (s.event_types))
    )
    SELECT count(*), max(id) INTO seen, top FROM page;
    -- A short page read everything below the bound: the cursor moves up to it.
    UPDATE outbound_event_cursor
    SET last_id = CASE WHEN seen < batch THEN greatest(after, before - 1) ELSE top END
    WHERE last_id IS DISTINCT FROM CASE WHEN seen < batch THEN greatest(after, before - 1) ELSE top END;
    RETURN seen;
END;
$$;


--
-- Name: erase_user(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.erase_user(p_user_id uuid, p_pseudonym text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    names text[];
    pattern text;
    col record;
    changed integer;
    total integer := 0;
BEGIN
    SELECT ARRAY[username, email] INTO names FROM users WHERE id = p_user_id FOR UPDATE;
    IF names IS NULL THEN
        RETURN -1;
    END IF;
    -- Case-insensitive, every occurrence as a whole token (never inside a longer name or word:
    -- username "dev" leaves "developer" alone); the names are quoted for the regular expression.
    pattern := '(?<![[:alnum:]_.@+-])(' || array_to_string(ARRAY(
        SELECT regexp_replace(n, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g')
        FROM unnest(names) AS n ORDER BY length(n) DESC), '|') || ')(?![[:alnum:]_.@+-])';
    PERFORM set_config('app.erasing', 'on', true);
    DELETE FROM auth_sessions WHERE user_id = p_user_id;  -- refresh tokens cascade
    DELETE FROM api_keys WHERE owner_user_id = p_user_id;
    UPDATE users SET username = p_pseudonym, email = p_pseudonym || '@erased.invalid',
                     password_hash = NULL, is_active = false, metadata = '{}'::jsonb,
                     erased_at = now(), failed_login_count = 0, locked_until = NULL
    WHERE id = p_user_id;
    FOR col IN
        SELECT c.table_name, c.column_name, c.data_type
        FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'jsonb', 'character varying')
          AND c.is_generated = 'NEVER' AND c.table_name <> 'schema_migrations'
    LOOP
        IF col.data_type = 'jsonb' THEN
            EXECUTE format(
                'UPDATE %I SET %I = regexp_replace(%I::text, $1, $2, ''gi'')::jsonb '
                'WHERE %I::text ~* $1', col.table_name, col.column_name, col.column_name,
                col.column_name)
            USING pattern, p_pseudonym;
        ELSE
            EXECUTE format(
                'UPDATE %I SET %I = regexp_replace(%I, $1, $2, ''gi'') WHERE %I ~* $1',
                col.table_name, col.column_name, col.column_name, col.column_name)
            USING pattern, p_pseudonym;
        END IF;
        GET DIAGNOSTICS changed = ROW_COUNT;
        total := total + changed;
    END LOOP;
    PERFORM set_config('app.erasing', 'off', true);
    RETURN total;
END;
$_$;


--
-- Name: event_log_base(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_base() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT pg_current_xact_id()::text::bigint << 20;
$$;


--
-- Name: event_log_changed(jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_changed(old_row jsonb, new_row jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}')
    FROM jsonb_each(new_row) n
    WHERE n.value IS DISTINCT FROM old_row -> n.key
      AND n.key <> ALL (ARRAY['version', 'updated_at', 'total_subtasks', 'completed_subtasks',
                              'open_dependants', 'parent_active', 'prerequisite_open',
                              'dependent_open', 'progress_percent']);
$$;


--
-- Name: event_log_count(bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_count(done bigint, wrote bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF done + wrote > 1048576 THEN
        RAISE EXCEPTION 'more than 1048576 event-log events in one transaction'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = 'Split the change into several transactions (docs/stream.md, "Ids").';
    END IF;
    IF wrote > 0 THEN
        PERFORM set_config('taskmaster.event_log_n', (done + wrote)::text, true);
    END IF;
END;
$$;


--
-- Name: event_log_id(bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_id(base bigint, i bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN i < 1048576 THEN base | i ELSE -i END;
$$;


--
-- Name: event_log_numbered(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_numbered() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(nullif(current_setting('taskmaster.event_log_n', true), ''), '0')::bigint;
$$;


--
-- Name: event_log_project(text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_project(kind text, r jsonb) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT (r ->> 'project_id')::uuid;
$$;


--
-- Name: event_log_readable_before(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_readable_before() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20;
$$;


--
-- Name: event_log_record(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_record() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    kind  text := TG_ARGV[0];
    base  bigint := event_log_base();
    done  bigint := event_log_numbered();
    wrote bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.created',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM new_rows r) x;
    ELSE
        INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
        SELECT event_log_id(base, done + x.i), event_log_project(kind, x.r), kind || '.deleted',
               kind, (x.r ->> 'id')::uuid, jsonb_build_object('data', x.r, 'changes', '[]'::jsonb)
        FROM (SELECT to_jsonb(r) AS r, row_number() OVER () - 1 AS i FROM old_rows r) x;
    END IF;
    GET DIAGNOSTICS wrote = ROW_COUNT;
    PERFORM event_log_count(done, wrote);
    RETURN NULL;
END;
$$;


--
-- Name: event_log_update_type(text, jsonb, jsonb, text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_update_type(kind text, o jsonb, n jsonb, changed text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT kind || '.' || CASE
        WHEN 'status' = ANY (changed) AND n ->> 'status' IN ('completed', 'failed') THEN n ->> 'status'
        WHEN 'status' = ANY (changed) AND n ->> 'status' = 'running' THEN 'started'
        WHEN kind <> 'task' THEN 'updated'
        WHEN 'lease_owner' = ANY (changed) AND n ->> 'lease_owner' IS NULL THEN 'released'
        WHEN 'lease_owner' = ANY (changed) OR 'lease_token' = ANY (changed) THEN 'claimed'
        WHEN changed = ARRAY['lease_expires_at'] THEN 'lease_renewed'
        WHEN 'open_prerequisites' = ANY (changed) AND (n ->> 'open_prerequisites')::int = 0
             AND n ->> 'status' = 'pending' THEN 'ready'
        ELSE 'updated' END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    description text,
    key_hash text NOT NULL,
    key_prefix text NOT NULL,
    owner text NOT NULL,
    scopes text[] NOT NULL,
    rate_limit_per_minute integer DEFAULT 60 NOT NULL,
    rate_limit_per_hour integer DEFAULT 1000 NOT NULL,
    rate_limit_per_day integer DEFAULT 10000 NOT NULL,
    rate_limit_burst integer DEFAULT 20 NOT NULL,
    allowed_ips cidr[] DEFAULT '{}'::cidr[] NOT NULL,
    allowed_endpoints text[] DEFAULT '{}'::text[] NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_reason text,
    last_used_at timestamp with time zone,
    last_used_ip inet,
    usage_count bigint DEFAULT 0 NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    rotated_from_id uuid,
    grace_expires_at timestamp with time zone,
    created_by_key_id uuid,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    owner_user_id uuid,
    allowed_projects uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    CONSTRAINT api_keys_allowed_endpoints_check CHECK ((array_position(allowed_endpoints, NULL::text) IS NULL)),
    CONSTRAINT api_keys_allowed_ips_check CHECK ((array_position(allowed_ips, NULL::cidr) IS NULL)),
    CONSTRAINT api_keys_allowed_projects_check CHECK ((array_position(allowed_projects, NULL::uuid) IS NULL)),
    CONSTRAINT api_keys_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT api_keys_key_hash_check CHECK ((key_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT api_keys_key_prefix_check CHECK (((char_length(key_prefix) >= 4) AND (char_length(key_prefix) <= 32))),
    CONSTRAINT api_keys_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT api_keys_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT api_keys_not_rotated_from_self CHECK (((rotated_from_id IS NULL) OR (rotated_from_id <> id))),
    CONSTRAINT api_keys_owner_check CHECK (((char_length(owner) >= 1) AND (char_length(owner) <= 255))),
    CONSTRAINT api_keys_rate_limit_burst_check CHECK ((rate_limit_burst > 0)),
    CONSTRAINT api_keys_rate_limit_per_day_check CHECK ((rate_limit_per_day > 0)),
    CONSTRAINT api_keys_rate_limit_per_hour_check CHECK ((rate_limit_per_hour > 0)),
    CONSTRAINT api_keys_rate_limit_per_minute_check CHECK ((rate_limit_per_minute > 0)),
    CONSTRAINT api_keys_revoked_reason_check CHECK ((char_length(revoked_reason) <= 1000)),
    CONSTRAINT api_keys_scopes_check CHECK (((cardinality(scopes) >= 1) AND (array_position(scopes, NULL::text) IS NULL) AND (scopes <@ ARRAY['tasks:read'::text, 'tasks:write'::text, 'workflows:read'::text, 'workflows:write'::text, 'deployments:read'::text, 'deployments:write'::text, 'logs:read'::text, 'logs:write'::text, 'metrics:read'::text, 'keys:admin'::text, 'admin'::text]))),
    CONSTRAINT api_keys_usage_count_check CHECK ((usage_count >= 0))
);


--
-- Name: find_api_key_by_hash(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.find_api_key_by_hash(p_key_hash text) RETURNS SETOF public.api_keys
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT * FROM api_keys WHERE key_hash = p_key_hash;
$$;


--
-- Name: find_api_key_grants(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.find_api_key_grants(p_key_id uuid) RETURNS TABLE(owner_user_id uuid, allowed_projects uuid[])
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT owner_user_id, allowed_projects FROM api_keys WHERE id = p_key_id;
$$;


--
-- Name: log_row_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.log_row_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    kind    text := TG_ARGV[0];
    o       jsonb := to_jsonb(OLD);
    n       jsonb := to_jsonb(NEW);
    changed text[];
    done    bigint;
BEGIN
    -- The audit row, as audit_row_change() writes it (app.erasing: an erasure leaves none).
    IF TG_NARGS > 1 AND TG_ARGV[1] = 'audited'
       AND current_setting('app.erasing', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO audit_logs (table_name, row_id, action, old_data, new_data, actor_key_id,
                                actor_user_id, request_id)
        VALUES (TG_TABLE_NAME, n ->> 'id', 'UPDATE', o, n,
                NULLIF(current_setting('app.current_key_id', true), '')::uuid,
                NULLIF(current_setting('app.current_user_id', true), '')::uuid,
                -- A claim group's own request per leased task (graph/claim_groups.py), else the
                -- statement's.
                coalesce(NULLIF(current_setting('app.claim_requests', true), '')::jsonb
                         ->> (n ->> 'id'),
                         NULLIF(current_setting('app.request_id', true), '')));
    END IF;
    changed := event_log_changed(o, n);
    IF cardinality(changed) = 0 THEN
        RETURN NULL;  -- bookkeeping only (version, counters): no news
    END IF;
    done := event_log_numbered();
    INSERT INTO event_log (id, project_id, type, resource_kind, resource_id, payload)
    VALUES (event_log_id(event_log_base(), done), event_log_project(kind, n),
            event_log_update_type(kind, o, n, changed), kind, (n ->> 'id')::uuid,
            jsonb_build_object('data', n, 'changes', to_jsonb(changed)));
    PERFORM event_log_count(done, 1);
    RETURN NULL;
END;
$$;


--
-- Name: notify_api_key_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.notify_api_key_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: notify_people_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.notify_people_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('api_keys_changed', 'people');
    RETURN NULL;
END;
$$;


--
-- Name: purge_event_log(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.purge_event_log(days integer) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    top bigint;
    n   bigint;
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'event log retention must be a positive number of days, got %', days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH gone AS (
        DELETE FROM event_log WHERE created_at < now() - make_interval(days => days)
        RETURNING id
    )
    SELECT max(id), count(*) INTO top, n FROM gone;
    UPDATE event_log_horizon SET purged_through = greatest(purged_through, top)
    WHERE top IS NOT NULL;
    RETURN n;
END;
$$;


--
-- Name: recount_task_claim_order(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recount_task_claim_order() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    dependants bigint;
    parents bigint;
BEGIN
    UPDATE task_dependencies d SET dependent_open = x.open
    FROM (
        SELECT e.id, e.dependency_type <> 'related'
                     AND coalesce(task_status_unfinished(w.status), false) AS open
        FROM task_dependencies e
        LEFT JOIN tasks w
               ON w.id = task_dependency_dependent(e.dependency_type, e.task_id,
                                                   e.depends_on_task_id)
    ) x
    WHERE d.id = x.id AND d.dependent_open <> x.open;
    UPDATE tasks t SET open_dependants = x.n
    FROM (
        SELECT t2.id, count(d.id)::integer AS n
        FROM tasks t2
        LEFT JOIN task_dependencies d
               ON d.dependent_open
              AND task_dependency_prerequisite(d.dependency_type, d.task_id, d.depends_on_task_id)
                  = t2.id
        GROUP BY t2.id
    ) x
    WHERE t.id = x.id AND t.open_dependants <> x.n;
    GET DIAGNOSTICS dependants = ROW_COUNT;
    UPDATE tasks t SET parent_active = coalesce(p.status = 'in_progress', false)
    FROM tasks t2 LEFT JOIN tasks p ON p.id = t2.parent_task_id
    WHERE t.id = t2.id AND t.parent_active <> coalesce(p.status = 'in_progress', false);
    GET DIAGNOSTICS parents = ROW_COUNT;
    RETURN dependants + parents;
END;
$$;


--
-- Name: recount_task_prerequisites(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recount_task_prerequisites() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    corrected bigint;
BEGIN
    UPDATE task_dependencies d SET prerequisite_open = x.open
    FROM (
        SELECT e.id, coalesce(p.status <> 'completed', false) AS open
        FROM task_dependencies e
        LEFT JOIN tasks p
               ON p.id = task_dependency_prerequisite(e.dependency_type, e.task_id,
                                                      e.depends_on_task_id)
    ) x
    WHERE d.id = x.id AND d.prerequisite_open <> x.open;
    UPDATE tasks t SET open_prerequisites = x.n
    FROM (
        SELECT t2.id, count(d.id)::integer AS n
        FROM tasks t2
        LEFT JOIN task_dependencies d
               ON d.prerequisite_open
              AND task_dependency_dependent(d.dependency_type, d.task_id, d.depends_on_task_id)
                  = t2.id
        GROUP BY t2.id
    ) x
    WHERE t.id = x.id AND t.open_prerequisites <> x.n;
    GET DIAGNOSTICS corrected = ROW_COUNT;
    RETURN corrected;
END;
$$;


--
-- Name: refresh_materialized_views(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refresh_materialized_views() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY task_dependency_tree;
    REFRESH MATERIALIZED VIEW CONCURRENTLY task_performance_summary;
END;
$$;


--
-- Name: set_updated_at(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


--
-- Name: task_dependencies_count_dependants(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependencies_count_dependants() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.dependent_open THEN
        UPDATE tasks SET open_dependants = open_dependants - 1
        WHERE id = task_dependency_prerequisite(OLD.dependency_type, OLD.task_id,
                                                OLD.depends_on_task_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.dependent_open THEN
        UPDATE tasks SET open_dependants = open_dependants + 1
        WHERE id = task_dependency_prerequisite(NEW.dependency_type, NEW.task_id,
                                                NEW.depends_on_task_id);
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: task_dependencies_count_open(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependencies_count_open() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.prerequisite_open THEN
        UPDATE tasks SET open_prerequisites = open_prerequisites - 1
        WHERE id = task_dependency_dependent(OLD.dependency_type, OLD.task_id,
                                             OLD.depends_on_task_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.prerequisite_open THEN
        UPDATE tasks SET open_prerequisites = open_prerequisites + 1
        WHERE id = task_dependency_dependent(NEW.dependency_type, NEW.task_id,
                                             NEW.depends_on_task_id);
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: task_dependencies_mark_dependent_open(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependencies_mark_dependent_open() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    dependent_status text;
BEGIN
    IF NEW.dependency_type = 'related' THEN
        NEW.dependent_open := false;
        RETURN NEW;
    END IF;
    SELECT status INTO dependent_status FROM tasks
    WHERE id = task_dependency_dependent(NEW.dependency_type, NEW.task_id, NEW.depends_on_task_id)
    FOR SHARE;
    NEW.dependent_open := coalesce(task_status_unfinished(dependent_status), false);
    RETURN NEW;
END;
$$;


--
-- Name: task_dependencies_mark_open(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependencies_mark_open() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    prerequisite_status text;
BEGIN
    IF NEW.dependency_type = 'related' THEN
        NEW.prerequisite_open := false;
        RETURN NEW;
    END IF;
    SELECT status INTO prerequisite_status FROM tasks
    WHERE id = task_dependency_prerequisite(NEW.dependency_type, NEW.task_id,
                                            NEW.depends_on_task_id)
    FOR SHARE;
    NEW.prerequisite_open := coalesce(prerequisite_status <> 'completed', false);
    RETURN NEW;
END;
$$;


--
-- Name: task_dependencies_set_project(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependencies_set_project() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.project_id := (SELECT t.project_id FROM tasks t WHERE t.id = NEW.task_id);
    RETURN NEW;
END;
$$;


--
-- Name: task_dependency_dependent(text, uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependency_dependent(dependency_type text, task_id uuid, other_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE dependency_type WHEN 'depends_on' THEN task_id
                                WHEN 'blocks' THEN other_id END;
$$;


--
-- Name: task_dependency_prerequisite(text, uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_dependency_prerequisite(dependency_type text, task_id uuid, other_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE dependency_type WHEN 'depends_on' THEN other_id
                                WHEN 'blocks' THEN task_id END;
$$;


--
-- Name: task_status_unfinished(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.task_status_unfinished(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT status NOT IN ('completed', 'cancelled');
$$;


--
-- Name: tasks_count_subtasks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_count_subtasks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    old_parent uuid;
    new_parent uuid;
    old_done   integer := 0;
    new_done   integer := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_parent := OLD.parent_task_id;
        old_done := (OLD.status = 'completed')::integer;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_parent := NEW.parent_task_id;
        new_done := (NEW.status = 'completed')::integer;
    END IF;
    IF old_parent IS NOT DISTINCT FROM new_parent THEN
        IF new_parent IS NOT NULL AND old_done <> new_done THEN
            UPDATE tasks SET completed_subtasks = completed_subtasks + (new_done - old_done)
            WHERE id = new_parent;
        END IF;
        RETURN NULL;
    END IF;
    -- A move touches two parents: lock them in id order so that two opposite moves cannot
    -- deadlock. (A parent deleted in this statement, e.g. by ON DELETE CASCADE, matches no row.)
    IF old_parent IS NOT NULL AND (new_parent IS NULL OR old_parent < new_parent) THEN
        UPDATE tasks SET total_subtasks = total_subtasks - 1,
                         completed_subtasks = completed_subtasks - old_done
        WHERE id = old_parent;
        old_parent := NULL;
    END IF;
    IF new_parent IS NOT NULL THEN
        UPDATE tasks SET total_subtasks = total_subtasks + 1,
                         completed_subtasks = completed_subtasks + new_done
        WHERE id = new_parent;
    END IF;
    IF old_parent IS NOT NULL THEN
        UPDATE tasks SET total_subtasks = total_subtasks - 1,
                         completed_subtasks = completed_subtasks - old_done
        WHERE id = old_parent;
    END IF;
    RETURN NULL;
END;
$$;


--
-- Name: tasks_mark_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_mark_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;


--
-- Name: tasks_mark_parent_active(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_mark_parent_active() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.parent_active := coalesce(
        (SELECT p.status = 'in_progress' FROM tasks p WHERE p.id = NEW.parent_task_id FOR SHARE),
        false);
    RETURN NEW;
END;
$$;


--
-- Name: tasks_move_dependencies(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_move_dependencies() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE task_dependencies SET project_id = NEW.project_id WHERE task_id = NEW.id;
    RETURN NULL;
END;
$$;


--
-- Name: tasks_propagate_completion(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_propagate_completion() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    now_open boolean := NEW.status <> 'completed';
BEGIN
    WITH flipped AS (
        UPDATE task_dependencies d SET prerequisite_open = now_open
        WHERE ((d.depends_on_task_id = NEW.id AND d.dependency_type = 'depends_on')
               OR (d.task_id = NEW.id AND d.dependency_type = 'blocks'))
          AND d.prerequisite_open <> now_open
        RETURNING task_dependency_dependent(d.dependency_type, d.task_id, d.depends_on_task_id)
                  AS dependent
    ), counts AS (
        SELECT dependent, count(*)::integer AS n FROM flipped GROUP BY dependent
    ), locked AS (
        SELECT t.id FROM tasks t JOIN counts c ON c.dependent = t.id ORDER BY t.id FOR UPDATE OF t
    )
    UPDATE tasks t
    SET open_prerequisites = t.open_prerequisites + CASE WHEN now_open THEN c.n ELSE -c.n END
    FROM counts c
    WHERE t.id = c.dependent AND t.id IN (SELECT id FROM locked);
    RETURN NULL;
END;
$$;


--
-- Name: tasks_propagate_finished(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_propagate_finished() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    now_open boolean := task_status_unfinished(NEW.status);
BEGIN
    WITH flipped AS (
        UPDATE task_dependencies d SET dependent_open = now_open
        WHERE ((d.task_id = NEW.id AND d.dependency_type = 'depends_on')
               OR (d.depends_on_task_id = NEW.id AND d.dependency_type = 'blocks'))
          AND d.dependent_open <> now_open
        RETURNING task_dependency_prerequisite(d.dependency_type, d.task_id, d.depends_on_task_id)
                  AS prerequisite
    ), counts AS (
        SELECT prerequisite, count(*)::integer AS n FROM flipped GROUP BY prerequisite
    ), locked AS (
        SELECT t.id FROM tasks t JOIN counts c ON c.prerequisite = t.id ORDER BY t.id
        FOR UPDATE OF t
    )
    UPDATE tasks t
    SET open_dependants = t.open_dependants + CASE WHEN now_open THEN c.n ELSE -c.n END
    FROM counts c
    WHERE t.id = c.prerequisite AND t.id IN (SELECT id FROM locked);
    RETURN NULL;
END;
$$;


--
-- Name: tasks_propagate_parent_active(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_propagate_parent_active() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    active boolean := NEW.status = 'in_progress';
BEGIN
    UPDATE tasks SET parent_active = active
    WHERE id IN (SELECT c.id FROM tasks c WHERE c.parent_task_id = NEW.id
                 AND c.parent_active <> active ORDER BY c.id FOR UPDATE);
    RETURN NULL;
END;
$$;


--
-- Name: tasks_refuse_parent_cycle(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_refuse_parent_cycle() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    loop_path uuid[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('taskmaster:task_parent_tree'));
    WITH RECURSIVE chain (id, path) AS (
        SELECT NEW.parent_task_id, ARRAY[NEW.parent_task_id]
        UNION ALL
        SELECT t.parent_task_id, chain.path || t.parent_task_id
        FROM chain JOIN tasks t ON t.id = chain.id
        WHERE t.parent_task_id IS NOT NULL AND t.parent_task_id <> ALL (chain.path)
    )
    SELECT path INTO loop_path FROM chain WHERE id = NEW.id LIMIT 1;
    IF loop_path IS NOT NULL THEN
        RAISE EXCEPTION 'task % cannot move under its own descendant %', NEW.id, NEW.parent_task_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tasks_no_parent_cycle',
                  DETAIL = 'parent chain: ' || array_to_string(loop_path, ' -> ');
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: tasks_sync_completion(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tasks_sync_completion() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed', 'cancelled') THEN
        NEW.completed_at := COALESCE(NEW.completed_at, now());
        NEW.lease_owner := NULL;
        NEW.lease_expires_at := NULL;
    ELSE
        NEW.completed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: tenancy_all(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tenancy_all() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(current_setting('app.projects', true), '') = '*';
$$;


--
-- Name: tenancy_allows(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tenancy_allows(p_project_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE coalesce(current_setting('app.projects', true), '')
               WHEN '*' THEN true
               WHEN '' THEN false
               ELSE coalesce(p_project_id = ANY (current_setting('app.projects', true)::uuid[]), false)
           END;
$$;


--
-- Name: tenancy_check_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tenancy_check_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    allowed boolean;
BEGIN
    -- Never set: not the origin (which sets it on every connection it uses) but ops' own SQL or a
    -- migration, as the table owner. The application role is bound by RLS regardless.
    IF current_setting('app.projects', true) IS NULL THEN
        RETURN NEW;
    END IF;
    -- One statement per table shape: plpgsql resolves NEW.<column> only where it runs.
    IF TG_TABLE_NAME = 'projects' THEN
        allowed := tenancy_allows(NEW.id);
    ELSIF TG_TABLE_NAME IN ('tasks', 'workflows', 'deployments', 'pull_requests') THEN
        allowed := tenancy_allows(NEW.project_id);
    ELSIF TG_TABLE_NAME = 'task_dependencies' THEN
        allowed := tenancy_task_visible(NEW.task_id)
                   AND tenancy_task_visible(NEW.depends_on_task_id);
    ELSE  -- rows of a task: validation_results, error_logs, task_contexts
        allowed := tenancy_task_visible(NEW.task_id);
    END IF;
    IF NOT coalesce(allowed, false) THEN
        RAISE EXCEPTION 'the row belongs to a project that is not writable here'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: tenancy_task_visible(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.tenancy_task_visible(p_task_id uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT tenancy_all()
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = p_task_id AND tenancy_allows(t.project_id));
$$;


--
-- Name: webhook_event_type(text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.webhook_event_type(type text, payload jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN type IN ('task.created', 'task.updated', 'task.completed', 'task.failed',
                      'task.claimed', 'deployment.started', 'deployment.completed',
                      'deployment.failed') THEN type
        WHEN type = 'task.ready' THEN 'task.updated'
        WHEN type = 'task.released' AND EXISTS (
                SELECT 1 FROM jsonb_array_elements_text(payload -> 'changes') c(name)
                WHERE c.name NOT IN ('lease_owner', 'lease_expires_at', 'lease_token'))
            THEN 'task.updated'
        WHEN type = 'deployment.created' AND payload #>> '{data,status}' = 'running'
            THEN 'deployment.started'
        WHEN type = 'deployment.created' AND payload #>> '{data,status}' IN ('completed', 'failed')
            THEN 'deployment.' || (payload #>> '{data,status}')
    END;
$$;


--
-- Name: task_contexts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_contexts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid NOT NULL,
    context_type text NOT NULL,
    context_data jsonb DEFAULT '{}'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT task_contexts_context_type_check CHECK ((context_type = ANY (ARRAY['requirement'::text, 'codebase'::text, 'ai_interaction'::text, 'validation'::text, 'workflow'::text, 'status_change'::text, 'completion'::text, 'dependency_parent'::text, 'dependency_child'::text, 'error'::text, 'performance'::text, 'note'::text])))
);


--
-- Name: task_dependencies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_dependencies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid NOT NULL,
    depends_on_task_id uuid NOT NULL,
    dependency_type text DEFAULT 'depends_on'::text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    prerequisite_open boolean DEFAULT false NOT NULL,
    dependent_open boolean DEFAULT false NOT NULL,
    project_id uuid,
    CONSTRAINT task_dependencies_dependency_type_check CHECK ((dependency_type = ANY (ARRAY['depends_on'::text, 'blocks'::text, 'related'::text]))),
    CONSTRAINT task_dependencies_no_self_edge CHECK ((task_id <> depends_on_task_id))
);


--
-- Name: tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tasks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    parent_task_id uuid,
    title text NOT NULL,
    description text,
    type text DEFAULT 'feature'::text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    priority smallint DEFAULT 5 NOT NULL,
    complexity_score smallint,
    affected_files text[] DEFAULT '{}'::text[] NOT NULL,
    requirements jsonb DEFAULT '[]'::jsonb NOT NULL,
    acceptance_criteria jsonb DEFAULT '[]'::jsonb NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    assigned_to text,
    estimated_hours numeric(8,2),
    actual_hours numeric(8,2),
    linear_issue_id text,
    github_pr_url text,
    lease_owner text,
    lease_expires_at timestamp with time zone,
    completed_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    total_subtasks integer DEFAULT 0 NOT NULL,
    completed_subtasks integer DEFAULT 0 NOT NULL,
    open_prerequisites integer DEFAULT 0 NOT NULL,
    open_dependants integer DEFAULT 0 NOT NULL,
    parent_active boolean DEFAULT false NOT NULL,
    lease_token bigint DEFAULT 0 NOT NULL,
    CONSTRAINT tasks_acceptance_criteria_check CHECK ((jsonb_typeof(acceptance_criteria) = 'array'::text)),
    CONSTRAINT tasks_actual_hours_check CHECK ((actual_hours >= (0)::numeric)),
    CONSTRAINT tasks_assigned_to_check CHECK ((char_length(assigned_to) <= 255)),
    CONSTRAINT tasks_completed_at_matches_status CHECK (((completed_at IS NULL) OR (status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])))),
    CONSTRAINT tasks_completed_subtasks_check CHECK ((completed_subtasks >= 0)),
    CONSTRAINT tasks_completed_subtasks_le_total CHECK ((completed_subtasks <= total_subtasks)),
    CONSTRAINT tasks_complexity_score_check CHECK (((complexity_score >= 1) AND (complexity_score <= 10))),
    CONSTRAINT tasks_description_check CHECK ((char_length(description) <= 100000)),
    CONSTRAINT tasks_estimated_hours_check CHECK ((estimated_hours >= (0)::numeric)),
    CONSTRAINT tasks_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT tasks_not_own_parent CHECK (((parent_task_id IS NULL) OR (parent_task_id <> id))),
    CONSTRAINT tasks_open_dependants_check CHECK ((open_dependants >= 0)),
    CONSTRAINT tasks_open_prerequisites_check CHECK ((open_prerequisites >= 0)),
    CONSTRAINT tasks_priority_check CHECK (((priority >= 0) AND (priority <= 10))),
    CONSTRAINT tasks_requirements_check CHECK ((jsonb_typeof(requirements) = 'array'::text)),
    CONSTRAINT tasks_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'in_progress'::text, 'blocked'::text, 'review'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'deferred'::text]))),
    CONSTRAINT tasks_title_check CHECK (((char_length(title) >= 1) AND (char_length(title) <= 500))),
    CONSTRAINT tasks_total_subtasks_check CHECK ((total_subtasks >= 0)),
    CONSTRAINT tasks_type_check CHECK ((type = ANY (ARRAY['feature'::text, 'bug'::text, 'enhancement'::text, 'refactor'::text, 'documentation'::text, 'test'::text, 'research'::text, 'deployment'::text, 'maintenance'::text, 'security'::text, 'general'::text])))
)
WITH (autovacuum_vacuum_scale_factor='0.02', autovacuum_vacuum_threshold='1000');


--
-- Name: active_tasks; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.active_tasks AS
 SELECT id,
    project_id,
    parent_task_id,
    title,
    description,
    type,
    status,
    priority,
    complexity_score,
    affected_files,
    requirements,
    acceptance_criteria,
    tags,
    assigned_to,
    estimated_hours,
    actual_hours,
    linear_issue_id,
    github_pr_url,
    lease_owner,
    lease_expires_at,
    completed_at,
    metadata,
    version,
    created_at,
    updated_at,
    ( SELECT count(*) AS count
           FROM public.task_contexts tc
          WHERE (tc.task_id = t.id)) AS context_count,
    ( SELECT count(*) AS count
           FROM public.tasks c
          WHERE (c.parent_task_id = t.id)) AS subtask_count,
    ( SELECT count(*) AS count
           FROM public.task_dependencies d
          WHERE ((d.task_id = t.id) AND (d.dependency_type = 'depends_on'::text))) AS dependency_count,
    ( SELECT count(*) AS count
           FROM (public.task_dependencies d
             JOIN public.tasks dt ON ((dt.id = d.depends_on_task_id)))
          WHERE ((d.task_id = t.id) AND (d.dependency_type = 'depends_on'::text) AND (dt.status <> 'completed'::text))) AS open_dependency_count,
    ( SELECT count(*) AS count
           FROM public.task_dependencies d
          WHERE ((d.depends_on_task_id = t.id) AND (d.dependency_type = 'depends_on'::text))) AS dependent_count
   FROM public.tasks t
  WHERE (status = ANY (ARRAY['pending'::text, 'in_progress'::text, 'blocked'::text, 'review'::text]));


--
-- Name: agent_configurations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_configurations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    agent_type text NOT NULL,
    description text,
    model text,
    configuration jsonb DEFAULT '{}'::jsonb NOT NULL,
    encrypted_credentials bytea,
    capabilities text[] DEFAULT '{}'::text[] NOT NULL,
    max_concurrent_tasks integer DEFAULT 1 NOT NULL,
    timeout_seconds integer DEFAULT 3600 NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    health_status text DEFAULT 'unknown'::text NOT NULL,
    last_health_check_at timestamp with time zone,
    last_error text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_configurations_agent_type_check CHECK ((agent_type = ANY (ARRAY['claude_code'::text, 'codegen'::text, 'agentapi'::text, 'openai'::text, 'custom'::text]))),
    CONSTRAINT agent_configurations_configuration_check CHECK ((jsonb_typeof(configuration) = 'object'::text)),
    CONSTRAINT agent_configurations_health_status_check CHECK ((health_status = ANY (ARRAY['unknown'::text, 'healthy'::text, 'degraded'::text, 'unhealthy'::text]))),
    CONSTRAINT agent_configurations_max_concurrent_tasks_check CHECK (((max_concurrent_tasks >= 1) AND (max_concurrent_tasks <= 1000))),
    CONSTRAINT agent_configurations_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT agent_configurations_model_check CHECK ((char_length(model) <= 200)),
    CONSTRAINT agent_configurations_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT agent_configurations_timeout_seconds_check CHECK (((timeout_seconds >= 1) AND (timeout_seconds <= 86400)))
);


--
-- Name: api_access_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_access_logs (
    id bigint NOT NULL,
    api_key_id uuid,
    request_id text,
    method text NOT NULL,
    path text NOT NULL,
    status_code smallint NOT NULL,
    duration_ms integer,
    client_ip inet,
    user_agent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_access_logs_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT api_access_logs_method_check CHECK ((method = ANY (ARRAY['GET'::text, 'HEAD'::text, 'POST'::text, 'PUT'::text, 'PATCH'::text, 'DELETE'::text, 'OPTIONS'::text]))),
    CONSTRAINT api_access_logs_path_check CHECK ((char_length(path) <= 2048)),
    CONSTRAINT api_access_logs_request_id_check CHECK ((char_length(request_id) <= 200)),
    CONSTRAINT api_access_logs_status_code_check CHECK (((status_code >= 100) AND (status_code <= 599))),
    CONSTRAINT api_access_logs_user_agent_check CHECK ((char_length(user_agent) <= 1000))
);


--
-- Name: api_access_logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.api_access_logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.api_access_logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_logs (
    id bigint NOT NULL,
    table_name text NOT NULL,
    row_id text,
    action text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    actor_key_id uuid,
    request_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    actor_user_id uuid,
    CONSTRAINT audit_logs_action_check CHECK ((action = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))),
    CONSTRAINT audit_logs_data_matches_action CHECK ((((action = 'INSERT'::text) AND (old_data IS NULL) AND (new_data IS NOT NULL)) OR ((action = 'UPDATE'::text) AND (old_data IS NOT NULL) AND (new_data IS NOT NULL)) OR ((action = 'DELETE'::text) AND (old_data IS NOT NULL) AND (new_data IS NULL)))),
    CONSTRAINT audit_logs_request_id_check CHECK ((char_length(request_id) <= 200)),
    CONSTRAINT audit_logs_table_name_check CHECK (((char_length(table_name) >= 1) AND (char_length(table_name) <= 63)))
);


--
-- Name: audit_logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: auth_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auth_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    method text NOT NULL,
    client_ip inet,
    user_agent text,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT auth_sessions_method_check CHECK ((method = ANY (ARRAY['password'::text, 'access'::text]))),
    CONSTRAINT auth_sessions_revoked_reason_check CHECK ((char_length(revoked_reason) <= 200)),
    CONSTRAINT auth_sessions_user_agent_check CHECK ((char_length(user_agent) <= 1000))
);


--
-- Name: configuration_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.configuration_settings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    key text NOT NULL,
    value jsonb,
    value_type text DEFAULT 'string'::text NOT NULL,
    is_sensitive boolean DEFAULT false NOT NULL,
    encrypted_value bytea,
    description text,
    updated_by text,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT configuration_settings_key_check CHECK ((key ~ '^[a-z0-9][a-z0-9_.-]{0,199}$'::text)),
    CONSTRAINT configuration_settings_updated_by_check CHECK ((char_length(updated_by) <= 255)),
    CONSTRAINT configuration_settings_value_storage CHECK (
CASE
    WHEN is_sensitive THEN ((value IS NULL) AND (encrypted_value IS NOT NULL))
    ELSE ((value IS NOT NULL) AND (encrypted_value IS NULL))
END),
    CONSTRAINT configuration_settings_value_type_check CHECK ((value_type = ANY (ARRAY['string'::text, 'number'::text, 'boolean'::text, 'object'::text, 'array'::text]))),
    CONSTRAINT configuration_settings_value_type_matches CHECK (((value IS NULL) OR (jsonb_typeof(value) = value_type)))
);


--
-- Name: deployment_scripts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deployment_scripts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid,
    deployment_id uuid,
    script_name text NOT NULL,
    script_type text NOT NULL,
    script_content text NOT NULL,
    script_version text DEFAULT '1.0.0'::text NOT NULL,
    environment text DEFAULT 'development'::text NOT NULL,
    parameters jsonb DEFAULT '{}'::jsonb NOT NULL,
    execution_order integer DEFAULT 0 NOT NULL,
    timeout_seconds integer DEFAULT 300 NOT NULL,
    retry_count integer DEFAULT 0 NOT NULL,
    max_retries integer DEFAULT 3 NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    execution_duration_ms bigint,
    exit_code integer,
    stdout_log text,
    stderr_log text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT deployment_scripts_completed_after_started CHECK (((completed_at IS NULL) OR (started_at IS NULL) OR (completed_at >= started_at))),
    CONSTRAINT deployment_scripts_completed_at_matches_status CHECK (((completed_at IS NULL) OR (status = ANY (ARRAY['completed'::text, 'failed'::text, 'timed_out'::text, 'skipped'::text, 'cancelled'::text])))),
    CONSTRAINT deployment_scripts_environment_check CHECK ((environment = ANY (ARRAY['development'::text, 'test'::text, 'staging'::text, 'preview'::text, 'production'::text]))),
    CONSTRAINT deployment_scripts_execution_duration_ms_check CHECK ((execution_duration_ms >= 0)),
    CONSTRAINT deployment_scripts_execution_order_check CHECK ((execution_order >= 0)),
    CONSTRAINT deployment_scripts_has_owner CHECK (((task_id IS NOT NULL) OR (deployment_id IS NOT NULL))),
    CONSTRAINT deployment_scripts_max_retries_check CHECK (((max_retries >= 0) AND (max_retries <= 100))),
    CONSTRAINT deployment_scripts_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT deployment_scripts_parameters_check CHECK ((jsonb_typeof(parameters) = 'object'::text)),
    CONSTRAINT deployment_scripts_retries_within_max CHECK ((retry_count <= max_retries)),
    CONSTRAINT deployment_scripts_retry_count_check CHECK ((retry_count >= 0)),
    CONSTRAINT deployment_scripts_script_content_check CHECK ((char_length(script_content) <= 1000000)),
    CONSTRAINT deployment_scripts_script_name_check CHECK (((char_length(script_name) >= 1) AND (char_length(script_name) <= 255))),
    CONSTRAINT deployment_scripts_script_type_check CHECK ((script_type = ANY (ARRAY['build'::text, 'test'::text, 'deploy'::text, 'rollback'::text, 'migration'::text, 'validation'::text, 'cleanup'::text]))),
    CONSTRAINT deployment_scripts_script_version_check CHECK ((char_length(script_version) <= 50)),
    CONSTRAINT deployment_scripts_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'timed_out'::text, 'skipped'::text, 'cancelled'::text]))),
    CONSTRAINT deployment_scripts_timeout_seconds_check CHECK (((timeout_seconds >= 1) AND (timeout_seconds <= 86400)))
);


--
-- Name: deployments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deployments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    task_id uuid,
    workflow_id uuid,
    rollback_of_id uuid,
    environment text DEFAULT 'development'::text NOT NULL,
    deployment_type text DEFAULT 'full'::text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    source_branch text,
    target_branch text,
    commit_sha text,
    pr_number integer,
    deployment_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    health_checks jsonb DEFAULT '[]'::jsonb NOT NULL,
    deployed_by text,
    error_message text,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    duration_ms bigint,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT deployments_commit_sha_check CHECK ((commit_sha ~ '^[0-9a-f]{7,64}$'::text)),
    CONSTRAINT deployments_completed_after_started CHECK (((completed_at IS NULL) OR (started_at IS NULL) OR (completed_at >= started_at))),
    CONSTRAINT deployments_completed_at_matches_status CHECK (((completed_at IS NULL) OR (status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text, 'rolled_back'::text])))),
    CONSTRAINT deployments_deployed_by_check CHECK ((char_length(deployed_by) <= 255)),
    CONSTRAINT deployments_deployment_config_check CHECK ((jsonb_typeof(deployment_config) = 'object'::text)),
    CONSTRAINT deployments_deployment_type_check CHECK ((deployment_type = ANY (ARRAY['full'::text, 'incremental'::text, 'hotfix'::text, 'rollback'::text, 'canary'::text, 'blue_green'::text]))),
    CONSTRAINT deployments_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT deployments_environment_check CHECK ((environment = ANY (ARRAY['development'::text, 'test'::text, 'staging'::text, 'preview'::text, 'production'::text]))),
    CONSTRAINT deployments_health_checks_check CHECK ((jsonb_typeof(health_checks) = 'array'::text)),
    CONSTRAINT deployments_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT deployments_not_own_rollback CHECK (((rollback_of_id IS NULL) OR (rollback_of_id <> id))),
    CONSTRAINT deployments_pr_number_check CHECK ((pr_number > 0)),
    CONSTRAINT deployments_source_branch_check CHECK ((char_length(source_branch) <= 255)),
    CONSTRAINT deployments_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'rolled_back'::text]))),
    CONSTRAINT deployments_target_branch_check CHECK ((char_length(target_branch) <= 255))
);


--
-- Name: edge_nonces; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.edge_nonces (
    nonce text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT edge_nonces_nonce_check CHECK ((nonce ~ '^[0-9a-f]{32}$'::text))
);


--
-- Name: error_logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.error_logs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid,
    workflow_id uuid,
    workflow_stage_id uuid,
    deployment_script_id uuid,
    validation_result_id uuid,
    error_type text NOT NULL,
    error_category text DEFAULT 'application'::text NOT NULL,
    severity text DEFAULT 'error'::text NOT NULL,
    error_code text NOT NULL,
    message text NOT NULL,
    message_hash text GENERATED ALWAYS AS (md5(message)) STORED,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    stack_trace text,
    source_component text,
    source_file text,
    source_line integer,
    request_id text,
    environment text,
    service_name text,
    service_version text,
    resolved boolean DEFAULT false NOT NULL,
    resolved_at timestamp with time zone,
    resolved_by text,
    resolution_notes text,
    occurrence_count integer DEFAULT 1 NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT error_logs_context_check CHECK ((jsonb_typeof(context) = 'object'::text)),
    CONSTRAINT error_logs_details_check CHECK ((jsonb_typeof(details) = 'object'::text)),
    CONSTRAINT error_logs_environment_check CHECK ((char_length(environment) <= 50)),
    CONSTRAINT error_logs_error_category_check CHECK ((error_category = ANY (ARRAY['application'::text, 'infrastructure'::text, 'integration'::text, 'security'::text, 'data'::text, 'user'::text, 'other'::text]))),
    CONSTRAINT error_logs_error_code_check CHECK (((char_length(error_code) >= 1) AND (char_length(error_code) <= 100))),
    CONSTRAINT error_logs_error_type_check CHECK ((error_type = ANY (ARRAY['validation'::text, 'compilation'::text, 'runtime'::text, 'network'::text, 'database'::text, 'authentication'::text, 'authorization'::text, 'timeout'::text, 'resource'::text, 'configuration'::text, 'integration'::text, 'deployment'::text, 'unknown'::text]))),
    CONSTRAINT error_logs_message_check CHECK (((char_length(message) >= 1) AND (char_length(message) <= 100000))),
    CONSTRAINT error_logs_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT error_logs_occurrence_count_check CHECK ((occurrence_count >= 1)),
    CONSTRAINT error_logs_request_id_check CHECK ((char_length(request_id) <= 200)),
    CONSTRAINT error_logs_resolved_at_matches_resolved CHECK ((resolved = (resolved_at IS NOT NULL))),
    CONSTRAINT error_logs_resolved_by_check CHECK ((char_length(resolved_by) <= 255)),
    CONSTRAINT error_logs_seen_order CHECK ((last_seen_at >= first_seen_at)),
    CONSTRAINT error_logs_service_name_check CHECK ((char_length(service_name) <= 100)),
    CONSTRAINT error_logs_service_version_check CHECK ((char_length(service_version) <= 50)),
    CONSTRAINT error_logs_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'warning'::text, 'error'::text, 'critical'::text]))),
    CONSTRAINT error_logs_source_component_check CHECK ((char_length(source_component) <= 100)),
    CONSTRAINT error_logs_source_file_check CHECK ((char_length(source_file) <= 1000)),
    CONSTRAINT error_logs_source_line_check CHECK ((source_line > 0))
);


--
-- Name: event_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_deliveries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    subscription_id uuid NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    aggregate_id uuid NOT NULL,
    sequence bigint NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_status_code integer,
    last_error text,
    delivered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT event_deliveries_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT event_deliveries_delivered_at_matches_status CHECK (((delivered_at IS NULL) OR (status = 'delivered'::text))),
    CONSTRAINT event_deliveries_last_error_check CHECK ((char_length(last_error) <= 2000)),
    CONSTRAINT event_deliveries_last_status_code_check CHECK (((last_status_code >= 100) AND (last_status_code <= 599))),
    CONSTRAINT event_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivering'::text, 'delivered'::text, 'failed'::text, 'dead_letter'::text])))
);


--
-- Name: event_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_log (
    id bigint NOT NULL,
    project_id uuid,
    type text NOT NULL,
    resource_kind text NOT NULL,
    resource_id uuid NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT event_log_payload_check CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT event_log_resource_kind_check CHECK ((resource_kind = ANY (ARRAY['task'::text, 'dependency'::text, 'workflow'::text, 'deployment'::text]))),
    CONSTRAINT event_log_type_check CHECK ((type ~ '^[a-z_]+\.[a-z_]+$'::text))
);


--
-- Name: COLUMN event_log.id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.event_log.id IS 'the public id (SSE id:, Last-Event-ID): (xid << 20) | index in its transaction';


--
-- Name: event_log_horizon; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_log_horizon (
    only_row boolean DEFAULT true NOT NULL,
    purged_through bigint DEFAULT 0 NOT NULL,
    CONSTRAINT event_log_horizon_only_row_check CHECK (only_row)
);


--
-- Name: event_subscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_subscriptions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    url text NOT NULL,
    secret_encrypted bytea NOT NULL,
    secret_prefix text NOT NULL,
    event_types text[] DEFAULT '{}'::text[] NOT NULL,
    active boolean DEFAULT true NOT NULL,
    description text,
    created_by_key_id uuid,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT event_subscriptions_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT event_subscriptions_event_types_check CHECK ((event_types <@ ARRAY['task.created'::text, 'task.updated'::text, 'task.completed'::text, 'task.failed'::text, 'task.claimed'::text, 'deployment.started'::text, 'deployment.completed'::text, 'deployment.failed'::text])),
    CONSTRAINT event_subscriptions_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT event_subscriptions_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT event_subscriptions_secret_prefix_check CHECK (((char_length(secret_prefix) >= 4) AND (char_length(secret_prefix) <= 32))),
    CONSTRAINT event_subscriptions_url_check CHECK (((url ~ '^https?://'::text) AND (char_length(url) <= 2048)))
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    scope text NOT NULL,
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    response_status smallint NOT NULL,
    response_body bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '24:00:00'::interval) NOT NULL,
    response_headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT idempotency_keys_idempotency_key_check CHECK (((char_length(idempotency_key) >= 1) AND (char_length(idempotency_key) <= 255))),
    CONSTRAINT idempotency_keys_status_range CHECK (((response_status >= 0) AND (response_status <= 599)))
);


--
-- Name: integration_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.integration_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    integration_id uuid NOT NULL,
    task_id uuid,
    event_type text NOT NULL,
    direction text DEFAULT 'outbound'::text NOT NULL,
    status text DEFAULT 'success'::text NOT NULL,
    http_status smallint,
    duration_ms integer,
    request_data jsonb,
    response_data jsonb,
    error_message text,
    correlation_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT integration_events_correlation_id_check CHECK ((char_length(correlation_id) <= 200)),
    CONSTRAINT integration_events_direction_check CHECK ((direction = ANY (ARRAY['inbound'::text, 'outbound'::text]))),
    CONSTRAINT integration_events_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT integration_events_event_type_check CHECK ((event_type = ANY (ARRAY['request'::text, 'response'::text, 'error'::text, 'health_check'::text, 'webhook'::text, 'sync'::text, 'rate_limited'::text]))),
    CONSTRAINT integration_events_http_status_check CHECK (((http_status >= 100) AND (http_status <= 599))),
    CONSTRAINT integration_events_status_check CHECK ((status = ANY (ARRAY['success'::text, 'failure'::text, 'pending'::text])))
);


--
-- Name: integrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.integrations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    status text DEFAULT 'inactive'::text NOT NULL,
    health_status text DEFAULT 'unknown'::text NOT NULL,
    last_health_check_at timestamp with time zone,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    encrypted_credentials bytea,
    rate_limit_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    usage_stats jsonb DEFAULT '{}'::jsonb NOT NULL,
    request_count bigint DEFAULT 0 NOT NULL,
    error_count bigint DEFAULT 0 NOT NULL,
    last_error text,
    last_error_at timestamp with time zone,
    last_used_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT integrations_config_check CHECK ((jsonb_typeof(config) = 'object'::text)),
    CONSTRAINT integrations_error_count_check CHECK ((error_count >= 0)),
    CONSTRAINT integrations_health_status_check CHECK ((health_status = ANY (ARRAY['unknown'::text, 'healthy'::text, 'degraded'::text, 'unhealthy'::text]))),
    CONSTRAINT integrations_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT integrations_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT integrations_rate_limit_config_check CHECK ((jsonb_typeof(rate_limit_config) = 'object'::text)),
    CONSTRAINT integrations_request_count_check CHECK ((request_count >= 0)),
    CONSTRAINT integrations_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text, 'error'::text, 'disabled'::text]))),
    CONSTRAINT integrations_type_check CHECK ((type = ANY (ARRAY['linear'::text, 'github'::text, 'agentapi'::text, 'claude_code'::text, 'codegen'::text, 'cloudflare'::text, 'slack'::text, 'webhook'::text, 'custom'::text]))),
    CONSTRAINT integrations_usage_stats_check CHECK ((jsonb_typeof(usage_stats) = 'object'::text))
);


--
-- Name: logs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.logs (
    id bigint NOT NULL,
    level text NOT NULL,
    message text NOT NULL,
    source text,
    component text,
    correlation_id text,
    task_id uuid,
    workflow_id uuid,
    integration_id uuid,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT logs_component_check CHECK ((char_length(component) <= 100)),
    CONSTRAINT logs_context_check CHECK ((jsonb_typeof(context) = 'object'::text)),
    CONSTRAINT logs_correlation_id_check CHECK ((char_length(correlation_id) <= 200)),
    CONSTRAINT logs_level_check CHECK ((level = ANY (ARRAY['debug'::text, 'info'::text, 'warn'::text, 'error'::text, 'fatal'::text]))),
    CONSTRAINT logs_message_check CHECK ((char_length(message) <= 100000)),
    CONSTRAINT logs_source_check CHECK ((char_length(source) <= 100))
);


--
-- Name: logs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: outbound_event_cursor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbound_event_cursor (
    only_row boolean DEFAULT true NOT NULL,
    last_id bigint NOT NULL,
    CONSTRAINT outbound_event_cursor_only_row_check CHECK (only_row)
);


--
-- Name: outbound_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbound_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    event_type text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id uuid NOT NULL,
    sequence bigint NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT outbound_events_aggregate_type_check CHECK ((aggregate_type = ANY (ARRAY['task'::text, 'deployment'::text]))),
    CONSTRAINT outbound_events_event_type_check CHECK ((event_type = ANY (ARRAY['task.created'::text, 'task.updated'::text, 'task.completed'::text, 'task.failed'::text, 'task.claimed'::text, 'deployment.started'::text, 'deployment.completed'::text, 'deployment.failed'::text]))),
    CONSTRAINT outbound_events_payload_check CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT outbound_events_sequence_check CHECK ((sequence >= 1))
);


--
-- Name: project_members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.project_members (
    project_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: projects; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.projects (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    repository_url text,
    status text DEFAULT 'active'::text NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT projects_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT projects_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT projects_settings_check CHECK ((jsonb_typeof(settings) = 'object'::text)),
    CONSTRAINT projects_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text)),
    CONSTRAINT projects_status_check CHECK ((status = ANY (ARRAY['active'::text, 'archived'::text])))
);


--
-- Name: pull_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pull_requests (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    task_id uuid,
    workflow_id uuid,
    repository text NOT NULL,
    pr_number integer NOT NULL,
    pr_url text NOT NULL,
    title text,
    source_branch text NOT NULL,
    target_branch text DEFAULT 'main'::text NOT NULL,
    author text,
    status text DEFAULT 'open'::text NOT NULL,
    merge_state text DEFAULT 'unknown'::text NOT NULL,
    review_status text DEFAULT 'pending'::text NOT NULL,
    ci_status text DEFAULT 'pending'::text NOT NULL,
    head_sha text,
    merge_commit_sha text,
    additions integer,
    deletions integer,
    changed_files integer,
    labels text[] DEFAULT '{}'::text[] NOT NULL,
    merged_at timestamp with time zone,
    merged_by text,
    closed_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pull_requests_additions_check CHECK ((additions >= 0)),
    CONSTRAINT pull_requests_author_check CHECK ((char_length(author) <= 255)),
    CONSTRAINT pull_requests_changed_files_check CHECK ((changed_files >= 0)),
    CONSTRAINT pull_requests_ci_status_check CHECK ((ci_status = ANY (ARRAY['pending'::text, 'running'::text, 'success'::text, 'failure'::text, 'error'::text, 'cancelled'::text, 'skipped'::text]))),
    CONSTRAINT pull_requests_closed_at_matches_status CHECK (((closed_at IS NULL) OR (status = ANY (ARRAY['closed'::text, 'merged'::text])))),
    CONSTRAINT pull_requests_deletions_check CHECK ((deletions >= 0)),
    CONSTRAINT pull_requests_head_sha_check CHECK ((head_sha ~ '^[0-9a-f]{7,64}$'::text)),
    CONSTRAINT pull_requests_merge_commit_sha_check CHECK ((merge_commit_sha ~ '^[0-9a-f]{7,64}$'::text)),
    CONSTRAINT pull_requests_merge_state_check CHECK ((merge_state = ANY (ARRAY['unknown'::text, 'clean'::text, 'dirty'::text, 'blocked'::text, 'behind'::text, 'unstable'::text, 'has_hooks'::text, 'draft'::text]))),
    CONSTRAINT pull_requests_merged_at_matches_status CHECK (((merged_at IS NULL) OR (status = 'merged'::text))),
    CONSTRAINT pull_requests_merged_by_check CHECK ((char_length(merged_by) <= 255)),
    CONSTRAINT pull_requests_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT pull_requests_pr_number_check CHECK ((pr_number > 0)),
    CONSTRAINT pull_requests_pr_url_check CHECK ((pr_url ~ '^https?://'::text)),
    CONSTRAINT pull_requests_repository_check CHECK ((repository ~ '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'::text)),
    CONSTRAINT pull_requests_review_status_check CHECK ((review_status = ANY (ARRAY['pending'::text, 'approved'::text, 'changes_requested'::text, 'commented'::text, 'dismissed'::text]))),
    CONSTRAINT pull_requests_source_branch_check CHECK (((char_length(source_branch) >= 1) AND (char_length(source_branch) <= 255))),
    CONSTRAINT pull_requests_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'open'::text, 'closed'::text, 'merged'::text]))),
    CONSTRAINT pull_requests_target_branch_check CHECK (((char_length(target_branch) >= 1) AND (char_length(target_branch) <= 255))),
    CONSTRAINT pull_requests_title_check CHECK ((char_length(title) <= 500))
);


--
-- Name: refresh_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refresh_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    session_id uuid NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT refresh_tokens_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);


--
-- Name: replica_write_marks; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.replica_write_marks (
    key_id text NOT NULL,
    lsn pg_lsn NOT NULL,
    written_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: roles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.roles (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    description text,
    permissions text[] NOT NULL,
    is_builtin boolean DEFAULT false NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT roles_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT roles_name_check CHECK ((name ~ '^[a-z][a-z0-9_-]{0,49}$'::text)),
    CONSTRAINT roles_permissions_check CHECK (((array_position(permissions, NULL::text) IS NULL) AND (permissions <@ ARRAY['tasks:read'::text, 'tasks:write'::text, 'workflows:read'::text, 'workflows:write'::text, 'deployments:read'::text, 'deployments:write'::text, 'logs:read'::text, 'logs:write'::text, 'metrics:read'::text, 'keys:admin'::text, 'admin'::text])))
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: system_metrics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.system_metrics (
    id bigint NOT NULL,
    name text NOT NULL,
    category text DEFAULT 'performance'::text NOT NULL,
    value double precision NOT NULL,
    unit text,
    labels jsonb DEFAULT '{}'::jsonb NOT NULL,
    aggregation_period text DEFAULT 'instant'::text NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT system_metrics_aggregation_period_check CHECK ((aggregation_period = ANY (ARRAY['instant'::text, 'minute'::text, 'hour'::text, 'day'::text]))),
    CONSTRAINT system_metrics_category_check CHECK ((category = ANY (ARRAY['database'::text, 'api'::text, 'task_processing'::text, 'deployment'::text, 'error_rate'::text, 'performance'::text, 'security'::text, 'resource_usage'::text, 'business'::text]))),
    CONSTRAINT system_metrics_labels_check CHECK ((jsonb_typeof(labels) = 'object'::text)),
    CONSTRAINT system_metrics_name_check CHECK ((name ~ '^[A-Za-z_][A-Za-z0-9_.:-]{0,199}$'::text)),
    CONSTRAINT system_metrics_unit_check CHECK ((char_length(unit) <= 30))
);


--
-- Name: system_metrics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.system_metrics ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.system_metrics_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: task_dependency_tree; Type: MATERIALIZED VIEW; Schema: public; Owner: -
--

CREATE MATERIALIZED VIEW public.task_dependency_tree AS
 WITH RECURSIVE tree AS (
         SELECT t_1.id AS task_id,
            t_1.id AS root_task_id,
            0 AS depth,
            ARRAY[t_1.id] AS path
           FROM public.tasks t_1
          WHERE (NOT (EXISTS ( SELECT 1
                   FROM public.task_dependencies d
                  WHERE ((d.task_id = t_1.id) AND (d.dependency_type = 'depends_on'::text)))))
        UNION ALL
         SELECT d.task_id,
            tree_1.root_task_id,
            (tree_1.depth + 1),
            (tree_1.path || d.task_id)
           FROM (tree tree_1
             JOIN public.task_dependencies d ON (((d.depends_on_task_id = tree_1.task_id) AND (d.dependency_type = 'depends_on'::text))))
          WHERE (d.task_id <> ALL (tree_1.path))
        )
 SELECT tree.task_id,
    tree.root_task_id,
    tree.depth,
    tree.path,
    t.title,
    t.status,
    t.priority,
    t.project_id
   FROM (tree
     JOIN public.tasks t ON ((t.id = tree.task_id)))
  WITH NO DATA;


--
-- Name: task_performance_summary; Type: MATERIALIZED VIEW; Schema: public; Owner: -
--

CREATE MATERIALIZED VIEW public.task_performance_summary AS
 SELECT t.id AS task_id,
    t.project_id,
    t.title,
    t.type,
    t.status,
    t.complexity_score,
    t.estimated_hours,
    t.actual_hours,
        CASE
            WHEN ((t.estimated_hours > (0)::numeric) AND (t.actual_hours IS NOT NULL)) THEN round(((t.actual_hours / t.estimated_hours) * (100)::numeric), 2)
            ELSE NULL::numeric
        END AS estimate_accuracy_pct,
    COALESCE(e.error_count, (0)::bigint) AS error_count,
    COALESCE(e.open_error_count, (0)::bigint) AS open_error_count,
    COALESCE(e.error_occurrences, (0)::bigint) AS error_occurrences,
    COALESCE(s.script_count, (0)::bigint) AS deployment_script_count,
    COALESCE(s.succeeded_count, (0)::bigint) AS successful_script_count,
    COALESCE(s.failed_count, (0)::bigint) AS failed_script_count,
    s.avg_duration_ms AS avg_script_duration_ms,
    t.created_at,
    t.updated_at,
    t.completed_at,
    now() AS refreshed_at
   FROM ((public.tasks t
     LEFT JOIN ( SELECT error_logs.task_id,
            count(*) AS error_count,
            count(*) FILTER (WHERE (NOT error_logs.resolved)) AS open_error_count,
            sum(error_logs.occurrence_count) AS error_occurrences
           FROM public.error_logs
          WHERE (error_logs.task_id IS NOT NULL)
          GROUP BY error_logs.task_id) e ON ((e.task_id = t.id)))
     LEFT JOIN ( SELECT deployment_scripts.task_id,
            count(*) AS script_count,
            count(*) FILTER (WHERE (deployment_scripts.status = 'completed'::text)) AS succeeded_count,
            count(*) FILTER (WHERE (deployment_scripts.status = ANY (ARRAY['failed'::text, 'timed_out'::text]))) AS failed_count,
            round(avg(deployment_scripts.execution_duration_ms), 2) AS avg_duration_ms
           FROM public.deployment_scripts
          WHERE (deployment_scripts.task_id IS NOT NULL)
          GROUP BY deployment_scripts.task_id) s ON ((s.task_id = t.id)))
  WITH NO DATA;


--
-- Name: templates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.templates (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    template_type text DEFAULT 'prompt'::text NOT NULL,
    category text,
    description text,
    content text NOT NULL,
    variables jsonb DEFAULT '[]'::jsonb NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    usage_count bigint DEFAULT 0 NOT NULL,
    success_rate numeric(5,4),
    last_used_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT templates_category_check CHECK ((char_length(category) <= 100)),
    CONSTRAINT templates_content_check CHECK (((char_length(content) >= 1) AND (char_length(content) <= 1000000))),
    CONSTRAINT templates_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT templates_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT templates_success_rate_check CHECK (((success_rate >= (0)::numeric) AND (success_rate <= (1)::numeric))),
    CONSTRAINT templates_template_type_check CHECK ((template_type = ANY (ARRAY['prompt'::text, 'task'::text, 'code_generation'::text, 'code_review'::text, 'validation'::text, 'deployment'::text, 'documentation'::text, 'workflow'::text]))),
    CONSTRAINT templates_usage_count_check CHECK ((usage_count >= 0)),
    CONSTRAINT templates_variables_check CHECK ((jsonb_typeof(variables) = 'array'::text))
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    username text NOT NULL,
    email text NOT NULL,
    password_hash text,
    global_role_id uuid,
    is_active boolean DEFAULT true NOT NULL,
    last_login_at timestamp with time zone,
    failed_login_count integer DEFAULT 0 NOT NULL,
    locked_until timestamp with time zone,
    erased_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_check CHECK ((((char_length(email) >= 3) AND (char_length(email) <= 255)) AND (email ~~ '%_@_%'::text))),
    CONSTRAINT users_failed_login_count_check CHECK ((failed_login_count >= 0)),
    CONSTRAINT users_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~~ '$argon2id$%'::text)),
    CONSTRAINT users_username_check CHECK ((((char_length(username) >= 1) AND (char_length(username) <= 100)) AND (POSITION(('@'::text) IN (username)) = 0)))
);


--
-- Name: validation_results; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.validation_results (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid NOT NULL,
    workflow_stage_id uuid,
    validation_type text NOT NULL,
    validation_status text DEFAULT 'pending'::text NOT NULL,
    validation_score numeric(5,2),
    validation_data jsonb DEFAULT '{}'::jsonb NOT NULL,
    validator text,
    validator_version text,
    validation_environment jsonb DEFAULT '{}'::jsonb NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    execution_time_ms bigint,
    error_message text,
    error_details jsonb,
    retry_count integer DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    pull_request_id uuid,
    CONSTRAINT validation_results_completed_after_started CHECK (((completed_at IS NULL) OR (started_at IS NULL) OR (completed_at >= started_at))),
    CONSTRAINT validation_results_error_details_check CHECK (((error_details IS NULL) OR (jsonb_typeof(error_details) = 'object'::text))),
    CONSTRAINT validation_results_execution_time_ms_check CHECK ((execution_time_ms >= 0)),
    CONSTRAINT validation_results_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT validation_results_retry_count_check CHECK ((retry_count >= 0)),
    CONSTRAINT validation_results_validation_data_check CHECK ((jsonb_typeof(validation_data) = 'object'::text)),
    CONSTRAINT validation_results_validation_environment_check CHECK ((jsonb_typeof(validation_environment) = 'object'::text)),
    CONSTRAINT validation_results_validation_score_check CHECK (((validation_score >= (0)::numeric) AND (validation_score <= (100)::numeric))),
    CONSTRAINT validation_results_validation_status_check CHECK ((validation_status = ANY (ARRAY['pending'::text, 'running'::text, 'passed'::text, 'failed'::text, 'warning'::text, 'error'::text, 'skipped'::text]))),
    CONSTRAINT validation_results_validation_type_check CHECK ((validation_type = ANY (ARRAY['syntax'::text, 'security'::text, 'performance'::text, 'style'::text, 'testing'::text, 'integration'::text, 'deployment'::text, 'compliance'::text, 'documentation'::text]))),
    CONSTRAINT validation_results_validator_check CHECK ((char_length(validator) <= 100)),
    CONSTRAINT validation_results_validator_version_check CHECK ((char_length(validator_version) <= 50))
);


--
-- Name: webhook_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    provider text NOT NULL,
    delivery_id text NOT NULL,
    event_type text NOT NULL,
    action text,
    payload jsonb NOT NULL,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    signature text,
    signature_valid boolean DEFAULT false NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    processing_attempts integer DEFAULT 0 NOT NULL,
    max_processing_attempts integer DEFAULT 5 NOT NULL,
    next_retry_at timestamp with time zone,
    last_error text,
    processed_at timestamp with time zone,
    task_id uuid,
    pull_request_id uuid,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_events_action_check CHECK ((char_length(action) <= 100)),
    CONSTRAINT webhook_events_delivery_id_check CHECK (((char_length(delivery_id) >= 1) AND (char_length(delivery_id) <= 200))),
    CONSTRAINT webhook_events_event_type_check CHECK (((char_length(event_type) >= 1) AND (char_length(event_type) <= 100))),
    CONSTRAINT webhook_events_headers_check CHECK ((jsonb_typeof(headers) = 'object'::text)),
    CONSTRAINT webhook_events_max_processing_attempts_check CHECK (((max_processing_attempts >= 1) AND (max_processing_attempts <= 100))),
    CONSTRAINT webhook_events_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT webhook_events_payload_check CHECK ((jsonb_typeof(payload) = ANY (ARRAY['object'::text, 'array'::text]))),
    CONSTRAINT webhook_events_processed_at_matches_status CHECK (((processed_at IS NULL) OR (status = ANY (ARRAY['processed'::text, 'skipped'::text, 'failed'::text, 'dead_letter'::text])))),
    CONSTRAINT webhook_events_processing_attempts_check CHECK ((processing_attempts >= 0)),
    CONSTRAINT webhook_events_provider_check CHECK ((provider ~ '^[a-z0-9][a-z0-9_-]{0,49}$'::text)),
    CONSTRAINT webhook_events_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'processing'::text, 'processed'::text, 'failed'::text, 'skipped'::text, 'dead_letter'::text])))
);


--
-- Name: workflow_stages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflow_stages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workflow_id uuid NOT NULL,
    name text NOT NULL,
    stage_type text DEFAULT 'custom'::text NOT NULL,
    stage_order integer NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    result jsonb DEFAULT '{}'::jsonb NOT NULL,
    error_message text,
    retry_count integer DEFAULT 0 NOT NULL,
    max_retries integer DEFAULT 0 NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    duration_ms bigint,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT workflow_stages_completed_after_started CHECK (((completed_at IS NULL) OR (started_at IS NULL) OR (completed_at >= started_at))),
    CONSTRAINT workflow_stages_completed_at_matches_status CHECK (((completed_at IS NULL) OR (status = ANY (ARRAY['completed'::text, 'failed'::text, 'skipped'::text, 'cancelled'::text])))),
    CONSTRAINT workflow_stages_config_check CHECK ((jsonb_typeof(config) = 'object'::text)),
    CONSTRAINT workflow_stages_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT workflow_stages_max_retries_check CHECK (((max_retries >= 0) AND (max_retries <= 100))),
    CONSTRAINT workflow_stages_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT workflow_stages_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT workflow_stages_result_check CHECK ((jsonb_typeof(result) = 'object'::text)),
    CONSTRAINT workflow_stages_retry_count_check CHECK ((retry_count >= 0)),
    CONSTRAINT workflow_stages_stage_order_check CHECK ((stage_order >= 0)),
    CONSTRAINT workflow_stages_stage_type_check CHECK ((stage_type = ANY (ARRAY['analysis'::text, 'code_generation'::text, 'build'::text, 'test'::text, 'validation'::text, 'review'::text, 'deploy'::text, 'notification'::text, 'custom'::text]))),
    CONSTRAINT workflow_stages_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'skipped'::text, 'cancelled'::text])))
);


--
-- Name: workflow_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflow_tasks (
    workflow_id uuid NOT NULL,
    task_id uuid NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT workflow_tasks_position_check CHECK (("position" >= 0))
);


--
-- Name: workflows; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflows (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    task_id uuid,
    name text NOT NULL,
    description text,
    trigger_type text DEFAULT 'manual'::text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    current_stage text,
    total_stages integer DEFAULT 0 NOT NULL,
    completed_stages integer DEFAULT 0 NOT NULL,
    progress_percent numeric(5,2) GENERATED ALWAYS AS (
CASE
    WHEN (total_stages > 0) THEN round((((completed_stages)::numeric * 100.0) / (total_stages)::numeric), 2)
    ELSE (0)::numeric
END) STORED,
    pipeline_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    state jsonb DEFAULT '{}'::jsonb NOT NULL,
    error_message text,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    created_by text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT workflows_completed_after_started CHECK (((completed_at IS NULL) OR (started_at IS NULL) OR (completed_at >= started_at))),
    CONSTRAINT workflows_completed_at_matches_status CHECK (((completed_at IS NULL) OR (status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])))),
    CONSTRAINT workflows_completed_stages_check CHECK ((completed_stages >= 0)),
    CONSTRAINT workflows_completed_stages_le_total CHECK ((completed_stages <= total_stages)),
    CONSTRAINT workflows_created_by_check CHECK ((char_length(created_by) <= 255)),
    CONSTRAINT workflows_description_check CHECK ((char_length(description) <= 10000)),
    CONSTRAINT workflows_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT workflows_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 200))),
    CONSTRAINT workflows_pipeline_config_check CHECK ((jsonb_typeof(pipeline_config) = 'object'::text)),
    CONSTRAINT workflows_state_check CHECK ((jsonb_typeof(state) = 'object'::text)),
    CONSTRAINT workflows_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'paused'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT workflows_total_stages_check CHECK ((total_stages >= 0)),
    CONSTRAINT workflows_trigger_type_check CHECK ((trigger_type = ANY (ARRAY['manual'::text, 'task'::text, 'pull_request'::text, 'webhook'::text, 'schedule'::text, 'api'::text])))
);


--
-- Name: agent_configurations agent_configurations_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_configurations
    ADD CONSTRAINT agent_configurations_name_key UNIQUE (name);


--
-- Name: agent_configurations agent_configurations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_configurations
    ADD CONSTRAINT agent_configurations_pkey PRIMARY KEY (id);


--
-- Name: api_access_logs api_access_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_access_logs
    ADD CONSTRAINT api_access_logs_pkey PRIMARY KEY (id);


--
-- Name: api_keys api_keys_key_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: audit_logs audit_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_logs
    ADD CONSTRAINT audit_logs_pkey PRIMARY KEY (id);


--
-- Name: auth_sessions auth_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auth_sessions
    ADD CONSTRAINT auth_sessions_pkey PRIMARY KEY (id);


--
-- Name: configuration_settings configuration_settings_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.configuration_settings
    ADD CONSTRAINT configuration_settings_key_key UNIQUE (key);


--
-- Name: configuration_settings configuration_settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.configuration_settings
    ADD CONSTRAINT configuration_settings_pkey PRIMARY KEY (id);


--
-- Name: deployment_scripts deployment_scripts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployment_scripts
    ADD CONSTRAINT deployment_scripts_pkey PRIMARY KEY (id);


--
-- Name: deployments deployments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_pkey PRIMARY KEY (id);


--
-- Name: edge_nonces edge_nonces_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.edge_nonces
    ADD CONSTRAINT edge_nonces_pkey PRIMARY KEY (nonce);


--
-- Name: error_logs error_logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_pkey PRIMARY KEY (id);


--
-- Name: event_deliveries event_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_deliveries
    ADD CONSTRAINT event_deliveries_pkey PRIMARY KEY (id);


--
-- Name: event_deliveries event_deliveries_subscription_event_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_deliveries
    ADD CONSTRAINT event_deliveries_subscription_event_key UNIQUE (subscription_id, event_id);


--
-- Name: event_log_horizon event_log_horizon_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_log_horizon
    ADD CONSTRAINT event_log_horizon_pkey PRIMARY KEY (only_row);


--
-- Name: event_log event_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_log
    ADD CONSTRAINT event_log_pkey PRIMARY KEY (id);


--
-- Name: event_subscriptions event_subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_subscriptions
    ADD CONSTRAINT event_subscriptions_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, idempotency_key);


--
-- Name: integration_events integration_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.integration_events
    ADD CONSTRAINT integration_events_pkey PRIMARY KEY (id);


--
-- Name: integrations integrations_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.integrations
    ADD CONSTRAINT integrations_name_key UNIQUE (name);


--
-- Name: integrations integrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.integrations
    ADD CONSTRAINT integrations_pkey PRIMARY KEY (id);


--
-- Name: logs logs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logs
    ADD CONSTRAINT logs_pkey PRIMARY KEY (id);


--
-- Name: outbound_event_cursor outbound_event_cursor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbound_event_cursor
    ADD CONSTRAINT outbound_event_cursor_pkey PRIMARY KEY (only_row);


--
-- Name: outbound_events outbound_events_aggregate_sequence_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbound_events
    ADD CONSTRAINT outbound_events_aggregate_sequence_key UNIQUE (aggregate_id, sequence);


--
-- Name: outbound_events outbound_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbound_events
    ADD CONSTRAINT outbound_events_pkey PRIMARY KEY (id);


--
-- Name: project_members project_members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_pkey PRIMARY KEY (project_id, user_id);


--
-- Name: projects projects_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);


--
-- Name: projects projects_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_slug_key UNIQUE (slug);


--
-- Name: pull_requests pull_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pull_requests
    ADD CONSTRAINT pull_requests_pkey PRIMARY KEY (id);


--
-- Name: pull_requests pull_requests_repository_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pull_requests
    ADD CONSTRAINT pull_requests_repository_number_key UNIQUE (repository, pr_number);


--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);


--
-- Name: refresh_tokens refresh_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: replica_write_marks replica_write_marks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.replica_write_marks
    ADD CONSTRAINT replica_write_marks_pkey PRIMARY KEY (key_id);


--
-- Name: roles roles_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_name_key UNIQUE (name);


--
-- Name: roles roles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: system_metrics system_metrics_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.system_metrics
    ADD CONSTRAINT system_metrics_pkey PRIMARY KEY (id);


--
-- Name: task_contexts task_contexts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_contexts
    ADD CONSTRAINT task_contexts_pkey PRIMARY KEY (id);


--
-- Name: task_dependencies task_dependencies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_pkey PRIMARY KEY (id);


--
-- Name: task_dependencies task_dependencies_unique_edge; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_unique_edge UNIQUE (task_id, depends_on_task_id, dependency_type);


--
-- Name: tasks tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);


--
-- Name: templates templates_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.templates
    ADD CONSTRAINT templates_name_key UNIQUE (name);


--
-- Name: templates templates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.templates
    ADD CONSTRAINT templates_pkey PRIMARY KEY (id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: validation_results validation_results_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_results
    ADD CONSTRAINT validation_results_pkey PRIMARY KEY (id);


--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id);


--
-- Name: webhook_events webhook_events_provider_delivery_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_provider_delivery_key UNIQUE (provider, delivery_id);


--
-- Name: workflow_stages workflow_stages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_stages
    ADD CONSTRAINT workflow_stages_pkey PRIMARY KEY (id);


--
-- Name: workflow_stages workflow_stages_workflow_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_stages
    ADD CONSTRAINT workflow_stages_workflow_name_key UNIQUE (workflow_id, name);


--
-- Name: workflow_stages workflow_stages_workflow_order_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_stages
    ADD CONSTRAINT workflow_stages_workflow_order_key UNIQUE (workflow_id, stage_order);


--
-- Name: workflow_tasks workflow_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_tasks
    ADD CONSTRAINT workflow_tasks_pkey PRIMARY KEY (workflow_id, task_id);


--
-- Name: workflows workflows_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflows
    ADD CONSTRAINT workflows_pkey PRIMARY KEY (id);


--
-- Name: agent_configurations_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_configurations_created_at_id_idx ON public.agent_configurations USING btree (created_at, id);


--
-- Name: agent_configurations_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_configurations_name_id_idx ON public.agent_configurations USING btree (name, id);


--
-- Name: agent_configurations_type_active_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_configurations_type_active_idx ON public.agent_configurations USING btree (agent_type, is_active);


--
-- Name: agent_configurations_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_configurations_updated_at_id_idx ON public.agent_configurations USING btree (updated_at, id);


--
-- Name: api_access_logs_api_key_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_access_logs_api_key_id_created_at_idx ON public.api_access_logs USING btree (api_key_id, created_at, id);


--
-- Name: api_access_logs_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_access_logs_created_at_id_idx ON public.api_access_logs USING btree (created_at, id);


--
-- Name: api_access_logs_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_access_logs_request_id_idx ON public.api_access_logs USING hash (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: api_keys_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_at_id_idx ON public.api_keys USING btree (created_at, id);


--
-- Name: api_keys_created_by_key_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_by_key_id_idx ON public.api_keys USING btree (created_by_key_id) WHERE (created_by_key_id IS NOT NULL);


--
-- Name: api_keys_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_expires_at_idx ON public.api_keys USING btree (expires_at) WHERE ((expires_at IS NOT NULL) AND (revoked_at IS NULL));


--
-- Name: api_keys_key_prefix_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_key_prefix_idx ON public.api_keys USING btree (key_prefix);


--
-- Name: api_keys_owner_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_owner_idx ON public.api_keys USING btree (owner, created_at);


--
-- Name: api_keys_owner_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_owner_user_id_idx ON public.api_keys USING btree (owner_user_id) WHERE (owner_user_id IS NOT NULL);


--
-- Name: api_keys_rotated_from_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_rotated_from_id_idx ON public.api_keys USING btree (rotated_from_id) WHERE (rotated_from_id IS NOT NULL);


--
-- Name: audit_logs_actor_key_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_actor_key_id_idx ON public.audit_logs USING btree (actor_key_id, created_at) WHERE (actor_key_id IS NOT NULL);


--
-- Name: audit_logs_actor_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_actor_user_id_idx ON public.audit_logs USING btree (actor_user_id, created_at) WHERE (actor_user_id IS NOT NULL);


--
-- Name: audit_logs_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_created_at_id_idx ON public.audit_logs USING btree (created_at, id);


--
-- Name: audit_logs_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_request_id_idx ON public.audit_logs USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_logs_table_row_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_logs_table_row_idx ON public.audit_logs USING btree (table_name, row_id, created_at, id);


--
-- Name: auth_sessions_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX auth_sessions_expires_at_idx ON public.auth_sessions USING btree (expires_at);


--
-- Name: auth_sessions_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX auth_sessions_user_id_idx ON public.auth_sessions USING btree (user_id, created_at);


--
-- Name: configuration_settings_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX configuration_settings_created_at_id_idx ON public.configuration_settings USING btree (created_at, id);


--
-- Name: configuration_settings_key_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX configuration_settings_key_id_idx ON public.configuration_settings USING btree (key, id);


--
-- Name: configuration_settings_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX configuration_settings_updated_at_id_idx ON public.configuration_settings USING btree (updated_at, id);


--
-- Name: deployment_scripts_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployment_scripts_created_at_id_idx ON public.deployment_scripts USING btree (created_at, id);


--
-- Name: deployment_scripts_deployment_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployment_scripts_deployment_order_idx ON public.deployment_scripts USING btree (deployment_id, execution_order, id) WHERE (deployment_id IS NOT NULL);


--
-- Name: deployment_scripts_status_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployment_scripts_status_created_at_id_idx ON public.deployment_scripts USING btree (status, created_at, id);


--
-- Name: deployment_scripts_task_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployment_scripts_task_order_idx ON public.deployment_scripts USING btree (task_id, execution_order) WHERE (task_id IS NOT NULL);


--
-- Name: deployments_commit_sha_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_commit_sha_idx ON public.deployments USING btree (commit_sha) WHERE (commit_sha IS NOT NULL);


--
-- Name: deployments_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_created_at_id_idx ON public.deployments USING btree (created_at, id);


--
-- Name: deployments_environment_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_environment_created_at_idx ON public.deployments USING btree (environment, created_at, id);


--
-- Name: deployments_environment_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_environment_id_idx ON public.deployments USING btree (environment, id);


--
-- Name: deployments_project_env_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_project_env_created_at_idx ON public.deployments USING btree (project_id, environment, created_at DESC) WHERE (project_id IS NOT NULL);


--
-- Name: deployments_rollback_of_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_rollback_of_id_idx ON public.deployments USING btree (rollback_of_id) WHERE (rollback_of_id IS NOT NULL);


--
-- Name: deployments_status_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_status_created_at_id_idx ON public.deployments USING btree (status, created_at, id);


--
-- Name: deployments_status_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_status_id_idx ON public.deployments USING btree (status, id);


--
-- Name: deployments_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_task_id_idx ON public.deployments USING btree (task_id) WHERE (task_id IS NOT NULL);


--
-- Name: deployments_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_updated_at_id_idx ON public.deployments USING btree (updated_at, id);


--
-- Name: deployments_workflow_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_workflow_id_idx ON public.deployments USING btree (workflow_id) WHERE (workflow_id IS NOT NULL);


--
-- Name: edge_nonces_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX edge_nonces_expires_at_idx ON public.edge_nonces USING btree (expires_at);


--
-- Name: error_logs_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_created_at_id_idx ON public.error_logs USING btree (created_at, id);


--
-- Name: error_logs_deployment_script_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_deployment_script_id_idx ON public.error_logs USING btree (deployment_script_id) WHERE (deployment_script_id IS NOT NULL);


--
-- Name: error_logs_error_code_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_error_code_idx ON public.error_logs USING btree (error_code, created_at);


--
-- Name: error_logs_last_seen_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_last_seen_at_id_idx ON public.error_logs USING btree (last_seen_at, id);


--
-- Name: error_logs_occurrence_count_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_occurrence_count_id_idx ON public.error_logs USING btree (occurrence_count, id);


--
-- Name: error_logs_open_fingerprint_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX error_logs_open_fingerprint_key ON public.error_logs USING btree (task_id, error_code, message_hash) NULLS NOT DISTINCT WHERE (resolved = false);


--
-- Name: error_logs_open_severity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_open_severity_idx ON public.error_logs USING btree (severity, last_seen_at DESC) WHERE (resolved = false);


--
-- Name: error_logs_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_request_id_idx ON public.error_logs USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: error_logs_resolved_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_resolved_at_idx ON public.error_logs USING btree (resolved_at) WHERE resolved;


--
-- Name: error_logs_task_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_task_id_created_at_idx ON public.error_logs USING btree (task_id, created_at) WHERE (task_id IS NOT NULL);


--
-- Name: error_logs_type_category_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_type_category_idx ON public.error_logs USING btree (error_type, error_category, created_at);


--
-- Name: error_logs_validation_result_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_validation_result_id_idx ON public.error_logs USING btree (validation_result_id) WHERE (validation_result_id IS NOT NULL);


--
-- Name: error_logs_workflow_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_workflow_id_idx ON public.error_logs USING btree (workflow_id) WHERE (workflow_id IS NOT NULL);


--
-- Name: error_logs_workflow_stage_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX error_logs_workflow_stage_id_idx ON public.error_logs USING btree (workflow_stage_id) WHERE (workflow_stage_id IS NOT NULL);


--
-- Name: event_deliveries_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_deliveries_due_idx ON public.event_deliveries USING btree (next_attempt_at) WHERE (status = ANY (ARRAY['pending'::text, 'delivering'::text, 'failed'::text]));


--
-- Name: event_deliveries_event_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_deliveries_event_id_idx ON public.event_deliveries USING btree (event_id);


--
-- Name: event_deliveries_subscription_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_deliveries_subscription_created_idx ON public.event_deliveries USING btree (subscription_id, created_at, id);


--
-- Name: event_deliveries_undelivered_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_deliveries_undelivered_idx ON public.event_deliveries USING btree (subscription_id, aggregate_id, sequence) WHERE (status = ANY (ARRAY['pending'::text, 'delivering'::text, 'failed'::text]));


--
-- Name: event_log_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_log_created_at_idx ON public.event_log USING brin (created_at);


--
-- Name: event_subscriptions_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_subscriptions_created_at_id_idx ON public.event_subscriptions USING btree (created_at, id);


--
-- Name: event_subscriptions_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_subscriptions_name_id_idx ON public.event_subscriptions USING btree (name, id);


--
-- Name: idempotency_keys_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_expires_at_idx ON public.idempotency_keys USING btree (expires_at);


--
-- Name: integration_events_correlation_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integration_events_correlation_id_idx ON public.integration_events USING btree (correlation_id) WHERE (correlation_id IS NOT NULL);


--
-- Name: integration_events_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integration_events_created_at_id_idx ON public.integration_events USING btree (created_at, id);


--
-- Name: integration_events_integration_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integration_events_integration_created_at_idx ON public.integration_events USING btree (integration_id, created_at, id);


--
-- Name: integration_events_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integration_events_task_id_idx ON public.integration_events USING btree (task_id) WHERE (task_id IS NOT NULL);


--
-- Name: integrations_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integrations_created_at_id_idx ON public.integrations USING btree (created_at, id);


--
-- Name: integrations_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integrations_name_id_idx ON public.integrations USING btree (name, id);


--
-- Name: integrations_type_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integrations_type_status_idx ON public.integrations USING btree (type, status);


--
-- Name: integrations_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX integrations_updated_at_id_idx ON public.integrations USING btree (updated_at, id);


--
-- Name: logs_correlation_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_correlation_id_idx ON public.logs USING btree (correlation_id) WHERE (correlation_id IS NOT NULL);


--
-- Name: logs_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_created_at_id_idx ON public.logs USING btree (created_at, id);


--
-- Name: logs_level_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_level_created_at_idx ON public.logs USING btree (level, created_at, id);


--
-- Name: logs_source_component_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_source_component_created_at_idx ON public.logs USING btree (source, component, created_at);


--
-- Name: logs_task_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_task_id_created_at_idx ON public.logs USING btree (task_id, created_at) WHERE (task_id IS NOT NULL);


--
-- Name: logs_workflow_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logs_workflow_id_created_at_idx ON public.logs USING btree (workflow_id, created_at) WHERE (workflow_id IS NOT NULL);


--
-- Name: outbound_events_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbound_events_created_at_idx ON public.outbound_events USING btree (created_at);


--
-- Name: project_members_role_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX project_members_role_id_idx ON public.project_members USING btree (role_id);


--
-- Name: project_members_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX project_members_user_id_idx ON public.project_members USING btree (user_id);


--
-- Name: projects_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX projects_created_at_id_idx ON public.projects USING btree (created_at, id);


--
-- Name: projects_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX projects_name_id_idx ON public.projects USING btree (name, id);


--
-- Name: projects_slug_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX projects_slug_id_idx ON public.projects USING btree (slug, id);


--
-- Name: projects_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX projects_updated_at_id_idx ON public.projects USING btree (updated_at, id);


--
-- Name: pull_requests_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_created_at_id_idx ON public.pull_requests USING btree (created_at, id);


--
-- Name: pull_requests_pr_number_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_pr_number_id_idx ON public.pull_requests USING btree (pr_number, id);


--
-- Name: pull_requests_project_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_project_id_idx ON public.pull_requests USING btree (project_id) WHERE (project_id IS NOT NULL);


--
-- Name: pull_requests_repository_branch_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_repository_branch_idx ON public.pull_requests USING btree (repository, source_branch);


--
-- Name: pull_requests_status_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_status_created_at_id_idx ON public.pull_requests USING btree (status, created_at, id);


--
-- Name: pull_requests_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_task_id_idx ON public.pull_requests USING btree (task_id) WHERE (task_id IS NOT NULL);


--
-- Name: pull_requests_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_updated_at_id_idx ON public.pull_requests USING btree (updated_at, id);


--
-- Name: pull_requests_workflow_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pull_requests_workflow_id_idx ON public.pull_requests USING btree (workflow_id) WHERE (workflow_id IS NOT NULL);


--
-- Name: refresh_tokens_session_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refresh_tokens_session_id_idx ON public.refresh_tokens USING btree (session_id);


--
-- Name: system_metrics_category_recorded_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX system_metrics_category_recorded_at_idx ON public.system_metrics USING btree (category, recorded_at);


--
-- Name: system_metrics_labels_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX system_metrics_labels_gin_idx ON public.system_metrics USING gin (labels jsonb_path_ops);


--
-- Name: system_metrics_name_recorded_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX system_metrics_name_recorded_at_idx ON public.system_metrics USING btree (name, recorded_at);


--
-- Name: system_metrics_recorded_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX system_metrics_recorded_at_id_idx ON public.system_metrics USING btree (recorded_at, id);


--
-- Name: task_contexts_data_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_contexts_data_gin_idx ON public.task_contexts USING gin (context_data jsonb_path_ops);


--
-- Name: task_contexts_task_id_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_contexts_task_id_created_at_id_idx ON public.task_contexts USING btree (task_id, created_at, id);


--
-- Name: task_contexts_task_id_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_contexts_task_id_type_idx ON public.task_contexts USING btree (task_id, context_type, created_at);


--
-- Name: task_dependencies_depends_on_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_dependencies_depends_on_type_idx ON public.task_dependencies USING btree (depends_on_task_id, dependency_type) INCLUDE (task_id);


--
-- Name: task_dependencies_project_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_dependencies_project_created_at_id_idx ON public.task_dependencies USING btree (project_id, created_at, id);


--
-- Name: task_dependencies_task_id_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_dependencies_task_id_created_at_id_idx ON public.task_dependencies USING btree (task_id, created_at, id);


--
-- Name: task_dependency_tree_path_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX task_dependency_tree_path_key ON public.task_dependency_tree USING btree (path);


--
-- Name: task_dependency_tree_root_depth_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_dependency_tree_root_depth_idx ON public.task_dependency_tree USING btree (root_task_id, depth);


--
-- Name: task_dependency_tree_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_dependency_tree_task_id_idx ON public.task_dependency_tree USING btree (task_id);


--
-- Name: task_performance_summary_project_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX task_performance_summary_project_id_idx ON public.task_performance_summary USING btree (project_id);


--
-- Name: task_performance_summary_task_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX task_performance_summary_task_id_key ON public.task_performance_summary USING btree (task_id);


--
-- Name: tasks_assigned_to_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_assigned_to_status_idx ON public.tasks USING btree (assigned_to, status) WHERE (assigned_to IS NOT NULL);


--
-- Name: tasks_claim_queue_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_claim_queue_idx ON public.tasks USING btree (parent_active DESC, priority DESC, open_dependants DESC, created_at, id) WHERE ((status = 'pending'::text) AND (open_prerequisites = 0) AND (lease_token >= 0));


--
-- Name: tasks_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_created_at_id_idx ON public.tasks USING btree (created_at, id);


--
-- Name: tasks_lease_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_lease_due_idx ON public.tasks USING btree (lease_expires_at) WHERE ((lease_expires_at IS NOT NULL) AND (lease_token >= 0));


--
-- Name: tasks_parent_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_parent_task_id_idx ON public.tasks USING btree (parent_task_id, created_at, id) WHERE (parent_task_id IS NOT NULL);


--
-- Name: tasks_priority_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_priority_id_idx ON public.tasks USING btree (priority, id);


--
-- Name: tasks_project_claim_queue_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_project_claim_queue_idx ON public.tasks USING btree (project_id, parent_active DESC, priority DESC, open_dependants DESC, created_at, id) WHERE ((status = 'pending'::text) AND (open_prerequisites = 0));


--
-- Name: tasks_project_lease_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_project_lease_due_idx ON public.tasks USING btree (project_id, lease_expires_at) WHERE (lease_expires_at IS NOT NULL);


--
-- Name: tasks_project_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_project_status_idx ON public.tasks USING btree (project_id, status);


--
-- Name: tasks_status_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_status_created_at_id_idx ON public.tasks USING btree (status, created_at, id);


--
-- Name: tasks_status_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_status_id_idx ON public.tasks USING btree (status, id);


--
-- Name: tasks_status_priority_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_status_priority_id_idx ON public.tasks USING btree (status, priority DESC, id);


--
-- Name: tasks_tags_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_tags_gin_idx ON public.tasks USING gin (tags) WITH (gin_pending_list_limit='512');


--
-- Name: tasks_title_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_title_id_idx ON public.tasks USING btree (title, id);


--
-- Name: tasks_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_updated_at_id_idx ON public.tasks USING btree (updated_at, id);


--
-- Name: templates_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_created_at_id_idx ON public.templates USING btree (created_at, id);


--
-- Name: templates_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_name_id_idx ON public.templates USING btree (name, id);


--
-- Name: templates_tags_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_tags_gin_idx ON public.templates USING gin (tags);


--
-- Name: templates_type_category_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_type_category_idx ON public.templates USING btree (template_type, category) WHERE is_active;


--
-- Name: templates_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_updated_at_id_idx ON public.templates USING btree (updated_at, id);


--
-- Name: templates_usage_count_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX templates_usage_count_id_idx ON public.templates USING btree (usage_count, id);


--
-- Name: users_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_created_at_id_idx ON public.users USING btree (created_at, id);


--
-- Name: users_email_lower_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree (lower(email));


--
-- Name: users_global_role_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_global_role_id_idx ON public.users USING btree (global_role_id) WHERE (global_role_id IS NOT NULL);


--
-- Name: users_username_lower_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_username_lower_key ON public.users USING btree (lower(username));


--
-- Name: validation_results_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_created_at_id_idx ON public.validation_results USING btree (created_at, id);


--
-- Name: validation_results_pull_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_pull_request_id_idx ON public.validation_results USING btree (pull_request_id) WHERE (pull_request_id IS NOT NULL);


--
-- Name: validation_results_task_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_task_id_created_at_idx ON public.validation_results USING btree (task_id, created_at);


--
-- Name: validation_results_type_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_type_status_idx ON public.validation_results USING btree (validation_type, validation_status, created_at);


--
-- Name: validation_results_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_updated_at_id_idx ON public.validation_results USING btree (updated_at, id);


--
-- Name: validation_results_workflow_stage_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX validation_results_workflow_stage_id_idx ON public.validation_results USING btree (workflow_stage_id) WHERE (workflow_stage_id IS NOT NULL);


--
-- Name: webhook_events_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_created_at_id_idx ON public.webhook_events USING btree (created_at, id);


--
-- Name: webhook_events_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_due_idx ON public.webhook_events USING btree (next_retry_at NULLS FIRST, created_at) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]));


--
-- Name: webhook_events_payload_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_payload_gin_idx ON public.webhook_events USING gin (payload jsonb_path_ops);


--
-- Name: webhook_events_provider_type_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_provider_type_created_at_idx ON public.webhook_events USING btree (provider, event_type, created_at);


--
-- Name: webhook_events_pull_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_pull_request_id_idx ON public.webhook_events USING btree (pull_request_id) WHERE (pull_request_id IS NOT NULL);


--
-- Name: webhook_events_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_events_task_id_idx ON public.webhook_events USING btree (task_id) WHERE (task_id IS NOT NULL);


--
-- Name: workflow_stages_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_stages_created_at_id_idx ON public.workflow_stages USING btree (created_at, id);


--
-- Name: workflow_stages_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_stages_status_idx ON public.workflow_stages USING btree (status) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text]));


--
-- Name: workflow_stages_workflow_order_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_stages_workflow_order_id_idx ON public.workflow_stages USING btree (workflow_id, stage_order, id);


--
-- Name: workflow_tasks_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflow_tasks_task_id_idx ON public.workflow_tasks USING btree (task_id);


--
-- Name: workflows_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_created_at_id_idx ON public.workflows USING btree (created_at, id);


--
-- Name: workflows_metadata_gin_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_metadata_gin_idx ON public.workflows USING gin (metadata jsonb_path_ops);


--
-- Name: workflows_name_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_name_id_idx ON public.workflows USING btree (name, id);


--
-- Name: workflows_project_id_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_project_id_status_idx ON public.workflows USING btree (project_id, status) WHERE (project_id IS NOT NULL);


--
-- Name: workflows_status_created_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_status_created_at_id_idx ON public.workflows USING btree (status, created_at, id);


--
-- Name: workflows_status_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_status_id_idx ON public.workflows USING btree (status, id);


--
-- Name: workflows_task_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_task_id_idx ON public.workflows USING btree (task_id) WHERE (task_id IS NOT NULL);


--
-- Name: workflows_updated_at_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX workflows_updated_at_id_idx ON public.workflows USING btree (updated_at, id);


--
-- Name: agent_configurations agent_configurations_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_configurations_bump_version BEFORE UPDATE ON public.agent_configurations FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: agent_configurations agent_configurations_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agent_configurations_set_updated_at BEFORE UPDATE ON public.agent_configurations FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: api_keys api_keys_audit_insert_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_audit_insert_delete AFTER INSERT OR DELETE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('key_hash');


--
-- Name: api_keys api_keys_audit_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_audit_update AFTER UPDATE ON public.api_keys FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.audit_row_change('key_hash');


--
-- Name: api_keys api_keys_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_bump_version BEFORE UPDATE ON public.api_keys FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.bump_row_version();


--
-- Name: api_keys api_keys_notify_insert_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_notify_insert_delete AFTER INSERT OR DELETE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION public.notify_api_key_change();


--
-- Name: api_keys api_keys_notify_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_notify_update AFTER UPDATE ON public.api_keys FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.notify_api_key_change();


--
-- Name: api_keys api_keys_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_set_updated_at BEFORE UPDATE ON public.api_keys FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_used_at'::text, 'last_used_ip'::text, 'usage_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.set_updated_at();


--
-- Name: auth_sessions auth_sessions_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auth_sessions_notify AFTER DELETE OR UPDATE ON public.auth_sessions FOR EACH STATEMENT EXECUTE FUNCTION public.notify_people_change();


--
-- Name: configuration_settings configuration_settings_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER configuration_settings_audit AFTER INSERT OR DELETE OR UPDATE ON public.configuration_settings FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('encrypted_value');


--
-- Name: configuration_settings configuration_settings_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER configuration_settings_bump_version BEFORE UPDATE ON public.configuration_settings FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: configuration_settings configuration_settings_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER configuration_settings_set_updated_at BEFORE UPDATE ON public.configuration_settings FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: deployment_scripts deployment_scripts_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployment_scripts_bump_version BEFORE UPDATE ON public.deployment_scripts FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: deployment_scripts deployment_scripts_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployment_scripts_set_updated_at BEFORE UPDATE ON public.deployment_scripts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: deployments deployments_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_bump_version BEFORE UPDATE ON public.deployments FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: deployments deployments_event_log_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_event_log_delete AFTER DELETE ON public.deployments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('deployment');


--
-- Name: deployments deployments_event_log_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_event_log_insert AFTER INSERT ON public.deployments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('deployment');


--
-- Name: deployments deployments_event_log_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_event_log_update AFTER UPDATE ON public.deployments FOR EACH ROW EXECUTE FUNCTION public.log_row_update('deployment');


--
-- Name: deployments deployments_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_set_updated_at BEFORE UPDATE ON public.deployments FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: deployments deployments_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER deployments_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON public.deployments FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: error_logs error_logs_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER error_logs_bump_version BEFORE UPDATE ON public.error_logs FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: error_logs error_logs_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER error_logs_set_updated_at BEFORE UPDATE ON public.error_logs FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: error_logs error_logs_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER error_logs_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON public.error_logs FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: event_deliveries event_deliveries_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_deliveries_set_updated_at BEFORE UPDATE ON public.event_deliveries FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: event_subscriptions event_subscriptions_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_subscriptions_bump_version BEFORE UPDATE ON public.event_subscriptions FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: event_subscriptions event_subscriptions_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_subscriptions_set_updated_at BEFORE UPDATE ON public.event_subscriptions FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: integrations integrations_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER integrations_bump_version BEFORE UPDATE ON public.integrations FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: integrations integrations_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER integrations_set_updated_at BEFORE UPDATE ON public.integrations FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: project_members project_members_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER project_members_audit AFTER INSERT OR DELETE OR UPDATE ON public.project_members FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();


--
-- Name: project_members project_members_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER project_members_notify AFTER INSERT OR DELETE OR UPDATE ON public.project_members FOR EACH STATEMENT EXECUTE FUNCTION public.notify_people_change();


--
-- Name: projects projects_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER projects_audit AFTER INSERT OR DELETE OR UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();


--
-- Name: projects projects_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER projects_bump_version BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: projects projects_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER projects_set_updated_at BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: projects projects_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER projects_tenancy_check BEFORE INSERT OR UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: pull_requests pull_requests_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pull_requests_bump_version BEFORE UPDATE ON public.pull_requests FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: pull_requests pull_requests_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pull_requests_set_updated_at BEFORE UPDATE ON public.pull_requests FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: pull_requests pull_requests_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pull_requests_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON public.pull_requests FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: roles roles_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_audit AFTER INSERT OR DELETE OR UPDATE ON public.roles FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();


--
-- Name: roles roles_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_bump_version BEFORE UPDATE ON public.roles FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: roles roles_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_notify AFTER DELETE OR UPDATE ON public.roles FOR EACH ROW EXECUTE FUNCTION public.notify_people_change();


--
-- Name: roles roles_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER roles_set_updated_at BEFORE UPDATE ON public.roles FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: task_contexts task_contexts_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_contexts_set_updated_at BEFORE UPDATE ON public.task_contexts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: task_contexts task_contexts_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_contexts_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON public.task_contexts FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: task_dependencies task_dependencies_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_audit AFTER INSERT OR DELETE ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();


--
-- Name: task_dependencies task_dependencies_count_dependants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_count_dependants AFTER INSERT OR DELETE OR UPDATE OF task_id, depends_on_task_id, dependency_type ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.task_dependencies_count_dependants();


--
-- Name: task_dependencies task_dependencies_count_open; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_count_open AFTER INSERT OR DELETE OR UPDATE OF task_id, depends_on_task_id, dependency_type ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.task_dependencies_count_open();


--
-- Name: task_dependencies task_dependencies_event_log_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_event_log_delete AFTER DELETE ON public.task_dependencies REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('dependency');


--
-- Name: task_dependencies task_dependencies_event_log_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_event_log_insert AFTER INSERT ON public.task_dependencies REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('dependency');


--
-- Name: task_dependencies task_dependencies_log_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_log_update AFTER UPDATE ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.log_row_update('dependency', 'audited');


--
-- Name: task_dependencies task_dependencies_mark_dependent_open; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_mark_dependent_open BEFORE INSERT OR UPDATE OF task_id, depends_on_task_id, dependency_type ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.task_dependencies_mark_dependent_open();


--
-- Name: task_dependencies task_dependencies_mark_open; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_mark_open BEFORE INSERT OR UPDATE OF task_id, depends_on_task_id, dependency_type ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.task_dependencies_mark_open();


--
-- Name: task_dependencies task_dependencies_set_project; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_set_project BEFORE INSERT OR UPDATE OF task_id, project_id ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.task_dependencies_set_project();


--
-- Name: task_dependencies task_dependencies_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER task_dependencies_tenancy_check BEFORE INSERT OR UPDATE ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: tasks tasks_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_audit AFTER INSERT OR DELETE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();


--
-- Name: tasks tasks_count_subtasks_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_count_subtasks_delete AFTER DELETE ON public.tasks FOR EACH ROW WHEN ((old.parent_task_id IS NOT NULL)) EXECUTE FUNCTION public.tasks_count_subtasks();


--
-- Name: tasks tasks_count_subtasks_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_count_subtasks_insert AFTER INSERT ON public.tasks FOR EACH ROW WHEN ((new.parent_task_id IS NOT NULL)) EXECUTE FUNCTION public.tasks_count_subtasks();


--
-- Name: tasks tasks_count_subtasks_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_count_subtasks_update AFTER UPDATE OF parent_task_id, status ON public.tasks FOR EACH ROW WHEN (((old.parent_task_id IS DISTINCT FROM new.parent_task_id) OR ((old.parent_task_id IS NOT NULL) AND (old.status IS DISTINCT FROM new.status)))) EXECUTE FUNCTION public.tasks_count_subtasks();


--
-- Name: tasks tasks_event_log_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_event_log_delete AFTER DELETE ON public.tasks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('task');


--
-- Name: tasks tasks_event_log_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_event_log_insert AFTER INSERT ON public.tasks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('task');


--
-- Name: tasks tasks_log_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_log_update AFTER UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.log_row_update('task', 'audited');


--
-- Name: tasks tasks_mark_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_mark_changed BEFORE UPDATE ON public.tasks FOR EACH ROW WHEN ((NOT (((old.open_prerequisites IS DISTINCT FROM new.open_prerequisites) OR (old.open_dependants IS DISTINCT FROM new.open_dependants) OR (old.parent_active IS DISTINCT FROM new.parent_active)) AND (NOT (old.parent_task_id IS DISTINCT FROM new.parent_task_id))))) EXECUTE FUNCTION public.tasks_mark_changed();


--
-- Name: tasks tasks_mark_parent_active_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_mark_parent_active_insert BEFORE INSERT ON public.tasks FOR EACH ROW WHEN ((new.parent_task_id IS NOT NULL)) EXECUTE FUNCTION public.tasks_mark_parent_active();


--
-- Name: tasks tasks_mark_parent_active_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_mark_parent_active_update BEFORE UPDATE OF parent_task_id ON public.tasks FOR EACH ROW WHEN ((old.parent_task_id IS DISTINCT FROM new.parent_task_id)) EXECUTE FUNCTION public.tasks_mark_parent_active();


--
-- Name: tasks tasks_move_dependencies; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_move_dependencies AFTER UPDATE OF project_id ON public.tasks FOR EACH ROW WHEN ((old.project_id IS DISTINCT FROM new.project_id)) EXECUTE FUNCTION public.tasks_move_dependencies();


--
-- Name: tasks tasks_propagate_completion; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_propagate_completion AFTER UPDATE OF status ON public.tasks FOR EACH ROW WHEN (((old.status = 'completed'::text) IS DISTINCT FROM (new.status = 'completed'::text))) EXECUTE FUNCTION public.tasks_propagate_completion();


--
-- Name: tasks tasks_propagate_finished; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_propagate_finished AFTER UPDATE OF status ON public.tasks FOR EACH ROW WHEN (((old.status <> ALL (ARRAY['completed'::text, 'cancelled'::text])) IS DISTINCT FROM (new.status <> ALL (ARRAY['completed'::text, 'cancelled'::text])))) EXECUTE FUNCTION public.tasks_propagate_finished();


--
-- Name: tasks tasks_propagate_parent_active; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_propagate_parent_active AFTER UPDATE OF status ON public.tasks FOR EACH ROW WHEN ((((old.status = 'in_progress'::text) IS DISTINCT FROM (new.status = 'in_progress'::text)) AND (new.total_subtasks > 0))) EXECUTE FUNCTION public.tasks_propagate_parent_active();


--
-- Name: tasks tasks_refuse_parent_cycle; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_refuse_parent_cycle BEFORE UPDATE OF parent_task_id ON public.tasks FOR EACH ROW WHEN (((new.parent_task_id IS NOT NULL) AND (new.parent_task_id IS DISTINCT FROM old.parent_task_id))) EXECUTE FUNCTION public.tasks_refuse_parent_cycle();


--
-- Name: tasks tasks_sync_completion; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_sync_completion BEFORE INSERT OR UPDATE OF status, completed_at ON public.tasks FOR EACH ROW WHEN (((new.status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) OR (new.completed_at IS NOT NULL))) EXECUTE FUNCTION public.tasks_sync_completion();


--
-- Name: tasks tasks_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER tasks_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: templates templates_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER templates_bump_version BEFORE UPDATE ON public.templates FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: templates templates_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER templates_set_updated_at BEFORE UPDATE ON public.templates FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: users users_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_audit AFTER INSERT OR DELETE ON public.users FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('password_hash');


--
-- Name: users users_audit_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_audit_update AFTER UPDATE ON public.users FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_login_at'::text, 'failed_login_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_login_at'::text, 'failed_login_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.audit_row_change('password_hash');


--
-- Name: users users_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_bump_version BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: users users_notify_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_notify_delete AFTER DELETE ON public.users FOR EACH STATEMENT EXECUTE FUNCTION public.notify_people_change();


--
-- Name: users users_notify_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_notify_update AFTER UPDATE ON public.users FOR EACH ROW WHEN (((to_jsonb(old.*) - ARRAY['last_login_at'::text, 'failed_login_count'::text, 'updated_at'::text, 'version'::text]) IS DISTINCT FROM (to_jsonb(new.*) - ARRAY['last_login_at'::text, 'failed_login_count'::text, 'updated_at'::text, 'version'::text]))) EXECUTE FUNCTION public.notify_people_change();


--
-- Name: users users_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: validation_results validation_results_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_results_bump_version BEFORE UPDATE ON public.validation_results FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: validation_results validation_results_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_results_set_updated_at BEFORE UPDATE ON public.validation_results FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: validation_results validation_results_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER validation_results_tenancy_check BEFORE INSERT OR UPDATE OF task_id ON public.validation_results FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: webhook_events webhook_events_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER webhook_events_set_updated_at BEFORE UPDATE ON public.webhook_events FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: workflow_stages workflow_stages_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflow_stages_bump_version BEFORE UPDATE ON public.workflow_stages FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: workflow_stages workflow_stages_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflow_stages_set_updated_at BEFORE UPDATE ON public.workflow_stages FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: workflows workflows_bump_version; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_bump_version BEFORE UPDATE ON public.workflows FOR EACH ROW EXECUTE FUNCTION public.bump_row_version();


--
-- Name: workflows workflows_event_log_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_event_log_delete AFTER DELETE ON public.workflows REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('workflow');


--
-- Name: workflows workflows_event_log_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_event_log_insert AFTER INSERT ON public.workflows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_record('workflow');


--
-- Name: workflows workflows_event_log_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_event_log_update AFTER UPDATE ON public.workflows FOR EACH ROW EXECUTE FUNCTION public.log_row_update('workflow');


--
-- Name: workflows workflows_set_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_set_updated_at BEFORE UPDATE ON public.workflows FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: workflows workflows_tenancy_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER workflows_tenancy_check BEFORE INSERT OR UPDATE OF project_id ON public.workflows FOR EACH ROW EXECUTE FUNCTION public.tenancy_check_write();


--
-- Name: api_keys api_keys_created_by_key_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_created_by_key_id_fkey FOREIGN KEY (created_by_key_id) REFERENCES public.api_keys(id) ON DELETE SET NULL;


--
-- Name: api_keys api_keys_owner_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_owner_user_id_fkey FOREIGN KEY (owner_user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: api_keys api_keys_rotated_from_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_rotated_from_id_fkey FOREIGN KEY (rotated_from_id) REFERENCES public.api_keys(id) ON DELETE SET NULL;


--
-- Name: auth_sessions auth_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auth_sessions
    ADD CONSTRAINT auth_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: deployment_scripts deployment_scripts_deployment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployment_scripts
    ADD CONSTRAINT deployment_scripts_deployment_id_fkey FOREIGN KEY (deployment_id) REFERENCES public.deployments(id) ON DELETE CASCADE;


--
-- Name: deployment_scripts deployment_scripts_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployment_scripts
    ADD CONSTRAINT deployment_scripts_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: deployments deployments_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE RESTRICT;


--
-- Name: deployments deployments_rollback_of_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_rollback_of_id_fkey FOREIGN KEY (rollback_of_id) REFERENCES public.deployments(id) ON DELETE SET NULL;


--
-- Name: deployments deployments_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: deployments deployments_workflow_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES public.workflows(id) ON DELETE SET NULL;


--
-- Name: error_logs error_logs_deployment_script_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_deployment_script_id_fkey FOREIGN KEY (deployment_script_id) REFERENCES public.deployment_scripts(id) ON DELETE SET NULL;


--
-- Name: error_logs error_logs_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: error_logs error_logs_validation_result_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_validation_result_id_fkey FOREIGN KEY (validation_result_id) REFERENCES public.validation_results(id) ON DELETE SET NULL;


--
-- Name: error_logs error_logs_workflow_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES public.workflows(id) ON DELETE SET NULL;


--
-- Name: error_logs error_logs_workflow_stage_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.error_logs
    ADD CONSTRAINT error_logs_workflow_stage_id_fkey FOREIGN KEY (workflow_stage_id) REFERENCES public.workflow_stages(id) ON DELETE SET NULL;


--
-- Name: event_deliveries event_deliveries_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_deliveries
    ADD CONSTRAINT event_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.outbound_events(id) ON DELETE CASCADE;


--
-- Name: event_deliveries event_deliveries_subscription_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_deliveries
    ADD CONSTRAINT event_deliveries_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES public.event_subscriptions(id) ON DELETE CASCADE;


--
-- Name: integration_events integration_events_integration_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.integration_events
    ADD CONSTRAINT integration_events_integration_id_fkey FOREIGN KEY (integration_id) REFERENCES public.integrations(id) ON DELETE CASCADE;


--
-- Name: integration_events integration_events_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.integration_events
    ADD CONSTRAINT integration_events_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: project_members project_members_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: project_members project_members_role_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_role_id_fkey FOREIGN KEY (role_id) REFERENCES public.roles(id) ON DELETE RESTRICT;


--
-- Name: project_members project_members_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.project_members
    ADD CONSTRAINT project_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: pull_requests pull_requests_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pull_requests
    ADD CONSTRAINT pull_requests_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE RESTRICT;


--
-- Name: pull_requests pull_requests_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pull_requests
    ADD CONSTRAINT pull_requests_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: pull_requests pull_requests_workflow_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pull_requests
    ADD CONSTRAINT pull_requests_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES public.workflows(id) ON DELETE SET NULL;


--
-- Name: refresh_tokens refresh_tokens_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.auth_sessions(id) ON DELETE CASCADE;


--
-- Name: task_contexts task_contexts_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_contexts
    ADD CONSTRAINT task_contexts_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_dependencies task_dependencies_depends_on_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_depends_on_task_id_fkey FOREIGN KEY (depends_on_task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_dependencies task_dependencies_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: tasks tasks_parent_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_parent_task_id_fkey FOREIGN KEY (parent_task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: tasks tasks_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE RESTRICT;


--
-- Name: users users_global_role_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_global_role_id_fkey FOREIGN KEY (global_role_id) REFERENCES public.roles(id) ON DELETE RESTRICT;


--
-- Name: validation_results validation_results_pull_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_results
    ADD CONSTRAINT validation_results_pull_request_id_fkey FOREIGN KEY (pull_request_id) REFERENCES public.pull_requests(id) ON DELETE SET NULL;


--
-- Name: validation_results validation_results_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_results
    ADD CONSTRAINT validation_results_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: validation_results validation_results_workflow_stage_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.validation_results
    ADD CONSTRAINT validation_results_workflow_stage_id_fkey FOREIGN KEY (workflow_stage_id) REFERENCES public.workflow_stages(id) ON DELETE SET NULL;


--
-- Name: webhook_events webhook_events_pull_request_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_pull_request_id_fkey FOREIGN KEY (pull_request_id) REFERENCES public.pull_requests(id) ON DELETE SET NULL;


--
-- Name: webhook_events webhook_events_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_events
    ADD CONSTRAINT webhook_events_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: workflow_stages workflow_stages_workflow_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_stages
    ADD CONSTRAINT workflow_stages_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES public.workflows(id) ON DELETE CASCADE;


--
-- Name: workflow_tasks workflow_tasks_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_tasks
    ADD CONSTRAINT workflow_tasks_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: workflow_tasks workflow_tasks_workflow_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_tasks
    ADD CONSTRAINT workflow_tasks_workflow_id_fkey FOREIGN KEY (workflow_id) REFERENCES public.workflows(id) ON DELETE CASCADE;


--
-- Name: workflows workflows_project_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflows
    ADD CONSTRAINT workflows_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE RESTRICT;


--
-- Name: workflows workflows_task_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflows
    ADD CONSTRAINT workflows_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: api_access_logs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_access_logs ENABLE ROW LEVEL SECURITY;

--
-- Name: api_access_logs api_access_logs_api_insert_any; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_access_logs_api_insert_any ON public.api_access_logs FOR INSERT TO taskmaster_api WITH CHECK (true);


--
-- Name: api_access_logs api_access_logs_api_own_or_admin; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_access_logs_api_own_or_admin ON public.api_access_logs TO taskmaster_api USING (((api_key_id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text))) WITH CHECK (((api_key_id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text)));


--
-- Name: api_access_logs api_access_logs_readonly_own_or_admin; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_access_logs_readonly_own_or_admin ON public.api_access_logs FOR SELECT TO taskmaster_readonly USING (((api_key_id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text)));


--
-- Name: api_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys api_keys_api_own_or_admin; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_keys_api_own_or_admin ON public.api_keys TO taskmaster_api USING (((id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text))) WITH CHECK (((id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text)));


--
-- Name: api_keys api_keys_api_owner; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_keys_api_owner ON public.api_keys TO taskmaster_api USING ((owner_user_id = (NULLIF(current_setting('app.current_user_id'::text, true), ''::text))::uuid)) WITH CHECK ((owner_user_id = (NULLIF(current_setting('app.current_user_id'::text, true), ''::text))::uuid));


--
-- Name: api_keys api_keys_readonly_own_or_admin; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY api_keys_readonly_own_or_admin ON public.api_keys FOR SELECT TO taskmaster_readonly USING (((id = (NULLIF(current_setting('app.current_key_id'::text, true), ''::text))::uuid) OR (current_setting('app.is_admin'::text, true) = 'on'::text)));


--
-- Name: deployment_scripts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.deployment_scripts ENABLE ROW LEVEL SECURITY;

--
-- Name: deployment_scripts deployment_scripts_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY deployment_scripts_tenancy ON public.deployment_scripts TO taskmaster_api, taskmaster_readonly USING ((public.tenancy_all() OR ((task_id IS NOT NULL) AND public.tenancy_task_visible(task_id)) OR (EXISTS ( SELECT 1
   FROM public.deployments d
  WHERE (d.id = deployment_scripts.deployment_id))))) WITH CHECK ((public.tenancy_all() OR ((task_id IS NOT NULL) AND public.tenancy_task_visible(task_id)) OR (EXISTS ( SELECT 1
   FROM public.deployments d
  WHERE (d.id = deployment_scripts.deployment_id)))));


--
-- Name: deployments; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.deployments ENABLE ROW LEVEL SECURITY;

--
-- Name: deployments deployments_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY deployments_tenancy ON public.deployments TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(project_id)) WITH CHECK (public.tenancy_allows(project_id));


--
-- Name: error_logs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.error_logs ENABLE ROW LEVEL SECURITY;

--
-- Name: error_logs error_logs_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY error_logs_tenancy ON public.error_logs TO taskmaster_api, taskmaster_readonly USING (public.tenancy_task_visible(task_id)) WITH CHECK (public.tenancy_task_visible(task_id));


--
-- Name: event_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.event_log ENABLE ROW LEVEL SECURITY;

--
-- Name: event_log event_log_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY event_log_tenancy ON public.event_log TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(project_id)) WITH CHECK (true);


--
-- Name: projects; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;

--
-- Name: projects projects_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY projects_tenancy ON public.projects TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(id)) WITH CHECK (public.tenancy_allows(id));


--
-- Name: pull_requests; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.pull_requests ENABLE ROW LEVEL SECURITY;

--
-- Name: pull_requests pull_requests_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY pull_requests_tenancy ON public.pull_requests TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(project_id)) WITH CHECK (public.tenancy_allows(project_id));


--
-- Name: task_contexts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.task_contexts ENABLE ROW LEVEL SECURITY;

--
-- Name: task_contexts task_contexts_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY task_contexts_tenancy ON public.task_contexts TO taskmaster_api, taskmaster_readonly USING (public.tenancy_task_visible(task_id)) WITH CHECK (public.tenancy_task_visible(task_id));


--
-- Name: task_dependencies; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.task_dependencies ENABLE ROW LEVEL SECURITY;

--
-- Name: task_dependencies task_dependencies_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY task_dependencies_tenancy ON public.task_dependencies TO taskmaster_api, taskmaster_readonly USING (public.tenancy_task_visible(task_id)) WITH CHECK (public.tenancy_task_visible(task_id));


--
-- Name: tasks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;

--
-- Name: tasks tasks_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tasks_tenancy ON public.tasks TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(project_id)) WITH CHECK (public.tenancy_allows(project_id));


--
-- Name: validation_results; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.validation_results ENABLE ROW LEVEL SECURITY;

--
-- Name: validation_results validation_results_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY validation_results_tenancy ON public.validation_results TO taskmaster_api, taskmaster_readonly USING (public.tenancy_task_visible(task_id)) WITH CHECK (public.tenancy_task_visible(task_id));


--
-- Name: workflow_stages; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.workflow_stages ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_stages workflow_stages_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY workflow_stages_tenancy ON public.workflow_stages TO taskmaster_api, taskmaster_readonly USING ((public.tenancy_all() OR (EXISTS ( SELECT 1
   FROM public.workflows w
  WHERE (w.id = workflow_stages.workflow_id))))) WITH CHECK ((public.tenancy_all() OR (EXISTS ( SELECT 1
   FROM public.workflows w
  WHERE (w.id = workflow_stages.workflow_id)))));


--
-- Name: workflow_tasks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.workflow_tasks ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_tasks workflow_tasks_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY workflow_tasks_tenancy ON public.workflow_tasks TO taskmaster_api, taskmaster_readonly USING (public.tenancy_task_visible(task_id)) WITH CHECK (public.tenancy_task_visible(task_id));


--
-- Name: workflows; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY;

--
-- Name: workflows workflows_tenancy; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY workflows_tenancy ON public.workflows TO taskmaster_api, taskmaster_readonly USING (public.tenancy_allows(project_id)) WITH CHECK (public.tenancy_allows(project_id));


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261123000100'),
    ('20261123000200'),
    ('20261123000300'),
    ('20261123000400'),
    ('20261123000500'),
    ('20261123000600'),
    ('20261123000700'),
    ('20261123000800'),
    ('20261123000900'),
    ('20261123001000'),
    ('20261123085733'),
    ('20261123091000'),
    ('20261123091100'),
    ('20261123091200'),
    ('20261123091300'),
    ('20261123091400'),
    ('20261123091500'),
    ('20261123091600'),
    ('20261123091700'),
    ('20261123091800'),
    ('20261201100000'),
    ('20261201100100'),
    ('20261201100200'),
    ('20261201100300'),
    ('20261201120000'),
    ('20261201140000'),
    ('20261201141500'),
    ('20261201170000'),
    ('20261201170310'),
    ('20261201170543'),
    ('20261201173059'),
    ('20261201200956'),
    ('20261201202344'),
    ('20261201202526'),
    ('20261201213000'),
    ('20261201230508'),
    ('20261201230900'),
    ('20261201230935'),
    ('20261201231244'),
    ('20261201232444'),
    ('20261202050000'),
    ('20261202051000'),
    ('20261202080000');
