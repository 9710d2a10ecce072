alter table outbox drop constraint if exists outbox_kind_known;
