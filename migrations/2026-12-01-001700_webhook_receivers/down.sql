delete from outbox where kind = 'webhook';
alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest')) not valid;
alter table outbox validate constraint outbox_kind_known;
drop table webhook_receivers;
