-- Deleting a signature (withdrawal, the 30-day purge of unconfirmed ones) cascades to its
-- mailing copies, and the primary key (mailing_id, signature_id) cannot find them by
-- signature: every deleted signature read the whole table, which holds a row per recipient
-- of every mailing (bench/plans.py listed the sequential scan). One entry per recipient row.
create index mailing_recipients_signature on mailing_recipients (signature_id);
