-- Organizer invitations and endorsement confirmations are mail too. Added before the
-- features that send them, so each can be built without restating this check (see 001900).
alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'reminder', 'letter', 'digest', 'mailing', 'webhook',
                    'invitation', 'endorsement')) not valid;
alter table outbox validate constraint outbox_kind_known;
