-- What the coalition features (issues 13, 14, 15) record with a signature, added in one
-- place so that the features built on them share one shape:
--   partner_id              the partner whose link (`?via=`) brought the supporter; only ids
--                           the campaign file lists are stored
--   partner_opt_in          news from that partner (`optin_{partner}`), beside updates_opt_in
--                           for the lead organisation
--   partner_consent_sha256  SHA-256 of the partner's opt-in wording shown, as for consent
--   utm_source, utm_medium, utm_campaign, referrer_host
--                           where the supporter came from; the referrer as a host name only
--   anonymous               counted and exported to organizers, but the name never reaches
--                           a target
--   email_undeliverable_at  a hard bounce (or three soft ones) said the address takes no mail
-- Columns with constant defaults are added without rewriting the table.
alter table signatures
    add column partner_id text,
    add column partner_opt_in boolean not null default false,
    add column partner_consent_sha256 text,
    add column utm_source text,
    add column utm_medium text,
    add column utm_campaign text,
    add column referrer_host text,
    add column anonymous boolean not null default false,
    add column email_undeliverable_at timestamptz;
