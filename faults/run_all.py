#!/usr/bin/python3
"""Runs every fault test, and the scale-out check (scale_out.py); exits non-zero if any fails.

The SMTP-outage test mostly waits for the sender's backoff, so it runs alongside the
others; each test's output is printed when it ends. Usage: faults/run_all.py [name ...]
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
BACKGROUND = ["smtp_down"]
SEQUENTIAL = ["kill_serve", "restart_postgres", "kill_worker", "scale_out", "pgbouncer"]


def start(name):
    return subprocess.Popen(
        [PYTHON, "-u", os.path.join(HERE, name + ".py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=HERE,
    )


def finish(name, proc, t0):
    # Each test has its own hard timeout; this one only guards against a stuck harness.
    try:
        out, _ = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        out += "\nkilled by run_all after 300 s\n"
    print("==== %s (%.0f s)" % (name, time.monotonic() - t0))
    print(out.rstrip(), flush=True)
    return proc.returncode == 0


def main():
    wanted = sys.argv[1:] or BACKGROUND + SEQUENTIAL
    if not os.path.exists(os.path.join(os.path.dirname(HERE), "target", "debug", "rallypost")) and not os.environ.get("RALLYPOST_BIN"):
        print("target/debug/rallypost is missing: run cargo build first")
        return 1
    t0 = time.monotonic()
    results = {}
    background = [(n, start(n), time.monotonic()) for n in wanted if n in BACKGROUND]
    for name in [n for n in wanted if n not in BACKGROUND]:
        results[name] = finish(name, start(name), time.monotonic())
    for name, proc, started in background:
        results[name] = finish(name, proc, started)
    print("==== fault tests: %s in %.0f s" % (", ".join("%s %s" % (n, "ok" if ok else "FAILED") for n, ok in results.items()), time.monotonic() - t0))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
