-- The write API's `Idempotency-Key`s (see src/idempotency.rs): per token, the first request
-- made with each key and, once answered, its answer, so a partner site retrying after a lost
-- answer gets the same signature id back and the supporter no second email. Kept 24 hours;
-- housekeeping deletes expired rows. A token's keys go with the token.
create table api_idempotency_keys (
    token_hash bytea not null references api_tokens (token_hash) on delete cascade,
    key text not null check (length(key) between 1 and 255),
    -- SHA-256 of what the request asked (route and body): the same key for another request is refused.
    request_sha256 bytea not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    -- Null while the first request with the key is still being answered.
    response_status smallint,
    response_body jsonb,
    primary key (token_hash, key)
);
create index api_idempotency_keys_expires_at on api_idempotency_keys (expires_at);
