#!/usr/bin/env bash
# Ten million signatures (issue 17): seeds N encrypted signatures once (COPY, re-used by
# later runs), then measures, each beside a limit taken in the same run:
#   - storage: bytes per signature (table, indexes, TOAST; the outbox beside it);
#   - GET /c/{slug} and count.json at 200 requests/s, p50/p99, beside /healthz's at that rate;
#   - the dashboard's first view and later views, beside a count(*) of the table;
#   - the API: the first page, a page 100,000 rows deep by cursor, and the same depth by
#     page number (offset), beside the first page;
#   - with SCALE_ROTATE=1, `keys rotate` to a second key and back (rows/s).
# The export at this size: BENCH_DB=$DB BENCH_REUSE=1 N=$N bash bench/export.sh.
#
#   bash bench/scale.sh                          # N=10000000
#   N=1000000 BENCH_DB=rallypost_scale_1m bash bench/scale.sh
#   SCALE_ONLY=storage bash bench/scale.sh     # seed if needed, print the storage, stop
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and `cargo build --release --bins
# --examples` (RALLYPOST_BIN= and SEED_BIN= run other builds). Not run by tests.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-rallypost_scale}
URL="$PG/$DB"
SLUG=end-forced-returns
WORK=$(mktemp -d /tmp/rallypost-scale.XXXXXX)
PORT=${BENCH_PORT:-18091}
BASE="http://127.0.0.1:$PORT"
RATE=${RATE:-200}
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

if [ -z "${RALLYPOST_BIN:-}" ]; then cargo build --release --quiet --bins --examples; fi
BIN=${RALLYPOST_BIN:-target/release/rallypost}
SEED_BIN=${SEED_BIN:-target/release/examples/seed}
KEY_A=$(printf '5a%.0s' $(seq 32))
KEY_B=$(printf '6b%.0s' $(seq 32))
export RALLYPOST_DATABASE_URL="$URL" RALLYPOST_DATA_DIR="$WORK/data" RALLYPOST_LOG=warn
export RALLYPOST_SECRET_KEY="bench key that is at least thirty-two bytes long"
export RALLYPOST_CAMPAIGNS_DIR="$PWD/campaigns" RALLYPOST_DATA_KEY="$KEY_A"
export RALLYPOST_SIGN_RATE=off

sql() { psql -qAtX "$URL" -c "$1"; }
# A UUIDv7 for the time $1 (SQL): its milliseconds, then random bits.
v7() { echo "(lpad(to_hex((extract(epoch from $1) * 1000)::int8), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
    || '8' || substr(md5(random()::text), 1, 15))::uuid"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc | awk '{printf "%.1f", $1}'; }

# --- seed (once) -----------------------------------------------------------------------
# A seed cut off before its mail was written (the outbox insert is one transaction) is redone.
have=$(psql -qAtX "$URL" -c "select count(*) from signatures where key_id <> 'plain'
    and exists (select from outbox) and exists (select from mailing_recipients)" 2>/dev/null || echo 0)
if [ "$have" != "$N" ]; then
    echo "seeding $N signatures into $DB ..." >&2
    psql -qX "$PG/postgres" -c "drop database if exists $DB" -c "create database $DB"
    "$BIN" migrate 2>/dev/null
    "$BIN" campaign import campaigns/$SLUG.toml >/dev/null
    CID=$(sql "select id from campaigns where slug = '$SLUG'")
    t=$(now)
    SEED_N=$N SEED_CAMPAIGN=$CID "$SEED_BIN" |
        psql -qX "$URL" -c "\\copy signatures ($("$SEED_BIN" --columns)) from stdin"
    copy_secs=$(since "$t")
    # The mail those signatures left behind: a confirmation each and a receipt per confirmed
    # one, delivered, so their bodies are erased and only the row stays (as in production).
    # Ids are UUIDv7 of the time, as `ids::new_id` makes them: the primary key fills its
    # pages as in production (random v4 ids leave them about 70% full).
    t=$(now)
    sql "insert into outbox (id, kind, campaign_id, signature_id, status, attempts, next_attempt_at,
             created_at, sent_at, key_id)
         select $(v7 s.signed_at), k.kind, s.campaign_id, s.id, 'sent', 1, s.signed_at, s.signed_at,
             s.signed_at, s.key_id
         from signatures s, lateral (values ('confirmation'), ('receipt')) k(kind)
         where k.kind = 'confirmation' or s.confirmed_at is not null
         order by s.id, k.kind"
    # And one news mailing, sent in September to everyone confirmed by then who asked for
    # news: a copy each in the outbox (delivered, erased) and its mailing_recipients row.
    sql "insert into mailings (id, campaign_id, status, texts, send_at, queued_all_at, created_at)
         values (gen_random_uuid(), '$CID', 'sending', '{\"en\": {\"subject\": \"News\", \"markdown\": \"News\"}}',
                 '2026-09-01', '2026-09-01', '2026-09-01')"
    sql "with r as materialized (select s.id as sid, $(v7 "'2026-09-01'::timestamptz") as oid, s.key_id from signatures s
             where s.status = 'confirmed' and s.updates_opt_in and s.signed_at < '2026-09-01' order by s.id),
         o as (insert into outbox (id, kind, campaign_id, signature_id, status, attempts, next_attempt_at,
                   created_at, sent_at, key_id)
               select oid, 'mailing', '$CID', sid, 'sent', 1, '2026-09-01', '2026-09-01', '2026-09-01', key_id from r)
         insert into mailing_recipients (mailing_id, signature_id, outbox_id, queued_at)
         select (select id from mailings where campaign_id = '$CID' limit 1), sid, oid, '2026-09-01' from r"
    outbox_secs=$(since "$t")
    t=$(now)
    sql "vacuum analyze"
    vacuum_secs=$(since "$t")
    echo "seeded: COPY ${copy_secs}s, outbox ${outbox_secs}s, vacuum analyze ${vacuum_secs}s" | tee "$WORK/seed.txt" >&2
