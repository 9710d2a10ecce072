drop table if exists login_failures;
drop index if exists signatures_withdrawn_at;
create index signatures_campaign_signed_plain on signatures (campaign_id, signed_at, id);
drop index signatures_campaign_signed;
alter index signatures_campaign_signed_plain rename to signatures_campaign_signed;
drop table if exists signature_days_to_recount;
drop table if exists signature_count_state;
drop table if exists signature_day_counts;
