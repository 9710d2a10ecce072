alter table outbox reset (fillfactor);
