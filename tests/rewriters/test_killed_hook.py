"""A draft left unrewritten by a killed post-write hook is caught by the pre-commit check.

Alembic runs post-write hooks without checking their exit status, so a rewriter killed while
it runs (out of memory, Ctrl-C, a kill) leaves the draft as autogenerate wrote it, with the
schema hard-coded, and ``alembic revision`` still succeeds. The pre-commit hooks of
``.pre-commit-config.yaml`` are the net: the check fails on such a draft, the fixer fixes it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.alembic_config import make_config
from pycds.orm import metadata as orm_metadata

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = get_schema_name()
HARD_CODED = re.compile(rf"schema=[\"']{SCHEMA}[\"']")


def _metadata_with_a_new_column() -> sa.MetaData:
    copy = sa.MetaData()
    for table in orm_metadata.sorted_tables:
        table.to_metadata(copy)
    copy.tables[f"{SCHEMA}.meta_network"].append_column(sa.Column("extra", sa.Integer()))
    return copy


CHECK_HOOK = "alembic-rewrite-check"


def _pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    return subprocess.run(
        [str(Path(bin_dir) / "pre-commit"), "run", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        },
    )


def test_pre_commit_catches_a_draft_whose_rewrite_hook_was_killed(head_db, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    repo = tmp_path / "repo"
    versions = repo / "pycds" / "alembic" / "versions"
    versions.mkdir(parents=True)
    for name in (".pre-commit-config.yaml", "pyproject.toml", "pycds/pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)

    config = make_config(head_db, extra_version_dir=versions)
    config.attributes["target_metadata"] = _metadata_with_a_new_column()
    # The rewriter hook is killed as it starts; the formatter after it still runs.
    config.set_section_option("post_write_hooks", "hooks", "pycds_rewrite, ruff_format")
    config.set_section_option("post_write_hooks", "pycds_rewrite.type", "exec")
    config.set_section_option("post_write_hooks", "pycds_rewrite.executable", "/bin/sh")
    config.set_section_option(
        "post_write_hooks", "pycds_rewrite.options", "-c 'kill -KILL $$' REVISION_SCRIPT_FILENAME"
    )
    command.revision(
        config, message="draft", autogenerate=True, rev_id="killed01", version_path=str(versions)
    )
    (draft,) = versions.glob("killed01_*.py")
    assert HARD_CODED.search(draft.read_text())  # the rewrite never happened
    relative = str(draft.relative_to(repo))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)

    check = _pre_commit(repo, CHECK_HOOK, "--hook-stage", "manual", "--files", relative)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"Rewriting {relative} (--check: not written)" in check.stdout
    assert HARD_CODED.search(draft.read_text())

    fix = _pre_commit(repo, "alembic-rewrite", "--files", relative)
    assert fix.returncode == 1  # the fixer changed the file: the commit stops for review
    fixed = draft.read_text()
    assert not HARD_CODED.search(fixed) and "schema=schema_name" in fixed
    again = _pre_commit(repo, CHECK_HOOK, "--hook-stage", "manual", "--files", relative)
    assert again.returncode == 0, again.stdout + again.stderr
