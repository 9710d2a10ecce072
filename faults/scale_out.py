#!/usr/bin/python3
"""Scale-out on one machine: one PostgreSQL, two `serve --no-workers` behind HAProxy, three
`worker`.

Supporters reach the web processes only through Debian's HAProxy (round robin, each
process checked on `/readyz`, the client's address in `X-Forwarded-For`), each from an
address of its own in 127.0.0.0/8, as if from separate hosts; the web processes trust
127.0.0.1, the balancer's side. The balancer sends the form and its POST to either
process, so the CSRF cookie and everything else must hold across them; the script counts
how many signings crossed. The workers send the confirmation and receipt emails. Then
`rallypost dispatch run` queues the letters while the workers' own schedulers may queue
them too, and the three workers deliver them, paced per target.

Checks: HAProxy saw both processes up and both answered requests (its stats socket), none
with a 5xx; every signature that got its 303 is stored and confirmed; every supporter got
exactly one confirmation email and one receipt; every letter (one per supporter and
target) was queued once and delivered exactly once; every worker sent letters.
Which worker sent what is read from its debug log line "outbox: accepted". Last, the
signing limit (3 an hour per client and process here) must count each client by its own
address: ninety supporters each sign once and are all accepted, while one client posting
ten times, each time with a made-up `X-Forwarded-For`, is refused once both processes
have counted its three.

`test(pgbouncer=True)` (faults/pgbouncer.py) runs the same through PgBouncer in
transaction mode with `RALLYPOST_DATABASE_POOLER=transaction`, then sends what broke there
before (unknown campaigns, NUL bytes, signing again) from several threads at once.
"""

import json
import os
import subprocess
import threading
import time

from common import (
    BINARY, ROOT, SLUG, App, Client, HaProxy, PgBouncer, PgCluster, Smtp, base_env, confirm_links, free_port, log,
    main_wrapper, tempdir, wait_until, write_campaign,
)

SUPPORTERS = 90
THREADS = 6
TARGETS = {"poststelle@bmi.example", "post@bmi.example", "home-commissioner@ec.example"}
# Per client and web process; a client spread over the two processes gets up to twice this.
SIGN_LIMIT = 3
FLOODER = "127.0.3.1"


def supporter_address(i):
    """The address supporter i connects from (127.0.0.1 is the balancer's)."""
    return "127.0.1.%d" % (i + 1)


def sends_by_kind(worker):
    """{kind: [outbox ids]} this worker handed to the SMTP server, from its JSON log."""
    out = {}
    for line in worker.log_text().splitlines():
        if "outbox: accepted" not in line:
            continue
        try:
            fields = json.loads(line).get("fields", {})
        except ValueError:
            continue
        out.setdefault(fields.get("kind", "?"), []).append(fields.get("id"))
    return out


