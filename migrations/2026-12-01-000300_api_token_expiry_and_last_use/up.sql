-- API tokens expire (`rallypost organizer token EMAIL --expires DAYS`, 90 days unless told)
-- and remember when they were last used, which the admin shows. The last use is written
-- at most once a minute per token (src/organizers/token.rs), not on every request.
alter table api_tokens add column expires_at timestamptz, add column last_used_at timestamptz;
-- Tokens made before they could expire keep working for 90 days from this migration:
-- time to replace them, not forever.
update api_tokens set expires_at = now() + interval '90 days';
alter table api_tokens alter column expires_at set not null;
-- `organizer token revoke`, and removing an organizer, find their tokens by this.
create index api_tokens_organizer on api_tokens (organizer_id);
