-- Letters to targets travel through the outbox like every other message. These columns
-- and constraints make "one letter per signature and target" and "one digest per target
-- and period" facts of the database, whatever the number of workers.
alter table outbox add column target_id text;
create unique index outbox_one_letter_per_signature_and_target
    on outbox (signature_id, target_id) where kind = 'letter';
create index outbox_due_letters on outbox (campaign_id, target_id, next_attempt_at)
    where kind = 'letter' and status = 'pending';

-- Pacing: the earliest time the next letter may go to a target. Advanced in the same
-- transaction that claims a letter, so it survives restarts and serialises workers.
create table letter_pacing (
    campaign_id uuid not null references campaigns (id) on delete cascade,
    target_id text not null,
    next_slot timestamptz not null,
    primary key (campaign_id, target_id)
);

-- One row per digest letter: the period it covers is (period_start, period_end]. The
-- next digest for the target starts at this one's period_end.
create table digests (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    target_id text not null,
    period_start timestamptz,
    period_end timestamptz not null,
    new_signatures integer not null,
    total_signatures integer not null,
    outbox_id uuid not null references outbox (id),
    created_at timestamptz not null,
    unique (campaign_id, target_id, period_end)
);

create index signatures_confirmed_at on signatures (campaign_id, confirmed_at) where status = 'confirmed';
