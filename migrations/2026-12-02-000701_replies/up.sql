-- The targets' replies (src/replies): an organizer records what a ministry answered, when,
-- a summary per language for the campaign page and mailings, and the original letter as
-- a PDF or a text file. The original is kept here rather than on disk so that backups,
-- replicas and the export of a campaign carry it; replies are few and at most 5 MiB each
-- (`replies::MAX_ORIGINAL_BYTES`, checked before insert and again here).
create table replies (
    id uuid primary key,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    target_id text not null,
    replied_on date not null,
    -- {"en": "...", "de": "..."}: the campaign's default language at least.
    summaries jsonb not null,
    file_name text not null,
    content_type text not null check (content_type in ('application/pdf', 'text/plain; charset=utf-8')),
    original bytea not null check (octet_length(original) <= 5242880),
    recorded_by uuid,
    recorded_at timestamptz not null
);
create index replies_by_campaign on replies (campaign_id, target_id, replied_on);
