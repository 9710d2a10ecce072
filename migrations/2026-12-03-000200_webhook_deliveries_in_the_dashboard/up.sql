-- Webhook receivers in the dashboard (owners): the delivery log names each delivery's
-- event, which the outbox row cannot tell once its body is erased; and the audit log
-- records adding, removing and sending again. The check constraint is restated in full.
create table webhook_events (
    outbox_id uuid primary key references outbox (id) on delete cascade,
    event text not null check (event in ('signature.confirmed', 'signature.withdrawn',
        'endorsement.approved', 'response.recorded'))
);

alter table organizer_audit drop constraint organizer_audit_action_check;
alter table organizer_audit add constraint organizer_audit_action_check check (action in ('sign_in',
    'sign_in_failed', 'add', 'invite', 'invitation_accepted', 'role_change', 'disable', 'enable', 'remove',
    'export', 'token_created', 'tokens_revoked', 'password_set', 'webhook_add', 'webhook_remove',
    'webhook_send_again'));
