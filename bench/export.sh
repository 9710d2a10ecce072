#!/usr/bin/env bash
# Export benchmark: seeds N signatures (default 1,000,000) into a dedicated database,
# then times the command-line export, the web export (curl) and `psql \copy` of the same
# rows (each RUNS=3 times, interleaved; medians), with peak memory, and the dashboard's
# response time. Prints a table.
#
#   bash bench/export.sh                 # needs PostgreSQL at 127.0.0.1:5432, user postgres
#   N=100000 BENCH_PG=postgres://postgres@127.0.0.1:5432 bash bench/export.sh
#
# It drops and recreates the database $BENCH_DB (default rallypost_bench), unless
# BENCH_REUSE=1 and that database already holds the N encrypted signatures of an earlier
# run (same RALLYPOST_DATA_KEY). Not run by tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_bench}
URL="$PG/$DB"
SLUG=end-forced-returns
WORK=$(mktemp -d /tmp/rallypost-bench.XXXXXX)
PORT=${BENCH_PORT:-18089}
BASE="http://127.0.0.1:$PORT"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
# RALLYPOST_BIN=path runs that binary instead of building this checkout (to compare builds).
if [ -n "${RALLYPOST_BIN:-}" ]; then BIN=$RALLYPOST_BIN; else cargo build --release --quiet; BIN=target/release/rallypost; fi
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn
export RALLYPOST_SECRET_KEY="bench key that is at least thirty-two bytes long"
export RALLYPOST_CAMPAIGNS_DIR="$PWD/campaigns"
export RALLYPOST_DATA_KEY=${RALLYPOST_DATA_KEY:-$(printf '5a%.0s' $(seq 32))}

seeded=0
if [ "${BENCH_REUSE:-0}" = 1 ]; then
    seeded=$(psql -tA "$URL" -c "select count(*) from signatures where key_id <> 'plain' and exists (select from outbox)" 2>/dev/null || echo 0)
fi
# A database asked to be reused is never seeded over: seeding 10M takes half an hour, and the
# count moves on its own (the 30-day purge of a server run against it).
if [ "${BENCH_REUSE:-0}" = 1 ] && [ "$seeded" != "$N" ] && [ "$seeded" != 0 ]; then
    echo "BENCH_REUSE=1: $DB holds $seeded encrypted signatures, not N=$N; run with N=$seeded, or drop it to seed again" >&2
    exit 1
fi
if [ "$seeded" = "$N" ]; then
    echo "reusing the $N signatures in $DB" >&2
    "$BIN" migrate 2>/dev/null
    seed_secs=0 rotate_secs=0
