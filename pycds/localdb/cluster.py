"""A local PostgreSQL 15 cluster that the project starts by itself, and that only its owner enters.

The owner is whoever runs ``pycds-db``. Their folder (``.pycds-db/`` in the working
directory, or ``PYCDS_DB_DIR``) holds:

- ``pgpass``: the superuser's password, generated at ``initdb`` and kept in libpq's
  password-file format, mode 0600. URLs name it (``?passfile=...``), so the password
  never appears in a URL, a log or a process list;
- ``lock``: held by ``up``, ``down`` and ``--fresh``, so that concurrent runs wait;
- ``server.log``;
- ``data/``: the cluster, owned by the server's user. When root runs ``pycds-db`` from a
  folder that the server's user cannot reach, ``data/`` lives in a folder made with
  ``mkdtemp`` under ``/var/tmp`` instead, recorded in ``server-dir``.

Only the owner can connect (PostgreSQL's "Client Authentication" chapter: ``trust`` lets any
local user in as any role): the server has no Unix socket, listens on 127.0.0.1 only, and
its ``pg_hba.conf`` admits SCRAM-SHA-256 password logins only; the password is in a file
only the owner can read. When root is the owner, the server runs as the unprivileged
``postgres`` user, which owns the data files and so needs no password to reach them; no
other user can connect. Every server program gets an argument list, never a shell.

Crash safety: ``initdb`` runs in a temporary folder and the complete cluster is renamed
into ``data/``; a postmaster killed with ``kill -9`` is recognised as gone (zombie or not),
and ``up`` starts a new one.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from pycds.localdb.errors import ClusterError
from pycds.localdb.folders import (
    FALLBACK_PARENT,
    INIT_PREFIX,
    create_file_for,
    fallback_folder,
    give_new_folder,
    owner_folder,
    reachable_by_others,
    read_fallback,
    rewrite_server_file,
    write_private_file,
)
from pycds.localdb.postmaster import PID_FILE, Postmaster, is_live_postgres
from pycds.localdb.server_user import ServerUser

__all__ = ["Cluster", "ClusterError", "PortTakenError", "ensure_server_packages"]

PG_MAJOR = 15
DEFAULT_PORT = 54315
SUPERUSER = "postgres"
EXTENSION_DIR = Path(f"/usr/share/postgresql/{PG_MAJOR}/extension")
# Debian packages providing what the stock server lacks, keyed by a control file they install.
REQUIRED_PACKAGES = {
    "postgis.control": f"postgresql-{PG_MAJOR}-postgis-3",
    "plpython3u.control": f"postgresql-plpython3-{PG_MAJOR}",
}
# Settings for a disposable server: TCP on the loopback only, no Unix socket (a socket path
# in a deep folder can exceed the system's length limit, and a socket is one more door),
# durability traded for speed.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "password_encryption": "'scram-sha-256'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "256MB",
    "log_min_messages": "warning",
}
# The whole of pg_hba.conf: password (SCRAM) logins over TCP from the loopback, nothing else.
CLIENT_AUTHENTICATION = (
    "# pycds-db: only who holds the generated password (the owner's pgpass file) gets in.\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
)
LEGACY = (
    "{root} holds a cluster made by an older pycds-db, which let every local user in: "
    "stop it (pycds-db down), remove {root} and run pycds-db up again"
)
# Disposable clusters (test runs) live in FALLBACK_PARENT under this prefix.
DISPOSABLE_PREFIX = "pycds-test-"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


class PortTakenError(ClusterError):
    """Another program listens on the cluster's port."""


def _bin_dir() -> Path:
    configured = os.environ.get("PYCDS_PG_BINDIR")
    path = Path(configured) if configured else Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
    if not (path / "postgres").exists():
        raise ClusterError(
            f"PostgreSQL {PG_MAJOR} server binaries not found in {path} "
            f"(install postgresql-{PG_MAJOR}, or set PYCDS_PG_BINDIR)"
        )
    return path


