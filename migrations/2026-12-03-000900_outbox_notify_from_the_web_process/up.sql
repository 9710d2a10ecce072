-- The senders of other processes are now woken by the web process that queued the mail,
-- in a statement of its own after the commit (src/outbox/wake.rs, `announce`), no longer
-- by a trigger inside the inserting transaction. A NOTIFY in a transaction holds one lock
-- for the whole cluster from just before its commit until the commit is on disk, so every
-- signing transaction committed alone, one disk flush each, instead of sharing a flush
-- with the others: measured with pgbench (bench/notify_lock.sh), the same signing SQL ran
-- at about a third of its rate with the trigger.
drop trigger outbox_queued_notify on outbox;
drop function notify_outbox_queued();
