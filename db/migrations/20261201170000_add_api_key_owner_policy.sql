-- migrate:up
-- People manage their own keys (GET/POST /api/v1/me/keys): a transaction whose app.current_user_id
-- is the key's owner sees and changes that key (permissive policies add up: own key id, admin, owner).
CREATE POLICY api_keys_api_owner ON api_keys
    FOR ALL TO taskmaster_api
    USING (owner_user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid)
    WITH CHECK (owner_user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid);

-- migrate:down
DROP POLICY IF EXISTS api_keys_api_owner ON api_keys;
