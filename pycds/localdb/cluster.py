"""A local PostgreSQL 15 cluster that the project starts and provisions by itself.

The cluster lives in a project-local folder (``.pycds-db/`` under the working
directory, or ``PYCDS_DB_DIR``), listens on 127.0.0.1 at a fixed port (``PYCDS_DB_PORT``,
default 54315) and trusts local connections: it is a development and test server, never
a production one. PostgreSQL refuses to run as root, so when invoked as root every server
command runs as the unprivileged ``postgres`` system user (created by Debian's server
package; ``PYCDS_DB_OS_USER`` overrides it).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PG_MAJOR = 15
DEFAULT_PORT = 54315
SUPERUSER = "postgres"
EXTENSION_DIR = Path(f"/usr/share/postgresql/{PG_MAJOR}/extension")
# Debian packages providing what the stock server lacks, keyed by a control file they install.
REQUIRED_PACKAGES = {
    "postgis.control": f"postgresql-{PG_MAJOR}-postgis-3",
    "plpython3u.control": f"postgresql-plpython3-{PG_MAJOR}",
}
# Settings for a disposable server: durability traded for speed.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "256MB",
    "log_min_messages": "warning",
}


class ClusterError(RuntimeError):
    """The local server cannot be set up or reached. One line, fit for a user."""


def _bin_dir() -> Path:
    configured = os.environ.get("PYCDS_PG_BINDIR")
    path = Path(configured) if configured else Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
    if not (path / "pg_ctl").exists():
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


def _unreachable_parent(path: Path) -> Path | None:
    """The first parent of ``path`` that other users cannot traverse, if any."""
    for parent in path.parents:
        if parent.exists() and not parent.stat().st_mode & 0o001:
            return parent
    return None


def _default_root() -> Path:
    """``PYCDS_DB_DIR``, else ``.pycds-db`` in the working directory.

    When root runs it from a folder that the server's user cannot reach (e.g. under a
    private home directory), the cluster goes to a folder of its own under /var/tmp instead,
    one per project folder.
    """
    configured = os.environ.get("PYCDS_DB_DIR")
    if configured:
        return Path(configured).resolve()
    local = Path.cwd().resolve() / ".pycds-db"
    if os.geteuid() != 0 or _unreachable_parent(local) is None:
        return local
    digest = hashlib.sha256(str(local).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"pycds-db-{digest}"


@dataclass
class Cluster:
    """One local PostgreSQL cluster: its folder, port and the OS user that runs it."""

    root: Path
    port: int
    host: str = "127.0.0.1"

    @classmethod
    def default(cls) -> Cluster:
        port = os.environ.get("PYCDS_DB_PORT", str(DEFAULT_PORT))
        if not port.isdigit():
            raise ClusterError(f"PYCDS_DB_PORT={port!r} is not a port number")
        return cls(root=_default_root(), port=int(port))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://{SUPERUSER}@{self.host}:{self.port}/{database}"

    # -- running commands as the unprivileged user -------------------------------------

    def _os_user(self) -> str | None:
        """The user to run server commands as, or None to run them as ourselves."""
        if os.geteuid() != 0:
            return None
        name = os.environ.get("PYCDS_DB_OS_USER", "postgres")
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True,
                capture_output=True,
            )
        return name

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self._os_user()
        command = ["runuser", "-u", user, "--", *args] if user else list(args)
        done = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if check and done.returncode != 0:
            detail = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise ClusterError(f"{Path(args[0]).name} failed: {detail[-1] if detail else '?'}")
        return done

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        user = self._os_user()
        if user is None:
            return
        # The server user must reach the folder through every parent directory.
        blocking = _unreachable_parent(self.root)
        if blocking is not None:
            raise ClusterError(
                f"{blocking} is not traversable by user {user!r}; set PYCDS_DB_DIR to a "
                "folder it can reach (e.g. under /var/tmp)"
            )
        entry = pwd.getpwnam(user)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)

    # -- lifecycle -------------------------------------------------------------------------

    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialized():
            return False
        return (
            self._run(
                str(_bin_dir() / "pg_ctl"), "status", "-D", str(self.data_dir), check=False
            ).returncode
            == 0
        )

    def init(self) -> None:
        self._prepare_root()
        bin_dir = _bin_dir()
        self._run(
            str(bin_dir / "initdb"),
            "-D", str(self.data_dir),
            "-U", SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        # TCP only: a socket path inside a deep folder can exceed the system's length limit.
        settings = {**SERVER_SETTINGS, "port": str(self.port), "unix_socket_directories": "''"}
        conf = "".join(f"{key} = {value}\n" for key, value in settings.items())
        self._run("sh", "-c", f"cat >> '{self.data_dir}/postgresql.auto.conf' <<'EOF'\n{conf}EOF")

    def start(self) -> None:
        if not self.is_initialized():
            self.init()
        if self.is_running():
            return
        pg_ctl = str(_bin_dir() / "pg_ctl")
        done = self._run(
            pg_ctl,
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            check=False,
        )
        if done.returncode != 0:
            tail = (
                self.log_file.read_text(errors="replace").strip().splitlines()[-1:]
                if self.log_file.exists()
                else []
            )
            reason = " ".join(tail) or done.stderr.strip()
            raise ClusterError(f"the server did not start on port {self.port}: {reason}")

    def stop(self) -> None:
        if self.is_running():
            self._run(
                str(_bin_dir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data_dir)
            )
