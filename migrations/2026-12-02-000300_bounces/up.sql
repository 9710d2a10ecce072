-- Bounces (src/bounces/): one row per bounce counted, from the bounce mailbox or from a
-- server's 5xx refusal at send time.
--   source_key    what makes reading the same bounce twice count once: a SHA-256 of the
--                 bounce's Message-ID (or of the whole message when it has none), or
--                 'smtp:<outbox id>' for a refusal at send time
--   outbox_id     the message that bounced (from its VERP address); no foreign key, as
--                 sent rows may be erased while what bounced stays worth knowing
--   signature_id  set for mail to a supporter; the bounce goes with their signature
--   target_id     set for a letter or digest to a target
--   reason        the server's words (Diagnostic-Code or the reply), addresses masked
create table bounces (
    id uuid primary key,
    source_key text not null unique,
    outbox_id uuid not null,
    kind text not null,
    campaign_id uuid references campaigns (id) on delete cascade,
    signature_id uuid references signatures (id) on delete cascade,
    target_id text,
    hard boolean not null,
    reason text not null,
    bounced_at timestamptz not null
);
create index bounces_outbox on bounces (outbox_id);
-- Soft bounces in the last 14 days, per signature.
create index bounces_signature on bounces (signature_id, bounced_at) where signature_id is not null;
-- The dashboard's bounced letters, newest first.
create index bounces_target on bounces (campaign_id, bounced_at) where target_id is not null;
