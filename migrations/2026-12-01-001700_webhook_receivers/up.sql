-- The systems that get signed webhooks (src/webhooks): a partner's CRM, or the lead
-- organisation's. Deliveries themselves are outbox rows of kind 'webhook', so they share
-- the outbox's durable queue, its lease and its claim rule.
create table webhook_receivers (
    id uuid primary key,
    -- A partner's id as the campaign files' `[[partners]]` name it; null for the lead
    -- organisation (whose receiver gets supporters who asked for its news).
    partner_id text,
    url text not null,
    -- The signing secret's bytes, encrypted under the data key (`key_id`) like personal
    -- data: whoever reads the table must not be able to forge webhooks.
    secret bytea not null,
    key_id text not null,
    created_at timestamptz not null
);
create index webhook_receivers_partner on webhook_receivers (partner_id);

alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest', 'webhook')) not valid;
alter table outbox validate constraint outbox_kind_known;
