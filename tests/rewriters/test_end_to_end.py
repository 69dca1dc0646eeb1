"""End to end on real PostgreSQL: autogenerate a draft from a modified copy of the ORM,
let the post-write hook (``python -m rewriters``, configured in alembic.ini) rewrite it, apply it.

* an ORM column rename gives ``alter_column(..., new_column_name=...)`` with no ``'crmp'``
  literal, and applying it keeps the column's rows (downgrading restores them too);
* an ORM hint ``info={"renamed_from": ...}`` with a type change goes through the op-tree
  Rewriter (``autogen_filters.renames``) passed to ``command.revision``;
* a rewritten draft applies entirely in another schema (``PYCDS_SCHEMA_NAME=other``, run in a
  subprocess because the schema is read once per process).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from autogen_filters.renames import rename_writer
from pycds import get_schema_name
from pycds.alembic_config import REPO_INI, make_config
from pycds.localdb import provision
from pycds.orm import metadata as orm_metadata

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = get_schema_name()


def _modified_metadata(change: Callable[[sa.MetaData], None]) -> sa.MetaData:
    copy = sa.MetaData()
    for table in orm_metadata.sorted_tables:
        table.to_metadata(copy)
    change(copy)
    return copy


def _rename_column(
    table: str, old: str, new: str, type_: sa.types.TypeEngine, **info: str
) -> Callable[[sa.MetaData], None]:
    def change(metadata: sa.MetaData) -> None:
        target = metadata.tables[f"{SCHEMA}.{table}"]
        target._columns.remove(target.c[old])
        target.append_column(sa.Column(new, type_, nullable=True, info=dict(info)))

    return change


def _draft(url: str, versions: Path, metadata: sa.MetaData, rev_id: str, **kwargs: object) -> Path:
    assert REPO_INI.exists(), "alembic.ini with the post-write hooks is needed"
    config = make_config(url, extra_version_dir=versions)
    config.attributes["target_metadata"] = metadata
    command.revision(
        config,
        message="draft",
        autogenerate=True,
        rev_id=rev_id,
        version_path=str(versions),
        **kwargs,
    )
    (path,) = versions.glob(f"{rev_id}_*.py")
    return path


def _op_calls(source: str, function: str) -> list[tuple[str, list[object], dict[str, object]]]:
    module = ast.parse(source)
    (body,) = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == function]
    calls = []
    for statement in body.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            calls.append(
                (
                    ast.unparse(call.func),
                    [ast.unparse(a) for a in call.args],
                    {k.arg: ast.unparse(k.value) for k in call.keywords},
                )
            )
    return calls


def _schema_literals(source: str) -> list[str]:
    """String constants that still name the schema (outside docstrings)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (node.value == SCHEMA or f"{SCHEMA}." in node.value)
        ):
            found.append(node.value)
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return [value for value in found if value not in docstring]


def test_orm_column_rename_is_a_rename_that_keeps_rows(head_db: str, tmp_path: Path) -> None:
    metadata = _modified_metadata(
        _rename_column("meta_contact", "phone", "phone_number", sa.String())
    )
    engine = sa.create_engine(head_db, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"INSERT INTO {SCHEMA}.meta_contact (name, phone) VALUES ('a', '555-0101')")
        )
    path = _draft(head_db, tmp_path, metadata, "e2e0000000a1")
    source = path.read_text()
    # env.py chains the op-tree rename rewriter, which also renders existing_nullable; the
    # post-write hook then finds nothing left to pair.
    assert _op_calls(source, "upgrade") == [
        (
            "op.alter_column",
            ["'meta_contact'", "'phone'"],
            {
                "new_column_name": "'phone_number'",
                "existing_type": "sa.VARCHAR()",
                "existing_nullable": "True",
                "schema": "schema_name",
            },
        )
    ]
    assert [c[2]["new_column_name"] for c in _op_calls(source, "downgrade")] == ["'phone'"]
    assert _schema_literals(source) == []
    assert "schema_name = get_schema_name()" in source

    config = make_config(head_db, extra_version_dir=tmp_path)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT phone_number FROM {SCHEMA}.meta_contact")).all()
    assert rows == [("555-0101",)]
    command.downgrade(config, "-1")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT phone FROM {SCHEMA}.meta_contact")).all()
    assert rows == [("555-0101",)]
    engine.dispose()


