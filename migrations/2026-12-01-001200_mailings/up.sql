-- News mailings (src/mailings/): an organizer writes one per campaign, per language a
-- subject and a Markdown text; the workers queue one outbox row per recipient.
--   status        draft -> scheduled (send_at in the future) -> sending -> (paused <->
--                 sending) ; cancelled from any of them. `queued_all_at` says the filler
--                 found nobody left to queue.
--   texts         {"en": {"subject": "...", "markdown": "..."}, ...}: the organizers' own
--                 words, no supporter data, so stored as they wrote them
--   countries, languages
--                 the audience filter; empty means everyone
create table mailings (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    created_by uuid references organizers (id) on delete set null,
    status text not null check (status in ('draft', 'scheduled', 'sending', 'paused', 'cancelled')),
    texts jsonb not null,
    countries text[] not null default '{}',
    languages text[] not null default '{}',
    send_at timestamptz,
    queued_all_at timestamptz,
    created_at timestamptz not null
);
create index mailings_campaign on mailings (campaign_id, created_at);
-- The workers look for mailings with work to do on every tick.
create index mailings_due on mailings (send_at) where status in ('scheduled', 'sending');

-- One row per (mailing, supporter), written in the transaction that queues the message:
-- the primary key is what makes "at most once" a database fact, through crashes and any
-- number of workers. `outbox_id` goes null when the message is dropped unsent (cancel,
-- unsubscribe, withdrawal). Checked at commit, so a batch writes its recipients (which
-- tells it whom another worker queued meanwhile) before their messages.
create table mailing_recipients (
    mailing_id uuid not null references mailings (id) on delete cascade,
    signature_id uuid not null references signatures (id) on delete cascade,
    outbox_id uuid references outbox (id) on delete set null deferrable initially deferred,
    queued_at timestamptz not null,
    primary key (mailing_id, signature_id)
);
create index mailing_recipients_outbox on mailing_recipients (outbox_id);

-- Addresses that get no news from a sender, by the keyed hash of the canonical address
-- (the same lookup as signatures.email_key), never the address. `sender` is 'lead' for
-- the campaign's own organisation (a partner's id later), '*' for everything (a
-- withdrawal).
create table suppressions (
    email_key text not null,
    sender text not null,
    created_at timestamptz not null,
    primary key (email_key, sender)
);

alter table outbox drop constraint outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest', 'mailing')) not valid;
alter table outbox validate constraint outbox_kind_known;
