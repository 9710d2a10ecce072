"""A real SMTP server for the test suite (Debian's python3-aiosmtpd).

Each accepted message is written to DIR as <n>.eml, preceded by an X-Rcpt-To line with
the envelope recipients. If DIR/reply exists, its first line is sent as the reply to DATA
instead (for example "550 5.7.1 Mailbox refused"), and the message is not kept.
"""

import argparse
import os
import threading
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        reply = os.path.join(self.directory, "reply")
        if os.path.exists(reply):
            with open(reply) as f:
                return f.readline().strip()
        with self.lock:
            name = "%d-%d" % (time.time_ns(), os.getpid())
            partial = os.path.join(self.directory, "." + name)
            with open(partial, "wb") as f:
                f.write(b"X-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
                f.write(envelope.original_content)
            os.rename(partial, os.path.join(self.directory, name + ".eml"))
        return "250 2.0.0 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    controller = Controller(
        Handler(args.dir), hostname="127.0.0.1", port=args.port, enable_SMTPUTF8=True
    )
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
