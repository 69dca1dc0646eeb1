"""Where the local cluster lives, and that no folder of someone else's is ever taken over.

Run as root these tests are the issue's attacks: a symbolic link planted where pycds-db
used to put its folder, ``PYCDS_DB_DIR`` naming a link or a project folder, a path full of
quotes and shell syntax.
"""

from __future__ import annotations

import hashlib
import os
import pwd
from pathlib import Path

import pytest

from pycds.localdb import cluster
from pycds.localdb.folders import FALLBACK_PARENT, read_fallback

from .conftest import LocalDb, one_error_line, select_one

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the attacks target a root caller")


def _snapshot(folder: Path) -> list[tuple[str, int, int, int, bytes]]:
    """Owner, group, mode and content of a folder and everything in it."""
    found = []
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else b""
        found.append((str(path), info.st_uid, info.st_gid, info.st_mode, content))
    return found


def test_local_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYCDS_DB_DIR", raising=False)
    assert cluster.Cluster.default().root == tmp_path / ".pycds-db"


def test_configured_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PYCDS_DB_DIR", str(tmp_path / "db"))
    assert cluster.Cluster.default().root == tmp_path / "db"


@needs_root
def test_a_symlink_as_the_folder_is_refused_and_its_target_untouched(localdb, public_tmp):
    victim = public_tmp / "etc-like"
    victim.mkdir(mode=0o755)
    (victim / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    before = _snapshot(victim)
    localdb.root.symlink_to(victim)
    line = one_error_line(localdb.run("up", "--no-ref"))
    assert "symbolic link" in line and str(localdb.root) in line
    assert _snapshot(victim) == before


def test_a_project_folder_is_refused_and_left_alone(localdb):
    project = localdb.root
    project.mkdir()
    (project / "README.md").write_text("my project\n")
    before = _snapshot(project)
    line = one_error_line(localdb.run("up", "--no-ref"))
    assert line == (
        f"pycds-db: error: refusing {project}: it is not empty and not a pycds-db folder "
        "(it holds 'README.md')"
    )
    assert _snapshot(project) == before


@needs_root
def test_a_folder_of_another_user_is_refused(localdb):
    localdb.root.mkdir()
    os.chown(localdb.root, 65534, 65534)  # nobody: as if another user had made it first
    before = _snapshot(localdb.root)
    line = one_error_line(localdb.run("up", "--no-ref"))
    assert "it belongs to nobody, not to you (root)" in line
    assert _snapshot(localdb.root) == before


@needs_root
def test_root_from_a_private_folder_gets_an_unpredictable_server_folder(public_tmp, localdb):
    """Data goes to a ``mkdtemp`` folder; a link planted at the old predictable name is inert."""
    private = public_tmp / "home"
    project = private / "project"
    project.mkdir(parents=True)
    private.chmod(0o700)
    owner_folder = project / ".pycds-db"
    # Where pycds-db used to put the data, predictable by anyone: plant a link there.
    digest = hashlib.sha256(str(owner_folder).encode()).hexdigest()[:12]
    planted = FALLBACK_PARENT / f"pycds-db-{digest}"
    victim = public_tmp / "victim"
    victim.mkdir(mode=0o755)
    (victim / "shadow").write_text("secret\n")
    before = _snapshot(victim)
    planted.symlink_to(victim)
    db = LocalDb(root=owner_folder, port=localdb.port)
    try:
        done = db.run("up", "--no-ref", cwd=project)
        assert done.returncode == 0, done.stderr
        server_folder = read_fallback(owner_folder / "server-dir")
        assert server_folder is not None and server_folder != planted
        assert server_folder.parent == FALLBACK_PARENT
        assert server_folder.stat().st_uid == 0 and server_folder.stat().st_mode & 0o777 == 0o711
        assert (server_folder / "data" / "PG_VERSION").exists()
        assert select_one(db.url()) == 1
        assert _snapshot(victim) == before
        assert planted.is_symlink()
        # The owner's files stay in the owner's folder, readable by the owner only.
        assert (owner_folder / "pgpass").stat().st_mode & 0o777 == 0o600
    finally:
        db.cleanup()
        planted.unlink()


def test_a_path_full_of_quotes_and_shell_syntax_is_only_a_path(public_tmp, localdb):
    marker = public_tmp / "INJECTED"
    nasty = public_tmp / f"x';touch {marker};'y \"$(touch {marker})\" `touch {marker}` $HOME"
    db = LocalDb(root=nasty, port=localdb.port)
    try:
        done = db.run("up", "--no-ref")
        assert done.returncode == 0, done.stderr
        assert not marker.exists()
        assert (nasty / "data" / "PG_VERSION").exists()
        assert select_one(db.url()) == 1
        assert db.run("status").returncode == 0
    finally:
        db.cleanup()
    assert not marker.exists()


@needs_root
def test_a_cluster_of_the_older_trusting_pycds_db_is_refused_but_can_be_stopped(localdb):
    """As an older pycds-db left it: the folder handed to ``postgres``, no password file."""
    assert localdb.run("up", "--no-ref").returncode == 0
    (localdb.root / "pgpass").unlink()
    os.chown(localdb.root, pwd.getpwnam("postgres").pw_uid, -1)
    line = one_error_line(localdb.run("up", "--no-ref"))
    assert line == (
        f"pycds-db: error: {localdb.root} holds a cluster made by an older pycds-db, which "
        f"let every local user in: stop it (pycds-db down), remove {localdb.root} and run "
        "pycds-db up again"
    )
    assert localdb.run("status").returncode == 0
    assert localdb.run("down").returncode == 0
    assert localdb.run("status").returncode == 3
