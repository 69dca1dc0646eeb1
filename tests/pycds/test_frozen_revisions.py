"""What a revision builds never depends on the head definitions.

The revisions, the frozen modules they build from (``pycds.frozen``, ``pycds.upstream_head``)
and every pycds module these import, transitively, import nothing from the modules that
follow the ORM: ``pycds.replaceables`` (functions, views, matviews, triggers at head),
``pycds.orm``, ``pycds.tracking`` (the tracked tables at head), ``pycds.autogenerate``.
Read from the source, not by importing it. That each downgrade restores exactly what the
revision before built is ``test_migrations.py``'s.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pycds.config

PACKAGE = Path(pycds.config.__file__).resolve().parent
HEAD_MODULES = ("pycds.replaceables", "pycds.orm", "pycds.tracking", "pycds.autogenerate")
BUILDERS = sorted(
    [
        *(PACKAGE / "alembic" / "versions").glob("*.py"),
        *(PACKAGE / "frozen").glob("*.py"),
        *(PACKAGE / "upstream_head").glob("*.py"),
    ]
)


def _module_file(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE / relative.with_suffix(".py"), PACKAGE / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _pycds_imports(path: Path) -> set[str]:
    """The pycds modules ``path`` imports; ``from pycds import name`` counts as the module
    that really defines ``name``, which must be pycds.config (pycds/__init__ loads the ORM
    lazily)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "pycds"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pycds":
                for alias in node.names:
                    if _module_file(f"pycds.{alias.name}"):
                        found.add(f"pycds.{alias.name}")
                    elif hasattr(pycds.config, alias.name):
                        found.add("pycds.config")
                    else:
                        found.add(f"pycds (lazy name {alias.name})")
            elif node.module.split(".")[0] == "pycds":
                found.add(node.module)
                found |= {
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if _module_file(f"{node.module}.{a.name}")
                }
    return found


def _reached(path: Path) -> set[str]:
    reached: set[str] = set()
    pending = list(_pycds_imports(path))
    while pending:
        module = pending.pop()
        if module in reached:
            continue
        reached.add(module)
        file = _module_file(module)
        if file is not None and module != "pycds":
            pending += _pycds_imports(file)
    return reached


@pytest.mark.parametrize("path", BUILDERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_builds_nothing_from_the_head(path: Path):
    reached = _reached(path)
    assert not {m for m in reached if m.startswith(HEAD_MODULES) or "lazy name" in m}


def test_every_revision_is_checked():
    assert len([p for p in BUILDERS if p.parent.name == "versions"]) >= 9
