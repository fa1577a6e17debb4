"""A real ODK Central (backend) on 127.0.0.1, for the tests and the benchmarks.

`CentralServer().start()` copies the unmodified backend from ../shared/third_party (never
touched: its node_modules are installed once into .cache/odk-central/<lock hash>/), starts a
private PostgreSQL and Central on free loopback ports, creates an admin, and offers the few
API calls the tests need (central_api.py). `stop()` ends both by PID. Nothing here imports
pytest, so bench/ can use it too; tests/server/conftest.py wraps it in fixtures.

Loopback only: PostgreSQL gets listen_addresses=127.0.0.1; Central's node runs with a preload
that pins every listen() to 127.0.0.1 and refuses outgoing connections to anything else
(Enketo, analytics, Sentry are configured away or pointed at a closed loopback port), and the
listening sockets are read back from /proc after the start. Our own HTTP calls use a
connection pool bound to 127.0.0.1, with no proxy from the environment.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3

from tests.server.central_api import CentralApi, CentralError

__all__ = ["CentralError", "CentralServer", "CentralUnavailable", "listening_sockets"]

ROOT = Path(__file__).resolve().parents[2]
BACKEND = Path(os.environ.get("FIELDSCREEN_CENTRAL_BACKEND")
               or ROOT.parent / "shared" / "third_party" / "odk-central-backend")
CACHE = ROOT / ".cache" / "odk-central"
ADMIN_EMAIL = "admin@fieldscreen.test"

# Pins listen() to 127.0.0.1 and refuses outgoing TCP to any other host.
_PRELOAD = r"""
'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const cb = args.find((a) => typeof a === 'function');
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)))
    return listen.call(this, { port: Number(first), host: '127.0.0.1' }, cb);
  if (first && typeof first === 'object' && !Array.isArray(first) && first.port !== undefined)
    return listen.call(this, { ...first, host: '127.0.0.1' }, cb);
  throw new Error('fieldscreen preload: a listen() that cannot be pinned to 127.0.0.1');
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const opts = Array.isArray(args[0]) ? args[0][0]
    : (args[0] && typeof args[0] === 'object') ? args[0]
    : { port: args[0], host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  if (opts && opts.path === undefined && (opts.host || 'localhost') !== '127.0.0.1') {
    const where = `${opts.host}:${opts.port}`;
    process.stderr.write(`fieldscreen preload: blocked a connection to ${where}\n`);
    const err = new Error(`fieldscreen preload: only 127.0.0.1 may be contacted, not ${where}`);
    err.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};
"""


class CentralUnavailable(RuntimeError):
    """Node/npm or the PostgreSQL server binaries are not installed, or the backend is not
    beside the checkout (a clone elsewhere, as the xlsform fixtures of ../shared): tests
    skip with this."""


@dataclass(frozen=True)
class Tools:
    node: str
    npm: str
    pg_bin: Path  # the folder with initdb, postgres and psql of one PostgreSQL version


def find_tools() -> Tools:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise CentralUnavailable("ODK Central tests skipped: 'node' and 'npm' are needed "
                                 "(apt-get install nodejs npm; Node 20.19 or newer)")
    # Central's dependencies require() ES modules: Node >= 20.19 (Debian 12's Node 18 fails
    # in the migrations with ERR_REQUIRE_ESM; .ci/run then fetches Node 24 from npm).
    version = subprocess.run([node, "-p", "process.versions.node"], capture_output=True,
                             text=True, timeout=30, check=False).stdout.strip()
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if len(parts) != 2 or parts < (20, 19):
        raise CentralUnavailable(f"ODK Central tests skipped: Node {version or '?'} is older "
                                 "than 20.19, which ODK Central's packages need")
    candidates = []
    if found := shutil.which("initdb"):
        candidates.append(Path(found).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                         reverse=True)
    for pg_bin in candidates:
        if all((pg_bin / tool).is_file() for tool in ("initdb", "postgres", "psql")):
            return Tools(node, npm, pg_bin)
    raise CentralUnavailable("ODK Central tests skipped: PostgreSQL's initdb/postgres/psql "
                             "are not installed (apt-get install postgresql postgresql-contrib)")


def listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of the TCP sockets process `pid` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                cols = line.split()
                if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                    continue
                hex_ip, hex_port = cols[1].split(":")
                raw = bytes.fromhex(hex_ip)  # 32-bit words in host (little-endian) order
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                family = socket.AF_INET if len(words) == 4 else socket.AF_INET6
                found.append((socket.inet_ntop(family, words), int(hex_port, 16)))
    return found


def _free_port() -> int:
    """A free loopback port below the ephemeral range, so that no outgoing connection takes
    it while Central is stopped for a restart."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(200):
        port = secrets.randbelow(max(low - 20000, 1000)) + 20000
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise CentralError("no free loopback port found")


def _die_with_parent() -> None:
    # Runs in the child after the uid switch: if the test process dies (even by SIGKILL),
    # the kernel sends SIGTERM, so no PostgreSQL or node outlives a crashed test session.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"({path} not written)"
    return f"--- {path} (last {lines} lines) ---\n" + "\n".join(text[-lines:])


def ensure_node_modules(tools: Tools, backend: Path = BACKEND, cache: Path = CACHE) -> Path:
    """npm ci once per package-lock.json into cache/<hash>/ (locked against parallel runs);
    returns that folder. The shared backend folder itself is never written."""
    lock = backend / "package-lock.json"
    if not lock.is_file():
        raise CentralError(f"the ODK Central backend is not at {backend} (no package-lock.json)")
    target = cache / hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    if (target / ".installed").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{target.name}.lock", "w") as lockfile:
        fcntl.flock(lockfile, fcntl.LOCK_EX)
        if (target / ".installed").is_file():
            return target
        for stale in cache.glob(f"{target.name}.*/"):  # left by a run that was killed
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=cache))
        for name in ("package.json", "package-lock.json", ".npmrc"):
            if (backend / name).is_file():
                shutil.copyfile(backend / name, staging / name)
        log = staging / "npm-ci.log"
        with open(log, "w") as out:
            done = subprocess.run(
                [tools.npm, "ci", "--omit=dev", "--engine-strict=false", "--ignore-scripts",
                 "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=staging, stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False)
        if done.returncode != 0:
            message = f"npm ci for ODK Central failed ({done.returncode})\n{_tail(log)}"
            shutil.rmtree(staging, ignore_errors=True)
            raise CentralError(message)
        (staging / ".installed").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


class CentralServer(CentralApi):
    """One PostgreSQL + one Central, both on 127.0.0.1. Use as a context manager or call
    start()/stop(). `timings` holds the seconds each start phase took. Start it from a thread
    that lives as long as the servers: they get SIGTERM when that thread ends
    (PR_SET_PDEATHSIG), which is what stops them when a test run is killed."""

    def __init__(self, *, backend: Path = BACKEND, cache: Path = CACHE,
                 ready_timeout: float = 90.0) -> None:
        self.backend, self.cache, self.ready_timeout = backend, cache, ready_timeout
        if not (backend / "package-lock.json").is_file():
            raise CentralUnavailable(
                f"ODK Central tests skipped: the backend is not at {backend} (clone beside "
                "../shared, or set FIELDSCREEN_CENTRAL_BACKEND)")
        self.tools = find_tools()
        self.email, self.password = ADMIN_EMAIL, secrets.token_urlsafe(18)
        self.port = self.pg_port = 0
        self.workdir: Path | None = None
        self.timings: dict[str, float] = {}
        self.app_user_ids: dict[str, int] = {}  # app-user token -> actor id
        self._pg: subprocess.Popen[bytes] | None = None
        self._node: subprocess.Popen[bytes] | None = None
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._token: str | None = None
        self._db_password = secrets.token_hex(16)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def central_pid(self) -> int | None:
        return self._node.pid if self._node and self._node.poll() is None else None

    @property
    def postgres_pid(self) -> int | None:
        return self._pg.pid if self._pg and self._pg.poll() is None else None

    def __enter__(self) -> CentralServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _phase(self, name: str, started: float) -> float:
        now = time.monotonic()
        self.timings[name] = round(now - started, 2)
        return now

    def start(self) -> CentralServer:
        t0 = t = time.monotonic()
        modules = ensure_node_modules(self.tools, self.backend, self.cache)
        t = self._phase("npm_ci_or_cache", t)
        self.workdir = Path(tempfile.mkdtemp(prefix="fieldscreen-central-"))
        self.workdir.chmod(0o711)  # the postgres user must reach pg/ inside
        atexit.register(self.stop)
        try:
            app = self.workdir / "central"
            shutil.copytree(self.backend / "lib", app / "lib", copy_function=shutil.copyfile)
            shutil.copytree(self.backend / "config", app / "config",
                            copy_function=shutil.copyfile)
            shutil.copyfile(self.backend / "package.json", app / "package.json")
            for path in app.rglob("*"):  # copytree copies the read-only folder modes
                path.chmod(0o755 if path.is_dir() else 0o644)
            (app / "node_modules").symlink_to(modules / "node_modules")
            t = self._phase("copy", t)
            self._start_postgres()
            t = self._phase("postgres", t)
            self.port = _free_port()
            self._write_config(app)
            self._node_run("lib/bin/run-migrations.js", timeout=180)
            t = self._phase("migrations", t)
            self.start_central()
            t = self._phase("central", t)
            self._node_run("lib/bin/cli.js", "-u", self.email, "user-create",
                           stdin=self.password + "\n")
            self._node_run("lib/bin/cli.js", "-u", self.email, "user-promote")
            self._phase("admin", t)
        except BaseException:
            self.stop(keep_workdir=True)
            raise
        self.timings["total"] = round(time.monotonic() - t0, 2)
        return self

    def _pg_user(self) -> dict[str, Any]:
        if os.geteuid() != 0:
            return {}
        for name in ("postgres", "nobody"):  # initdb refuses to run as root
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        raise CentralError("running as root and neither a 'postgres' nor a 'nobody' user exists")

    def _pg_run(self, *args: str, timeout: float = 60) -> str:
        assert self.workdir
        done = subprocess.run(list(args), cwd=self.workdir / "pg", capture_output=True,
                              text=True, timeout=timeout, env=self._pg_env(),
                              check=False, **self._pg_user())
        if done.returncode != 0:
            raise CentralError(f"{Path(args[0]).name} failed ({done.returncode}):\n"
                               f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    def _pg_env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                "PGTZ": "UTC", "TZ": "UTC"}

    def _start_postgres(self) -> None:
        assert self.workdir
        pg, bin_ = self.workdir / "pg", self.tools.pg_bin
        pg.mkdir(mode=0o700)
        (pg / "sock").mkdir(mode=0o700)
        user = self._pg_user()
        if user:
            for path in (pg, pg / "sock"):
                os.chown(path, user["user"], user["group"])
        # TCP logins need a password (scram); the superuser's is never used: psql goes by socket
        (pg / "pwfile").write_text(secrets.token_hex(16) + "\n")
        self._pg_run(str(bin_ / "initdb"), "-D", str(pg / "data"), "-U", "postgres", "-E",
                     "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
                     "--pwfile", str(pg / "pwfile"), "--no-sync", timeout=120)
        self.pg_port = _free_port()
        log = open(pg / "postgres.log", "ab")  # noqa: SIM115 - the child keeps it open
        try:
            self._pg = subprocess.Popen(
                [str(bin_ / "postgres"), "-D", str(pg / "data"),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.pg_port}",
                 "-c", f"unix_socket_directories={pg / 'sock'}", "-c", "fsync=off",
                 "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                cwd=pg, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self._pg_env(),
                start_new_session=True, preexec_fn=_die_with_parent, **user)
        finally:
            log.close()
        psql = [str(bin_ / "psql"), "-h", str(pg / "sock"), "-p", str(self.pg_port),
                "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt"]
        deadline = time.monotonic() + 30
        while True:
            if self._pg.poll() is not None:
                raise CentralError(f"PostgreSQL exited ({self._pg.returncode})\n"
                                   f"{_tail(pg / 'postgres.log')}")
            try:
                self._pg_run(*psql, "-d", "postgres", "-c", "select 1", timeout=10)
                break
            except CentralError:
                if time.monotonic() > deadline:
                    raise CentralError("PostgreSQL did not accept connections in 30 s\n"
                                       f"{_tail(pg / 'postgres.log')}") from None
                time.sleep(0.1)
        self._pg_run(*psql, "-d", "postgres", "-c",
                     f"create role jubilant login password '{self._db_password}'",
                     "-c", "create database jubilant owner jubilant encoding 'UTF8'")
        self._pg_run(*psql, "-d", "jubilant", "-c", "create extension citext",
                     "-c", "create extension pg_trgm", "-c", "create extension pgrowlocks")

    def _write_config(self, app: Path) -> None:
        assert self.workdir
        config = self.workdir / "config"
        config.mkdir()
        shutil.copyfile(app / "config" / "default.json", config / "default.json")
        closed = "http://127.0.0.1:1"  # nothing listens on port 1: Enketo "not available"
        no_report = {"url": "", "formId": "", "version": ""}
        overrides = {"default": {
            "database": {"host": "127.0.0.1", "port": self.pg_port, "user": "jubilant",
                         "password": self._db_password, "database": "jubilant"},
            "server": {"port": self.port},
            "email": {"transport": "json"},
            "xlsform": {"host": "127.0.0.1", "port": 1},
            "enketo": {"url": f"{closed}/-", "apiKey": "unused"},
            "env": {"domain": self.url},
            "external": {"sentry": {}, "analytics": no_report, "mailingListOptIn": no_report,
                         "s3blobStore": {}},
        }}
        (config / "fieldscreen-test.json").write_text(json.dumps(overrides, indent=2))
        (self.workdir / "loopback.js").write_text(_PRELOAD)

    def _node_env(self) -> dict[str, str]:
        assert self.workdir
        # A clean environment: no PG*, proxy or NODE_* variables from the caller.
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
                "LANG": "C.UTF-8", "TZ": "UTC", "NODE_CONFIG_DIR": str(self.workdir / "config"),
                "NODE_CONFIG_ENV": "fieldscreen-test", "BCRYPT": "insecure"}

    def _node_cmd(self, script: str, *args: str) -> list[str]:
        assert self.workdir
        return [self.tools.node, "-r", str(self.workdir / "loopback.js"), script, *args]

    def _node_run(self, script: str, *args: str, stdin: str | None = None,
                  timeout: float = 60) -> str:
        assert self.workdir
        done = subprocess.run(self._node_cmd(script, *args), cwd=self.workdir / "central",
                              input=stdin or "", capture_output=True, text=True,
                              env=self._node_env(), timeout=timeout, check=False)
        with open(self.workdir / "central-cli.log", "a") as log:
            log.write(f"$ node {script} {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise CentralError(f"node {script} {' '.join(args)} failed ({done.returncode})\n"
                               f"{_tail(self.workdir / 'central-cli.log')}")
        return done.stdout

    def start_central(self) -> None:
        """Start node on the same port and database (after stop_central())."""
        assert self.workdir and self.port
        log_path = self.workdir / "central.log"
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it open
        try:
            self._node = subprocess.Popen(
                self._node_cmd("lib/bin/run-server.js"), cwd=self.workdir / "central",
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self._node_env(),
                start_new_session=True, preexec_fn=_die_with_parent)
        finally:
            log.close()
        self._pool = urllib3.HTTPConnectionPool("127.0.0.1", self.port, maxsize=4,
                                                retries=False, timeout=30.0)
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self._node.poll() is not None:
                raise CentralError(f"Central exited ({self._node.returncode})\n{_tail(log_path)}")
            with contextlib.suppress(urllib3.exceptions.HTTPError):
                if self._pool.request("GET", "/v1/users/current", timeout=2.0).status == 401:
                    break
            if time.monotonic() > deadline:
                raise CentralError(f"Central did not answer in {self.ready_timeout:.0f} s\n"
                                   f"{_tail(log_path)}")
            time.sleep(0.1)
        for pid in (self._node.pid, self._pg.pid if self._pg else None):
            wrong = [a for a in listening_sockets(pid) if a[0] != "127.0.0.1"] if pid else []
            if wrong:
                raise CentralError(f"process {pid} listens beyond 127.0.0.1: {wrong}")

    @staticmethod
    def _end(proc: subprocess.Popen[bytes] | None, grace: float) -> None:
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(10)

    def stop_central(self) -> None:
        if self._pool:
            self._pool.close()
        self._end(self._node, grace=10)

    def restart_central(self) -> None:
        self.stop_central()
        self.start_central()

    def stop(self, *, keep_workdir: bool = False) -> None:
        """Central, then PostgreSQL, by PID (SIGTERM, then SIGKILL); idempotent."""
        self.stop_central()
        self._end(self._pg, grace=15)
        atexit.unregister(self.stop)
        if self.workdir and not keep_workdir and not os.environ.get("FIELDSCREEN_KEEP_CENTRAL"):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def log_tail(self, lines: int = 60) -> str:
        assert self.workdir
        return "\n".join(_tail(self.workdir / name, lines)
                         for name in ("central.log", "pg/postgres.log"))


if __name__ == "__main__":  # start once by hand: python -m tests.server.central
    with CentralServer() as server:
        print(f"Central at {server.url} (admin {server.email}); start {server.timings}")
