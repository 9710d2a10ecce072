#!/usr/bin/python3
"""Fault 3: the SMTP server down for a minute during sending.

Supporters sign while nothing listens on the SMTP port; it stays down about 60 s; once it
is back, every confirmation email must arrive exactly once. The sender retries with
backoff (15 s, 30 s, 60 s, ... + up to 20% jitter), so the wait after the return is bounded
by the next retry (at most ~75 s after the return for mail first tried at the outage's start).
"""

import time

from common import App, PgCluster, Smtp, base_env, free_port, log, main_wrapper, sign_one, tempdir, wait_until

N = 25
DOWN = 60  # s


def test():
    pg = PgCluster()
    pg.start()
    db = pg.create_db()
    smtp = Smtp()  # not started: its port refuses connections
    port = free_port()
    env = base_env(db, smtp, tempdir("data"), port)
    serve = App(env).start()
    base = "http://127.0.0.1:%d" % port

    t_down = time.monotonic()
    log("injected: SMTP server down (port %d closed) for %d s" % (smtp.port, DOWN))
    accepted = []
    for i in range(N):
        addr = "m%03d@supporters.example" % i
        if sign_one(base, addr) == 303:
            accepted.append(addr)
    log("signed %d of %d while SMTP was down" % (len(accepted), N))

    def retrying():
        return int(pg.psql("select count(*) from outbox where status = 'pending' and attempts >= 1", db="rallypost"))

    wait_until(lambda: retrying() >= len(accepted), 20, interval=0.5)
    in_flight = retrying()
    log("in flight: %d confirmation emails tried and waiting to retry" % in_flight)
    time.sleep(max(0, DOWN - (time.monotonic() - t_down)))
    smtp.start()
    t_up = time.monotonic()
    attempts = pg.psql("select min(attempts), max(attempts) from outbox where status = 'pending'", db="rallypost")
    log("SMTP back after %.0f s; attempts so far per message (min|max): %s" % (t_up - t_down, attempts))

    def delivered():
        counts = smtp.count_by_recipient()
        return all(counts.get(a) for a in accepted)

    wait_until(delivered, 100, interval=1)
    t_all = time.monotonic() - t_up
    time.sleep(2)
    counts = smtp.count_by_recipient()
    lost = [a for a in accepted if not counts.get(a)]
    doubled = [a for a, n in counts.items() if n > 1]
    pending = int(pg.psql("select count(*) from outbox where status <> 'sent'", db="rallypost"))
    log("all delivered %.0f s after the return; lost: %d %s; doubled: %d %s; outbox rows not sent: %d"
        % (t_all, len(lost), lost[:5], len(doubled), doubled[:5], pending))
    if serve.proc.poll() is not None:
        log("FAIL: serve died")
        return False
    return len(accepted) == N and not lost and not doubled and pending == 0


if __name__ == "__main__":
    main_wrapper(test, 220)
