#!/usr/bin/env bash
# Peak RSS of `rallypost serve` while PARALLEL (16) requests at a time, each with a 194 KB
# gzip body that expands to about 200 MB, hit every POST route, once with Content-Length
# and once chunked; beside the 100 MB limit (issue 11, item 2). The organizer is signed
# in, so that routes behind the guard (logout) get as far as their handlers. Zero-config:
# the private PostgreSQL cluster (not counted) and the .eml outbox.
#   cargo build --release && bash bench/compressed_bodies.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${RALLYPOST_BIN:-target/release/rallypost}
parallel=${PARALLEL:-16}
limit_mb=100
slug=end-forced-returns
data=$(mktemp -d /tmp/rallypost-bodies.XXXXXX)
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

# The bomb: 204 MB of zeros, which gzip makes 194 KB.
python3 - "$data/bomb.gz" <<'EOF'
import sys, zlib
z = zlib.compressobj(9, zlib.DEFLATED, 31)
out, block, expanded = [], bytes(1 << 20), 0
while expanded < 204 * 1000 * 1000:
    out.append(z.compress(block)); expanded += len(block)
out.append(z.flush())
open(sys.argv[1], "wb").write(b"".join(out))
print(f"gzip body: {sum(map(len, out)) / 1024:.0f} KB, expands to {expanded / 1e6:.0f} MB", file=sys.stderr)
EOF

# An organizer, signed in with curl's cookie jar.
printf 'a long bench password\n' | "$bin" organizer add bench@rallypost.example --password-stdin > /dev/null 2>&1
jar="$data/cookies"
token=$(curl -s -c "$jar" -b "$jar" "$base/admin/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed 's/.*value="//; s/"$//')
signed_in=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode email=bench@rallypost.example \
  --data-urlencode 'password=a long bench password' --data-urlencode "csrf_token=$token" "$base/admin/login")
[ "$signed_in" = 303 ] || { echo "signing in failed: $signed_in" >&2; exit 1; }

kib() { awk "/^$1:/ {print \$2}" /proc/$pid/status; }
idle=$(kib VmRSS)
printf '| route | body | answers | peak RSS |\n|---|---|---|---|\n'
peak_all=0
# Every POST route the server has (src/web/mod.rs, src/web/protected.rs).
for route in "/c/$slug/sign" /confirm/a-token /withdraw/a-token /admin/login /admin/logout; do
  for framing in content-length chunked; do
    extra=()
    [ $framing = chunked ] && extra=(-H 'Transfer-Encoding: chunked')
    echo 5 > /proc/$pid/clear_refs  # the peak (VmHWM) starts again from now
    answers=$(seq "$parallel" | xargs -P "$parallel" -I{} curl -s -o /dev/null -w '%{http_code}\n' -b "$jar" \
      -H 'Content-Type: application/x-www-form-urlencoded' -H 'Content-Encoding: gzip' "${extra[@]}" \
      --data-binary @"$data/bomb.gz" "$base$route" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
    peak=$(kib VmHWM)
    [ "$peak" -gt "$peak_all" ] && peak_all=$peak
    printf '| POST %s | %s | %s| %.1f MiB |\n' "$route" "$framing" "$answers" "$(echo "$peak/1024" | bc -l)"
  done
done
kill -0 $pid || { echo "serve died" >&2; exit 1; }
printf '\nserve RSS idle before: %.1f MiB\n' "$(echo "$idle/1024" | bc -l)"
printf 'peak RSS under %d parallel gzip bodies per route: %.1f MB, %.2f of the %d MB limit\n' \
  "$parallel" "$(echo "$peak_all * 1024 / 1000000" | bc -l)" "$(echo "$peak_all * 1024 / ($limit_mb * 1000000)" | bc -l)" "$limit_mb"
