-- Bytes per signature (issue 17, item 3; bench/scale.sh). Hashes were stored as hex text
-- and twice as long as needed; one ALTER rewrites the table and its indexes once:
--
-- * `email_key`, the lookup key of an address (an HMAC-SHA256): 64 hex digits, 65 bytes in
--   the row and again in the unique index (campaign_id, email_key); now the 32 raw bytes.
--   A withdrawn signature had 'withdrawn:<id>' in place of a key (to free the address for a
--   new signature); now it has none (NULL; the unique index lets NULLs repeat). Rows from
--   before encryption, keyed by the address itself, keep those bytes until the next start
--   seals them.
-- * `consent_text_sha256` and `partner_consent_sha256`, the digests of the wording shown:
--   raw bytes instead of hex.
-- * `confirm_token_hash` and `withdraw_token_hash`: the first 16 bytes of the SHA-256 of a
--   256-bit random token (`secret::row_digest`), in the row and in two unique indexes.
--   Finding any stored token by guessing still takes about 2^128 / rows attempts. Links
--   already sent keep working: the new digest is a prefix of the old.
alter table signatures
    alter column email_key drop not null,
    alter column email_key type bytea using
        case
            when email_key like 'withdrawn:%' then null
            when email_key ~ '^[0-9a-f]{64}$' then decode(email_key, 'hex')
            else convert_to(email_key, 'UTF8')
        end,
    alter column consent_text_sha256 type bytea using decode(consent_text_sha256, 'hex'),
    alter column partner_consent_sha256 type bytea using decode(partner_consent_sha256, 'hex'),
    alter column confirm_token_hash type bytea using substring(confirm_token_hash from 1 for 16),
    alter column withdraw_token_hash type bytea using substring(withdraw_token_hash from 1 for 16);

-- The suppression list is keyed like the signatures.
alter table suppressions alter column email_key type bytea using
    case
        when email_key ~ '^[0-9a-f]{64}$' then decode(email_key, 'hex')
        else convert_to(email_key, 'UTF8')
    end;
