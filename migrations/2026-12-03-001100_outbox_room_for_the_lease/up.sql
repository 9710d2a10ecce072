-- Room on each outbox page for the lease (issue 14, item 5; bench/mail_priority.py). A
-- sender leases a row by setting `locked_until` and `attempts`, which no index holds, so
-- PostgreSQL can keep the new version on the same page and skip every index (a HOT
-- update) if the page has room for it; with pages filled to the brim, every lease wrote a
-- new entry into each of the row's four indexes (id, signature, due by kind, unsent
-- supporter mail) and left the claim's due index a dead entry to step over. Only pages
-- filled from now on keep the room; `vacuum full` would repack the rest.
alter table outbox set (fillfactor = 70);
