#!/usr/bin/env bash
# Handover pack benchmark: seeds N confirmed signatures (default 50,000; every 10th asks
# not to be named, a third carry a comment, names in Latin and Arabic script) into a
# dedicated database, encrypts them (`keys rotate`), then times `rallypost handover` for
# the first S signatures of each S in SIZES (default "N/5 N"; S <= N), RUNS times each
# (default 1; the median is printed), under /usr/bin/time -v: seconds, peak RSS, and the
# seconds as a share of the 30 s limit. Peak RSS side by side shows whether memory grows
# with the signers (it should not: the PDF is typeset in pieces, src/handover/pdf/).
#
#   bash bench/handover.sh            # needs PostgreSQL at 127.0.0.1:5432, user postgres
#   N=100000 SIZES="10000 50000 100000" RUNS=3 RALLYPOST_BIN=target/release/rallypost bash bench/handover.sh
#
# Drops and recreates the database $BENCH_DB (default rallypost_bench_handover). Not run
# by tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-50000}
SIZES=${SIZES:-"$((N / 5)) $N"}
RUNS=${RUNS:-1}
LIMIT=30
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench_handover}
URL="$PG/$DB"
SLUG=end-forced-returns
WORK=$(mktemp -d /tmp/rallypost-bench-handover.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ -n "${RALLYPOST_BIN:-}" ]; then BIN=$RALLYPOST_BIN; else cargo build --release --quiet; BIN=target/release/rallypost; fi
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn
export RALLYPOST_SECRET_KEY="bench key that is at least thirty-two bytes long"
export RALLYPOST_CAMPAIGNS_DIR="$PWD/campaigns"
export RALLYPOST_DATA_KEY=${RALLYPOST_DATA_KEY:-$(printf '5a%.0s' $(seq 32))}

echo "seeding $N signatures into $DB ..." >&2
psql -q "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
"$BIN" migrate 2>/dev/null
"$BIN" campaign import campaigns/$SLUG.toml >/dev/null
psql -q "$URL" <<SQL
insert into signatures (id, campaign_id, status, email_key, email, name, country, comment,
    consent_to_targets, updates_opt_in, language, signed_at, confirmation_sent_at,
    confirmed_at, key_id, anonymous)
select gen_random_uuid(), c.id, 'confirmed', convert_to('supporter' || i || '@example.org', 'UTF8'),
    convert_to('supporter' || i || '@example.org', 'UTF8'),
    convert_to((array['Mina Ahmadi', 'محمد رحیمی', 'Anna Müller', 'زرغونه ځدراڼ'])[1 + i % 4] || ' ' || i, 'UTF8'),
    (array['AF', 'DE', 'AT', 'FR', 'GB', 'IR', 'PK', 'SE'])[1 + i % 8],
    case when i % 3 = 0 then convert_to('Stop the deportations now. ' || repeat('Protection, not return. ', 1 + i % 4), 'UTF8') end,
    true, false, 'en', t.ts, t.ts, t.ts + interval '5 minutes', 'plain', i % 10 = 0
from campaigns c, generate_series(1, $N) i,
    lateral (select timestamptz '2026-06-01 00:00:00+00' + i * (interval '170 days' / $N) as ts) t
where c.slug = '$SLUG';
vacuum analyze signatures;
SQL
"$BIN" keys rotate >/dev/null

# Prints "seconds peak_rss_mb" of a command run under /usr/bin/time -v.
measure() {
    /usr/bin/time -v -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$WORK/time")
    echo "$wall $rss"
}

# The first S signatures: --until the time of signature S + 1.
until_after() {
    psql -tA "$URL" -c "select to_char((timestamptz '2026-06-01 00:00:00+00' + ($1 + 1) * (interval '170 days' / $N)) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
}

# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '\n%-40s %10s %12s %14s\n' "pack (median of $RUNS)" "seconds" "peak RSS MB" "share of ${LIMIT} s"
first_rss=""
for size in $SIZES; do
    : >"$WORK/runs"
    for run in $(seq "$RUNS"); do
        echo "handover pack for $size signers (run $run of $RUNS) ..." >&2
        rm -rf "$WORK/pack"
        measure "$BIN" handover $SLUG --target de-bmi --out "$WORK/pack" --until "$(until_after "$size")" >>"$WORK/runs"
    done
    "$BIN" handover verify "$WORK/pack" >/dev/null
    secs=$(awk '{ print $1 }' "$WORK/runs" | median)
    rss=$(awk '{ print $2 }' "$WORK/runs" | median)
    pages=$(pdfinfo "$WORK/pack/handover.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}' || echo "?")
    pdf_mb=$(du -m "$WORK/pack/handover.pdf" | cut -f1)
    printf '%-40s %10s %12s %14s\n' "$size signers ($pages pages, ${pdf_mb} MB PDF)" "$secs" "$rss" "$(echo "scale=2; $secs / $LIMIT" | bc)"
    [ -n "$first_rss" ] || { first_rss=$rss; first_size=$size; }
    last_rss=$rss; last_size=$size
done
printf '\npeak RSS for %s signers is %.2f x that for %s (%.1fx the signers); load: %s\n' \
    "$last_size" "$(echo "scale=4; $last_rss / $first_rss" | bc)" "$first_size" \
    "$(echo "scale=1; $last_size / $first_size" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
