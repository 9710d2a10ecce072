-- Confirmation reminders (src/signatures/remind.rs). `reminders_sent` counts the reminders a
-- pending signature has had; queueing one moves it from n to n + 1 in a conditional update,
-- so of two workers that race for the same reminder only one queues it. The due rows are
-- found through `signatures_pending_signed_at`, which exists already.
alter table signatures add column reminders_sent smallint not null default 0;

alter table outbox drop constraint if exists outbox_kind_known;
alter table outbox add constraint outbox_kind_known
    check (kind in ('confirmation', 'receipt', 'letter', 'digest', 'reminder')) not valid;
alter table outbox validate constraint outbox_kind_known;
