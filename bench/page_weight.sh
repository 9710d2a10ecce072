#!/usr/bin/env bash
# What /c/{slug} transfers in each shipped language, gzip as a browser asks for it: the
# page itself (country list included, named in that language) and count.js, against the
# 15,000-byte limit the browser test enforces (tests/browser/supporter.test.mjs). Quicker
# than the browser test, for a change to the page or its country list.
#
#   cargo build --bin rallypost && bash bench/page_weight.sh
set -euo pipefail
bin=${RALLYPOST_BIN:-target/debug/rallypost}
slug=end-forced-returns
limit=15000
data=$(mktemp -d /tmp/rallypost-weight.XXXXXX)
chmod 755 "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
pid=
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; wait 2>/dev/null || true; rm -rf "$data"' EXIT
export RALLYPOST_DATA_DIR="$data"
unset RALLYPOST_DATABASE_URL DATABASE_URL

RALLYPOST_BIND="127.0.0.1:$port" RALLYPOST_LOG=warn RALLYPOST_SIGN_RATE=off \
  "$bin" serve --no-workers > /dev/null 2> "$data/stderr" &
pid=$!
until grep -q "rallypost is ready" "$data/stderr" 2>/dev/null; do
  kill -0 $pid || { cat "$data/stderr"; exit 1; }
  sleep 0.05
done

size() { curl --compressed -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$@"; }
script=$(size "$base/assets/count.js")
for lang in en de fa-AF ps; do
  page=$(size "$base/c/$slug?lang=$lang")
  total=$((page + script))
  printf 'page weight of /c/%s in %-5s: %5d bytes (page %d + count.js %d), %.2f of the %d-byte limit\n' \
    "$slug" "$lang" "$total" "$page" "$script" "$(echo "$total/$limit" | bc -l)" "$limit"
done
