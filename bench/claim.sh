#!/usr/bin/env bash
# Claim benchmark: what one poll of the outbox sender costs the database while N letters
# (default 150,000: 50,000 signatures, three targets) wait for their pacing slots, beside
# the same queries with no letters waiting, in the same run. Each figure is the median
# execution time of 7 runs (EXPLAIN ANALYZE). The queries before 2026-12 (one claim for
# every kind but letters, and `select distinct` over the waiting letters) run beside the
# current ones. Prints a table.
#
#   bash bench/claim.sh                  # needs PostgreSQL at 127.0.0.1:5432, user postgres
#   N=1000000 bash bench/claim.sh
#
# Drops and recreates the database $BENCH_DB (default rallypost_bench_claim). Not run by tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-150000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_claim}
URL="$PG/$DB"
WORK=$(mktemp -d /tmp/rallypost-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ -n "${RALLYPOST_BIN:-}" ]; then BIN=$RALLYPOST_BIN; else cargo build --release --quiet; BIN=target/release/rallypost; fi
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn

psql -q "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
"$BIN" migrate 2>/dev/null
"$BIN" campaign import campaigns/end-forced-returns.toml >/dev/null
psql -q "$URL" <<SQL
insert into outbox (id, kind, campaign_id, target_id, recipient, message, next_attempt_at, created_at, key_id)
select gen_random_uuid(), 'letter', c.id, (array['de-bmi', 'at-bmi', 'eu-home'])[1 + i % 3], '\x00', '\x00',
    now() - interval '1 day' + i * interval '100 microseconds', now() - interval '1 day', 'plain'
from campaigns c, generate_series(1, $N) i;
insert into outbox (id, kind, recipient, message, next_attempt_at, created_at, key_id)
select gen_random_uuid(), 'confirmation', '\x00', '\x00', now() - interval '1 minute', now(), 'plain'
from generate_series(1, 10);
vacuum analyze outbox;
SQL

due="status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())"
declare -A QUERIES=(
  [supporter mail, now]="select id from outbox where $due and kind = any('{confirmation,receipt}') order by next_attempt_at limit 64 for update skip locked"
  [digests, now]="select id from outbox where $due and kind = any('{digest}') order by next_attempt_at limit 64 for update skip locked"
  [targets with letters, now]="$(cat src/letters/waiting_targets.sql)"
  [every kind but letters, before]="select id from outbox where $due and kind <> 'letter' order by next_attempt_at limit 64 for update skip locked"
  [targets with letters, before]="select distinct campaign_id, target_id from outbox where kind = 'letter' and $due"
)
ORDER=("supporter mail, now" "digests, now" "targets with letters, now" "every kind but letters, before" "targets with letters, before")

# Median execution time in ms of 7 runs of $1.
median_ms() {
    for _ in $(seq 7); do
        psql -tA "$URL" -c "explain (analyze, timing off) $1" | sed -n 's/^Execution Time: \(.*\) ms$/\1/p'
    done | sort -g | sed -n 4p
}

declare -A WITH WITHOUT
for q in "${ORDER[@]}"; do WITH[$q]=$(median_ms "${QUERIES[$q]}"); done
psql -q "$URL" -c "delete from outbox where kind = 'letter'" -c "vacuum analyze outbox"
for q in "${ORDER[@]}"; do WITHOUT[$q]=$(median_ms "${QUERIES[$q]}"); done

printf '\n| query (one per lane per poll) | %s letters waiting | none waiting | ratio |\n|---|---|---|---|\n' "$N"
for q in "${ORDER[@]}"; do
    printf '| %s | %.2f ms | %.2f ms | %.1f |\n' "$q" "${WITH[$q]}" "${WITHOUT[$q]}" "$(echo "${WITH[$q]} / ${WITHOUT[$q]}" | bc -l)"
done
psql -q "$PG/postgres" -c "drop database $DB"
