"""tests/support/smtp_server.py, answering DATA only after a delay (--delay seconds), so
that messages stay in flight long enough for a kill to land in the middle of one."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))
import smtp_server  # noqa: E402

DELAY = float(sys.argv[sys.argv.index("--delay") + 1])
del sys.argv[sys.argv.index("--delay") : sys.argv.index("--delay") + 2]

_handle = smtp_server.Handler.handle_DATA


async def slow_handle(self, server, session, envelope):
    await asyncio.sleep(DELAY)
    return await _handle(self, server, session, envelope)


smtp_server.Handler.handle_DATA = slow_handle
smtp_server.main()
