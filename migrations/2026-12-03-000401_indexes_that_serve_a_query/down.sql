drop index outbox_campaign_target;
create index outbox_campaign_target on outbox (campaign_id, target_id, status);
create index signatures_campaign_status on signatures (campaign_id, status);
drop index signatures_plain;
create index signatures_key_id on signatures (key_id);
