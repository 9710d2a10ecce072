create index outbox_due on outbox (next_attempt_at) where status = 'pending';
drop index outbox_due_by_kind;
