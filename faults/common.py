"""Shared helpers for the fault tests: a private PostgreSQL cluster, the test SMTP server,
rallypost processes, a signing client, and reading the delivered .eml files.

Python 3 standard library only. Everything listens on 127.0.0.1; every process started
here is registered and killed by `cleanup()`, and temp dirs are removed.
"""

import email
import email.policy
import functools
import glob
import html
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("RALLYPOST_BIN", os.path.join(ROOT, "target", "debug", "rallypost"))
# The test suite's SMTP server (tests/support/smtp_server.rs), built by `cargo test` or
# `cargo build --bins --examples`.
SMTP_BIN = os.environ.get("RALLYPOST_SMTP_BIN", os.path.join(ROOT, "target", "debug", "examples", "smtp_server"))
SLUG = "end-forced-returns"
# Every process of one installation shares the data key; fixed here so no file races.
DATA_KEY = "7f" * 32
SECRET_KEY = "fault-tests-secret-key-0123456789abcdef"

_procs = []
_dirs = []


def log(*args):
    print(*args, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tempdir(prefix):
    d = tempfile.mkdtemp(prefix="rallypost-fault-" + prefix + "-")
    _dirs.append(d)
    return d


def spawn(args, **kw):
    p = subprocess.Popen(args, start_new_session=True, **kw)
    _procs.append(p)
    return p


def kill(p, sig=signal.SIGKILL):
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)


def cleanup():
    for p in reversed(_procs):
        try:
            kill(p)
        except Exception as e:  # keep cleaning
            log("cleanup: %r" % e)
    for c in list(PgCluster.running):
        c.stop(quiet=True)
    if os.environ.get("FAULTS_KEEP"):
        log("kept: %s" % _dirs)
        return
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)


def hard_timeout(seconds):
    """Kill the whole test (and its children, via cleanup) if it runs too long."""

    def expire(*_):
        log("FAIL: hard timeout of %d s reached" % seconds)
        cleanup()
        os._exit(3)

    signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)