else
    echo "reusing the $N signatures in $DB" >&2
    "$BIN" migrate 2>/dev/null
fi
CID=$(sql "select id from campaigns where slug = '$SLUG'")
# The per-day counts behind every count shown: the app keeps them as it writes, but a COPY
# bypasses it, so count everything once (`campaign list` brings the counts up to date;
# on a reused database this costs only what changed since).
t=$(now)
"$BIN" campaign list >/dev/null
echo "per-day counts brought up to date by \`campaign list\` in $(since "$t")s" | tee -a "$WORK/seed.txt" >&2

# --- storage ---------------------------------------------------------------------------
confirmed=$(sql "select count(*) from signatures where status = 'confirmed'")
rows=$(sql "select count(*) from signatures")
per_sig() { echo "scale=0; $1 / $rows" | bc; }
for t in signatures outbox; do
    read -r heap toast idx total < <(sql "select pg_relation_size('$t'),
        coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0), pg_indexes_size('$t'),
        pg_total_relation_size('$t') from pg_class where relname = '$t'" | tr '|' ' ')
    declare "${t}_heap=$heap" "${t}_toast=$toast" "${t}_idx=$idx" "${t}_total=$total"
done
counts_total=$(sql "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c
    where c.relkind = 'r' and c.relname like 'signature\\_%'")
recipients_total=$(sql "select pg_total_relation_size('mailing_recipients')")
all=$((signatures_total + outbox_total + counts_total + recipients_total))
echo
echo "rallypost at scale: $rows signatures ($confirmed confirmed) in $DB"
[ -f "$WORK/seed.txt" ] && cat "$WORK/seed.txt"
echo
echo "| storage | bytes | bytes per signature |"
echo "|---|---|---|"
echo "| signatures: table | $signatures_heap | $(per_sig "$signatures_heap") |"
echo "| signatures: TOAST | $signatures_toast | $(per_sig "$signatures_toast") |"
echo "| signatures: indexes | $signatures_idx | $(per_sig "$signatures_idx") |"
echo "| outbox (rows of delivered mail, bodies erased), with indexes | $outbox_total | $(per_sig "$outbox_total") |"
echo "| per-day counts and other signature_* tables | $counts_total | $(per_sig "$counts_total") |"
echo "| one news mailing's recipients ($(sql "select count(*) from mailing_recipients") rows), with indexes | $recipients_total | $(per_sig "$recipients_total") |"
echo "| all | $all | $(per_sig "$all") (per confirmed: $(echo "$all / $confirmed" | bc)) |"
# Steady state: the purge deletes signatures left pending for 30 days, with their mail. The
# seed spreads its pending ones over all 180 days, so take out the share of the bytes of
# those older than 30 days (by rows of each table; the rest stays as it is).
read -r sig_kept out_kept out_rows < <(sql "with newest as (select max(signed_at) as t from signatures),
    purged as (select id from signatures, newest where status = 'pending' and signed_at < newest.t - interval '30 days')
    select (select count(*) from signatures) - (select count(*) from purged),
        (select count(*) from outbox) - (select count(*) from outbox where signature_id in (select id from purged)),
        (select count(*) from outbox)" | tr '|' ' ')
steady=$(echo "($signatures_total * $sig_kept / $rows + $outbox_total * $out_kept / $out_rows + $counts_total + $recipients_total) / $confirmed" | bc)
echo "| steady state (pending signatures older than 30 days purged with their mail), per confirmed | | $steady |"
echo
echo "| index | bytes per signature |"
echo "|---|---|"
sql "select indexrelid::regclass, pg_relation_size(indexrelid), indrelid::regclass from pg_index
     where indrelid in ('signatures'::regclass, 'outbox'::regclass, 'mailing_recipients'::regclass)
     order by 3, 2 desc" | awk -F'|' -v n="$rows" '{printf "| %s | %.1f |\n", $1, $2 / n}'

[ "${SCALE_ONLY:-}" = storage ] && exit 0

# --- the server -------------------------------------------------------------------------
printf 'bench organizer password\n' | "$BIN" organizer add scale@rallypost.example --password-stdin >/dev/null 2>&1 || true
TOKEN=$("$BIN" organizer token scale@rallypost.example 2>/dev/null | tail -1)
start_server() {
    RALLYPOST_BIND="127.0.0.1:$PORT" RALLYPOST_BASE_URL="$BASE" "$BIN" serve --no-workers 2>"$WORK/serve.log" &
    SERVER=$!
    for _ in $(seq 300); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
    curl -sf "$BASE/readyz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
}
stop_server() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
start_server

ms() { curl -s "$@" -o /dev/null -w '%{time_total}' | awk '{printf "%.1f", $1 * 1000}'; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo
echo "| page at $RATE requests/s | p50 ms | p99 ms | limit: /healthz p99 ms | errors |"
echo "|---|---|---|---|---|"
floor=$(python3 bench/rate.py "$BASE/healthz" --rate "$RATE" --seconds 15)
floor_p99=$(echo "$floor" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p99"])')
for path in "/c/$SLUG" "/c/$SLUG/count.json"; do
    r=$(python3 bench/rate.py "$BASE$path" --rate "$RATE" --seconds 20)
    echo "$r" | python3 -c "import json,sys; r = json.load(sys.stdin); print(f'| GET $path | {r[\"p50\"]} | {r[\"p99\"]} | $floor_p99 | {r[\"errors\"]} |')"
done

# --- the dashboard ---------------------------------------------------------------------
stop_server
start_server
jar="$WORK/cookies"
csrf=$(curl -s -c "$jar" "$BASE/admin/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null \
    -d "email=scale%40rallypost.example&password=bench+organizer+password&csrf_token=$csrf" "$BASE/admin/login"
# The first view after a start (the server was just restarted): the per-day counts are as
# the last refresh (the page views above) left them.
first=$(ms -b "$jar" "$BASE/admin/c/$SLUG")
later=$(for _ in 1 2 3 4 5; do ms -b "$jar" "$BASE/admin/c/$SLUG"; echo; done | median)
count_ms=$(for _ in 1 2 3; do psql -qAtX "$URL" -c '\timing on' -c "select count(*) from signatures" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; done | sort -n | head -1)
echo
echo "| dashboard | ms | limit |"
echo "|---|---|---|"
echo "| first view after a start | $first | 2000 (count(*) of the table: $count_ms ms) |"
echo "| later views, median of 5 | $later | 50 |"

# --- the API ---------------------------------------------------------------------------
auth=(-H "Authorization: Bearer $TOKEN")
api="$BASE/api/v1/petitions/$SLUG/signatures"
first_page=$(for _ in 1 2 3; do ms "${auth[@]}" "$api?per_page=100"; echo; done | median)
# Follow _links.next up to 1,000 times (100,000 rows deep; less on a small seed, which
# has fewer confirmed signatures), then time that page.
pages=$(( confirmed / 100 - 2 )); [ "$pages" -gt 1000 ] && pages=1000
next="$api?per_page=100"
for _ in $(seq "$pages"); do
    next=$(curl -s "${auth[@]}" "$next" | python3 -c 'import json,sys; print(json.load(sys.stdin)["_links"]["next"]["href"])')
done
deep_cursor=$(for _ in 1 2 3; do ms "${auth[@]}" "$next"; echo; done | median)
deep_page=$(for _ in 1 2 3; do ms "${auth[@]}" "$api?per_page=100&page=$((pages + 1))"; echo; done | median)
echo
echo "| API, 100 per page | ms |"
echo "|---|---|"
echo "| first page (limit) | $first_page |"
echo "| $((pages * 100)) rows deep by cursor | $deep_cursor |"
echo "| $((pages * 100)) rows deep by page number (offset) | $deep_page |"

stop_server

# --- keys rotate -----------------------------------------------------------------------
if [ "${SCALE_ROTATE:-0}" = 1 ]; then
    echo
    echo "| keys rotate | seconds | rows/s |"
    echo "|---|---|---|"
    for step in "$KEY_B $KEY_A" "$KEY_A $KEY_B"; do
        read -r new old <<<"$step"
        t=$(now)
        RALLYPOST_DATA_KEY=$new RALLYPOST_DATA_KEYS_OLD=$old "$BIN" keys rotate >/dev/null 2>&1
        secs=$(since "$t")
        echo "| to ${new:0:2}... | $secs | $(echo "$rows / $secs" | bc) |"
    done
fi
