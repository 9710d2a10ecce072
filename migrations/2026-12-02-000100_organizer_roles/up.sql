-- Organizer roles (SPEC "Organizer roles"): every organizer so far could see everything,
-- so the ones there are become owners. A partner organizer names the partner whose
-- opted-in supporters they may see; the campaigns a manager, partner or viewer may see
-- are rows of organizer_campaigns. A disabled account keeps its row (the audit log names
-- it) but has no sessions or tokens and cannot sign in.
alter table organizers
    add column role text not null default 'owner'
        check (role in ('owner', 'manager', 'partner', 'viewer')),
    add column partner_id text,
    add column disabled_at timestamptz,
    add constraint organizers_partner_has_partner check ((role = 'partner') = (partner_id is not null));
alter table organizers alter column role drop default;

create table organizer_campaigns (
    organizer_id uuid not null references organizers (id) on delete cascade,
    campaign_id uuid not null references campaigns (id) on delete cascade,
    primary key (organizer_id, campaign_id)
);

-- Invitations: a single-use link, only its SHA-256 kept, that lets the invited person set
-- the password of the account an owner made for them.
create table organizer_invitations (
    token_hash bytea primary key,
    organizer_id uuid not null references organizers (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index organizer_invitations_organizer on organizer_invitations (organizer_id);
