-- Organizers sign in to the admin pages with a password (an Argon2id PHC string) and
-- reach the API with tokens. Emails are stored lower-case so that lookups are exact.
create table organizers (
    id uuid primary key,
    email text not null unique,
    password_hash text not null,
    created_at timestamptz not null
);

-- Server-side sessions: the cookie holds a random id, the table only its SHA-256, so a
-- leaked table row cannot be replayed. Logout deletes the row.
create table organizer_sessions (
    id_hash bytea primary key,
    organizer_id uuid not null references organizers (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null
);
create index organizer_sessions_expiry on organizer_sessions (expires_at);

-- API tokens, stored only as SHA-256: they carry 256 random bits, so a fast hash suffices.
create table api_tokens (
    token_hash bytea primary key,
    organizer_id uuid not null references organizers (id) on delete cascade,
    created_at timestamptz not null
);

-- Every export, from the web or the command line: who, when, which filters, how many rows.
-- The row is written when the export starts and completed when it ends, so an export cut
-- short still leaves a trace.
create table export_log (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    organizer_id uuid references organizers (id) on delete set null,
    actor text not null,
    via text not null check (via in ('web', 'cli')),
    filters jsonb not null,
    row_count bigint,
    started_at timestamptz not null,
    finished_at timestamptz
);
create index export_log_campaign on export_log (campaign_id, started_at desc);

-- The export's order and the dashboard's per-day chart both walk signatures of one
-- campaign by time; the country counts read this second index without touching the table.
create index signatures_campaign_signed on signatures (campaign_id, signed_at, id);
create index signatures_campaign_country on signatures (campaign_id, status, country);

-- The dashboard's letters per target and mail per kind count outbox rows of one campaign.
create index outbox_campaign_target on outbox (campaign_id, target_id, status);