else
echo "seeding $N signatures into $DB ..." >&2
psql -q "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
"$BIN" migrate 2>/dev/null
"$BIN" campaign import campaigns/$SLUG.toml >/dev/null
seed_start=$(date +%s.%N)
psql -q "$URL" <<SQL
-- 10% pending, 2% withdrawn (personal fields erased, as withdrawal does), the rest
-- confirmed; one every 15 s from 2026-06-01, so about 170 days for the chart.
-- Written in the clear ('plain'), then encrypted by \`rallypost keys rotate\` below, so the
-- exports pay for decryption as they do in production.
insert into signatures (id, campaign_id, status, email_key, email, name, country, postcode,
    comment, consent_to_targets, updates_opt_in, language, signed_at, confirmation_sent_at,
    confirmed_at, key_id)
select gen_random_uuid(), c.id, s.status, convert_to('supporter' || i || '@example.org', 'UTF8'),
    case when s.status <> 'withdrawn' then convert_to('Supporter.' || i || '@example.org', 'UTF8') end,
    case when s.status <> 'withdrawn' then convert_to((array['Mina Ahmadi', 'محمد رحیمی', 'Anna Müller', '=Formula Name'])[1 + i % 4] || ' ' || i, 'UTF8') end,
    (array['AF', 'DE', 'AT', 'FR', 'GB', 'IR', 'PK', 'SE'])[1 + i % 8],
    case when s.status <> 'withdrawn' and i % 2 = 0 then convert_to(lpad((i % 100000)::text, 5, '0'), 'UTF8') end,
    case when s.status <> 'withdrawn' and i % 3 = 0 then convert_to('Stop the deportations, "now", please', 'UTF8') end,
    true, i % 2 = 0, (array['en', 'de', 'fa'])[1 + i % 3],
    t.ts, t.ts, case when s.status = 'confirmed' then t.ts + interval '5 minutes' end, 'plain'
from campaigns c, generate_series(1, $N) i,
    lateral (select timestamptz '2026-06-01 00:00:00+00' + i * interval '15 seconds' as ts) t,
    lateral (select case when i % 10 = 0 then 'pending' when i % 50 = 1 then 'withdrawn' else 'confirmed' end as status) s
where c.slug = '$SLUG';
vacuum analyze signatures;
SQL
seed_secs=$(echo "$(date +%s.%N) - $seed_start" | bc)
echo "encrypting them (keys rotate) ..." >&2
rotate_start=$(date +%s.%N)
"$BIN" keys rotate >/dev/null
psql -q "$URL" -c "vacuum analyze signatures"
rotate_secs=$(echo "$(date +%s.%N) - $rotate_start" | bc)
# The mail those signatures left in the outbox (a confirmation each, a receipt per
# confirmed one; delivered, so erased), which the dashboard's mail panel reads.
echo "adding their delivered mail to the outbox ..." >&2
psql -q "$URL" <<SQL
insert into outbox (id, kind, campaign_id, signature_id, status, attempts, next_attempt_at,
    created_at, sent_at, key_id)
select gen_random_uuid(), k.kind, s.campaign_id, s.id, 'sent', 1, s.signed_at, s.signed_at,
    s.signed_at, s.key_id
from signatures s, lateral (values ('confirmation'), ('receipt')) k(kind)
where k.kind = 'confirmation' or s.confirmed_at is not null;
vacuum analyze outbox;
SQL
fi
ROWS=$(psql -tA "$URL" -c "select count(*) from signatures where status in ('pending', 'confirmed')")

# Prints "seconds peak_rss_mb" of a command run under /usr/bin/time -v.
measure() {
    /usr/bin/time -v -o "$WORK/time" "$@" >/dev/null
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$WORK/time")
    echo "$wall $rss"
}

# Each export runs RUNS times (default 3), the three interleaved (CLI, psql, web, then again),
# so that none of them always meets the coldest cache; the table shows each one's median.
RUNS=${RUNS:-3}
printf 'bench organizer password\n' | "$BIN" organizer add bench@rallypost.example --password-stdin 2>/dev/null || true
RALLYPOST_BIND="127.0.0.1:$PORT" RALLYPOST_BASE_URL="$BASE" "$BIN" serve --no-workers 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
jar="$WORK/cookies"
csrf=$(curl -s -c "$jar" "$BASE/admin/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "email=bench%40rallypost.example&password=bench+organizer+password&csrf_token=$csrf" "$BASE/admin/login"
rss_before=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$SERVER/status)
rss_idle=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$SERVER/status)

# The largest VmRSS of the server while a web export runs, read every 20 ms: what the
# export itself holds, apart from the peak the sign-in's password hash left in VmHWM.
sample_rss() {
    local peak=0 kb
    while kill -0 "$SERVER" 2>/dev/null && [ ! -e "$WORK/stop-sampling" ]; do
        kb=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
        [ "$kb" -gt "$peak" ] && peak=$kb
        sleep 0.02
    done
    echo "$peak" >"$WORK/rss-peak"
}

larger() { printf '%s\n%s\n' "$1" "$2" | sort -n | tail -1; }
cli_all=() psql_all=() web_all=() cli_rss=0 psql_rss=0 web_sampled=0
for run in $(seq "$RUNS"); do
    echo "run $run of $RUNS: command-line export ..." >&2
    read -r secs rss < <(measure "$BIN" export $SLUG --status all --out "$WORK/cli.csv")
    cli_all+=("$secs"); cli_rss=$(larger "$cli_rss" "$rss")

    echo "run $run of $RUNS: psql \\copy ..." >&2
    read -r secs rss < <(measure psql -q "$URL" -c "\\copy (select s.id, s.status, s.signed_at, s.confirmed_at, s.name, s.email, s.country, s.postcode, s.comment, s.updates_opt_in, s.language from signatures s join campaigns c on c.id = s.campaign_id where c.slug = '$SLUG' and s.status in ('pending', 'confirmed') order by s.signed_at, s.id) to '$WORK/psql.csv' csv header")
    psql_all+=("$secs"); psql_rss=$(larger "$psql_rss" "$rss")

    echo "run $run of $RUNS: web export ..." >&2
    rm -f "$WORK/stop-sampling"
    sample_rss &
    sampler=$!
    read -r web_first secs < <(curl -s -b "$jar" -o "$WORK/web.csv" -w '%{time_starttransfer} %{time_total}\n' "$BASE/admin/c/$SLUG/signatures.csv?status=all")
    touch "$WORK/stop-sampling"
    wait "$sampler"
    web_all+=("$secs")
    web_sampled=$(larger "$web_sampled" "$(awk '{printf "%.1f", $1 / 1024}' "$WORK/rss-peak")")
done
web_rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$SERVER/status)
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
cli_secs=$(median "${cli_all[@]}") psql_secs=$(median "${psql_all[@]}") web_secs=$(median "${web_all[@]}")

# Dashboard: the first view counts every signature into signature_day_counts (once per
# campaign); later views recount only what changed. Beside them, in the same run, what a
# plain count of the table costs, and what the dashboard's queries cost before the
# per-day table (milliseconds, server side, warm, best of 3).
ms() { curl -s -b "$jar" -o "$WORK/page.html" -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'; }
best_sql_ms() {
    for _ in 1 2 3; do psql -qAt "$URL" -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; done |
        sort -n | head -1
}
dash_first=$(ms "$BASE/admin/c/$SLUG")
cp "$WORK/page.html" "$WORK/dash.html"
dash=()
for _ in 1 2 3 4 5; do dash+=("$(ms "$BASE/admin/c/$SLUG")"); done
dash_median=$(printf '%s\n' "${dash[@]}" | sort -n | sed -n 3p)
index=$(ms "$BASE/admin")
grep -q '<svg' "$WORK/dash.html" || echo "warning: the dashboard has no chart" >&2
count_ms=$(best_sql_ms "select count(*) from signatures")
CID=$(psql -tA "$URL" -c "select id from campaigns where slug = '$SLUG'")
old_ms=0
for q in \
    "select status, count(*) from signatures where campaign_id = '$CID' group by status" \
    "select country, count(*) from signatures where campaign_id = '$CID' and status = 'confirmed' group by country" \
    "select (signed_at at time zone 'UTC')::date, count(*) from signatures where campaign_id = '$CID' group by 1" \
    "select kind, status, count(*) from outbox where campaign_id = '$CID' and target_id is null group by kind, status"; do
    old_ms=$(echo "$old_ms + $(best_sql_ms "$q")" | bc)
done

same=$(cmp -s "$WORK/cli.csv" "$WORK/web.csv" && echo "identical" || echo "DIFFERENT")
echo
echo "rallypost export benchmark: $N signatures seeded in ${seed_secs}s, encrypted in ${rotate_secs}s, $ROWS exported (--status all)"
# Rate as a share of psql's over the same rows: psql's seconds / ours (goal >= 0.8).
ratio() { printf '%.2f' "$(echo "scale=4; $psql_secs / $1" | bc)"; }
printf '%-34s %10s %8s %14s %s\n' "what" "seconds" "ratio" "peak RSS MB" "notes"
printf '%-34s %10s %8s %14s %s\n' "rallypost export (CLI)" "$cli_secs" "$(ratio "$cli_secs")" "$cli_rss" "runs: ${cli_all[*]}; $(wc -c <"$WORK/cli.csv") bytes"
printf '%-34s %10s %8s %14s %s\n' "GET signatures.csv (curl)" "$web_secs" "$(ratio "$web_secs")" "$web_rss" "server VmHWM (was $rss_before after sign-in, VmRSS $rss_idle); VmRSS during the exports at most $web_sampled; runs: ${web_all[*]}; first byte ${web_first}s; CLI and web: $same"
printf '%-34s %10s %8s %14s %s\n' "psql \\copy (same rows, sorted)" "$psql_secs" "1.00" "$psql_rss" "the limit: psql client only; ciphertext, not decrypted; runs: ${psql_all[*]}; $(wc -c <"$WORK/psql.csv") bytes"
echo
echo "dashboard with $N signatures and $(psql -tA "$URL" -c "select count(*) from outbox") outbox rows (milliseconds)"
printf '%-44s %10s %s\n' "what" "ms" "notes"
printf '%-44s %10s %s\n' "GET /admin/c/$SLUG, first view" "$dash_first" "counts every signature into the per-day table once"
printf '%-44s %10s %s\n' "GET /admin/c/$SLUG, later views (median)" "$dash_median" "all five: ${dash[*]}"
printf '%-44s %10s %s\n' "GET /admin" "$index" "campaign list"
printf '%-44s %10s %s\n' "psql: select count(*) from signatures" "$count_ms" "the floor for any query that reads every row"
printf '%-44s %10s %s\n' "psql: the old dashboard's four counts" "$old_ms" "totals, countries, days, mail, read from the tables"
