-- The dashboard's counts by partner and source, kept like signature_day_counts (see
-- src/reports/daily.rs) and refreshed with it, for the same days: per campaign, UTC day of
-- signing, partner ('' for none), source (utm_source, else the referrer's host, else
-- 'direct'), status and the partner's opt-in. A dashboard view sums these rows instead of
-- grouping every signature; nothing on the signing path writes here and signatures get no
-- new index.
create table signature_source_counts (
    campaign_id uuid not null references campaigns (id) on delete cascade,
    day date not null,
    partner text not null,
    source text not null,
    status text not null,
    partner_opt_in boolean not null,
    n bigint not null,
    primary key (campaign_id, day, partner, source, status, partner_opt_in)
);

-- The next refresh of each campaign counts everything once, filling the new table.
update signature_count_state set counted_at = null;
