#!/usr/bin/python3
"""Sign-to-inbox latency: from a supporter's 303 to their confirmation email accepted by the
SMTP server, with `serve --no-workers` taking the signature and a separate `worker`
sending, as on two hosts. Twice: the worker only polling the outbox every 0.5 s (what it did
before issue 17, and still does behind a transaction pooler: RALLYPOST_DATABASE_POOLER=
transaction, which also turns off prepared statements), and woken by LISTEN/NOTIFY.

Signatures go one at a time, a random 0-300 ms apart, so they fall anywhere in the poll
cycle. The acceptance time is the test SMTP server's own clock (the name of the .eml file
it writes when it answers 250 to DATA); both clocks are this machine's.

    cargo build --bins --examples && /usr/bin/python3 bench/wake.py     # N=100 by default
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults"))

from common import (  # noqa: E402
    App, Client, PgCluster, Smtp, base_env, cleanup, free_port, log, tempdir, wait_until,
)

N = int(os.environ.get("N", "100"))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def run(mode, db, smtp):
    extra = {"RALLYPOST_DATABASE_POOLER": "transaction"} if mode == "poll" else {}
    port = free_port()
    serve = App(base_env(db, smtp, tempdir("serve-" + mode), port, **extra),
                command=["serve", "--no-workers"], name="serve-" + mode).start()
    worker = App(base_env(db, smtp, tempdir("worker-" + mode), None, **extra),
                 command=["worker"], name="worker-" + mode).start()
    base = "http://127.0.0.1:%d" % port
    # The worker is up once it sent the mail left from the previous run (none) and listens.
    time.sleep(2)
    latencies = []
    for i in range(N):
        before = set(os.listdir(smtp.dir))
        c = Client(base)
        _, token = c.csrf()
        status, _ = c.sign("wake-%s-%04d@supporters.example" % (mode, i), token)
        signed = time.time()
        if status != 303:
            raise RuntimeError("signing answered %s" % status)
        new = wait_until(lambda: [f for f in os.listdir(smtp.dir) if f.endswith(".eml") and f not in before], 10, 0.001)
        if not new:
            raise RuntimeError("no confirmation email within 10 s")
        accepted = int(new[0].split("-")[0]) / 1e9
        latencies.append((accepted - signed) * 1000)
        time.sleep(random.uniform(0, 0.3))
    serve.kill9()
    worker.kill9()
    return latencies


def main():
    pg = PgCluster()
    pg.start()
    db = pg.create_db()
    smtp = Smtp()
    smtp.start()
    try:
        results = {mode: run(mode, db, smtp) for mode in ("poll", "listen")}
    finally:
        cleanup()
    log("sign-to-inbox latency, %d signatures each, serve --no-workers + worker, debug build" % N)
    log("| worker | p50 | p99 | max |")
    log("|---|---|---|---|")
    for mode, label in (("poll", "polling every 0.5 s (before)"), ("listen", "LISTEN/NOTIFY (after)")):
        ms = results[mode]
        log("| %s | %.1f ms | %.1f ms | %.1f ms |" % (label, percentile(ms, 50), percentile(ms, 99), max(ms)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
