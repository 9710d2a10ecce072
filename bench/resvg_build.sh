#!/usr/bin/env bash
# What resvg (the share image, src/share) adds to a clean build: a scratch crate that
# depends on resvg exactly as rallypost does (same version, features and dev profile) is
# built from nothing with one job, so CPU time is the cost whatever else runs on the
# machine; the units of crates rallypost has only through resvg are summed from cargo's
# timings. Prints CPU seconds and the share of resvg's tree that is new to rallypost.
#
#   bash bench/resvg_build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src"
line=$(grep '^resvg = ' Cargo.toml)
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "resvg-cost"
version = "0.1.0"
edition = "2024"

[dependencies]
$line

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
opt-level = 1
TOML
echo 'fn main() { let _ = resvg::usvg::Options::default(); }' > "$dir/src/main.rs"
cp Cargo.lock "$dir/"
# rallypost's own tree without resvg: what a build compiled before resvg came.
cargo tree --prefix none -e normal,build --prune resvg | awk '{print $1"@"$2}' | sort -u > "$dir/without.txt"
(cd "$dir" && cargo fetch -q && /usr/bin/time -f '%U %S %e' -o time.txt cargo build -q -j 1 --timings >/dev/null 2>&1)
read -r user sys wall < "$dir/time.txt"
python3 - "$dir" "$user" "$sys" "$wall" <<'PY'
import glob, json, re, sys
d, user, sys_, wall = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
html = open(glob.glob(f"{d}/target/cargo-timings/cargo-timing-*.html")[0]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
have = set(open(f"{d}/without.txt").read().split())
new = [u for u in units if f"{u['name']}@v{u['version']}" not in have and u["name"] != "resvg-cost"]
share = sum(u["duration"] for u in new) / sum(u["duration"] for u in units)
cpu = user + sys_
print(f"resvg's whole tree, clean, one job: {cpu:.0f} s CPU ({wall:.0f} s wall), {len(units) - 1} units")
print(f"new to rallypost: {len(new)} units, {share:.2f} of the tree's unit time: about {cpu * share:.0f} s CPU added to a clean build")
for u in sorted(new, key=lambda u: -u["duration"])[:6]:
    print(f"  {u['name']} {u['version']}: {u['duration'] / sum(x['duration'] for x in units) * cpu:.0f} s CPU")
PY