def test_orm_hint_with_type_change_uses_the_op_tree_rewriter(head_db: str, tmp_path: Path) -> None:
    metadata = _modified_metadata(
        _rename_column("meta_contact", "phone", "phone_number", sa.Text(), renamed_from="phone")
    )
    path = _draft(
        head_db, tmp_path, metadata, "e2e0000000b1", process_revision_directives=rename_writer
    )
    source = path.read_text()
    ((name, args, kwargs),) = _op_calls(source, "upgrade")
    assert (name, args, kwargs["new_column_name"], kwargs["type_"]) == (
        "op.alter_column",
        ["'meta_contact'", "'phone'"],
        "'phone_number'",
        "sa.Text()",
    )
    assert _schema_literals(source) == []
    command.upgrade(make_config(head_db, extra_version_dir=tmp_path), "head")
    engine = sa.create_engine(head_db, poolclass=sa.NullPool)
    with engine.connect() as conn:
        type_name = conn.scalar(
            sa.text(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = :s "
                "AND table_name = 'meta_contact' AND column_name = 'phone_number'"
            ),
            {"s": SCHEMA},
        )
    engine.dispose()
    assert type_name == "text"


def _add_station_notes(metadata: sa.MetaData) -> None:
    sa.Table(
        "station_note",
        metadata,
        sa.Column("note_id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey(f"{SCHEMA}.meta_station.station_id")),
        sa.Column("body", sa.Text, nullable=False),
        sa.Index("ix_station_note_station_id", "station_id"),
        schema=SCHEMA,
    )
    _rename_column("meta_contact", "phone", "phone_number", sa.String())(metadata)


APPLY_IN_OTHER_SCHEMA = textwrap.dedent(
    """
    import sys
    from alembic import command
    from pycds.alembic_config import make_config
    from tests.helpers.catalog import snapshot

    url, versions, drafted_in = sys.argv[1], sys.argv[2], sys.argv[3]
    command.upgrade(make_config(url, extra_version_dir=versions), "head")
    target, source = snapshot(url, "elsewhere"), snapshot(url, drafted_in)
    print(repr((sorted(target["table"]), sorted(source["table"]))))
    """
)


def test_rewritten_draft_applies_in_another_schema(
    head_db: str, pg_server_url: str, tmp_path: Path
) -> None:
    # Drafted in the configured schema, applied in a third one: nothing may stay hard-coded.
    path = _draft(head_db, tmp_path, _modified_metadata(_add_station_notes), "e2e0000000c1")
    source = path.read_text()
    assert _schema_literals(source) == []
    assert 'f"{schema_name}.meta_station.station_id"' in source or (
        "f'{schema_name}.meta_station.station_id'" in source
    )
    name = "test_rewriters_other_schema"
    provision.drop_database(pg_server_url, name)
    url = provision.create_database(pg_server_url, name)
    try:
        provision.ensure_schema(url, "elsewhere")
        done = subprocess.run(
            [sys.executable, "-c", APPLY_IN_OTHER_SCHEMA, url, str(tmp_path), SCHEMA],
            env={**os.environ, "PYCDS_SCHEMA_NAME": "elsewhere"},
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        target_tables, drafted_in_tables = ast.literal_eval(done.stdout.strip().splitlines()[-1])
        assert "station_note" in target_tables
        assert drafted_in_tables == []
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            columns = set(
                conn.scalars(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns WHERE "
                        "table_schema = 'elsewhere' AND table_name = 'meta_contact'"
                    )
                )
            )
            fk_target = conn.scalar(
                sa.text(
                    "SELECT confrelid::regclass::text FROM pg_constraint "
                    "WHERE conrelid = 'elsewhere.station_note'::regclass AND contype = 'f'"
                )
            )
        engine.dispose()
        assert "phone_number" in columns and "phone" not in columns
        assert fk_target == "elsewhere.meta_station"
    finally:
        provision.drop_database(pg_server_url, name)
