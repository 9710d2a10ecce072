-- The truncated token digests cannot grow back: links sent before the upgrade stop working
-- after a downgrade (the confirmation and withdrawal links of those signatures).
alter table suppressions alter column email_key type text using
    case when length(email_key) = 32 then encode(email_key, 'hex') else convert_from(email_key, 'UTF8') end;

alter table signatures
    alter column email_key type text using
        case
            when email_key is null then 'withdrawn:' || id
            when length(email_key) = 32 and key_id <> 'plain' then encode(email_key, 'hex')
            when length(email_key) = 32 and position('@'::bytea in email_key) = 0 then encode(email_key, 'hex')
            else convert_from(email_key, 'UTF8')
        end,
    alter column email_key set not null,
    alter column consent_text_sha256 type text using encode(consent_text_sha256, 'hex'),
    alter column partner_consent_sha256 type text using encode(partner_consent_sha256, 'hex');