def test(pgbouncer=False):
    t0 = time.monotonic()
    pg = PgCluster()
    pg.start()
    db = pg.create_db()
    pooled = {}
    if pgbouncer:
        bouncer = PgBouncer(pg).start()
        log("%s in transaction mode on port %d, 20 server connections" % (bouncer.version(), bouncer.port))
        db = bouncer.url()
        pooled = {"RALLYPOST_DATABASE_POOLER": "transaction"}
    # Each message takes the SMTP server 50 ms, as a relay does, so a lone worker cannot
    # drain the queue before the others get their turn.
    smtp = Smtp(delay=0.05)
    smtp.start()
    campaigns = write_campaign(tempdir("campaigns"), per_hour=36000)

    # The balancer's address is the public one: the links in the emails point at it.
    ports = [free_port() for _ in range(2)]
    lb = HaProxy([("web%d" % i, port) for i, port in enumerate(ports)])
    public = lb.url()
    serves = []
    for i, port in enumerate(ports):
        env = base_env(db, smtp, tempdir("serve%d" % i), port, RALLYPOST_CAMPAIGNS_DIR=campaigns,
                       RALLYPOST_BASE_URL=public, RALLYPOST_TRUSTED_PROXIES="127.0.0.1",
                       RALLYPOST_SIGN_RATE="%d/hour" % SIGN_LIMIT, **pooled)
        serves.append((App(env, command=["serve", "--no-workers"], name="serve%d" % i), "http://127.0.0.1:%d" % port))
    # Both web processes start together: migrations run once, under the advisory lock.
    for app, _ in serves:
        app.start(wait_ready=False)
    for app, base in serves:
        if not wait_until(lambda: b"rallypost is ready" in open(app.logpath, "rb").read() or app.proc.poll() is not None, 60):
            log("FAIL: %s did not start" % app.name)
            return False
        if app.proc.poll() is not None:
            log("FAIL: %s exited:\n%s" % (app.name, app.log_text()[-2000:]))
            return False
    lb.start()
    if not wait_until(lb.all_up, 15):
        log("FAIL: HAProxy does not see both web processes up: %s"
            % {name: row["status"] for name, row in lb.servers().items()})
        return False
    worker_env = base_env(
        db, smtp, tempdir("workers"), None, RALLYPOST_CAMPAIGNS_DIR=campaigns,
        RALLYPOST_LOG="info,rallypost::outbox=debug", RALLYPOST_LOG_FORMAT="json",
        RALLYPOST_BASE_URL=public, **pooled
    )
    workers = [App(worker_env, command=["worker"], name="worker%d" % i).start() for i in range(3)]
    log("started: PostgreSQL on port %d, serve --no-workers on %s behind %s on %s (both up by /readyz), "
        "3 workers (%.1f s)" % (pg.port, " and ".join(b for _, b in serves), lb.version().split(" - ")[0], public,
                                time.monotonic() - t0))

    # Signing: supporter i from address 127.0.1.(i+1), through the balancer.
    addresses = ["scale%03d@supporters.example" % i for i in range(SUPPORTERS)]
    statuses = {}
    accepted = []
    crossed = {}  # (process that gave the form, process that took the POST): signings
    lock = threading.Lock()
    queue = list(enumerate(addresses))

    def signer():
        while True:
            with lock:
                if not queue:
                    return
                i, addr = queue.pop()
            # The balancer picks a process for each request: when the form and the POST
            # land on different ones, the CSRF cookie and token must hold there too (they
            # are signed with the shared secret key, not kept in a process).
            c = Client(public, source=supporter_address(i))
            status, token = c.csrf()
            form_from = c.served_by
            if token is not None:
                status = c.sign(addr, token)[0]
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 303:
                    accepted.append(addr)
                    pair = (form_from, c.served_by)
                    crossed[pair] = crossed.get(pair, 0) + 1

    t_sign = time.monotonic()
    threads = [threading.Thread(target=signer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    log("signing: %d addresses through the balancer in %.1f s; statuses %s; (form, POST) answered by %s"
        % (SUPPORTERS, time.monotonic() - t_sign, statuses,
           ", ".join("%s+%s: %d" % (a, b, n) for (a, b), n in sorted(crossed.items(), key=str))))

    # The links parsed once per look, not once per address: 90 x 90 parses took 40 s under load.
    if not wait_until(lambda: set(accepted) <= set(confirm_links(smtp)), 30, interval=0.3):
        log("FAIL: not every accepted address got its confirmation email")
        return False
    links = confirm_links(smtp)
    confirm_failed = 0
    for addr in sorted(accepted):
        i = addresses.index(addr)
        if not links[addr].startswith(public + "/"):
            if not confirm_failed:
                log("the confirmation link does not point at the balancer: %s" % links[addr])
            confirm_failed += 1
            continue
        status, body = Client(public, source=supporter_address(i)).request(links[addr], {})
        if status not in (200, 303):
            if not confirm_failed:
                log("confirming %s answered %s: %s" % (links[addr], status, body[:300]))
            confirm_failed += 1
    confirmed = int(pg.psql("select count(*) from signatures where status = 'confirmed'", db="rallypost"))
    log("confirmed %d by the links in the emails, which point at the balancer; %d confirmations failed" % (confirmed, confirm_failed))

    # The dispatch: queue the letters and start sending; the workers take it from there.
    env = dict(os.environ)
    env.update(worker_env)
    t_dispatch = time.monotonic()
    r = subprocess.run([BINARY, "dispatch", "run", "end-forced-returns"], env=env, cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    log("dispatch run: %s" % (r.stdout.strip().splitlines() or ["(no output)"])[-1])
    expected_letters = len(accepted) * len(TARGETS)

    def letters_done():
        total, unsent = pg.psql(
            "select count(*), count(*) filter (where status <> 'sent') from outbox where kind = 'letter'",
            db="rallypost").split("|")
        return int(total) >= expected_letters and int(unsent) == 0

    wait_until(letters_done, 40, interval=0.3)
    dispatch_secs = time.monotonic() - t_dispatch
    time.sleep(1)  # a late duplicate would land now

    # What PostgreSQL holds.
    rows = int(pg.psql("select count(*) from signatures", db="rallypost"))
    letter_rows = pg.psql(
        "select count(*), count(distinct (signature_id, target_id)), count(*) filter (where status = 'sent') "
        "from outbox where kind = 'letter'", db="rallypost").split("|")
    queued, distinct_pairs, sent = (int(x) for x in letter_rows)
    letter_ids = set(pg.psql("select id from outbox where kind = 'letter'", db="rallypost").split())

    # What the SMTP server received.
    confirmations, receipts, letters = {}, {}, {}
    for rcpts, msg in smtp.messages():
        rcpt = rcpts[0]
        if rcpt in TARGETS:
            mid = str(msg.get("Message-ID", "")).strip().strip("<>").split("@")[0]
            letters[mid] = letters.get(mid, 0) + 1
            continue
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        if "/confirm/" in text:
            confirmations[rcpt] = confirmations.get(rcpt, 0) + 1
        else:
            receipts[rcpt] = receipts.get(rcpt, 0) + 1

    # Who sent what.
    per_worker = [sends_by_kind(w) for w in workers]
    sent_by_workers = {}
    for kinds in per_worker:
        for kind, ids in kinds.items():
            for i in ids:
                sent_by_workers[i] = sent_by_workers.get(i, 0) + 1
    cli_letters = len(letter_ids) - sum(len(k.get("letter", [])) for k in per_worker)

    ok = True

    def check(cond, what):
        nonlocal ok
        log("%s %s" % ("ok  " if cond else "FAIL", what))
        ok = ok and cond

    check(len(accepted) == SUPPORTERS, "signatures accepted (303): %d of %d" % (len(accepted), SUPPORTERS))
    check(rows == len(accepted) and confirmed == len(accepted),
          "signature rows: %d, confirmed: %d (accepted %d)" % (rows, confirmed, len(accepted)))
    check(all(confirmations.get(a) == 1 for a in accepted) and len(confirmations) == len(accepted),
          "confirmation emails: %d to %d addresses, each exactly once" % (sum(confirmations.values()), len(confirmations)))
    check(all(receipts.get(a) == 1 for a in accepted) and len(receipts) == len(accepted),
          "receipts after confirming: %d to %d addresses, each exactly once" % (sum(receipts.values()), len(receipts)))
    check(queued == expected_letters and distinct_pairs == queued,
          "letters queued: %d for %d (supporter, target) pairs, expected %d" % (queued, distinct_pairs, expected_letters))
    doubled = [i for i, n in letters.items() if n > 1]
    lost = letter_ids - set(letters)
    check(sent == queued and not lost and not doubled and set(letters) == letter_ids,
          "letters delivered: %d messages, %d distinct; lost %d, doubled %d; in %.1f s from `dispatch run`"
          % (sum(letters.values()), len(letters), len(lost), len(doubled), dispatch_secs))
    check(all(n == 1 for n in sent_by_workers.values()), "no outbox row handed to the SMTP server twice by the workers")
    spread = ["%s: %d letters, %d other emails" % (w.name, len(k.get("letter", [])), sum(len(v) for kk, v in k.items() if kk != "letter"))
              for w, k in zip(workers, per_worker)]
    check(all(len(k.get("letter", [])) > 0 for k in per_worker),
          "work spread: %s; `dispatch run` itself: %d letters" % ("; ".join(spread), cli_letters))
    check(sum(n for (a, b), n in crossed.items() if a and b and a != b) > 0,
          "signings whose form and POST two different web processes answered: %d"
          % sum(n for (a, b), n in crossed.items() if a and b and a != b))
    flood = flood_from_one_client(public)
    check(1 <= flood.get(303, 0) <= 2 * SIGN_LIMIT and flood.get(429, 0) >= 10 - 2 * SIGN_LIMIT
          and set(flood) <= {303, 429},
          "one client posting 10 times, each with a made-up X-Forwarded-For: %s (limit %d per process, 2 processes)"
          % (", ".join("%s x%d" % kv for kv in sorted(flood.items(), key=str)), SIGN_LIMIT))
    if pgbouncer:
        statuses = probe_what_broke_behind_poolers(public, accepted)
        check(set(statuses) == {"unknown campaign 404", "NUL byte 422", "signing again 303"},
              "through PgBouncer: %s" % ", ".join("%s x%d" % kv for kv in sorted(statuses.items())))
    stats = lb.servers()
    check(all(int(stats[name]["hrsp_2xx"] or 0) + int(stats[name]["hrsp_3xx"] or 0) > 0 for name in stats)
          and all(int(r["hrsp_5xx"] or 0) == 0 for r in stats.values()) and len(stats) == 2,
          "HAProxy stats: %s" % "; ".join(
              "%s %s, %s requests: 2xx %s, 3xx %s, 4xx %s, 5xx %s" % (
                  name, r["status"], r["stot"], r["hrsp_2xx"], r["hrsp_3xx"], r["hrsp_4xx"], r["hrsp_5xx"])
              for name, r in sorted(stats.items())))
    for app in [a for a, _ in serves] + workers:
        text = app.log_text()
        if app.proc.poll() is not None or "panicked" in text:
            check(False, "%s died or panicked" % app.name)
        if "prepared statement" in text:
            check(False, "%s logged a prepared statement error" % app.name)
    return ok


def flood_from_one_client(public, posts=10):
    """{status: times} of one client's signings, each with a fresh form and a made-up
    `X-Forwarded-For` that a client could hope to be counted by."""
    statuses = {}
    for k in range(posts):
        c = Client(public, source=FLOODER)
        _, token = c.csrf()
        status = c.sign("flood%02d@supporters.example" % k, token or "",
                        headers={"X-Forwarded-For": "198.51.100.%d" % (k + 1)})[0]
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def probe_what_broke_behind_poolers(public, accepted, threads=6, rounds=10):
    """What operators saw fail through PgBouncer 1.18: {"what status": times}. Each
    round is a client of its own (127.0.2.x), so the signing limit stays out of it."""
    statuses = {}
    lock = threading.Lock()

    def run(n):
        for r in range(rounds):
            c = Client(public, source="127.0.2.%d" % (n * rounds + r + 1))
            _, token = c.csrf()
            form = {"name": "Fault Tester", "email": "nul%d.%d@supporters.example" % (n, r),
                    "country": "DE", "consent": "on", "csrf_token": token or ""}
            results = [
                ("unknown campaign", c.request("/c/no-such-campaign/sign", form)[0]),
                ("NUL byte", c.request("/c/%s/sign" % SLUG, dict(form, name="Fault\x00Tester"))[0]),
                ("signing again", c.sign(accepted[(n * rounds + r) % len(accepted)], token or "")[0]),
            ]
            with lock:
                for what, status in results:
                    key = "%s %s" % (what, status)
                    statuses[key] = statuses.get(key, 0) + 1

    ts = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    return statuses


if __name__ == "__main__":
    main_wrapper(test, 240)
