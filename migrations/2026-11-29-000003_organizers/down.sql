drop index if exists outbox_campaign_target;
drop index if exists signatures_campaign_country;
drop index if exists signatures_campaign_signed;
drop table if exists export_log;
drop table if exists api_tokens;
drop table if exists organizer_sessions;
drop table if exists organizers;
