#!/usr/bin/python3
"""Confirmations never wait behind a mailing (issue 14, item 5), and a supporter's email in
under a second (issue 17, item 4): sign-to-inbox latency, from each signature's 303 to its
confirmation email accepted by postfix's smtp-sink, with and without a news mailing to
100,000 supporters draining into the same sink.

One release `serve` with its workers (the web, the mailings filler and the sender in one
process) against a database on 127.0.0.1:5432, sending to smtp-sink. In order:

  1. the limit: smtp-source alone into the sink (4 sessions, as the sender's 4 lanes,
     messages the size of the mailing's, which a test send from the dashboard measured),
     the median of three runs of 40,000 messages;
  2. a mailing written and sent through the dashboard (sign-in, write, send now) to
     AUDIENCE confirmed supporters who asked for news; once its first messages arrive,
     signing at RATE per second for SECONDS;
  3. signing at RATE without a mailing (the same rate alone, for comparison);
  4. signing at HALF_PEAK without a mailing (issue 17, item 4: half of bench/sign.sh's peak).

Signatures go on a fixed schedule (as bench/rate.py: a late answer shows as latency instead
of lowering the rate), by examples/sign_at.rs (a compiled client: four Python processes took
an eighth of the two cores at 500/s), each a distinct address; every confirmation is matched
by its recipient. smtp-sink writes each message to a file of its own (`-d`) when
the client sends the final "." and before it answers 250, so the file's modification time
is the acceptance time; the dump goes to /dev/shm so no disk write-back competes with
PostgreSQL. Both clocks are this machine's. The limit is measured with the same dumping sink.

    cargo build --release --bins --examples && /usr/bin/python3 bench/mail_priority.py

Settings: RALLYPOST_BIN, SEED_BIN, SIGN_BIN (default target/release/...), BENCH_PG (admin
URL, postgres://postgres@127.0.0.1:5432), BENCH_DB (rallypost_bench_mail; seeded once into
BENCH_DB_seed and copied for each run), AUDIENCE (100000), RATE (500), SECONDS (40),
HALF_PEAK (1200). Not run by tests; exits non-zero only if it could
not run.
"""

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "faults"))

import common  # noqa: E402
from common import App, Client, SLUG, base_env, cleanup, free_port, log, spawn, wait_until  # noqa: E402

