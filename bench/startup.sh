#!/usr/bin/env bash
# Time from `rallypost serve` to ready (fresh data dir, then the same dir again) and the
# idle RSS of serve. Zero-config: the private PostgreSQL cluster and .eml outbox.
#   cargo build --release && bash bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${RALLYPOST_BIN:-target/release/rallypost}
data=$(mktemp -d /tmp/rallypost-startup.XXXXXX)
chmod 755 "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"' EXIT

# Starts serve and sets $pid and $took (seconds until it printed that it is ready).
run() {
  local start end
  start=$(date +%s.%N)
  env -u RALLYPOST_DATABASE_URL -u DATABASE_URL RALLYPOST_DATA_DIR="$data" RALLYPOST_BIND="127.0.0.1:$port" \
    RALLYPOST_LOG=warn "$bin" serve > /dev/null 2> "$data/stderr" &
  pid=$!
  until grep -q "rallypost is ready" "$data/stderr" 2>/dev/null; do
    kill -0 $pid || { cat "$data/stderr"; exit 1; }
    sleep 0.01
  done
  end=$(date +%s.%N)
  took=$(echo "$end - $start" | bc)
}

run; fresh=$took
sleep 5
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
run; again=$took
kill -TERM $pid; wait $pid || true

printf '| figure | value |\n|---|---|\n'
printf '| serve to ready, fresh data dir (initdb + migrations) | %.2f s |\n' "$fresh"
printf '| serve to ready, existing data dir | %.2f s |\n' "$again"
printf '| serve RSS, idle after 5 s (PostgreSQL not included) | %.1f MiB (%.2f of the 30 MB goal, issue 7) |\n' \
  "$(echo "$rss/1024" | bc -l)" "$(echo "$rss * 1024 / 30000000" | bc -l)"
