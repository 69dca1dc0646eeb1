"""The project's own migrations already follow the convention: the rewriters leave them alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewriters.cli import main
from rewriters.config import load_config
from rewriters.files import read_source
from rewriters.pipeline import rewrite_source

VERSIONS = Path(__file__).resolve().parents[2] / "pycds" / "alembic" / "versions"
REVISIONS = sorted(VERSIONS.glob("*.py"))


def test_there_are_revisions_to_check() -> None:
    assert REVISIONS, f"no revisions found in {VERSIONS}"


@pytest.mark.parametrize("path", REVISIONS, ids=[p.name for p in REVISIONS])
def test_revision_is_unchanged(path: Path) -> None:
    source, _ = read_source(path)
    result = rewrite_source(source, load_config(path))
    assert result.source == source
    assert not result.changed


def test_check_mode_on_versions_directory(capsys: pytest.CaptureFixture) -> None:
    assert main(["--check", str(VERSIONS)]) == 0
    assert "Rewriting" not in capsys.readouterr().err
