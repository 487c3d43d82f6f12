-- migrate:up
-- GDPR erasure (docs/security.md, "Privacy"): the user's credentials and sessions go; the user row
-- stays as a pseudonym (history keeps pointing at it); every text and jsonb value of every table
-- that holds the user's username or email (audit history, task assignees, metadata, …) gets the
-- pseudonym instead. The audit trigger is silenced for the rewrite (app.erasing), so history keeps
-- exactly its rows; the erasure itself is audited by the caller. SECURITY DEFINER: the rewrite
-- must reach rows row-level security hides from the application role and the append-only audit
-- table; it is granted to the application role alone.
CREATE FUNCTION erase_user(p_user_id uuid, p_pseudonym text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
$$;
REVOKE EXECUTE ON FUNCTION erase_user(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION erase_user(uuid, text) TO taskmaster_api;

-- The audit trigger records nothing while an erasure rewrites history (see erase_user).
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
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

-- migrate:down
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
BEGIN
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
DROP FUNCTION IF EXISTS erase_user(uuid, text);
