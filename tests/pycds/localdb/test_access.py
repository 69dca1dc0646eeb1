"""Only the owner of ``pycds-db``'s server can connect: another local user cannot, by any route.

The intruder is a second, unprivileged OS user (created when the tests run as root). It
tries every role of the cluster over TCP (127.0.0.1 and ::1) and every place a Unix socket
could be, with ``psql``. A control run, the same ``psql`` as the same user but given the
password, proves that only the password stops it.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from pycds.localdb import provision
from pycds.localdb.cluster import PG_MAJOR

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="making a second OS user to attack with needs root"
)

INTRUDER = "pycds-intruder"
PSQL = f"/usr/lib/postgresql/{PG_MAJOR}/bin/psql"


def _intruder() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(INTRUDER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", INTRUDER],
            check=True,
        )
        return pwd.getpwnam(INTRUDER)


def _as_intruder(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    user = _intruder()
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", **env},
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        timeout=60,
    )


def _psql(host: str, port: int, role: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _as_intruder(
        PSQL, "-w", "-X", "-h", host, "-p", str(port), "-U", role, "-d", "postgres",
        "-tAc", "SELECT current_user", **env,
    )  # fmt: skip


def _unix_sockets() -> list[str]:
    """Paths of every listening Unix socket on the machine."""
    lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    return [fields[7] for fields in (line.split() for line in lines) if len(fields) > 7]


def test_another_user_cannot_connect_by_any_route(localdb):
    done = localdb.run("up", "--no-ref")
    assert done.returncode == 0, done.stderr
    server_url = localdb.url()
    provision.ensure_roles(server_url)  # the SU role and the standard roles too
    engine = sa.create_engine(server_url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        roles = list(conn.scalars(sa.text("SELECT rolname FROM pg_roles ORDER BY 1")))
        data_dir = conn.scalar(sa.text("SHOW data_directory"))
    engine.dispose()
    assert "postgres" in roles and len(roles) > 5
    passfile = localdb.root / "pgpass"
    password = passfile.read_text().strip().rsplit(":", 1)[1]

    # Control: given the password, the intruder's psql gets in, so the refusals below are
    # the server's doing, not a broken psql.
    control = _psql("127.0.0.1", localdb.port, "postgres", PGPASSWORD=password)
    assert control.returncode == 0 and control.stdout.strip() == "postgres", control.stderr

    # The password file is the owner's alone.
    assert _as_intruder("cat", str(passfile)).returncode != 0
    for role in roles:
        for env in ({}, {"PGPASSFILE": str(passfile)}, {"PGPASSWORD": role}):
            refused = _psql("127.0.0.1", localdb.port, role, **env)
            assert refused.returncode != 0, (role, env, refused.stdout)
            assert (
                "no password supplied" in refused.stderr
                or "password authentication failed" in refused.stderr
            ), refused.stderr
    assert _psql("::1", localdb.port, "postgres").returncode != 0

    # No socket anywhere: none listed by the kernel, none where psql would look.
    assert not [path for path in _unix_sockets() if path.endswith(f".s.PGSQL.{localdb.port}")]
    for folder in ("/tmp", "/var/run/postgresql", str(localdb.root), data_dir):
        refused = _psql(folder, localdb.port, "postgres")
        assert refused.returncode != 0, folder
        assert "No such file" in refused.stderr or "Permission denied" in refused.stderr