BIN = os.environ.get("RALLYPOST_BIN", os.path.join(ROOT, "target", "release", "rallypost"))
SEED_BIN = os.environ.get("SEED_BIN", os.path.join(ROOT, "target", "release", "examples", "seed"))
SIGN_BIN = os.environ.get("SIGN_BIN", os.path.join(ROOT, "target", "release", "examples", "sign_at"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "rallypost_bench_mail")
AUDIENCE = int(os.environ.get("AUDIENCE", "100000"))
RATE = float(os.environ.get("RATE", "500"))
SECONDS = float(os.environ.get("SECONDS", "40"))
HALF_PEAK = float(os.environ.get("HALF_PEAK", "1200"))
ORGANIZER = "bench@rallypost.example"
PASSWORD = "bench organizer password"
SOURCE_RCPT = "source@sink.example"
# How long to wait for the last confirmation or mailing message before giving up.
DRAIN_TIMEOUT = 900


def psql(sql, db=DB):
    r = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "%s/%s" % (PG, db), "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("psql: %s" % r.stderr.strip())
    return r.stdout.strip()


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------- database


def seed_template(env):
    """A database holding AUDIENCE confirmed supporters who asked for news, made once and
    kept as BENCH_DB_seed; each run starts from a fresh copy of it. Only confirmed rows
    are kept: pending ones as old as the seed's would draw reminders and the 30-day purge,
    work this benchmark does not measure."""
    seed = DB + "_seed"
    try:
        have = psql("select count(*) from signatures where status = 'confirmed' and updates_opt_in", seed)
    except RuntimeError:
        have = "0"
    if have != str(AUDIENCE):
        log("seeding %d supporters into %s ..." % (AUDIENCE, seed))
        psql("drop database if exists %s" % seed, "postgres")
        psql("create database %s" % seed, "postgres")
        run_env = dict(os.environ, **env)
        run_env["RALLYPOST_DATABASE_URL"] = "%s/%s" % (PG, seed)
        subprocess.run([BIN, "migrate"], env=run_env, check=True, stderr=subprocess.DEVNULL)
        subprocess.run([BIN, "campaign", "import", os.path.join(ROOT, "campaigns", SLUG + ".toml")],
                       env=run_env, check=True, stdout=subprocess.DEVNULL)
        campaign = psql("select id from campaigns where slug = '%s'" % SLUG, seed)
        columns = subprocess.run([SEED_BIN, "--columns"], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        n = AUDIENCE * 100 // 78  # the seed confirms about 80 in 100
        rows = subprocess.Popen([SEED_BIN], stdout=subprocess.PIPE,
                                env=dict(run_env, SEED_N=str(n), SEED_CAMPAIGN=campaign))
        subprocess.run(["psql", "-qX", "%s/%s" % (PG, seed), "-c",
                        "\\copy signatures (%s) from stdin" % columns], stdin=rows.stdout, check=True)
        rows.wait()
        psql("delete from signatures where status <> 'confirmed'", seed)
        psql("delete from signatures where id not in (select id from signatures order by id limit %d)" % AUDIENCE, seed)
        psql("update signatures set updates_opt_in = true", seed)
        psql("vacuum analyze", seed)
    psql("drop database if exists %s" % DB, "postgres")
    psql("create database %s template %s" % (DB, seed), "postgres")
    subprocess.run([BIN, "migrate"], env=dict(os.environ, **env), check=True, stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------------------- smtp-sink


class Sink:
    """smtp-sink writing each message to a file of its own under a tmpfs directory."""

    def __init__(self):
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.dir = tempfile.mkdtemp(prefix="rallypost-mailbench-", dir=base)
        common._dirs.append(self.dir)
        os.chmod(self.dir, 0o777)  # smtp-sink drops to `nobody` after binding
        self.port = free_port()
        self.seen = set()

    def start(self):
        args = ["smtp-sink", "-d", os.path.join(self.dir, "%H%M/%S."), "127.0.0.1:%d" % self.port, "1024"]
        if os.geteuid() == 0:
            args[1:1] = ["-u", "nobody"]
        self.proc = spawn(args, stdout=subprocess.DEVNULL)
        if not wait_until(lambda: _answers(self.port), 10, 0.05):
            raise RuntimeError("smtp-sink did not start")
        return self

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def arrivals(self):
        """[(accepted at, recipient, payload bytes)] of the messages not returned before."""
        out = []
        for sub in sorted(os.listdir(self.dir)):
            path = os.path.join(self.dir, sub)
            for name in os.listdir(path):
                file = os.path.join(path, name)
                if file in self.seen:
                    continue
                st = os.stat(file)
                with open(file, "rb") as f:
                    head = f.read(2048)
                rcpt = re.search(rb"^X-Rcpt-Args: <?([^>\s]*)", head, re.M)
                # The sink's own headers end with its three-line Received header.
                own = re.search(rb"^Received: [^\n]*\n\t[^\n]*\n\t[^\n]*\n", head, re.M)
                if rcpt is None or own is None:
                    continue  # still being written
                self.seen.add(file)
                out.append((st.st_mtime_ns / 1e9, rcpt.group(1).decode().lower(), st.st_size - own.end()))
        return out


def _answers(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def smtp_source(sink, messages, size):
    """Messages per second postfix's own client delivers to the sink, 4 sessions."""
    started = time.time()
    subprocess.run(["smtp-source", "-s", "4", "-m", str(messages), "-l", str(size), "-t", SOURCE_RCPT,
                    "127.0.0.1:%d" % sink.port], check=True)
    return messages / (time.time() - started)


# ---------------------------------------------------------------------------- signing


def sign_at(base, prefix, rate, seconds):
    """Signs at `rate` for `seconds` with examples/sign_at.rs (a compiled client on a fixed
    schedule); returns when the schedule began and ended, and {address: (due, answered,
    status)}."""
    client = Client(base)
    _, token = client.csrf()
    cookie = next(c.value for c in client.jar if c.name == "rp_csrf")
    total = int(rate * seconds)
    start = time.time() + 0.5
    # "--name=value": a token or cookie may begin with "-".
    out = subprocess.run([SIGN_BIN, "--base=" + base, "--slug=" + SLUG, "--token=" + token, "--cookie=" + cookie,
                          "--prefix=" + prefix, "--rate=%s" % rate, "--total=%d" % total, "--start=%.6f" % start],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    signed = {}
    for line in out.splitlines():
        i, due, done, status = line.split()
        signed["%s-%s@supporters.example" % (prefix, i)] = (float(due), float(done), int(status))
    return start, start + total / rate, signed


# ---------------------------------------------------------------------------- the dashboard


def admin_session(base):
    c = Client(base)
    _, page = c.request("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
    status, _ = c.request("/admin/login", {"email": ORGANIZER, "password": PASSWORD, "csrf_token": token})
    if status != 303:
        raise RuntimeError("signing in answered %s" % status)
    return c


def form_token(client, path):
    status, page = client.request(path)
    if status != 200:
        raise RuntimeError("GET %s answered %s" % (path, status))
    return re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)


def write_mailing(client):
    """Writes a mailing in the dashboard as an organizer would (English and German, the
    rest get English); returns its page's path."""
    path = "/admin/c/%s/mailings" % SLUG
    text = ("Dear {name},\n\nthank you for signing. **The ministry has answered**: read its reply "
            "[on the campaign page](https://rallypost.example/c/%s).\n\n- a list\n- of things\n\n" % SLUG) * 3
    status, page = client.request(path, {
        "csrf_token": form_token(client, path),
        "subject_en": "The ministry answered", "text_en": text,
        "subject_de": "Das Ministerium hat geantwortet", "text_de": text.replace("Dear", "Liebe*r"),
        "countries": "",
    })
    if status != 303:
        raise RuntimeError("writing the mailing answered %s: %s" % (status, page[:500]))
    ids = re.findall(r"/admin/c/%s/mailings/([0-9a-f-]{36})" % SLUG, client.request(path)[1])
    return "%s/%s" % (path, ids[0])


def act(client, mailing, action):
    status, page = client.request("%s/%s" % (mailing, action), {"csrf_token": form_token(client, mailing), "at": ""})
    if status not in (200, 303):
        raise RuntimeError("%s answered %s: %s" % (action, status, page[:500]))


# ---------------------------------------------------------------------------- phases


def settle(what, check):
    if not wait_until(check, DRAIN_TIMEOUT, 0.5):
        raise RuntimeError("%s did not finish within %d s" % (what, DRAIN_TIMEOUT))


def confirmations(signed, arrived):
    """Milliseconds from each 303 to its confirmation's acceptance; and how many of the
    303s got none."""
    at = {}
    for t, rcpt, _ in arrived:
        at.setdefault(rcpt, t)
    latencies, missing = {}, 0
    for addr, (_, answered, status) in signed.items():
        if status != 303:
            continue
        if addr in at:
            latencies[addr] = (at[addr] - answered) * 1000
        else:
            missing += 1
    return latencies, missing


def summary(label, rate, signed, latencies, missing, load):
    answered = [s for s in signed.values() if s[2] == 303]
    sign_ms = [(done - due) * 1000 for due, done, _ in answered]
    # The other answers, by status (0: none came: sign_at's 30 s timeout or a failed
    # connection, its reason printed by sign_at on stderr).
    counts = collections.Counter(status for _, _, status in signed.values() if status != 303)
    other = str(sum(counts.values()))
    if counts:
        other += " (%s)" % ", ".join("%d: %d" % kv for kv in sorted(counts.items()))
    ms = list(latencies.values())
    return {
        "label": label, "rate": rate, "signed": len(answered), "not_303": other, "missing": missing,
        "sign_p50": percentile(sign_ms, 50), "sign_p99": percentile(sign_ms, 99),
        "p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms), "load": load,
    }


def main():
    for tool in ("smtp-sink", "smtp-source", "psql"):
        if shutil.which(tool) is None:
            log("needs %s (apt-get install postfix postgresql-client)" % tool)
            return 1
    for binary in (BIN, SEED_BIN, SIGN_BIN):
        if not os.access(binary, os.X_OK):
            log("needs %s: cargo build --release --bins --examples" % binary)
            return 1
    common.BINARY = BIN
    sink = Sink().start()
    data = common.tempdir("serve")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    env = base_env("%s/%s" % (PG, DB), sink, data, port, RALLYPOST_LOG="warn", RALLYPOST_BASE_URL=base)
    seed_template(env)
    run_env = dict(os.environ, **env)
    subprocess.run([BIN, "organizer", "add", ORGANIZER, "--password-stdin"], env=run_env, check=True,
                   input=(PASSWORD + "\n").encode(), stderr=subprocess.DEVNULL)
    App(env).start()
    time.sleep(3)  # the scheduler's and housekeeping's first look
    log("outbox at the start: %s" % (psql("select string_agg(kind || ' ' || status || ' ' || n, ', ') from "
                                          "(select kind, status, count(*) n from outbox group by 1, 2) c") or "empty"))
    pending = lambda kinds: int(psql("select count(*) from outbox where status = 'pending' and kind in (%s)" % kinds))  # noqa: E731
    settle("mail left from the start", lambda: pending("'confirmation', 'receipt', 'reminder', 'digest', 'mailing'") == 0)

    admin = admin_session(base)
    mailing = write_mailing(admin)
    act(admin, mailing, "test")
    settle("the test send", lambda: pending("'mailing'") == 0)
    # Two languages, two test messages: the larger one's size for smtp-source.
    tests = []
    settle("the test send's arrival", lambda: tests.extend(s for _, r, s in sink.arrivals() if r == ORGANIZER) or len(tests) == 2)
    size = max(tests)

    # 1. The limit: the median of three runs, since one run of smtp-source alone moved by
    # as much as a third between runs of this script (3,758-5,847 msg/s).
    load = loadavg()
    source_rates = sorted(smtp_source(sink, 40000, size) for _ in range(3))
    source_rate = source_rates[1]
    sink.arrivals()
    log("smtp-source -> smtp-sink, 4 sessions, %d-byte messages: %.0f msg/s, the median of %s (load %s)"
        % (size, source_rate, " / ".join("%.0f" % r for r in source_rates), load))

    # 2. Signing while the mailing drains.
    act(admin, mailing, "send")
    settle("the mailing's start", lambda: int(psql(
        "select count(*) from mailing_recipients r join outbox o on o.id = r.outbox_id where o.status = 'sent'")) > 0)
    load = loadavg()
    sign_from, sign_to, signed = sign_at(base, "mb", RATE, SECONDS)
    load = "%s / %s" % (load, loadavg())
    settle("the confirmations", lambda: pending("'confirmation'") == 0)
    settle("the mailing", lambda: psql("select queued_all_at is not null from mailings") == "t"
           and pending("'mailing'") == 0)
    log("outbox updates so far: %s" % psql(
        "select n_tup_upd || ', of which HOT (no index entries written) ' || n_tup_hot_upd "
        "from pg_stat_user_tables where relname = 'outbox'"))
    arrived = sink.arrivals()
    mail_times = sorted(t for t, r, _ in arrived if r.endswith("@example.org") and r.startswith("supporter."))
    drained_at = mail_times[-1]
    during = [a for a in signed.items() if a[1][1] <= drained_at]
    latencies, missing = confirmations(dict(during), arrived)
    rows = [summary("%d/s while the mailing drains" % RATE, RATE, dict(during), latencies, missing, load)]
    in_window = len([t for t in mail_times if sign_from <= t <= min(sign_to, drained_at)])
    window = min(sign_to, drained_at) - sign_from
    mailing_rate = in_window / window
    drain_rate = len(mail_times) / (mail_times[-1] - mail_times[0])
    log("mailing: %d messages in %.1f s (%.0f msg/s), %.0f msg/s while signing (%d in %.1f s)"
        % (len(mail_times), mail_times[-1] - mail_times[0], drain_rate, mailing_rate, in_window, window))
    log("%s: confirmation p50 %.1f ms, p99 %.1f ms" % (rows[0]["label"], rows[0]["p50"], rows[0]["p99"]))
    if len(during) < len(signed):
        log("  %d of %d signatures came after the mailing had drained; not counted above"
            % (len(signed) - len(during), len(signed)))

    # 3. and 4. Without a mailing.
    for prefix, rate in (("alone", RATE), ("half", HALF_PEAK)):
        load = loadavg()
        _, _, signed = sign_at(base, prefix, rate, SECONDS)
        load = "%s / %s" % (load, loadavg())
        settle("the confirmations", lambda: pending("'confirmation'") == 0)
        latencies, missing = confirmations(signed, sink.arrivals())
        label = "%d/s, no mailing" % rate + (" (half the signing peak)" if prefix == "half" else "")
        rows.append(summary(label, rate, signed, latencies, missing, load))
        log("%s: confirmation p50 %.1f ms, p99 %.1f ms" % (label, rows[-1]["p50"], rows[-1]["p99"]))

    log("")
    log("| signing | 303s | not 303 | sign p50 / p99 (from due) | confirmation after the 303: p50 | p99 | max | no email | load avg (before / after) |")
    log("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        log("| %s | %d | %s | %.1f / %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d | %s |" % (
            r["label"], r["signed"], r["not_303"], r["sign_p50"], r["sign_p99"], r["p50"], r["p99"],
            r["max"], r["missing"], r["load"]))
    log("")
    log("| mail | msg/s | ratio to smtp-source |")
    log("|---|---|---|")
    log("| smtp-source -> smtp-sink, 4 sessions, %d bytes: the limit | %.0f | 1.00 |" % (size, source_rate))
    log("| the mailing while signing at %d/s | %.0f | %.2f |" % (RATE, mailing_rate, mailing_rate / source_rate))
    log("| the mailing, first to last message (%d) | %.0f | %.2f |" % (len(mail_times), drain_rate, drain_rate / source_rate))
    return 0


if __name__ == "__main__":
    # A timeout's SIGTERM still stops serve and smtp-sink (cleanup, below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    try:
        sys.exit(main())
    finally:
        cleanup()