def wait_until(check, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    return check()


# ---------------------------------------------------------------------------- PostgreSQL


def _pg_bin(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if found:
        return found[-1]
    return shutil.which(name) or name


class PgCluster:
    """A private cluster in a temp dir, run as `postgres` when we are root."""

    running = set()

    def __init__(self):
        self.dir = tempdir("pg")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run([_pg_bin("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])

    def _run(self, args, check=True):
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--"] + args
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60, cwd="/")
        if check and r.returncode != 0:
            raise RuntimeError("%s failed: %s" % (args, r.stdout))
        return r

    def start(self):
        # fsync=off survives a PostgreSQL crash (not an OS crash); synchronous_commit must stay
        # on, or an immediate stop loses commits already acknowledged.
        opts = "-h 127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=200" % (
            self.port,
            self.dir,
        )
        self._run([_pg_bin("pg_ctl"), "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "-t", "30", "start"])
        PgCluster.running.add(self)

    def stop(self, mode="fast", quiet=False):
        self._run([_pg_bin("pg_ctl"), "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"], check=not quiet)
        PgCluster.running.discard(self)

    def url(self, db="postgres"):
        return "postgres://postgres@127.0.0.1:%d/%s" % (self.port, db)

    def psql(self, sql, db="postgres"):
        r = subprocess.run(
            [_pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c", sql],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
        if r.returncode != 0:
            raise RuntimeError("psql: %s" % r.stderr)
        return r.stdout.strip()

    def create_db(self, name="rallypost"):
        self.psql("create database %s" % name)
        return self.url(name)


class PgBouncer:
    """PgBouncer in transaction mode in front of a cluster, set up as an operator would:
    a pool of `pool_size` server connections shared by every client, each handed out for
    one transaction. Debian 12 ships 1.18, which keeps no prepared statements for clients."""

    def __init__(self, pg, pool_size=20):
        self.pg = pg
        self.dir = tempdir("pgbouncer")
        self.port = free_port()
        self.proc = None
        with open(os.path.join(self.dir, "userlist.txt"), "w") as f:
            f.write('"postgres" ""\n')
        self.ini = os.path.join(self.dir, "pgbouncer.ini")
        with open(self.ini, "w") as f:
            f.write(
                "[databases]\n* = host=127.0.0.1 port=%d\n\n[pgbouncer]\n"
                "listen_addr = 127.0.0.1\nlisten_port = %d\nunix_socket_dir =\n"
                "auth_type = trust\nauth_file = %s\npool_mode = transaction\n"
                "default_pool_size = %d\nmax_client_conn = 1000\n"
                "ignore_startup_parameters = extra_float_digits,options\n"
                "logfile = %s\nadmin_users = postgres\n"
                % (pg.port, self.port, os.path.join(self.dir, "userlist.txt"), pool_size,
                   os.path.join(self.dir, "pgbouncer.log"))
            )
        if os.geteuid() == 0:
            for path in [self.dir] + [os.path.join(self.dir, n) for n in os.listdir(self.dir)]:
                shutil.chown(path, "postgres", "postgres")

    def start(self):
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        args = [binary, self.ini]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            args = ["runuser", "-u", "postgres", "--"] + args
        self.proc = spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.dir)
        if not wait_until(lambda: self._answers(), 15):
            raise RuntimeError("PgBouncer did not start: %s" % self.log_text()[-2000:])
        return self

    def _answers(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def version(self):
        r = subprocess.run([shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", "--version"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.stdout.splitlines()[0] if r.stdout else "?"

    def url(self, db="rallypost"):
        return "postgres://postgres@127.0.0.1:%d/%s" % (self.port, db)

    def log_text(self):
        try:
            with open(os.path.join(self.dir, "pgbouncer.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class HaProxy:
    """Debian's HAProxy in front of web processes, set up as an operator would: round robin
    over them, each checked on `/readyz`, and the client's address appended to
    `X-Forwarded-For` (so the web processes need `RALLYPOST_TRUSTED_PROXIES=127.0.0.1`).

    Its own connections to the web processes leave from 127.0.0.1; clients come from other
    addresses of 127.0.0.0/8 (`Client(source=...)`), so a web process can tell the two
    apart as it would on separate hosts. Every answer carries `X-Served-By: web0|web1` (the
    server that answered), and the stats socket counts each server's answers."""

    def __init__(self, backends):
        self.dir = tempdir("haproxy")
        self.port = free_port()
        self.backends = backends  # [(name, port)]
        self.socket = os.path.join(self.dir, "stats.sock")
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        self.proc = None
        servers = "".join(
            "    server %s 127.0.0.1:%d check inter 500ms fall 2 rise 1\n" % (name, port) for name, port in backends
        )
        with open(self.cfg, "w") as f:
            f.write(HAPROXY_CONFIG % {"socket": self.socket, "port": self.port, "servers": servers})

    def start(self):
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.path.exists(binary):
            raise RuntimeError("haproxy is missing: apt-get install haproxy (.ci/run does)")
        self.logpath = os.path.join(self.dir, "haproxy.log")
        self.proc = spawn([binary, "-db", "-f", self.cfg], stdout=open(self.logpath, "wb"), stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(self.socket) or self.proc.poll() is not None, 15):
            raise RuntimeError("HAProxy did not start: %s" % self.log_text()[-2000:])
        if self.proc.poll() is not None:
            raise RuntimeError("HAProxy exited: %s" % self.log_text()[-2000:])
        return self

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def version(self):
        r = subprocess.run([shutil.which("haproxy") or "/usr/sbin/haproxy", "-v"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.stdout.splitlines()[0] if r.stdout else "?"

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket)
            s.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def servers(self):
        """{server name: its row of `show stat`} for the web processes: `status` (UP, DOWN),
        `hrsp_2xx`, `hrsp_3xx`, `hrsp_4xx`, `hrsp_5xx`, `stot` (requests sent to it), ..."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r.get("pxname") == "rallypost" and r["svname"] not in ("FRONTEND", "BACKEND")}

    def all_up(self):
        servers = self.servers()
        return len(servers) == len(self.backends) and all(r["status"] == "UP" for r in servers.values())

    def log_text(self):
        try:
            with open(os.path.join(self.dir, "haproxy.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


# The README's example ("Running it on several hosts") is this, with real addresses, TLS at
# the frontend, slower checks, and no stats socket or X-Served-By header: keep them in step.
HAPROXY_CONFIG = """global
    stats socket %(socket)s mode 600 level admin
    log stdout format raw local0 notice

defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend public
    bind 127.0.0.1:%(port)d
    default_backend rallypost

backend rallypost
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # Appends the client's address as the last X-Forwarded-For entry; whatever the client
    # sent in that header stays to its left, where rallypost does not believe it.
    option forwardfor
    source 127.0.0.1
    http-response set-header X-Served-By %%s
%(servers)s"""


# ---------------------------------------------------------------------------- SMTP


class Smtp:
    """The test SMTP server on a fixed port, stoppable and restartable; with a delay it
    answers the end of DATA only after that many seconds, so messages stay in flight."""

    def __init__(self, delay=0):
        self.dir = tempdir("mail")
        self.port = free_port()
        self.proc = None
        self.delay = delay

    def start(self):
        args = [SMTP_BIN, "--port", str(self.port), "--dir", self.dir, "--delay", str(self.delay)]
        self.proc = spawn(args, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().strip()
        if line != "ready":
            raise RuntimeError("SMTP server did not start")

    def stop(self):
        if self.proc:
            kill(self.proc)
            self.proc = None

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def messages(self):
        """[(recipients, email.message.Message)] of every delivered message."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.dir, "*.eml"))):
            with open(path, "rb") as f:
                raw = f.read()
            first, _, rest = raw.partition(b"\r\n")
            rcpts = first.decode().split(":", 1)[1].strip().split(",")
            out.append((rcpts, email.message_from_bytes(rest, policy=email.policy.default)))
        return out

    def count_by_recipient(self):
        counts = {}
        for rcpts, _ in self.messages():
            for r in rcpts:
                counts[r] = counts.get(r, 0) + 1
        return counts


def message_ids(smtp):
    """{outbox row id: times delivered}, from the Message-ID each row keeps."""
    counts = {}
    for _, msg in smtp.messages():
        mid = str(msg.get("Message-ID", "")).strip().strip("<>").split("@")[0]
        counts[mid] = counts.get(mid, 0) + 1
    return counts


def text_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def confirm_links(smtp):
    """{recipient: confirmation URL} from the delivered confirmation emails."""
    links = {}
    for rcpts, msg in smtp.messages():
        m = re.search(r"https?://\S+/confirm/[A-Za-z0-9_\-]+", text_of(msg))
        if m:
            links[rcpts[0]] = m.group(0)
    return links


# ---------------------------------------------------------------------------- rallypost


class App:
    """One rallypost process (`serve` or `worker`) with its settings."""

    def __init__(self, env, command=("serve",), name="serve"):
        self.env = env
        self.command = list(command)
        self.name = name
        self.proc = None
        self.logfile = None

    def start(self, wait_ready=True, timeout=60):
        logpath = os.path.join(self.env["RALLYPOST_DATA_DIR"], "%s-%d.log" % (self.name, int(time.time() * 1000)))
        self.logpath = logpath
        self.logfile = open(logpath, "wb")
        env = dict(os.environ)
        env.update(self.env)
        self.proc = spawn([BINARY] + self.command, env=env, stdout=self.logfile, stderr=subprocess.STDOUT, cwd=ROOT)
        if wait_ready and self.command[0] == "serve":
            ok = wait_until(lambda: self.proc.poll() is not None or b"rallypost is ready" in open(logpath, "rb").read(), timeout)
            if self.proc.poll() is not None or not ok:
                raise RuntimeError("%s did not start:\n%s" % (self.name, open(logpath, "rb").read().decode(errors="replace")[-3000:]))
        return self

    def kill9(self):
        kill(self.proc, signal.SIGKILL)

    def log_text(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")


def base_env(db_url, smtp, data_dir, port=None, **extra):
    env = {
        "RALLYPOST_DATABASE_URL": db_url,
        "RALLYPOST_SMTP_URL": smtp.url(),
        "RALLYPOST_DATA_DIR": data_dir,
        "RALLYPOST_DATA_KEY": DATA_KEY,
        "RALLYPOST_SECRET_KEY": SECRET_KEY,
        "RALLYPOST_SIGN_RATE": "off",
        "RALLYPOST_CAMPAIGNS_DIR": os.path.join(ROOT, "campaigns"),
        "RALLYPOST_LOG": "info",
    }
    if port:
        env["RALLYPOST_BIND"] = "127.0.0.1:%d" % port
    env.update(extra)
    return env


def start_serve(**extra_env):
    """What a fault test under signing load starts with: a private PostgreSQL holding an
    empty `rallypost` database, the test SMTP server, and `serve` on a free port, ready.
    Returns (cluster, smtp, env, serve, base URL); `App(env).start()` starts serve again."""
    pg = PgCluster()
    pg.start()
    db = pg.create_db()
    smtp = Smtp()
    smtp.start()
    port = free_port()
    env = base_env(db, smtp, tempdir("data"), port, **extra_env)
    serve = App(env).start()
    return pg, smtp, env, serve, "http://127.0.0.1:%d" % port


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class FromAddress(urllib.request.HTTPHandler):
    """Connects from a given local address, so that one machine has many clients:
    127.0.0.0/8 is all loopback on Linux."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


class Client:
    """A browser: a cookie jar, no redirects followed; `source` is the address it connects
    from (127.0.0.1 unless told), and `served_by` the `X-Served-By` of its last answer."""

    def __init__(self, base, timeout=10, source=None):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirect]
        if source:
            handlers.append(FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)
        self.served_by = None

    def request(self, path, data=None, headers=None):
        """(status, body); status None on a connection error."""
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers=headers or {})
        if body is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        self.served_by = None
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                self.served_by = r.headers.get("X-Served-By")
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            self.served_by = e.headers.get("X-Served-By")
            return e.code, e.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError, OSError) as e:
            return None, repr(e)

    def csrf(self):
        status, body = self.request("/c/%s" % SLUG)
        if status != 200:
            return status, None
        m = re.search(r'name="csrf_token" value="([^"]*)"', body)
        return status, html.unescape(m.group(1)) if m else None

    def sign(self, addr, token, headers=None):
        return self.request(
            "/c/%s/sign" % SLUG,
            {"name": "Fault Tester", "email": addr, "country": "DE", "consent": "on", "csrf_token": token},
            headers,
        )


def sign_one(base, addr):
    """GET the form, POST a signature; returns the POST status (or the GET's on failure)."""
    c = Client(base)
    status, token = c.csrf()
    if token is None:
        return status
    return c.sign(addr, token)[0]


class SigningLoad:
    """Threads signing with distinct addresses; records every address that got its 303."""

    def __init__(self, base, threads=4, prefix="s"):
        self.base = base
        self.threads = threads
        self.prefix = prefix
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.accepted = []
        self.attempted = []
        self.statuses = {}
        self.in_flight = 0
        self.max_latency = 0.0
        self.workers = []
        self.n = 0

    def _next(self):
        with self.lock:
            self.n += 1
            return "%s%05d@supporters.example" % (self.prefix, self.n)

    def _run(self):
        while not self.stop_flag.is_set():
            addr = self._next()
            c = Client(self.base, timeout=10)
            t0 = time.monotonic()
            status, token = c.csrf()
            if token is not None:
                with self.lock:
                    self.in_flight += 1
                    self.attempted.append(addr)
                status = c.sign(addr, token)[0]
                with self.lock:
                    self.in_flight -= 1
            dt = time.monotonic() - t0
            with self.lock:
                self.max_latency = max(self.max_latency, dt)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 303:
                    self.accepted.append(addr)
            if status is None or (status != 303 and status != 200):
                time.sleep(0.05)

    def start(self):
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self.workers.append(t)

    def stop(self):
        self.stop_flag.set()
        for t in self.workers:
            t.join(15)


def write_campaign(dirpath, mode="individual", per_hour=36000, days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
    """A copy of campaigns/end-forced-returns.toml sending at any time, paced per target."""
    with open(os.path.join(ROOT, "campaigns", SLUG + ".toml"), encoding="utf-8") as f:
        text = f.read()
    dispatch = (
        '[dispatch]\nmode = "%s"\ntimezone = "Europe/Berlin"\nschedule = "0 9 * * MON"\n'
        "window_days = [%s]\n"
        'window_start = "00:00"\nwindow_end = "23:59"\nper_target_per_hour = %d\n'
        % (mode, ", ".join('"%s"' % d for d in days), per_hour)
    )
    text = re.sub(r"\[dispatch\]\n(?:[^\[\n][^\n]*\n)*", dispatch + "\n", text, count=1)
    os.makedirs(dirpath, exist_ok=True)
    with open(os.path.join(dirpath, SLUG + ".toml"), "w", encoding="utf-8") as f:
        f.write(text)
    return dirpath


def main_wrapper(fn, timeout):
    """Runs a test with a hard timeout; exit 0 on success, 1 on failure."""
    hard_timeout(timeout)
    t0 = time.monotonic()
    ok = False
    try:
        ok = fn()
    except Exception:
        import traceback

        traceback.print_exc()
        ok = False
    finally:
        cleanup()
    log("%s in %.1f s" % ("PASS" if ok else "FAIL", time.monotonic() - t0))
    sys.exit(0 if ok else 1)
