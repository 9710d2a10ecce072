-- Wakes the mail senders of every process when mail is queued (see src/outbox/wake.rs).
-- NOTIFY inside the inserting transaction is delivered only when it commits, and several
-- in one transaction reach a listener once, so a batch of signatures costs one wake-up.
-- A trigger, so every writer (signing, confirming, letters, the command line) wakes them
-- without having to remember to. Statement-level: one NOTIFY per insert statement.
create function notify_outbox_queued() returns trigger
language plpgsql as $$
begin
    perform pg_notify('rallypost_outbox', '');
    return null;
end
$$;

create trigger outbox_queued_notify
    after insert on outbox
    for each statement
    execute function notify_outbox_queued();
