#!/usr/bin/env bash
# /metrics benchmark: seeds N signatures (default 1,000,000) and their confirmation emails
# into a dedicated database, then, for this build and optionally an older one (BEFORE_BIN),
# measures one scrape, signing at a steady rate alone, and the same signing while 64
# scrapers hit /metrics as fast as they can. Beside them, in the same run, what the queries
# of a scrape that counts the tables cost (psql, best of 3). Prints a table.
#
#   bash bench/metrics.sh                      # needs PostgreSQL at 127.0.0.1:5432 (user postgres), wrk
#   BEFORE_BIN=/tmp/old/target/release/rallypost N=1000000 bash bench/metrics.sh
#   SIGN_RATE_PER_S=100 DURATION=15 bash bench/metrics.sh
#
# It drops and recreates the database $BENCH_DB (default rallypost_bench_metrics), unless
# BENCH_REUSE=1 and it already holds N signatures. Not run by tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_metrics}
URL="$PG/$DB"
SLUG=end-forced-returns
DURATION=${DURATION:-15}
RATE=${SIGN_RATE_PER_S:-100}
SCRAPERS=${SCRAPERS:-64}
PORT=${BENCH_PORT:-18091}
BASE="http://127.0.0.1:$PORT"
TOKEN="bench metrics token, at least thirty-two characters"
WORK=$(mktemp -d /tmp/rallypost-bench-metrics.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

for tool in wrk psql curl; do
    command -v $tool >/dev/null || { echo "needs $tool (apt-get install wrk postgresql-client curl)" >&2; exit 1; }
done
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; BIN=target/release/rallypost; fi
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn
export RALLYPOST_SECRET_KEY="bench key that is at least thirty-two bytes long"
export RALLYPOST_CAMPAIGNS_DIR="$PWD/campaigns" RALLYPOST_BIND="127.0.0.1:$PORT"
export RALLYPOST_DATA_KEY=${RALLYPOST_DATA_KEY:-$(printf '5a%.0s' $(seq 32))}
export RALLYPOST_SIGN_RATE=off RALLYPOST_METRICS_TOKEN="$TOKEN"

seeded=0
if [ "${BENCH_REUSE:-0}" = 1 ]; then
    seeded=$(psql -tA "$URL" -c "select count(*) >= $N from signatures" 2>/dev/null || echo f)
fi
if [ "$seeded" != t ]; then
    echo "seeding $N signatures and their confirmation emails into $DB ..." >&2
    psql -q "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
    # The older build migrates first, so that it never meets a migration it does not know.
    "${BEFORE_BIN:-$BIN}" migrate 2>/dev/null
    "${BEFORE_BIN:-$BIN}" campaign import "campaigns/$SLUG.toml" >/dev/null
    seed_start=$(date +%s.%N)
    # One signature every 15 s up to yesterday (N = 1M: about 170 days); 10% pending, 2%
    # withdrawn. Personal fields are short stand-ins under a key id of no key ('bench'):
    # nothing here decrypts them, and a server does not seal them at start as it does
    # rows in the clear ('plain').
    psql -q "$URL" <<SQL
insert into signatures (id, campaign_id, status, email_key, email, name, country,
    consent_to_targets, updates_opt_in, language, signed_at, confirmation_sent_at, confirmed_at,
    withdrawn_at, key_id)
select gen_random_uuid(), c.id, s.status, sha256(('bench-' || i)::bytea), convert_to('e' || i, 'UTF8'),
    convert_to('n' || i, 'UTF8'), (array['AF', 'DE', 'AT', 'FR', 'GB', 'IR', 'PK', 'SE'])[1 + i % 8],
    true, false, 'en', t.ts, t.ts,
    case when s.status = 'confirmed' then t.ts + interval '5 minutes' end,
    case when s.status = 'withdrawn' then t.ts + interval '1 day' end, 'bench'
from campaigns c, generate_series(1, $N) i,
    lateral (select date_trunc('day', now()) - ($N - i) * interval '15 seconds' as ts) t,
    lateral (select case when i % 10 = 0 then 'pending' when i % 50 = 1 then 'withdrawn' else 'confirmed' end as status) s
where c.slug = '$SLUG';
insert into outbox (id, kind, campaign_id, signature_id, status, attempts, next_attempt_at,
    created_at, sent_at, key_id)
select gen_random_uuid(), 'confirmation', campaign_id, id, 'sent', 1, signed_at, signed_at, signed_at, 'bench'
from signatures;
vacuum analyze signatures;
vacuum analyze outbox;
SQL
    echo "seeded in $(echo "$(date +%s.%N) - $seed_start" | bc | cut -c1-6) s" >&2
fi
signatures=$(psql -tA "$URL" -c "select count(*) from signatures")
outbox=$(psql -tA "$URL" -c "select count(*) from outbox")

wrk_ms() { # file percentile -> milliseconds
    awk -v p="$2%" '$1 == p { v = $2; u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
        printf "%.1f", (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : (u == "m" ? v * 60000 : v))) }' "$1"
}
wrk_rate() { awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$1"; }
wrk_errors() { awk '/Non-2xx or 3xx/ { n += $NF } /Socket errors/ { n += 1 } END { print n + 0 }' "$1"; }

declare -A result
measure() { # label binary
    local label=$1 bin=$2
    echo "[$label] $bin" >&2
    "$bin" serve --no-workers >"$WORK/serve-$label.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 300); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "$BASE/readyz" >/dev/null || { cat "$WORK/serve-$label.log" >&2; exit 1; }
    # A build with the refresher reads the gauges once at start (the first reading counts
    # the per-day table once); measure after it.
    for _ in $(seq 600); do
        curl -s -H "Authorization: Bearer $TOKEN" "$BASE/metrics" | grep -q '^rallypost_signatures{' && break
        sleep 0.1
    done

    # One scrape at a time: the median and the slowest of 20.
    for _ in $(seq 20); do
        curl -s -o "$WORK/scrape.txt" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE/metrics"
    done | awk '{ printf "%.1f\n", $1 * 1000 }' | sort -n >"$WORK/scrapes.txt"
    result[$label,scrape_p50]=$(sed -n 10p "$WORK/scrapes.txt")
    result[$label,scrape_max]=$(tail -1 "$WORK/scrapes.txt")
    grep -q "^rallypost_signatures{campaign=\"$SLUG\",status=\"confirmed\"}" "$WORK/scrape.txt" ||
        echo "warning: [$label] the scrape shows no signature gauge" >&2

    local page
    page=$(curl -fsS -c "$WORK/cookies" "$BASE/c/$SLUG")
    export CSRF_TOKEN=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//')
    export CSRF_COOKIE=$(awk '$6 == "rp_csrf" { print $7 }' "$WORK/cookies")
    export SIGN_PATH="/c/$SLUG/sign"

    echo "  signing at $RATE/s alone, ${DURATION}s ..." >&2
    RUN_ID="$label-alone" RATE=$RATE wrk -t2 -c8 -d"${DURATION}s" --latency -s bench/sign.lua "$BASE" >"$WORK/sign-alone-$label.txt"
    result[$label,alone_p50]=$(wrk_ms "$WORK/sign-alone-$label.txt" 50)
    result[$label,alone_p99]=$(wrk_ms "$WORK/sign-alone-$label.txt" 99)

    echo "  signing at $RATE/s with $SCRAPERS scrapers, ${DURATION}s ..." >&2
    wrk -t2 -c"$SCRAPERS" -d"$((DURATION + 4))s" --timeout 30s --latency -H "Authorization: Bearer $TOKEN" \
        "$BASE/metrics" >"$WORK/scrapers-$label.txt" &
    local scrapers=$!
    sleep 2
    RUN_ID="$label-scraped" RATE=$RATE wrk -t2 -c8 -d"${DURATION}s" --timeout 30s --latency -s bench/sign.lua "$BASE" \
        >"$WORK/sign-scraped-$label.txt"
    wait $scrapers
    result[$label,scraped_p50]=$(wrk_ms "$WORK/sign-scraped-$label.txt" 50)
    result[$label,scraped_p99]=$(wrk_ms "$WORK/sign-scraped-$label.txt" 99)
    result[$label,scraped_rate]=$(wrk_rate "$WORK/sign-scraped-$label.txt")
    result[$label,scrapes_per_s]=$(wrk_rate "$WORK/scrapers-$label.txt")
    result[$label,scrapes_p50]=$(wrk_ms "$WORK/scrapers-$label.txt" 50)
    result[$label,scrapes_p99]=$(wrk_ms "$WORK/scrapers-$label.txt" 99)
    result[$label,errors]=$(( $(wrk_errors "$WORK/sign-alone-$label.txt") + $(wrk_errors "$WORK/sign-scraped-$label.txt") ))
    kill $SERVER && wait $SERVER 2>/dev/null || true
    SERVER=""
}

labels=()
if [ -n "${BEFORE_BIN:-}" ]; then measure before "$BEFORE_BIN"; labels+=(before); fi
measure after "$BIN"
labels+=(after)

# What a scrape that counts the tables runs (the queries of the build before issue 11),
# and what the refresher reads every 15 s instead, server side, best of 3.
best_sql_ms() {
    for _ in 1 2 3; do psql -qAt "$URL" -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; done |
        sort -n | head -1
}
count_ms=$(echo "$(best_sql_ms "select campaign_id, status, count(*) from signatures group by 1, 2") + \
    $(best_sql_ms "select kind, status, count(*), min(created_at) from outbox group by 1, 2")" | bc)
CID=$(psql -tA "$URL" -c "select id from campaigns where slug = '$SLUG'")
read_ms=$(echo "$(best_sql_ms "select status, sum(n) from signature_day_counts where campaign_id = '$CID' group by status") + \
    $(best_sql_ms "select kind, count(*), min(next_attempt_at) from (select kind, next_attempt_at from outbox where status = 'pending' and next_attempt_at <= now() order by next_attempt_at limit 10000) d group by kind") + \
    $(best_sql_ms "select relname, reltuples from pg_class where oid in ('signatures'::regclass, 'outbox'::regclass)")" | bc)

echo
echo "/metrics with $signatures signatures and $outbox outbox rows; signing at $RATE/s (8 connections), $SCRAPERS scrapers, ${DURATION}s each; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-46s |' "what (milliseconds)"; for l in "${labels[@]}"; do printf ' %-22s |' "$l"; done; echo
printf '|%s|' "$(printf -- '-%.0s' $(seq 48))"; for _ in "${labels[@]}"; do printf '%s|' "$(printf -- '-%.0s' $(seq 24))"; done; echo
cell() { # label what
    local l=$1
    case $2 in
        scrape) echo "${result[$l,scrape_p50]} / ${result[$l,scrape_max]}" ;;
        alone) echo "${result[$l,alone_p50]} / ${result[$l,alone_p99]}" ;;
        scraped) echo "${result[$l,scraped_p50]} / ${result[$l,scraped_p99]}" ;;
        held) echo "${result[$l,scraped_rate]} (of $RATE)" ;;
        scrapes) echo "${result[$l,scrapes_per_s]}/s, ${result[$l,scrapes_p50]} / ${result[$l,scrapes_p99]}" ;;
        errors) echo "${result[$l,errors]}" ;;
    esac
}
row() { printf '| %-46s |' "$1"; for l in "${labels[@]}"; do printf ' %-22s |' "$(cell "$l" "$2")"; done; echo; }
row "one scrape, median / slowest of 20" scrape
row "signing alone, p50 / p99" alone
row "signing with $SCRAPERS scrapers, p50 / p99" scraped
row "signatures/s held with the scrapers" held
row "scrapes/s served, latency p50 / p99" scrapes
row "signing answers not 303 (or socket errors)" errors
echo
echo "psql, best of 3: counting signatures and outbox by status (a scrape before): $count_ms ms;"
echo "what the refresher reads instead, once per 15 s per process: $read_ms ms"