def ensure_server_packages() -> None:
    """Install PostGIS and plpython3u when missing (Debian), else explain what to install."""
    missing = [pkg for ctl, pkg in REQUIRED_PACKAGES.items() if not (EXTENSION_DIR / ctl).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ClusterError(
            f"missing PostgreSQL packages {', '.join(missing)}: install them "
            "(Debian/Ubuntu: apt-get install ...) and retry"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"pycds-db: installing {', '.join(missing)}", flush=True)
    install = ["apt-get", "install", "-y", "-q", *missing]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        # The package lists may be stale or absent on a fresh machine.
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise ClusterError(f"apt-get install {' '.join(missing)} failed: {last}")


def port_from_environment() -> int:
    """``PYCDS_DB_PORT`` (default 54315), checked to be a TCP port number."""
    value = os.environ.get("PYCDS_DB_PORT", str(DEFAULT_PORT))
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ClusterError(f"PYCDS_DB_PORT={value!r} is not a port number (1-65535)")
    return int(value)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """One local PostgreSQL cluster: its owner's folder and its port."""

    root: Path
    port: int
    host: str = "127.0.0.1"
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)
    _held: int | None = field(default=None, repr=False, compare=False)  # a lock kept open

    @classmethod
    def default(cls) -> Cluster:
        """The cluster of ``PYCDS_DB_DIR`` (else ``./.pycds-db``) on ``PYCDS_DB_PORT``."""
        configured = os.environ.get("PYCDS_DB_DIR")
        root = Path(configured) if configured else Path.cwd() / ".pycds-db"
        return cls(root=Path(os.path.abspath(root)), port=port_from_environment())

    @classmethod
    def start_disposable(cls) -> Cluster:
        """Start a new cluster in a folder of its own, on a free port (for test runs).

        The cluster holds its lock until ``destroy``: the clusters of killed runs, whose
        lock is free, are deleted first.
        """
        cls.sweep_disposable()
        for _ in range(5):
            name = f"{DISPOSABLE_PREFIX}{secrets.token_hex(6)}"
            cluster = cls(root=FALLBACK_PARENT / name, port=free_port())
            cluster._held = cluster._acquire()
            try:
                cluster.start()
                return cluster
            except PortTakenError:  # another program took the port in between: try another
                cluster.destroy()
        raise ClusterError("no free port found for a test server after 5 tries")

    @classmethod
    def sweep_disposable(cls, min_age: float = 60.0) -> None:
        """Stop and delete disposable clusters left by killed runs (their lock is free)."""
        for root in FALLBACK_PARENT.glob(f"{DISPOSABLE_PREFIX}*"):
            try:
                info = os.lstat(root)
                lock = os.open(root / "lock", os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:  # gone, or not (yet) a cluster
                continue
            try:
                young = time.time() - os.fstat(lock).st_mtime < min_age  # maybe starting
                if young or info.st_uid != os.geteuid() or not stat.S_ISDIR(info.st_mode):
                    continue
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # in use by a live run
                    continue
                cls(root=root, port=0).destroy()
            finally:
                os.close(lock)

    # -- where things are -----------------------------------------------------------------

    @cached_property
    def server_user(self) -> ServerUser:
        return ServerUser.for_caller()

    @property
    def password_file(self) -> Path:
        return self.root / "pgpass"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def data_dir(self) -> Path:
        recorded = read_fallback(self.root / "server-dir")
        return (recorded or self.root) / "data"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database``; libpq reads the password from the owner's file."""
        passfile = quote(str(self.password_file), safe="/")
        return (
            f"postgresql+psycopg2://{SUPERUSER}@{self.host}:{self.port}/{database}"
            f"?passfile={passfile}"
        )

    def _server_folder(self) -> Path:
        """The folder to hold ``data/``: the owner's one, if the server's user can reach it."""
        pointer = self.root / "server-dir"
        recorded = read_fallback(pointer)
        if recorded is not None:
            return recorded
        if not self.server_user.is_other or reachable_by_others(self.root):
            return self.root
        return fallback_folder(pointer)

    # -- mutual exclusion -----------------------------------------------------------------

    def _acquire(self) -> int:
        """Take the cluster's lock (waiting for other runs); return its descriptor."""
        if self.is_legacy():  # often the server user's folder: say what it is, not whose
            raise ClusterError(LEGACY.format(root=self.root))
        owner_folder(self.root, 0o711 if self.server_user.is_other else 0o700)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(self.root / "lock", flags, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"pycds-db: waiting for another pycds-db on {self.root}", file=sys.stderr)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cluster's lock: other ``pycds-db`` runs on this folder wait meanwhile."""
        descriptor = self._acquire()
        try:
            yield
        finally:
            os.close(descriptor)

    # -- state ----------------------------------------------------------------------------

    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def state(self) -> str:
        """``running``, ``starting``, ``stopped`` or ``stale`` (a killed server's pid file)."""
        postmaster = Postmaster.read(self.data_dir)
        if postmaster is None:
            return "stopped"
        if not is_live_postgres(postmaster.pid, self.data_dir):
            return "stale"
        return "running" if postmaster.status == "ready" else "starting"

    def is_running(self) -> bool:
        return self.state() == "running"

    def is_legacy(self) -> bool:
        """Whether an older pycds-db made this cluster, with no password (``trust``)."""
        return self.is_initialized() and not self.password_file.exists()

    def _check_usable(self) -> None:
        data = self.data_dir
        if data.is_symlink() or (data.exists() and not self.is_initialized()):
            raise ClusterError(f"refusing {data}: it is not a PostgreSQL cluster; remove it")
        if self.is_legacy():
            raise ClusterError(LEGACY.format(root=self.root))

    # -- lifecycle (callers hold the lock) --------------------------------------------------

    def init(self) -> None:
        """Create the cluster: ``initdb`` in a temporary folder, renamed into place when done."""
        user = self.server_user
        server_dir = self._server_folder()
        for folder in {server_dir, self.root}:  # what killed runs left behind
            for leftover in folder.glob(f"{INIT_PREFIX}*"):
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
        work = Path(tempfile.mkdtemp(prefix=INIT_PREFIX, dir=server_dir))
        if user.is_other:
            give_new_folder(work, user.uid, user.gid)
        password = secrets.token_urlsafe(24)
        create_file_for(work / "pwfile", f"{password}\n", user.uid, user.gid)
        data = work / "data"
        user.run(
            _bin_dir() / "initdb",
            "-D", data,
            "-U", SUPERUSER,
            f"--pwfile={work / 'pwfile'}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        (work / "pwfile").unlink()
        settings = "".join(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())
        rewrite_server_file(data / "postgresql.auto.conf", settings, uid=user.uid, append=True)
        rewrite_server_file(data / "pg_hba.conf", CLIENT_AUTHENTICATION, uid=user.uid, append=False)
        write_private_file(self.password_file, f"{self.host}:*:*:{SUPERUSER}:{password}\n")
        os.rename(data, server_dir / "data")
        shutil.rmtree(work)

    def start(self) -> None:
        """Initialise if needed and start the server; return once it accepts connections."""
        self._check_usable()
        if not self.is_initialized():
            self.init()
        failure = f"the server did not start on port {self.port}: see {self.log_file}"
        for _ in range(10):
            postmaster = Postmaster.read(self.data_dir)
            if postmaster is not None and is_live_postgres(postmaster.pid, self.data_dir):
                # Running, or started by a run that was killed before it was ready.
                if not self._wait_ready(postmaster.pid, None):
                    continue  # it was shutting down, or died: look again
                if postmaster.port not in (None, self.port):
                    raise ClusterError(
                        f"the server of {self.root} runs on port {postmaster.port}, not "
                        f"{self.port}: stop it first (pycds-db down)"
                    )
                return
            if postmaster is not None:  # a killed server's pid file
                (self.data_dir / PID_FILE).unlink(missing_ok=True)
            failure = self._launch()
            if failure is None:
                return
            if "still in use" not in failure and "lock file" not in failure:
                raise ClusterError(failure)
            time.sleep(1)  # the killed server's processes are still going away
        raise ClusterError(failure)

    def _launch(self) -> str | None:
        """Start the postmaster; None once it is ready, else why it did not start."""
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        log = os.open(self.log_file, flags, 0o600)
        try:
            process = self.server_user.launch(
                _bin_dir() / "postgres", "-D", self.data_dir, "-p", str(self.port), log=log
            )
        finally:
            os.close(log)
        if self._wait_ready(process.pid, process):
            self._process = process
            return None
        lines = self._log_since(offset)
        if any("Address already in use" in line for line in lines):
            raise PortTakenError(
                f"port {self.port} on {self.host} is taken by another program: stop it, or "
                "choose another port with PYCDS_DB_PORT"
            )
        fatal = [line for line in lines if "FATAL" in line] or lines or [f"see {self.log_file}"]
        return f"the server did not start on port {self.port}: {fatal[-1]}"

    def _wait_ready(self, pid: int, process: subprocess.Popen[bytes] | None) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                return False
            if not is_live_postgres(pid, None):
                return False
            postmaster = Postmaster.read(self.data_dir)
            if postmaster is not None and postmaster.pid == pid and postmaster.status == "ready":
                return True
            time.sleep(0.05)
        raise ClusterError(
            f"the server did not get ready within {START_TIMEOUT:.0f} s: see {self.log_file}"
        )

    def _log_since(self, offset: int) -> list[str]:
        try:
            with open(self.log_file, "rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except FileNotFoundError:
            return []
        return [line.strip() for line in text.splitlines() if line.strip()]

    def stop(self) -> None:
        """Stop the server (fast shutdown); clear the pid file a killed one left behind."""
        postmaster = Postmaster.read(self.data_dir)
        if postmaster is None:
            return
        if not is_live_postgres(postmaster.pid, self.data_dir):
            (self.data_dir / PID_FILE).unlink(missing_ok=True)
            return
        for sig, timeout in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 10.0)):
            os.kill(postmaster.pid, sig)
            deadline = time.monotonic() + timeout
            while is_live_postgres(postmaster.pid, None) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not is_live_postgres(postmaster.pid, None):
                break
        else:
            raise ClusterError(f"the server (pid {postmaster.pid}) did not stop")
        if self._process is not None:  # our own child: reap it
            self._process.wait()
            self._process = None
        (self.data_dir / PID_FILE).unlink(missing_ok=True)

    def destroy(self) -> None:
        """Stop the server and delete the cluster's folders (disposable clusters)."""
        if not self.root.exists():
            return
        self.stop()
        recorded = read_fallback(self.root / "server-dir")
        if recorded is not None:
            shutil.rmtree(recorded, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if self._held is not None:
            os.close(self._held)
            self._held = None
