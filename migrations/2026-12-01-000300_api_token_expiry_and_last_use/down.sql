drop index api_tokens_organizer;
alter table api_tokens drop column expires_at, drop column last_used_at;
