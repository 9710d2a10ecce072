#!/usr/bin/env bash
# Where the signing tail comes from: the signing SQL through pgbench with the outbox
# trigger's NOTIFY (migration 2026-12-01-001500) on and off, alternating, each run beside a
# session sampling what pgbench's sessions wait for every 10 ms.
#
# A transaction that has called NOTIFY takes, at commit, a heavyweight lock on "database 0"
# (PostgreSQL's async.c, PreCommit_Notify) and holds it until the commit record is flushed:
# one lock for the whole cluster, so notifying commits flush one after another instead of
# sharing a WAL flush. pg_stat_activity shows the waiters as wait type Lock, event object.
#
#   bash bench/sign.sh            # first: creates $BENCH_DB with a campaign and real rows
#   bash bench/notify_lock.sh     # ROUNDS=2 DURATION=8 CLIENTS=16
#
# It disables and re-enables the trigger in $BENCH_DB only (default rallypost_bench_sign).
set -euo pipefail
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_sign}
URL="$PG/$DB"
DURATION=${DURATION:-8} ROUNDS=${ROUNDS:-2} CLIENTS=${CLIENTS:-16}
WORK=$(mktemp -d /tmp/rallypost-bench-notify.XXXXXX)
trap 'psql -q "$URL" -c "alter table outbox enable trigger outbox_queued_notify"; rm -rf "$WORK"' EXIT

CAMPAIGN_ID=$(psql -At "$URL" -c "select id from campaigns limit 1")
[ -n "$CAMPAIGN_ID" ] || { echo "no campaign in $DB: run bench/sign.sh first" >&2; exit 1; }
# The same transaction as bench/sign.sh's pgbench step, with the field sizes of its rows.
read -r s_email s_name s_postcode s_hash < <(psql -At -F' ' "$URL" -c "select
    avg(length(email))::int, avg(length(name))::int, avg(length(postcode))::int,
    avg(length(consent_text_sha256))::int from signatures")
read -r o_recipient o_message < <(psql -At -F' ' "$URL" -c "select
    avg(length(recipient))::int, avg(length(message))::int from outbox")
cat >"$WORK/sign.sql" <<SQL
\set n random(1, 1000000000000)
begin;
select id, status, confirmation_sent_at from signatures
  where campaign_id = :campaign::uuid and email_key in ('k' || :client_id::text || '-' || :n::text)
  for update;
insert into signatures (id, campaign_id, status, email_key, key_id, email, name, country, postcode, comment,
    consent_to_targets, consent_text_sha256, updates_opt_in, language, confirm_token_hash, signed_at,
    confirmation_sent_at)
  values (md5(:client_id::text || '-' || :n::text)::uuid, :campaign::uuid, 'pending', 'k' || :client_id::text || '-' || :n::text, 'k1',
    convert_to(repeat('e', $s_email), 'UTF8'), convert_to(repeat('n', $s_name), 'UTF8'), 'DE',
    convert_to(repeat('p', $s_postcode), 'UTF8'), null, true, repeat('c', $s_hash), false, 'en',
    sha256(('t' || :n::text)::bytea), now(), now())
  on conflict do nothing;
insert into outbox (id, kind, campaign_id, signature_id, target_id, key_id, recipient, message,
    next_attempt_at, created_at)
  values (gen_random_uuid(), 'confirmation', :campaign::uuid, md5(:client_id::text || '-' || :n::text)::uuid, null, 'k1',
    convert_to(repeat('r', $o_recipient), 'UTF8'), convert_to(repeat('m', $o_message), 'UTF8'), now(), now())
  on conflict do nothing;
commit;
SQL

sample() {
    psql -X -q -At "$PG/postgres" <<SQL
create temp table w (type text, event text);
do \$\$ declare stop timestamptz := clock_timestamp() + interval '$DURATION seconds'; begin
  while clock_timestamp() < stop loop
    perform pg_stat_clear_snapshot();
    insert into w select coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')
      from pg_stat_activity where datname = '$DB' and state <> 'idle';
    perform pg_sleep(0.01);
  end loop;
end \$\$;
select string_agg(format('%s/%s %s%%', type, event, pct), ', ') from (
  select type, event, round(100.0 * count(*) / sum(count(*)) over ()) pct
  from w group by 1, 2 order by count(*) desc limit 4) t;
SQL
}

echo "| trigger | tx/s | p50 / p99 ms | sessions not idle, by wait (top 4) | load |"
echo "|---|---|---|---|---|"
for _ in $(seq "$ROUNDS"); do
    for state in enable disable; do
        psql -q "$URL" -c "alter table outbox $state trigger outbox_queued_notify"
        sample >"$WORK/waits.txt" &
        sampler=$!
        (cd "$WORK" && rm -f pgbench_log.* && pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -l \
            -D campaign="$CAMPAIGN_ID" -f sign.sql "$URL" >"$WORK/out.txt" 2>/dev/null)
        wait "$sampler"
        tps=$(awk '/^tps/ { printf "%.0f", $3 }' "$WORK/out.txt")
        pcts=$(cat "$WORK"/pgbench_log.* | awk '{ print $3 }' | sort -n |
            awk '{ a[NR] = $1 } END { printf "%.1f / %.1f", a[int(NR * 0.5)] / 1000, a[int(NR * 0.99)] / 1000 }')
        echo "| ${state}d | $tps | $pcts | $(cat "$WORK/waits.txt") | $(cut -d' ' -f1 /proc/loadavg) |"
    done
done
