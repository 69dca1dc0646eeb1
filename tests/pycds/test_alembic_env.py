"""pycds's Alembic environment from the command line: one line for every bad input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from pycds.alembic_config import make_config

ROOT = Path(__file__).resolve().parents[2]


def _alembic(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    """Run ``alembic -c <repo ini> ARGS`` from an unrelated folder."""
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _one_failure_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("FAILED: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_missing_database_label(tmp_path):
    line = _one_failure_line(_alembic(tmp_path, "current"))
    assert "-x db=<label>" in line


def test_unknown_database_label(tmp_path):
    line = _one_failure_line(_alembic(tmp_path, "-x", "db=nowhere", "current"))
    assert "unknown database label 'nowhere'" in line


def test_invalid_schema_name(tmp_path):
    done = _alembic(tmp_path, "-x", "db=ref", "current", env={"PYCDS_SCHEMA_NAME": "x; drop"})
    assert "is not a plain PostgreSQL identifier" in _one_failure_line(done)


def test_unreachable_server_and_environment_in_label_urls(tmp_path):
    done = _alembic(tmp_path, "-x", "db=ref", "current", env={"PYCDS_DB_PORT": "1"})
    line = _one_failure_line(done)
    assert line.startswith("FAILED: cannot connect to postgresql+psycopg2://postgres@127.0.0.1:1/")


def test_malformed_registry(tmp_path):
    bad = tmp_path / "alembic.ini"
    text = (ROOT / "alembic.ini").read_text().replace("%(here)s", str(ROOT))
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nid = 'x'\n")
    bad.write_text(text.replace(f"{ROOT}/pycds/alembic/divergences.toml", str(rules)))
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(bad), "-x", "db=ref", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert str(rules) in _one_failure_line(done)


def test_plain_revision_needs_no_database_and_sets_up_the_schema_name(tmp_path):
    config = make_config(
        "postgresql+psycopg2://nobody@127.0.0.1:1/none", extra_version_dir=tmp_path
    )
    config.set_section_option("post_write_hooks", "hooks", "")
    from alembic import command

    script = command.revision(config, message="by hand", version_path=str(tmp_path))
    source = Path(script.path).read_text()
    assert "schema_name = get_schema_name()" in source
    assert re.search(r"def upgrade\(\) -> None:\n    pass", source)
    assert re.search(r"def downgrade\(\) -> None:\n    pass", source)


@pytest.mark.parametrize(
    "script",
    list(ScriptDirectory.from_config(make_config()).walk_revisions()),
    ids=lambda s: s.revision,
)
def test_revision_docstrings_agree_with_the_chain(script):
    """Upstream's docstrings drifted from down_revision (crmp-facts 7.15); ours may not."""
    doc = Path(script.path).read_text()
    assert f"Revision ID: {script.revision}\n" in doc
    revises = re.search(r"^Revises: ?(.*)$", doc, re.MULTILINE)
    assert revises is not None
    assert revises.group(1).strip() == (script.down_revision or "")
