-- Campaigns are imported from TOML files; the parsed file is kept whole in `definition`
-- so that pages and letters read the words the organizers wrote, while the columns hold
-- what queries filter on.
create table campaigns (
    id uuid primary key,
    slug text not null unique,
    status text not null check (status in ('open', 'closed')),
    goal integer not null check (goal > 0),
    definition jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- One row per supporter and campaign. `email_key` is the canonical address used to find
-- a repeated signature; tokens are stored only as SHA-256 digests.
create table signatures (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    status text not null check (status in ('pending', 'confirmed', 'withdrawn')),
    email_key text not null,
    email text,
    name text,
    country text not null,
    postcode text,
    comment text,
    consent_to_targets boolean not null,
    updates_opt_in boolean not null,
    language text not null,
    confirm_token_hash bytea,
    withdraw_token_hash bytea,
    signed_at timestamptz not null,
    confirmation_sent_at timestamptz not null,
    confirmed_at timestamptz,
    withdrawn_at timestamptz,
    unique (campaign_id, email_key)
);
create index signatures_campaign_status on signatures (campaign_id, status);
create unique index signatures_confirm_token on signatures (confirm_token_hash);
create unique index signatures_withdraw_token on signatures (withdraw_token_hash);

-- The durable outbox: one row per message. A worker claims a row by setting
-- `locked_until` (a lease), commits, talks SMTP, then records the result. A row whose
-- lease expired is claimable again, so a crashed worker loses nothing.
create table outbox (
    id uuid primary key,
    kind text not null,
    campaign_id uuid references campaigns (id) on delete cascade,
    signature_id uuid references signatures (id) on delete set null,
    recipient text,
    message bytea,
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz not null,
    sent_at timestamptz
);
create index outbox_due on outbox (next_attempt_at) where status = 'pending';
create index outbox_signature on outbox (signature_id);
