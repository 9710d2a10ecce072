-- The ids of the embed's form tokens that were used (see src/embed): a token works once.
-- A row is needed only until its token expires anyway; housekeeping deletes it then.
create table embed_tokens_used (
    id uuid primary key,
    expires_at timestamptz not null
);
create index embed_tokens_used_expires_at on embed_tokens_used (expires_at);
