-- `status` has always been checked; `kind` now is too, with the words of `outbox::Kind`
-- (src/outbox/status.rs), so a row no version of rallypost can read is never written.
-- A new kind is a migration that drops and re-adds this constraint.
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest')) not valid;
alter table outbox validate constraint outbox_kind_known;
