delete from organizer_audit where action in ('webhook_add', 'webhook_remove', 'webhook_send_again');
alter table organizer_audit drop constraint organizer_audit_action_check;
alter table organizer_audit add constraint organizer_audit_action_check check (action in ('sign_in',
    'sign_in_failed', 'add', 'invite', 'invitation_accepted', 'role_change', 'disable', 'enable', 'remove',
    'export', 'token_created', 'tokens_revoked', 'password_set'));
drop table webhook_events;
