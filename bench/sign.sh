#!/usr/bin/env bash
# Signing benchmark: valid, distinct signatures posted through the full HTTP path (CSRF
# cookie and token, validation, insert, outbox row, 303) by wrk in its own process, beside
# pgbench running the SQL the service runs per signature, one transaction each, against
# the same PostgreSQL (fsync on). Prints peak rates, their ratio, latency at half the peak
# and the server's memory; then the latency distribution at half the peak and what the
# service's PostgreSQL sessions were waiting for meanwhile.
#
#   bash bench/sign.sh            # needs PostgreSQL at 127.0.0.1:5432 (user postgres), wrk
#   DURATION=20 CONNS="16 64" bash bench/sign.sh
#   WAITS=0 bash bench/sign.sh
#
# It drops and recreates the database $BENCH_DB (default rallypost_bench_sign). Not run by
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_sign}
URL="$PG/$DB"
SLUG=end-forced-returns
DURATION=${DURATION:-10}
CONNS=${CONNS:-"8 16 32 64"}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-"4 8 16 32 64"}
PORT=${BENCH_PORT:-18090}
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d /tmp/rallypost-bench-sign.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

for tool in wrk pgbench psql curl; do
    command -v $tool >/dev/null || { echo "needs $tool (apt-get install wrk postgresql-client curl)" >&2; exit 1; }
done
# BIN=path/to/rallypost compares another build (say, an older commit's) in the same way.
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; BIN=target/release/rallypost; fi
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn
export RALLYPOST_SECRET_KEY="bench key that is at least thirty-two bytes long"
export RALLYPOST_CAMPAIGNS_DIR="$PWD/campaigns" RALLYPOST_BIND="127.0.0.1:$PORT"
export RALLYPOST_DATA_KEY=${RALLYPOST_DATA_KEY:-$(printf '5a%.0s' $(seq 32))}
# Every request comes from 127.0.0.1: the per-client limit would stop the load at once.
export RALLYPOST_SIGN_RATE=off

psql -q "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
"$BIN" migrate 2>/dev/null
"$BIN" campaign import "campaigns/$SLUG.toml" >/dev/null
CAMPAIGN_ID=$(psql -At "$URL" -c "select id from campaigns where slug = '$SLUG'")

rss_kb() { awk -v f="$2" '$1 == f":" { print $2 }' "/proc/$1/status"; }
mib() { echo "scale=1; $1 / 1024" | bc; }

# --- the service ------------------------------------------------------------------------
# Workers off: this measures taking signatures; mail has its own benchmark (pipeline).
"$BIN" serve --no-workers >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/readyz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
sleep 2
idle_rss=$(rss_kb $SERVER VmRSS)

page=$(curl -fsS -c "$WORK/cookies" "$BASE/c/$SLUG")
export CSRF_TOKEN=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//')
export CSRF_COOKIE=$(awk '$6 == "rp_csrf" { print $7 }' "$WORK/cookies")
export SIGN_PATH="/c/$SLUG/sign"
[ -n "$CSRF_TOKEN" ] && [ -n "$CSRF_COOKIE" ] || { echo "no CSRF token on the page" >&2; exit 1; }

