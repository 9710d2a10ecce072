-- Index entries on every signature and every outbox row that no query needs (issue 17,
-- item 3; sizes from bench/scale.sh):
--
-- * `signatures_key_id` held every signature by its key id for one statement: sealing
--   rows from before encryption at each start (`keys rotate` walks by id). Now only those
--   rows are indexed; the statement writes 'plain' into its text to match the predicate.
-- * `signatures_campaign_status` (campaign_id, status) is the start of
--   `signatures_campaign_country` (campaign_id, status, country), which serves every query
--   it served.
-- * `outbox_campaign_target` (campaign_id, target_id, status) is read only for letters and
--   digests (`target_id = ...`); supporters' mail (most rows, no target) is left out.
drop index signatures_key_id;
create index signatures_plain on signatures (id) where key_id = 'plain';
drop index signatures_campaign_status;
drop index outbox_campaign_target;
create index outbox_campaign_target on outbox (campaign_id, target_id, status) where target_id is not null;
