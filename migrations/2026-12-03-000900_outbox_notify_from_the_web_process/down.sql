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
