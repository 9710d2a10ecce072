-- What organizers did, for owners: sign-ins, invitations, role changes, disabled
-- accounts, exports and API tokens. Written by the use cases in the same transaction as
-- the change they record. `actor` keeps who it was by name after the account is gone;
-- `subject` is the organizer acted on or the campaign exported, `detail` the rest.
create table organizer_audit (
    id uuid primary key,
    at timestamptz not null,
    actor_id uuid references organizers (id) on delete set null,
    actor text not null,
    action text not null check (action in ('sign_in', 'sign_in_failed', 'add', 'invite', 'invitation_accepted',
        'role_change', 'disable', 'enable', 'remove', 'export', 'token_created', 'tokens_revoked',
        'password_set')),
    subject text,
    detail text not null default ''
);
create index organizer_audit_at on organizer_audit (at desc, id desc);
