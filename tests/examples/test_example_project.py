"""The whole workflow of autogen_filters and rewriters on a project that is not pycds.

examples/inventory is a small Alembic project of its own (three tables in the schema named
by ``inventory.settings.get_schema()``, its own registry and schema call). Everything it runs,
Alembic, the baseline and the rewriter, runs from a virtualenv holding only the two generic
packages and the example's driver (:mod:`tests.examples.example_env`), against a legacy
database built from the example's ``legacy.sql`` on the suite's PostgreSQL server:

1. the baseline of the legacy database proposes exactly the rules the example ships, with
   the placeholder reason the loader refuses until a person explains each one;
2. ``alembic check``, as CI runs it, passes with only known divergences left;
3. after a change to the models, ``check`` fails, and autogenerate writes a draft that is
   trimmed (no divergence in it), renamed (drop + add -> rename) and parametrised (the
   example's own schema call);
4. the draft upgrades the legacy database keeping the renamed column's values, ``check``
   passes again, and a real difference made in the database makes it fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from autogen_filters import RegistryError, load_registry
from pycds.localdb import provision
from tests.examples import example_env

pytestmark = pytest.mark.db

EXAMPLE = example_env.EXAMPLE
RULE_FIELDS = ("kind", "table", "name", "difference", "db", "orm")


@pytest.fixture(scope="session")
def example_bin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin`` of the virtualenv with only rewriters, autogen_filters and psycopg2; kept in
    pytest's cache (in this run's temporary folder under ``-p no:cacheprovider``)."""
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("example-venv") if cache else tmp_path_factory.mktemp("example-venv")
    return example_env.build(folder)


@pytest.fixture(params=["inventory", "depot"])
def schema(request: pytest.FixtureRequest) -> str:
    """The example's schema: its default, and another one named by INVENTORY_SCHEMA."""
    return request.param


@pytest.fixture
def legacy_db(pg_server_url: str, schema: str) -> Iterator[str]:
    """URL of a fresh legacy inventory database (legacy.sql in ``schema``)."""
    name = f"inventory_legacy_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(pg_server_url, name)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        conn.exec_driver_sql(f"SET search_path TO {schema}")
        conn.exec_driver_sql((EXAMPLE / "legacy.sql").read_text())
    engine.dispose()
    yield url
    provision.drop_database(pg_server_url, name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project, which the test may edit as a developer would."""
    target = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


class Runner:
    """Runs the example's commands from the generic-only virtualenv, in the project folder."""

    def __init__(self, bin_dir: Path, project: Path, url: str, schema: str):
        self.bin_dir, self.project = bin_dir, project
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "INVENTORY_DATABASE_URL": url,
            "INVENTORY_SCHEMA": schema,
        }

    def __call__(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / program), *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self("alembic", *args)


@pytest.fixture
def run(example_bin: Path, project: Path, legacy_db: str, schema: str) -> Runner:
    runner = Runner(example_bin, project, legacy_db, schema)
    # The legacy database predates Alembic: it is stamped with the initial revision.
    stamped = runner.alembic("stamp", "head")
    assert stamped.returncode == 0, stamped.stderr
    return runner


def _rule_keys(rules: list[dict]) -> set[tuple]:
    return {tuple(rule.get(field) for field in RULE_FIELDS) for rule in rules}


def test_the_environment_holds_the_generic_packages_only(example_bin: Path, tmp_path: Path) -> None:
    python = str(example_bin / "python")
    outside = {"cwd": tmp_path, "capture_output": True, "text": True}  # not the repository root
    for module in ("pycds", "geoalchemy2"):
        found = subprocess.run([python, "-c", f"import {module}"], **outside)
        assert found.returncode != 0, f"{module} is importable in the example's environment"
        assert "ModuleNotFoundError" in found.stderr
    imported = subprocess.run(
        [python, "-c", "import rewriters, autogen_filters, alembic, libcst, psycopg2"], **outside
    )
    assert imported.returncode == 0, imported.stderr


