-- The dashboard's table of supporter mail still waiting or failed (`reports::supporter_mail`)
-- had no index to read: failed rows were in none, and pending ones only by time in the
-- sender's due indexes, so each view read the whole outbox (every confirmation and receipt
-- ever sent: 20 million rows at ten million signatures, about 1.6 s; bench/scale.sh). Mail
-- not yet delivered is a small part of the outbox, so this index is small too.
create index outbox_unsent_supporter_mail on outbox (campaign_id, kind, status)
    where target_id is null and status in ('pending', 'failed');
