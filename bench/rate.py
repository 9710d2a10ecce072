#!/usr/bin/env python3
"""Requests at a fixed rate, for the latency of a page under a steady load.

    python3 bench/rate.py URL [URL ...] --rate 200 --seconds 20 [--cookie "k=v"]

Each request is due at its place in a fixed schedule (rate per second, spread over the URLs
in turn) and its latency counts from when it was due, not from when a connection was free
to send it, so a stall shows in the figures instead of quietly lowering the rate
("coordinated omission"). Keep-alive connections, a pool of them, standard library only.
Prints one line of JSON: count, errors, p50, p90, p99, max in milliseconds.
"""

import argparse
import http.client
import json
import queue
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cookie", default=None)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()

    due = queue.Queue()
    latencies, errors = [], [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.2
    total = int((args.seconds + args.warmup) * args.rate)

    def worker():
        conns = {}
        while True:
            item = due.get()
            if item is None:
                return
            at, url = item
            parts = urllib.parse.urlsplit(url)
            conn = conns.get(parts.netloc)
            if conn is None:
                conn = conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=10)
            path = parts.path + ("?" + parts.query if parts.query else "")
            headers = {"Accept-Encoding": "gzip"}
            if args.cookie:
                headers["Cookie"] = args.cookie
            wait = at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conns.pop(parts.netloc).close()
                ok = False
            elapsed = time.monotonic() - at
            if at - start >= args.warmup:
                with lock:
                    if ok:
                        latencies.append(elapsed * 1000)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for i in range(total):
        at = start + i / args.rate
        # Hand each request over shortly before it is due, so a free worker takes it.
        lead = at - time.monotonic() - 0.05
        if lead > 0:
            time.sleep(lead)
        due.put((at, args.urls[i % len(args.urls)]))
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()

    latencies.sort()

    def pct(p):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)

    print(json.dumps({
        "count": len(latencies),
        "errors": errors[0],
        "p50": pct(0.50),
        "p90": pct(0.90),
        "p99": pct(0.99),
        "max": round(latencies[-1], 2) if latencies else None,
    }))


if __name__ == "__main__":
    main()
