#!/usr/bin/env bash
# Why the signing transaction must not NOTIFY: the signing SQL through pgbench with a
# NOTIFY before COMMIT (as the outbox trigger of migration 2026-12-01-001500 did, until
# migration 2026-12-03-000900 dropped it) and without, alternating, each run beside a
# session sampling what pgbench's sessions wait for every 10 ms.
#
# A transaction that has called NOTIFY takes, at commit, a heavyweight lock on "database 0"
# (PostgreSQL's async.c, PreCommit_Notify) and holds it until the commit record is flushed:
# one lock for the whole cluster, so notifying commits flush one after another instead of
# sharing a WAL flush. pg_stat_activity shows the waiters as wait type Lock, event object.
# The service now wakes other processes' workers with one NOTIFY of its own after the
# commit, coalesced across a burst (src/outbox/wake.rs, `announce`).
#
#   bash bench/sign.sh            # first: creates $BENCH_DB with a campaign and real rows
#   bash bench/notify_lock.sh     # ROUNDS=2 DURATION=8 CLIENTS=16
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_sign}
URL="$PG/$DB"
DURATION=${DURATION:-8} ROUNDS=${ROUNDS:-2} CLIENTS=${CLIENTS:-16}
WORK=$(mktemp -d /tmp/rallypost-bench-notify.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

CAMPAIGN_ID=$(psql -At "$URL" -c "select id from campaigns limit 1")
[ -n "$CAMPAIGN_ID" ] || { echo "no campaign in $DB: run bench/sign.sh first" >&2; exit 1; }
write_sign_sql "$URL" "$WORK/with.sql" notify
write_sign_sql "$URL" "$WORK/without.sql"

sample() {
    psql -X -q -At "$PG/postgres" <<SQL
create temp table w (type text, event text);
do \$\$ declare stop timestamptz := clock_timestamp() + interval '$DURATION seconds'; begin
  while clock_timestamp() < stop loop
    perform pg_stat_clear_snapshot();
    insert into w select coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')
      from pg_stat_activity where datname = '$DB' and state <> 'idle' and pid <> pg_backend_pid();
    perform pg_sleep(0.01);
  end loop;
end \$\$;
select string_agg(format('%s/%s %s%%', type, event, pct), ', ') from (
  select type, event, round(100.0 * count(*) / sum(count(*)) over ()) pct
  from w group by 1, 2 order by count(*) desc limit 4) t;
SQL
}

echo "| NOTIFY in the transaction | tx/s | p50 / p99 ms | sessions not idle, by wait (top 4) | load |"
echo "|---|---|---|---|---|"
for _ in $(seq "$ROUNDS"); do
    for variant in with without; do
        sample >"$WORK/waits.txt" &
        sampler=$!
        (cd "$WORK" && rm -f pgbench_log.* && pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -l \
            -D campaign="$CAMPAIGN_ID" -f "$variant.sql" "$URL" >"$WORK/out.txt" 2>/dev/null)
        wait "$sampler"
        tps=$(awk '/^tps/ { printf "%.0f", $3 }' "$WORK/out.txt")
        pcts=$(cat "$WORK"/pgbench_log.* | awk '{ print $3 }' | sort -n |
            awk '{ a[NR] = $1 } END { printf "%.1f / %.1f", a[int(NR * 0.5)] / 1000, a[int(NR * 0.99)] / 1000 }')
        echo "| $variant | $tps | $pcts | $(cat "$WORK/waits.txt") | $(cut -d' ' -f1 /proc/loadavg) |"
    done
done