def test_baseline_proposes_the_shipped_rules_and_reasons_make_them_load(
    run: Runner, project: Path
) -> None:
    empty = project / "no-rules.toml"
    empty.write_text("")
    proposed = project / "proposed.toml"
    baseline = run(
        example_env.BASELINE, "-c", "alembic.ini", "-x", f"divergences={empty}", "-o", str(proposed)
    )
    assert baseline.returncode == 1, baseline.stderr  # 1: rules written
    assert "3 difference(s) written" in baseline.stderr

    shipped = tomllib.loads((project / "migrations" / "divergences.toml").read_text())["rule"]
    rules = tomllib.loads(proposed.read_text())["rule"]
    assert _rule_keys(rules) == _rule_keys(shipped)

    # Until a person explains them, the loader refuses the proposed rules.
    with pytest.raises(RegistryError, match="reason"):
        load_registry(proposed)
    # A person writes the reasons; the rules then load and account for every difference.
    reasons = iter(["an old job still writes it", "the legacy search page uses it", "legacy"])
    explained = re.sub(r'reason = "TODO:[^"]*"', lambda _: f'reason = "{next(reasons)}"',
                       proposed.read_text())  # fmt: skip
    proposed.write_text(explained)
    assert len(load_registry(proposed).rules) == 3
    check = run.alembic("-x", f"divergences={proposed}", "-x", "strict=true", "check")
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected." in check.stdout


def _edit_models(project: Path) -> None:
    """The change a developer makes: rename item.name to title, add stock.reorder_level."""
    models = project / "inventory" / "models.py"
    text = models.read_text()
    name = "    name: Mapped[str] = mapped_column(sa.String(200))\n"
    quantity = '    quantity: Mapped[int] = mapped_column(server_default=sa.text("0"))\n'
    assert name in text and quantity in text
    text = text.replace(name, name.replace("name", "title"))
    text = text.replace(quantity, quantity + "    reorder_level: Mapped[int | None]\n")
    models.write_text(text)


def test_autogenerate_drafts_a_trimmed_renamed_parametrised_migration_and_check_guards_it(
    run: Runner, project: Path, legacy_db: str, schema: str
) -> None:
    # CI: only the known divergences differ, every rule matches.
    clean = run.alembic("-x", "strict=true", "check")
    assert clean.returncode == 0, clean.stderr
    assert "3 known divergence(s) suppressed by 3 rule(s)" in clean.stderr

    _edit_models(project)
    drifted = run.alembic("check")
    assert drifted.returncode != 0
    assert "reorder_level" in drifted.stdout + drifted.stderr

    made = run.alembic("revision", "--autogenerate", "-m", "item title and reorder level")
    assert made.returncode == 0, made.stderr
    assert "Running post write hook 'rewrite'" in made.stdout + made.stderr
    [draft] = (project / "migrations" / "versions").glob("*item_title_and_reorder_level.py")
    text = draft.read_text()
    code = text[text.index("from collections.abc") :]

    # Trimmed: the divergences are listed in the header, absent from the operations.
    for rule_id in (
        "inventory-legacy-stock-audit",
        "inventory-item-name-idx",
        "inventory-warehouse-city-varchar-40",
    ):
        assert f"[{rule_id}]" in text
    for divergent in ("stock_audit", "item_name_idx", "'city'", '"city"'):
        assert divergent not in code
    # Renamed: the values of item.name survive.
    assert "new_column_name='title'" in code or 'new_column_name="title"' in code
    assert "drop_column('item'" not in code and 'drop_column("item"' not in code
    # Parametrised with the example's own schema call, nothing of pycds.
    assert "from inventory.settings import get_schema" in code
    assert "schema_name = get_schema()" in code
    assert f"'{schema}'" not in code and f'"{schema}"' not in code
    assert "schema=schema_name" in code
    assert "pycds" not in text.lower()
    # The rewriter's command, run as the pre-commit check would, finds nothing left to do.
    recheck = run("alembic-rewrite", "--check", str(draft))
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr

    upgraded = run.alembic("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    engine = sa.create_engine(legacy_db, poolclass=sa.NullPool)
    with engine.connect() as conn:
        titles = conn.exec_driver_sql(f"SELECT title FROM {schema}.item ORDER BY id").scalars()
        assert list(titles) == ["M6 bolt", "M6 nut"]
    after = run.alembic("-x", "strict=true", "check")
    assert after.returncode == 0, after.stderr
    assert "No new upgrade operations detected." in after.stdout

    # A real difference (not in the registry) fails CI, naming it.
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER TABLE {schema}.warehouse ADD COLUMN manager text")
    engine.dispose()
    failed = run.alembic("check")
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "FAILED: New upgrade operations detected" in output
    assert "manager" in output


def test_a_bad_registry_is_one_failed_line(run: Runner, project: Path) -> None:
    broken = project / "broken.toml"
    broken.write_text('[[rule]]\nid = "x"\nkind = "table"\nname = "stock_audit"\n'
                      'difference = "db_only"\n')  # fmt: skip
    failed = run.alembic("-x", f"divergences={broken}", "check")
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "Traceback" not in output
    [line] = [line for line in output.splitlines() if line.startswith("FAILED:")]
    assert "rule x" in line and "reason" in line
