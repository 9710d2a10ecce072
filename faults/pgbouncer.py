#!/usr/bin/python3
"""scale_out.py through PgBouncer in transaction mode (`apt-get install pgbouncer`): two
`serve --no-workers` behind HAProxy and three `worker`s with
`RALLYPOST_DATABASE_POOLER=transaction`, all reaching PostgreSQL through one PgBouncer with
20 server connections. Signing,
confirming and letters must come out exactly as without it, and what failed there before
(unknown campaigns and NUL bytes answered 500, signing again 403, `prepared statement
"s20" does not exist` in the sender) must not.
"""

import scale_out
from common import main_wrapper

if __name__ == "__main__":
    main_wrapper(lambda: scale_out.test(pgbouncer=True), 240)
