"""Unreadable paths are errors (exit 2, one line each), never "clean" (issue 12, found item 13).

Permission bits do not stop root: it holds CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. When the
suite runs as root, the command runs without those two capabilities (``setpriv`` drops them
from the bounding set), so the kernel applies the permission bits to it as to anyone. Another
user would not do here: the interpreter of the virtualenv may live in root's private home.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rewriters.rewriters_testlib import PYCDS_TOML

CAPABILITIES = "-dac_override,-dac_read_search"
HEADER = "from alembic import op\n\n\ndef upgrade():\n"
NEEDS_REWRITE = HEADER + "    op.drop_table('t', schema='crmp')\n"
CLEAN = HEADER + "    op.drop_table('t', schema='public')\n"


def _unprivileged_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): permissions cannot apply")
    return ["setpriv", "--bounding-set", CAPABILITIES, "--inh-caps", CAPABILITIES, "--"]


@pytest.fixture
def tree() -> Iterator[Path]:
    """A world-readable folder (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="pycds-rewrite-"))
    folder.chmod(0o755)
    (folder / "pyproject.toml").write_text(PYCDS_TOML)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def _check(tree: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_unprivileged_prefix(), sys.executable, "-m", "rewriters", "--check", *map(str, paths)],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _folder(parent: Path, name: str, files: dict[str, str], mode: int) -> Path:
    folder = parent / name
    folder.mkdir(mode=0o755)
    for filename, text in files.items():
        (folder / filename).write_text(text)
    folder.chmod(mode)
    return folder


def test_the_unprivileged_user_can_check_readable_files(tree):
    versions = _folder(tree, "versions", {"a.py": NEEDS_REWRITE, "b.py": CLEAN}, 0o755)
    done = _check(tree, versions)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"Rewriting {versions / 'a.py'} (--check: not written)\n"


def test_an_unreadable_directory_is_an_error(tree):
    versions = _folder(tree, "versions", {"a.py": NEEDS_REWRITE}, 0o000)
    done = _check(tree, versions)
    assert done.returncode == 2
    assert done.stderr == f"{versions}: error: cannot read: Permission denied\n"


def test_an_unreadable_subfolder_is_an_error_and_the_rest_is_checked(tree):
    versions = _folder(tree, "versions", {"a.py": CLEAN, "z.py": NEEDS_REWRITE}, 0o755)
    hidden = _folder(versions, "more", {"m.py": NEEDS_REWRITE}, 0o000)
    done = _check(tree, versions)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{hidden}: error: cannot read: Permission denied",
        f"Rewriting {versions / 'z.py'} (--check: not written)",
    ]


def test_a_file_in_a_folder_without_permissions_is_one_line(tree):
    locked = _folder(tree, "locked", {"m.py": NEEDS_REWRITE}, 0o000)
    done = _check(tree, locked / "m.py")
    assert done.returncode == 2
    assert done.stderr == f"{locked / 'm.py'}: error: cannot read: Permission denied\n"


def test_a_listable_but_unsearchable_folder_is_an_error(tree):
    versions = _folder(tree, "versions", {"a.py": NEEDS_REWRITE}, 0o444)
    done = _check(tree, versions)
    assert done.returncode == 2
    assert done.stderr == f"{versions / 'a.py'}: error: cannot read: Permission denied\n"
