alter table outbox reset (toast_tuple_target);
alter table outbox alter column message set storage extended;
alter table outbox alter column recipient set storage extended;
