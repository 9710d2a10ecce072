-- Organisations that endorse a campaign's call (src/endorsements). An endorsement is
-- public once approved: the organisation's name, website and country are shown on the
-- campaign page and in letters, so they are stored in the clear. The contact address is
-- personal data: encrypted under the data key (`key_id`) like a supporter's, and erased
-- (set to null) when the endorsement is rejected or withdrawn.
create table endorsements (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    status text not null
        check (status in ('pending', 'confirmed', 'approved', 'rejected', 'withdrawn')),
    organisation text not null,
    website text not null,
    country text not null,
    key_id text not null,
    contact_email bytea,
    language text not null,
    -- SHA-256 of the confirmation link's secret; null once confirmed.
    confirm_token_hash bytea unique,
    created_at timestamptz not null,
    confirmed_at timestamptz,
    decided_at timestamptz
);
create index endorsements_by_campaign on endorsements (campaign_id, status);
