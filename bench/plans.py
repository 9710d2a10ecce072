#!/usr/bin/env python3
"""Which plan each query gets on a big table (issue 17, item 7).

    BENCH_URL=postgres://postgres@127.0.0.1:5432/rallypost_scale /usr/bin/python3 bench/plans.py

Against a seeded database (bench/scale.sh seeds one), with PostgreSQL's auto_explain loaded
into every session of that database and `plan_cache_mode = force_generic_plan`: every
prepared statement runs on its generic plan, the one a cached statement falls back to after
five runs, whatever its parameters. Then a day's work goes through `serve` and its workers:
supporters sign and confirm, pages and count.json are read, an organizer opens the
dashboard, pages the API by cursor and exports; the workers send the mail. Every plan is
read back from the server log and each distinct statement is listed with the scans it makes
of the growing tables; a sequential scan of one of them is flagged.

Needs the machine's PostgreSQL (its log in /var/log/postgresql, or PG_LOG=) and the binaries
of `cargo build --release --bins --examples` (RALLYPOST_BIN= and RALLYPOST_SMTP_BIN=).
Writes the full plans to bench/plans.txt (BENCH_PLANS_OUT=). Not run by tests.
"""

import glob
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("RALLYPOST_BIN", os.path.join(ROOT, "target", "release", "rallypost"))
os.environ.setdefault("RALLYPOST_SMTP_BIN", os.path.join(ROOT, "target", "release", "examples", "smtp_server"))
sys.path.insert(0, os.path.join(ROOT, "faults"))
import common  # noqa: E402

URL = os.environ.get("BENCH_URL", "postgres://postgres@127.0.0.1:5432/rallypost_scale")
DB = URL.rsplit("/", 1)[1]
GROWING = ("signatures", "outbox", "mailing_recipients", "suppressions", "export_log", "signature_day_counts")
OUT = os.environ.get("BENCH_PLANS_OUT", os.path.join(ROOT, "bench", "plans.txt"))


