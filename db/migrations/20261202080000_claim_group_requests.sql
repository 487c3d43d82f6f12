-- migrate:up
-- Claim groups (issue 14): the single claims of concurrent requests that share a key, a tenancy,
-- a project, an assignee and a lease length are leased by one statement (graph/claim_groups.py,
-- the claim_group statement), each task to its own request's agent. Every request still has an
-- audit trail of its own: the statement sets app.claim_requests, a JSON object from each leased
-- task's id to the id of the request it answers, and the audit row of a task's update names
-- that request when the task is in it (else the statement's app.request_id, as before). The
-- setting is transaction-local; a claim group is one statement in its own transaction.

CREATE OR REPLACE FUNCTION log_row_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
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


-- migrate:down
CREATE OR REPLACE FUNCTION log_row_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
                NULLIF(current_setting('app.request_id', true), ''));
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

