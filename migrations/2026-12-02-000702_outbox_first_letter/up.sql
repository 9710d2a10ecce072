-- The campaign page says since when each target has awaited a reply: the day its first
-- letter or digest went (src/replies/status.rs, `outbox::first_letter_sent`). Without this
-- index that reads every letter sent to the target (one per supporter in `individual`
-- mode) on every view of the page; with it, one index entry per target. Partial, so mail
-- to supporters (most rows) pays nothing for it.
create index outbox_first_letter on outbox (campaign_id, target_id, sent_at)
    where status = 'sent' and kind in ('letter', 'digest');
