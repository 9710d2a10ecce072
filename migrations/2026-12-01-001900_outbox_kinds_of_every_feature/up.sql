-- Reminders (001300), mailings (001200) and webhooks (001700) were built side by side, and
-- each migration restated the outbox's kind check with only its own new kind; the last one
-- applied would refuse the others' rows. This one names every kind the code has.
alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'reminder', 'letter', 'digest', 'mailing', 'webhook')) not valid;
alter table outbox validate constraint outbox_kind_known;
