"""What ``postmaster.pid`` says about a data folder's server, checked against the processes.

A killed postmaster leaves its ``postmaster.pid`` behind, and in a container whose first
process reaps nothing it lingers as a zombie that ``kill(pid, 0)`` still finds: both
``pg_ctl status`` and PostgreSQL's own start-up then take it for a live server. Here a
server runs only if the recorded process exists, is not a zombie and is a ``postgres``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PID_FILE = "postmaster.pid"


def is_live_postgres(pid: int, data_dir: Path | None) -> bool:
    """Whether ``pid`` is a running (not zombie) ``postgres``, serving ``data_dir`` if given.

    A postmaster works in its data folder, so its working directory tells a server of this
    cluster from another one that got the recorded pid after a crash.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    command, _, rest = fields.rpartition(")")
    state = rest.split()[0] if rest.split() else "?"
    if command.partition("(")[2] != "postgres" or state in {"Z", "X"}:
        return False
    if data_dir is None:
        return True
    try:
        return os.path.samefile(f"/proc/{pid}/cwd", data_dir)
    except OSError:  # not ours to inspect, or gone
        return False


@dataclass(frozen=True)
class Postmaster:
    """The lines of ``postmaster.pid`` that matter: process, port and start-up state."""

    pid: int
    port: int | None
    status: str

    @classmethod
    def read(cls, data_dir: Path) -> Postmaster | None:
        """The recorded postmaster, or None when there is no (readable, complete) pid file."""
        try:
            lines = (data_dir / PID_FILE).read_text().splitlines()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not lines or not lines[0].strip().isdigit():
            return None
        port = lines[3].strip() if len(lines) > 3 else ""
        status = lines[7].strip() if len(lines) > 7 else "starting"
        return cls(int(lines[0]), int(port) if port.isdigit() else None, status)
