-- Supporters' personal data is stored encrypted (see src/crypto.rs); `key_id` names the
-- key each row was written with. Rows from before carry 'plain' until `rallypost keys
-- rotate` encrypts them.
alter table signatures add column key_id text not null default 'plain';
alter table signatures alter column key_id drop default;
alter table signatures alter column email type bytea using convert_to(email, 'UTF8');
alter table signatures alter column name type bytea using convert_to(name, 'UTF8');
alter table signatures alter column postcode type bytea using convert_to(postcode, 'UTF8');
alter table signatures alter column comment type bytea using convert_to(comment, 'UTF8');
-- Which consent wording the supporter agreed to: the SHA-256 of the text shown.
alter table signatures add column consent_text_sha256 text;
create index signatures_key_id on signatures (key_id);
create index signatures_pending_signed_at on signatures (signed_at) where status = 'pending';

alter table outbox add column key_id text not null default 'plain';
alter table outbox alter column key_id drop default;
alter table outbox alter column recipient type bytea using convert_to(recipient, 'UTF8');
