#!/usr/bin/python3
"""Fault 4: kill -9 of one of three `rallypost worker` processes in the middle of a dispatch.

An `individual` campaign paced at 36000 letters per target and hour, sending at any time;
30 confirmed supporters x 3 targets = 90 letters. Three workers dispatch them; one is
killed mid-way. Every letter must arrive; a letter may arrive twice only if it was in
flight (claimed, not yet marked sent) at the kill. Letters the dead worker had claimed go
out once its lease expires: the workers run with RALLYPOST_OUTBOX_LEASE_SECS=10 (the
default is 300 s, which only delays them).
"""

import datetime
import os
import random
import time
import zoneinfo

from common import (
    App, Client, PgCluster, Smtp, base_env, confirm_links, free_port, log, main_wrapper,
    message_ids, sign_one, tempdir, wait_until, write_campaign,
)

SUPPORTERS = 30
TARGETS = {"poststelle@bmi.example", "post@bmi.example", "home-commissioner@ec.example"}
LEASE = 10


def test():
    pg = PgCluster()
    pg.start()
    db = pg.create_db()
    # The SMTP server takes 0.5 s to accept each message, so that each worker usually has
    # a letter on the wire when the kill lands.
    smtp = Smtp(delay=0.5)
    smtp.start()
    data = tempdir("data")
    campaigns = tempdir("campaigns")

    # Phase 1: signing and confirming, with the sending window shut today (and tomorrow,
    # in case the test runs across midnight) so no letter goes out yet.
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin")).weekday()
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    write_campaign(campaigns, per_hour=36000, days=[d for i, d in enumerate(days) if i not in (today, (today + 1) % 7)])
    port = free_port()
    env = base_env(db, smtp, data, port, RALLYPOST_CAMPAIGNS_DIR=campaigns, RALLYPOST_OUTBOX_LEASE_SECS=str(LEASE))
    serve = App(env).start()
    base = "http://127.0.0.1:%d" % port
    supporters = ["w%03d@supporters.example" % i for i in range(SUPPORTERS)]
    for addr in supporters:
        if sign_one(base, addr) != 303:
            log("FAIL: signing %s" % addr)
            return False
    wait_until(lambda: len(confirm_links(smtp)) >= SUPPORTERS, 30)
    links = confirm_links(smtp)
    for addr in supporters:
        status, _ = Client(base).request(links[addr], {})
        if status not in (200, 303):
            log("FAIL: confirming %s: %s" % (addr, status))
            return False
    serve.proc.terminate()
    serve.proc.wait(20)
    confirmed = pg.psql("select count(*) from signatures where status = 'confirmed'", db="rallypost")
    log("%s supporters confirmed; serve stopped" % confirmed)

    # Phase 2: open the window; three workers dispatch.
    write_campaign(campaigns, per_hour=36000)
    wenv = dict(env)
    del wenv["RALLYPOST_BIND"]
    workers = [App(wenv, command=["worker"], name="worker%d" % i).start() for i in range(3)]

    def letters_delivered():
        return sum(1 for rcpts, _ in smtp.messages() if rcpts[0] in TARGETS)

    if not wait_until(lambda: letters_delivered() >= 10, 60, interval=0.05):
        log("FAIL: the dispatch did not start")
        return False

    def leased_now():
        return int(pg.psql("select count(*) from outbox where kind = 'letter' and status = 'pending' and locked_until > now()", db="rallypost"))

    # Kill while the workers hold many letters, so the victim most likely holds some.
    wait_until(lambda: leased_now() >= 6, 10, interval=0.02)
    victim = random.choice(workers)
    victim.kill9()
    leased = set(pg.psql(
        "select id from outbox where kind = 'letter' and status = 'pending' and locked_until > now()", db="rallypost").split())
    delivered_at_kill = letters_delivered()
    total = int(pg.psql("select count(*) from outbox where kind = 'letter'", db="rallypost"))
    # The live workers finish what they hold within a second; what is still leased after
    # that was held by the dead one.
    time.sleep(2)
    held = set(pg.psql(
        "select id from outbox where kind = 'letter' and status = 'pending' and locked_until > now()", db="rallypost").split())
    held &= leased
    log("injected: SIGKILL to %s (pid %d) with %d of %d letters delivered; in flight (claimed, not marked sent): "
        "%d across the three workers, %d of them held by the killed one"
        % (victim.name, victim.proc.pid, delivered_at_kill, total, len(leased), len(held)))

    def done():
        return int(pg.psql("select count(*) from outbox where kind = 'letter' and status <> 'sent'", db="rallypost")) == 0

    wait_until(done, LEASE + 60, interval=0.5)
    time.sleep(1)
    ids = {}
    per_target = {}
    for rcpts, msg in smtp.messages():
        if rcpts[0] not in TARGETS:
            continue
        mid = str(msg.get("Message-ID", "")).strip().strip("<>").split("@")[0]
        ids[mid] = ids.get(mid, 0) + 1
        per_target[rcpts[0]] = per_target.get(rcpts[0], 0) + 1
    expected = set(pg.psql("select id from outbox where kind = 'letter'", db="rallypost").split())
    lost = expected - set(ids)
    doubled = [i for i, n in ids.items() if n > 1]
    stray = [i for i in doubled if i not in held]
    log("letters: %d queued (expected %d), %d delivered to %s" % (len(expected), SUPPORTERS * 3, sum(ids.values()), per_target))
    log("lost: %d; doubled: %d (all were in flight at the kill: %s); of the %d held by the killed worker, %d sent twice"
        % (len(lost), len(doubled), "yes" if not stray else "NO: %s" % stray[:5], len(held), sum(1 for i in held if ids.get(i, 0) > 1)))
    ok = len(expected) == SUPPORTERS * 3 and not lost and not stray and delivered_at_kill < len(expected)
    if delivered_at_kill >= len(expected):
        log("FAIL: the kill came after the dispatch had finished")
    for w in workers:
        if w is not victim and (w.proc.poll() is not None or "panicked" in w.log_text()):
            log("FAIL: %s died or panicked" % w.name)
            ok = False
    return ok


if __name__ == "__main__":
    main_wrapper(test, 150)
