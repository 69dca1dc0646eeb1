"""The operating-system user that runs the local server, and running programs as that user.

PostgreSQL refuses to run as root, so when root invokes ``pycds-db`` every server program
runs as the unprivileged ``postgres`` user (created by Debian's server package;
``PYCDS_DB_OS_USER`` overrides it). Programs get an argument list, never a shell string,
a minimal environment and the root folder as working directory. Short-lived ones
(``initdb``) die with their parent, so a killed ``pycds-db`` leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycds.localdb.errors import ClusterError

_PR_SET_PDEATHSIG = 1
# What server programs see of the environment: nothing of the caller's (PGPASSWORD, ...).
SERVER_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


def _die_with_parent() -> None:
    """Ask the kernel to kill this (child) process when its parent dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@dataclass(frozen=True)
class ServerUser:
    """Who runs the server: ``uid``/``gid``, and whether that differs from the caller."""

    name: str
    uid: int
    gid: int

    @property
    def is_other(self) -> bool:
        return self.uid != os.geteuid()

    @classmethod
    def for_caller(cls) -> ServerUser:
        """The caller itself, or the unprivileged server user when the caller is root."""
        if os.geteuid() != 0:
            entry = pwd.getpwuid(os.geteuid())
            return cls(entry.pw_name, entry.pw_uid, entry.pw_gid)
        name = os.environ.get("PYCDS_DB_OS_USER", "postgres")
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            create = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
            subprocess.run([*create, name], check=True, capture_output=True)
            entry = pwd.getpwnam(name)
        if entry.pw_uid == 0:
            raise ClusterError(f"PYCDS_DB_OS_USER={name!r} is root: name an unprivileged user")
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid)

    def _as_user(self) -> dict[str, Any]:
        if not self.is_other:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run a program to completion as this user; one-line error when it fails."""
        done = subprocess.run(
            [str(arg) for arg in args],
            capture_output=True,
            text=True,
            cwd="/",
            env=SERVER_ENVIRONMENT,
            preexec_fn=_die_with_parent,
            **self._as_user(),
        )
        if done.returncode != 0:
            detail = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise ClusterError(f"{Path(args[0]).name} failed: {detail[-1] if detail else '?'}")
        return done

    def launch(self, *args: str | Path, log: int) -> subprocess.Popen[bytes]:
        """Start a long-lived program (the postmaster) in its own session, output to ``log``."""
        return subprocess.Popen(
            [str(arg) for arg in args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd="/",
            env=SERVER_ENVIRONMENT,
            start_new_session=True,
            **self._as_user(),
        )
