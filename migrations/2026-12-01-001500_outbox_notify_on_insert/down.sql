drop trigger if exists outbox_queued_notify on outbox;
drop function if exists notify_outbox_queued();
