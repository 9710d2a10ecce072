-- Each claim source asks for due rows of its own kinds, oldest first (src/outbox/claim.rs).
-- With only `next_attempt_at` indexed, that walked past every letter waiting for its pacing
-- slot: a sequential scan of 150,000 waiting letters took 28 ms on every poll of every
-- lane, to find ten confirmations. Keyed by kind first, the same question takes 0.1 ms.
-- One entry per pending row as before, so writing mail costs no more.
create index outbox_due_by_kind on outbox (kind, next_attempt_at) where status = 'pending';
drop index outbox_due;
