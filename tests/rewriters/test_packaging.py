"""The three distributions: alembic-rewriters installs with LibCST alone, and the repository
root (what pre-commit pip-installs for the published hooks) builds that same distribution."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _project(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)["project"]


def test_root_builds_the_same_distribution_as_rewriters_folder() -> None:
    root, folder = _project(ROOT / "pyproject.toml"), _project(ROOT / "rewriters/pyproject.toml")
    for key in ("name", "version", "dependencies", "scripts", "requires-python"):
        assert root[key] == folder[key], key
    assert root["dependencies"] == ["libcst>=1.1"]


def test_generic_distributions_need_no_pycds() -> None:
    filters = _project(ROOT / "autogen_filters/pyproject.toml")
    assert filters["name"] == "alembic-autogen-filters"
    assert filters["scripts"] == {"autogen-baseline": "autogen_filters.baseline:main"}
    lowered = " ".join(filters["dependencies"]).lower()
    for absent in ("pycds", "geoalchemy", "psycopg", "libcst"):
        assert absent not in lowered
    pycds = _project(ROOT / "pycds/pyproject.toml")
    assert {"alembic-rewriters", "alembic-autogen-filters"} <= set(pycds["dependencies"])
    assert pycds["scripts"]["pycds-rewrite"] == "rewriters.cli:main"


@pytest.mark.parametrize("where", [".", "rewriters"])
def test_wheel_holds_rewriters_only_and_requires_libcst_only(where: str, tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves build/ and *.egg-info next to the sources.
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    if where == ".":
        shutil.copytree(ROOT / "rewriters", source / "rewriters", ignore=ignore)
        shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    else:
        shutil.copytree(ROOT / where, source, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
         "-w", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("alembic_rewriters-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]  # fmt: skip
    packages = {name.split("/")[0] for name in names if not name.split("/")[0].endswith("-info")}
    assert packages == {"rewriters"}
    assert "rewriters/plugins/role.py" in names
    assert requires == ["Requires-Dist: libcst>=1.1"]
