delete from outbox where kind = 'mailing';
alter table outbox drop constraint outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest')) not valid;
drop table suppressions;
drop table mailing_recipients;
drop table mailings;
