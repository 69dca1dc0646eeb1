"""Where the local cluster lives: a project folder the server's user can reach."""

import tempfile
from pathlib import Path

from pycds.localdb import cluster


def test_local_folder_when_reachable(monkeypatch):
    # pytest's own temporary folders are private to their owner: use a public one.
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        project = Path(folder)
        project.chmod(0o755)
        monkeypatch.chdir(project)
        monkeypatch.delenv("PYCDS_DB_DIR", raising=False)
        monkeypatch.setattr(cluster.os, "geteuid", lambda: 0)
        assert cluster.Cluster.default().root == project.resolve() / ".pycds-db"


def test_var_tmp_when_root_runs_from_a_private_folder(tmp_path, monkeypatch):
    private = tmp_path / "private"
    project = private / "project"
    project.mkdir(parents=True)
    private.chmod(0o700)
    monkeypatch.chdir(project)
    monkeypatch.delenv("PYCDS_DB_DIR", raising=False)
    monkeypatch.setattr(cluster.os, "geteuid", lambda: 0)
    root = cluster.Cluster.default().root
    assert root.parent == Path("/var/tmp")
    assert root.name.startswith("pycds-db-")
    # One folder per project: the same project always gets the same one.
    assert cluster.Cluster.default().root == root


def test_configured_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PYCDS_DB_DIR", str(tmp_path / "db"))
    assert cluster.Cluster.default().root == (tmp_path / "db").resolve()
