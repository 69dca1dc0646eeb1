"""autogen-baseline on real PostgreSQL, through pycds's env.py and a throw-away ini file.

The round trip that matters: baseline a CRMP-like database with an empty registry, see the
loader refuse the placeholder reasons, fill them in, and `alembic check` passes with the result.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from autogen_filters import PLACEHOLDER_REASON, RegistryError, load_registry
from autogen_filters.baseline import main
from pycds import get_schema_name
from pycds.alembic_config import SCRIPT_LOCATION

pytestmark = pytest.mark.db

PYCDS_REGISTRY = SCRIPT_LOCATION / "divergences.toml"


def write_ini(tmp_path: Path, url: str, registry: Path) -> Path:
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {SCRIPT_LOCATION}\ndivergences = {registry}\n\n"
        f"[legacy]\nsqlalchemy.url = {url.replace('%', '%%')}\n"
    )
    return ini


def test_baseline_round_trip(crmp_like_db, tmp_path, capsys):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    ini = write_ini(tmp_path, crmp_like_db, empty)
    out = tmp_path / "rules.toml"

    assert main(["-c", str(ini), "-x", "db=legacy", "-o", str(out)]) == 1
    text = out.read_text()
    assert text.count("[[rule]]") >= 30
    index = f"ix_{get_schema_name()}_obs_raw_vars_id"
    assert f'kind = "index"\ntable = "obs_raw"\nname = "{index}"' in text
    assert 'difference = "definition"' in text  # drop + create of obs_raw_comp_idx
    assert 'db = "REAL"' in text
    assert "difference(s) written" in capsys.readouterr().err

    with pytest.raises(RegistryError, match="placeholder"):
        load_registry(out)

    reviewed = tmp_path / "reviewed.toml"
    reviewed.write_text(text.replace(PLACEHOLDER_REASON, "Reviewed: accepted for this test."))
    assert len(load_registry(reviewed)) == text.count("[[rule]]")
    config = Config(str(write_ini(tmp_path, crmp_like_db, reviewed)), cmd_opts=None)
    config.attributes["configure_logging"] = False
    config.cmd_opts = type("Opts", (), {"x": ["db=legacy", "strict=true"]})()
    command.check(config)  # every difference is now known, and no generated rule is stale


def test_nothing_to_baseline_with_pycds_registry(crmp_like_db, tmp_path, capsys):
    ini = write_ini(tmp_path, crmp_like_db, PYCDS_REGISTRY)
    assert main(["-c", str(ini), "-x", "db=legacy"]) == 0
    captured = capsys.readouterr()
    assert "[[rule]]" not in captured.out
    assert "0 difference(s) written" in captured.err


def test_unreachable_database_is_a_one_line_error(tmp_path, capsys):
    ini = write_ini(tmp_path, "postgresql+psycopg2://nobody@127.0.0.1:1/none", PYCDS_REGISTRY)
    assert main(["-c", str(ini), "-x", "db=legacy"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("autogen-baseline: error: cannot connect")
    assert "\n" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--bogus"], "unrecognized arguments"),
        (["-c", "/nonexistent/alembic.ini"], "no such config file"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
