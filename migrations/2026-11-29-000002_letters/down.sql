drop index signatures_confirmed_at;
drop table digests;
drop table letter_pacing;
drop index outbox_due_letters;
drop index outbox_one_letter_per_signature_and_target;
alter table outbox drop column target_id;
