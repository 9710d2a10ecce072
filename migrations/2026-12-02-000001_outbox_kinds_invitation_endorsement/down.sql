alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'reminder', 'letter', 'digest', 'mailing', 'webhook')) not valid;