def psql(sql, url=URL):
    return subprocess.run(["psql", "-qAtX", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def server_log():
    path = os.environ.get("PG_LOG")
    if path:
        return path
    logs = sorted(glob.glob("/var/log/postgresql/postgresql-*-main.log"), key=os.path.getmtime)
    if not logs:
        sys.exit("no PostgreSQL log found: set PG_LOG")
    return logs[-1]


def settings(on):
    admin = URL.rsplit("/", 1)[0] + "/postgres"
    if on:
        for sql in (
            "alter database %s set session_preload_libraries = 'auto_explain'" % DB,
            "alter database %s set auto_explain.log_min_duration = 0" % DB,
            "alter database %s set auto_explain.log_nested_statements = on" % DB,
            "alter database %s set plan_cache_mode = force_generic_plan" % DB,
        ):
            psql(sql, admin)
    else:
        for name in ("session_preload_libraries", "auto_explain.log_min_duration",
                     "auto_explain.log_nested_statements", "plan_cache_mode"):
            psql("alter database %s reset %s" % (DB, name), admin)


def workload(base, smtp, token):
    """A small day: signing, confirming, reading, organizing, exporting."""
    addresses = ["plans%03d@supporters.example" % i for i in range(30)]
    for a in addresses:
        common.sign_one(base, a)
    common.wait_until(lambda: len(common.confirm_links(smtp)) >= len(addresses), 60)
    for link in list(common.confirm_links(smtp).values())[:20]:
        c = common.Client(base)
        status, body = c.request(link)
        m = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', body or "")
        if m:
            c.request(m.group(1), {})
    for _ in range(10):
        urllib.request.urlopen(base + "/c/%s" % common.SLUG).read()
        urllib.request.urlopen(base + "/c/%s/count.json" % common.SLUG).read()
    admin = common.Client(base)
    _, body = admin.request("/admin/login")
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', body).group(1)
    admin.request("/admin/login", {"email": "plans@rallypost.example", "password": "bench organizer password",
                                   "csrf_token": csrf})
    for _ in range(7):
        admin.request("/admin/c/%s" % common.SLUG)
        admin.request("/admin")
    nxt = base + "/api/v1/petitions/%s/signatures?per_page=100" % common.SLUG
    for _ in range(7):
        req = urllib.request.Request(nxt, headers={"Authorization": "Bearer " + token})
        page = json.load(urllib.request.urlopen(req))
        nxt = page["_links"]["next"]["href"]
    req = urllib.request.Request(base + "/api/v1/petitions/%s" % common.SLUG,
                                 headers={"Authorization": "Bearer " + token})
    urllib.request.urlopen(req).read()
    # Give the workers a few rounds (claiming, housekeeping, letters) before stopping.
    time.sleep(10)


def plans_from(log_text):
    """[(statement, plan text)] from auto_explain's entries."""
    out = []
    for entry in re.split(r"\n(?=\S.*?LOG:  duration: )", log_text):
        m = re.search(r"LOG:  duration: [0-9.]+ ms  plan:\n\s*Query Text: (.*?)\n(.*)", entry, re.S)
        if not m:
            continue
        statement = " ".join(m.group(1).split())
        plan = "\n".join(line for line in m.group(2).splitlines() if not re.match(r"^\S.*(LOG|STATEMENT|DETAIL):", line))
        out.append((statement, plan))
    return out


def scans(plan):
    found = set()
    for kind, table in re.findall(r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)(?: using \S+)? on (\w+)", plan):
        if table in GROWING:
            found.add((kind, table))
    return sorted(found)


def main():
    log_path = server_log()
    pg_cmd = ["psql", "-qAtX", URL]
    subprocess.run(pg_cmd + ["-c", "select 1"], check=True, capture_output=True)
    smtp = common.Smtp()
    smtp.start()
    data_dir = common.tempdir("plans-data")
    port = common.free_port()
    env = common.base_env(URL, smtp, data_dir, port, RALLYPOST_DATA_KEY="5a" * 32, RALLYPOST_LOG="warn",
                          RALLYPOST_BASE_URL="http://127.0.0.1:%d" % port)
    full_env = dict(os.environ)
    full_env.update(env)
    subprocess.run([common.BINARY, "organizer", "add", "plans@rallypost.example", "--password-stdin"],
                   input="bench organizer password\n", text=True, env=full_env, capture_output=True)
    token = subprocess.run([common.BINARY, "organizer", "token", "plans@rallypost.example"], env=full_env,
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    settings(True)
    start = os.path.getsize(log_path)
    try:
        serve = common.App(env).start()
        workload("http://127.0.0.1:%d" % port, smtp, token)
        export = subprocess.run([common.BINARY, "export", common.SLUG, "--status", "all", "--out",
                                 os.path.join(data_dir, "export.csv")], env=full_env, capture_output=True)
        assert export.returncode == 0, export.stderr
        common.kill(serve.proc, common.signal.SIGTERM)
        time.sleep(1)
    finally:
        settings(False)
        common.cleanup()
    with open(log_path, "rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")

    seen = {}
    for statement, plan in plans_from(text):
        if not any(t in statement for t in GROWING):
            continue
        entry = seen.setdefault(statement, {"runs": 0, "plan": plan})
        entry["runs"] += 1
    flagged = 0
    with open(OUT, "w") as f:
        for statement, entry in sorted(seen.items(), key=lambda kv: -kv[1]["runs"]):
            f.write("-- runs: %d\n%s\n%s\n\n" % (entry["runs"], statement, entry["plan"]))
    print("| statement | runs | scans of growing tables | |")
    print("|---|---|---|---|")
    for statement, entry in sorted(seen.items(), key=lambda kv: -kv[1]["runs"]):
        s = scans(entry["plan"])
        bad = any(kind == "Seq Scan" and table in ("signatures", "outbox", "mailing_recipients") for kind, table in s)
        flagged += bad
        short = statement if len(statement) < 110 else statement[:107] + "..."
        print("| `%s` | %d | %s | %s |" % (short.replace("|", "\\|"), entry["runs"],
                                          ", ".join("%s %s" % k for k in s) or "-", "SEQ SCAN" if bad else ""))
    print()
    print("%d statements, %d with a sequential scan of signatures, outbox or mailing_recipients; plans in %s"
          % (len(seen), flagged, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
