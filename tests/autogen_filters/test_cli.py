"""The command line as people run it: `alembic check` and `alembic revision --autogenerate`.

Runs Alembic in a subprocess with a throw-away ini file pointing at pycds's migrations, a
database label and a registry, so exit statuses and console messages are the real ones.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pycds import get_schema_name
from pycds.alembic_config import SCRIPT_LOCATION, VERSIONS

pytestmark = pytest.mark.db

PYCDS_REGISTRY = SCRIPT_LOCATION / "divergences.toml"
LOGGING = """
[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARNING
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %%(message)s
"""


def alembic(tmp_path: Path, url: str, registry: Path, *args: str) -> subprocess.CompletedProcess:
    drafts = tmp_path / "drafts"
    drafts.mkdir(exist_ok=True)
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {SCRIPT_LOCATION}\npath_separator = os\n"
        f"version_locations = {VERSIONS}:{drafts}\ndivergences = {registry}\n\n"
        f"[legacy]\nsqlalchemy.url = {url.replace('%', '%%')}\n{LOGGING}"
    )
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), "-x", "db=legacy", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_passes_when_only_known_divergences_remain(crmp_like_db, tmp_path):
    result = alembic(tmp_path, crmp_like_db, PYCDS_REGISTRY, "-x", "strict=true", "check")
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected." in result.stdout
    assert "known divergence(s) suppressed" in result.stderr


def test_check_fails_with_the_list_of_real_differences(crmp_like_db, tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    result = alembic(tmp_path, crmp_like_db, empty, "check")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "FAILED: New upgrade operations detected" in output
    assert f"ix_{get_schema_name()}_obs_raw_vars_id" in output


def test_revision_writes_nothing_when_nothing_real_remains(crmp_like_db, tmp_path):
    result = alembic(
        tmp_path, crmp_like_db, PYCDS_REGISTRY,
        "revision", "--autogenerate", "-m", "nothing", "--version-path", str(tmp_path / "drafts"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no changes: nothing real remains; no revision written" in result.stderr
    assert not list((tmp_path / "drafts").iterdir())


def test_malformed_registry_is_a_one_line_failure(crmp_like_db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "x"\nkind = "index"\n')
    result = alembic(tmp_path, crmp_like_db, bad, "check")
    assert result.returncode != 0
    output = (result.stdout + result.stderr).splitlines()
    [failed] = [line for line in output if line.startswith("FAILED")]
    assert f"{bad}: rule x: missing 'reason'" in failed