# wrk prints "Requests/sec: N" and, when some answer was not 2xx/3xx, "Non-2xx or 3xx".
run_wrk() { # conns duration run-id [rate] -> output file
    local out="$WORK/wrk-$3.txt"
    RUN_ID=$3 RATE=${4:-0} wrk -t2 -c"$1" -d"$2"s --latency -s bench/sign.lua "$BASE" >"$out"
    if grep -q "Non-2xx" "$out"; then echo "wrk: some answers were not 303:" >&2; cat "$out" >&2; exit 1; fi
    echo "$out"
}
rate_of() { awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$1"; }
# wrk --latency prints "50% 1.23ms" etc; normalise to milliseconds.
pct_ms() {
    awk -v p="$2%" '$1 == p { v = $2; u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
        printf "%.1f", (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }' "$1"
}

commits() { psql -At "$PG/postgres" -c "select xact_commit from pg_stat_database where datname = '$DB'"; }
commits_before=$(commits)
echo "signing through HTTP, ${DURATION}s per step ..." >&2
best_rate=0 best_conns=0
declare -A http_rate
for c in $CONNS; do
    out=$(run_wrk "$c" "$DURATION" "peak$c")
    http_rate[$c]=$(rate_of "$out")
    echo "  $c connections: ${http_rate[$c]}/s" >&2
    if [ "${http_rate[$c]}" -gt "$best_rate" ]; then best_rate=${http_rate[$c]} best_conns=$c; fi
done
peak_rss=$(rss_kb $SERVER VmHWM)
sleep 1  # the statistics collector reports about once a second
per_commit=$(echo "scale=1; $(psql -At "$URL" -c "select count(*) from signatures") / ($(commits) - $commits_before)" | bc)
stored=$(psql -At "$URL" -c "select count(*) from signatures")
outbox=$(psql -At "$URL" -c "select count(*) from outbox where kind = 'confirmation'")

# Half the peak: the same connections, each request sent on a fixed schedule. Meanwhile
# one more session samples what the service's sessions are doing every 10 ms (WAITS=0
# leaves it out): on the CPU, waiting for a lock, for the WAL flush, or for rallypost
# between two statements of a transaction ("idle in transaction").
half=$((best_rate / 2))
if [ "${WAITS:-1}" != 0 ]; then
    psql -X -q -At -F' ' "$PG/postgres" >"$WORK/waits.txt" 2>&1 <<SQL &
create temp table w (state text, type text, event text);
do \$\$ declare stop timestamptz := clock_timestamp() + interval '$DURATION seconds'; begin
  while clock_timestamp() < stop loop
    perform pg_stat_clear_snapshot();
    insert into w select state, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')
      from pg_stat_activity where datname = '$DB' and state <> 'idle' and pid <> pg_backend_pid();
    perform pg_sleep(0.01);
  end loop;
end \$\$;
select count(*), round(100.0 * count(*) / sum(count(*)) over (), 1), state, type, event
  from w group by 3, 4, 5 order by 1 desc limit 12;
SQL
    SAMPLER=$!
fi
out=$(LATENCY_DIST=1 run_wrk "$best_conns" "$DURATION" half "$half")
half_rate=$(rate_of "$out") p50=$(pct_ms "$out" 50) p99=$(pct_ms "$out" 99)
[ -n "${SAMPLER:-}" ] && wait "$SAMPLER"
kill $SERVER && wait $SERVER 2>/dev/null || true
SERVER=""

# --- pgbench: the same SQL, one transaction per signature -----------------------------
write_sign_sql "$URL" "$WORK/sign.sql"
echo "pgbench, same SQL, ${DURATION}s per client count ..." >&2
pg_best=0 pg_best_clients=0
declare -A pg_rate
for c in $PGBENCH_CLIENTS; do
    pg_rate[$c]=$(pgbench -n -M prepared -c "$c" -j 2 -T "$DURATION" -D campaign="$CAMPAIGN_ID" \
        -f "$WORK/sign.sql" "$URL" 2>"$WORK/pgbench.err" | awk '/^tps/ { printf "%.0f", $3 }')
    echo "  $c clients: ${pg_rate[$c]}/s" >&2
    if [ "${pg_rate[$c]}" -gt "$pg_best" ]; then pg_best=${pg_rate[$c]} pg_best_clients=$c; fi
done

ratio=$(echo "scale=2; $best_rate / $pg_best" | bc)
echo
echo "| what | figure | note |"
echo "|---|---|---|"
for c in $CONNS; do echo "| HTTP sign, wrk $c connections | ${http_rate[$c]} sig/s | |"; done
for c in $PGBENCH_CLIENTS; do echo "| pgbench same SQL, $c clients | ${pg_rate[$c]} tx/s | |"; done
echo "| **peak: service / pgbench** | **$best_rate / $pg_best = $ratio** | service at $best_conns connections, pgbench at $pg_best_clients clients |"
echo "| latency at half the peak ($half_rate sig/s, $best_conns connections) | p50 $p50 ms, p99 $p99 ms | |"
echo "| signatures per committed transaction, over the peak runs | $per_commit | group commit at work (pgbench: 1) |"
echo "| serve RSS idle / peak (VmHWM) | $(mib "$idle_rss") / $(mib "$peak_rss") MiB | PostgreSQL not included |"
echo "| rows after the HTTP runs | $stored signatures, $outbox confirmation emails queued | every 303 is a committed row |"
echo
echo "Latency at half the peak, percentile: ms"
awk '$1 == "dist" { printf "  p%s: %.1f\n", $2, $3 / 1000 }' "$WORK/wrk-half.txt"
if [ -s "$WORK/waits.txt" ]; then
    echo
    echo "Sessions of $DB not idle, sampled every 10 ms at half the peak (samples, %, state, wait type, event):"
    sed 's/^/  /' "$WORK/waits.txt"
fi
