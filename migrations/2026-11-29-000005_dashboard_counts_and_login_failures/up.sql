-- The dashboard's signature counts, kept per campaign, UTC day of signing, country and
-- status, so that a page view sums a few thousand rows instead of counting a million.
--
-- Nothing on the signing path writes here: a counter updated by every signature would be
-- one hot row that serializes all signing. Instead the dashboard refreshes the table when
-- it is viewed (src/reports/daily.rs): it recounts only the days that can have changed since
-- the last refresh (days with new signatures, and the signing days of signatures confirmed
-- or withdrawn since), which it finds through the indexes below, and the days that
-- `purge` lists in signature_days_to_recount. The other days are read from here as they are.
create table signature_day_counts (
    campaign_id uuid not null references campaigns (id) on delete cascade,
    day date not null,
    country text not null,
    status text not null,
    n bigint not null,
    primary key (campaign_id, day, country, status)
);

-- When the counts of each campaign were last brought up to date (the application's clock;
-- null: never, count everything); the row is also the lock that keeps two refreshes of one
-- campaign apart.
create table signature_count_state (
    campaign_id uuid primary key references campaigns (id) on delete cascade,
    counted_at timestamptz
);

-- Days whose signatures were deleted (by `purge`): deletions leave no timestamp behind, so
-- whoever deletes names the days here and the next refresh recounts them.
create table signature_days_to_recount (
    campaign_id uuid not null references campaigns (id) on delete cascade,
    day date not null,
    primary key (campaign_id, day)
);

-- Recounting a day reads only this index (an index-only scan): the export's order
-- (campaign, signed_at, id), now carrying status and country too. Same entries as before,
-- so signing writes no more index entries than it did.
create index signatures_campaign_signed_covering on signatures (campaign_id, signed_at, id)
    include (status, country);
drop index signatures_campaign_signed;
alter index signatures_campaign_signed_covering rename to signatures_campaign_signed;

-- Withdrawals since the last refresh, with the day each withdrawn signature was made.
-- Only withdrawal writes to it.
create index signatures_withdrawn_at on signatures (campaign_id, withdrawn_at) include (signed_at)
    where status = 'withdrawn';

-- Failed sign-ins per account and per client (src/organizers/throttle.rs), shared by every
-- server process. `key` is a SHA-256, so the table holds no addresses.
create table login_failures (
    key text primary key,
    failures integer not null,
    last_failure timestamptz not null
);
