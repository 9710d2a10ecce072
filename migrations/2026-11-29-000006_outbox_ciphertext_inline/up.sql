-- Messages in the outbox are ciphertext, which never compresses. Left to the defaults, a
-- row over 2 kB (every confirmation email) made PostgreSQL try to compress the message,
-- give up, and move it out of line into the TOAST table: a second insert and a second
-- index entry per email, found by profiling signing (issue 7). Rows up to 8 kB now stay
-- in the heap as they are; larger ones (digests with their CSV) go out of line without
-- a compression attempt.
alter table outbox set (toast_tuple_target = 8160);
alter table outbox alter column message set storage external;
alter table outbox alter column recipient set storage external;
