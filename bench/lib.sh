# Shared by the signing benchmarks (source it): the SQL the service runs per signature,
# as a pgbench script, so each benchmark measures the same transaction.

# write_sign_sql URL FILE [in-transaction-notify]
# Writes to FILE the signing transaction as pgbench runs it: look for the address, insert
# the signature and its confirmation email. Field sizes are the averages of the rows
# already in URL's database (ciphertext included), so run it after the service has signed
# some. With a third argument "notify", the transaction also calls NOTIFY before COMMIT,
# as the outbox trigger of migration 2026-12-01-001500 did (bench/notify_lock.sh).
write_sign_sql() {
    local url=$1 file=$2 notify=""
    [ "${3:-}" = notify ] && notify="notify rallypost_outbox;"
    local s_email s_name s_postcode s_hash o_recipient o_message
    read -r s_email s_name s_postcode s_hash < <(psql -At -F' ' "$url" -c "select
        avg(length(email))::int, avg(length(name))::int, avg(length(postcode))::int,
        avg(length(consent_text_sha256))::int from signatures")
    read -r o_recipient o_message < <(psql -At -F' ' "$url" -c "select
        avg(length(recipient))::int, avg(length(message))::int from outbox")
    [ -n "$o_message" ] || { echo "no signatures in $url to take field sizes from" >&2; return 1; }
    cat >"$file" <<SQL
\set n random(1, 1000000000000)
begin;
select id, status, confirmation_sent_at from signatures
  where campaign_id = :campaign::uuid and email_key in (sha256(('k' || :client_id::text || '-' || :n::text)::bytea))
  for update;
insert into signatures (id, campaign_id, status, email_key, key_id, email, name, country, postcode, comment,
    consent_to_targets, consent_text_sha256, updates_opt_in, language, confirm_token_hash, signed_at,
    confirmation_sent_at)
  values (md5(:client_id::text || '-' || :n::text)::uuid, :campaign::uuid, 'pending', sha256(('k' || :client_id::text || '-' || :n::text)::bytea), 'k1',
    convert_to(repeat('e', $s_email), 'UTF8'), convert_to(repeat('n', $s_name), 'UTF8'), 'DE',
    convert_to(repeat('p', $s_postcode), 'UTF8'), null, true, convert_to(repeat('c', $s_hash), 'UTF8'), false, 'en',
    substring(sha256(('t' || :n::text)::bytea) from 1 for 16), now(), now())
  on conflict do nothing;
insert into outbox (id, kind, campaign_id, signature_id, target_id, key_id, recipient, message,
    next_attempt_at, created_at)
  values (gen_random_uuid(), 'confirmation', :campaign::uuid, md5(:client_id::text || '-' || :n::text)::uuid, null, 'k1',
    convert_to(repeat('r', $o_recipient), 'UTF8'), convert_to(repeat('m', $o_message), 'UTF8'), now(), now())
  on conflict do nothing;
$notify
commit;
SQL
}
