"""Op-tree tests for autogen_filters.renames, built from Alembic op objects (no database)."""

from __future__ import annotations

import ast

import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from sqlalchemy.dialects import postgresql

from autogen_filters.renames import RenameTableDirective, make_rename_writer, rename_writer

SCHEMA = "crmp"


def _script(*upgrade: ops.MigrateOperation) -> ops.MigrationScript:
    """A MigrationScript whose downgrade is derived the way autogenerate derives it (A4)."""
    upgrade_ops = ops.UpgradeOps(ops=list(upgrade))
    return ops.MigrationScript("abc", upgrade_ops, upgrade_ops.reverse())


def _add(column: sa.Column, table: str = "meta_network") -> ops.AddColumnOp:
    return ops.AddColumnOp.from_column_and_tablename(SCHEMA, table, column)


def _drop(reflected: sa.Column, table: str = "meta_network") -> ops.DropColumnOp:
    return ops.DropColumnOp.from_column_and_tablename(SCHEMA, table, reflected)


def _modify(*children: ops.MigrateOperation, table: str = "meta_network") -> ops.ModifyTableOps:
    return ops.ModifyTableOps(table, list(children), schema=SCHEMA)


def _run(writer, script: ops.MigrationScript) -> tuple[str, str]:
    """Apply the writer and render both trees."""
    writer.process_revision_directives(None, None, [script])
    return _render(script.upgrade_ops), _render(script.downgrade_ops)


def _render(tree: ops.OpContainer) -> str:
    return render_python_code(tree)


def _op_calls(rendered: str) -> list[tuple[str, list[object], dict[str, str]]]:
    """``op.*`` calls of rendered code: (name, literal positional args, keyword source)."""
    module = ast.parse("def f():\n    " + rendered)
    return [
        (
            node.func.attr,
            [ast.literal_eval(a) for a in node.args],
            {k.arg: ast.unparse(k.value) for k in node.keywords},
        )
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and ast.unparse(node.func.value) == "op"
    ]


def test_inferred_column_rename_in_both_directions() -> None:
    script = _script(
        _modify(
            _add(sa.Column("label", sa.String(255), nullable=True)),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, downgrade = _run(rename_writer, script)
    assert _op_calls(upgrade) == [
        (
            "alter_column",
            ["meta_network", "name"],
            {
                "existing_type": "sa.VARCHAR(length=255)",
                "new_column_name": "'label'",
                "existing_nullable": "True",
                "schema": "'crmp'",
            },
        )
    ]
    assert _op_calls(downgrade) == [
        (
            "alter_column",
            ["meta_network", "label"],
            {
                "existing_type": "sa.String(length=255)",
                "new_column_name": "'name'",
                "existing_nullable": "True",
                "schema": "'crmp'",
            },
        )
    ]


def test_float_and_double_precision_match() -> None:
    script = _script(
        _modify(
            _add(sa.Column("value", sa.Float(), nullable=False), table="obs_raw"),
            _drop(
                sa.Column("datum", postgresql.DOUBLE_PRECISION(precision=53), nullable=False),
                table="obs_raw",
            ),
            table="obs_raw",
        )
    )
    upgrade, _ = _run(rename_writer, script)
    assert "new_column_name='value'" in upgrade


def test_orm_hint_wins_and_carries_type_change() -> None:
    script = _script(
        _modify(
            _add(sa.Column("label", sa.Text(), nullable=True, info={"renamed_from": "name"})),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, downgrade = _run(rename_writer, script)
    ((name, args, kwargs),) = _op_calls(upgrade)
    assert (name, args, kwargs["new_column_name"], kwargs["type_"]) == (
        "alter_column",
        ["meta_network", "name"],
        "'label'",
        "sa.Text()",
    )
    ((name, args, kwargs),) = _op_calls(downgrade)
    assert (name, args, kwargs["new_column_name"], kwargs["type_"]) == (
        "alter_column",
        ["meta_network", "label"],
        "'name'",
        "sa.VARCHAR(length=255)",
    )


def test_type_change_without_declaration_stays_drop_add() -> None:
    script = _script(
        _modify(
            _add(sa.Column("label", sa.Text(), nullable=True)),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, downgrade = _run(rename_writer, script)
    assert "alter_column" not in upgrade + downgrade
    assert "op.add_column" in upgrade and "op.drop_column" in upgrade


def test_two_equal_candidates_are_ambiguous() -> None:
    writer = make_rename_writer()
    script = _script(
        _modify(
            _add(sa.Column("label", sa.String(255), nullable=True)),
            _add(sa.Column("title", sa.String(255), nullable=True)),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, _ = _run(writer, script)
    assert "alter_column" not in upgrade
    assert writer.ambiguities == [
        "possible rename of meta_network.name; candidates: label, title "
        "(more than one equal candidate)"
    ]


def test_declared_map_renames() -> None:
    writer = make_rename_writer({"crmp.meta_network.name": "label"})
    script = _script(
        _modify(
            _add(sa.Column("label", sa.Integer(), nullable=True)),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, _ = _run(writer, script)
    assert "new_column_name='label'" in upgrade


def test_data_operation_between_blocks() -> None:
    writer = make_rename_writer()
    upgrade_ops = ops.UpgradeOps(
        ops=[
            _modify(
                _add(sa.Column("label", sa.String(255), nullable=True)),
                ops.ExecuteSQLOp("UPDATE crmp.meta_network SET label = name"),
                _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
            )
        ]
    )
    # ExecuteSQLOp has no reverse(): build the downgrade by hand.
    downgrade_ops = ops.DowngradeOps(
        ops=[
            _modify(
                _add(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
                ops.DropColumnOp("meta_network", "label", schema=SCHEMA),
            )
        ]
    )
    script = ops.MigrationScript("abc", upgrade_ops, downgrade_ops)
    upgrade, _ = _run(writer, script)
    assert "alter_column" not in upgrade
    assert writer.ambiguities == [
        "possible rename of meta_network.name; candidates: label "
        "(ExecuteSQLOp between drop and add)"
    ]


def test_recreated_index_is_removed() -> None:
    old_table = sa.Table(
        "meta_network", sa.MetaData(), sa.Column("name", sa.VARCHAR(255)), schema=SCHEMA
    )
    old_index = sa.Index("ix_net", old_table.c.name)
    script = _script(
        _modify(
            _add(sa.Column("label", sa.String(255), nullable=True)),
            ops.DropIndexOp.from_index(old_index),
            ops.CreateIndexOp("ix_net", "meta_network", ["label"], schema=SCHEMA),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True)),
        )
    )
    upgrade, downgrade = _run(rename_writer, script)
    assert "index" not in upgrade and "index" not in downgrade
    assert "new_column_name='label'" in upgrade and "new_column_name='name'" in downgrade


def test_table_rename_renders_reverses_and_diffs() -> None:
    reflected = sa.Table(
        "meta_station",
        sa.MetaData(),
        sa.Column(
            "id",
            sa.INTEGER(),
            nullable=False,
            autoincrement=True,
            server_default=sa.text("nextval('crmp.meta_station_id_seq'::regclass)"),
        ),
        schema=SCHEMA,
    )
    new = sa.Table(
        "stations", sa.MetaData(), sa.Column("id", sa.Integer(), nullable=False), schema=SCHEMA
    )
    script = _script(ops.CreateTableOp.from_table(new), ops.DropTableOp.from_table(reflected))
    upgrade, downgrade = _run(rename_writer, script)
    assert "op.rename_table('meta_station', 'stations', schema='crmp')" in upgrade
    assert "op.rename_table('stations', 'meta_station', schema='crmp')" in downgrade
    assert "create_table" not in upgrade + downgrade
    assert script.upgrade_ops.as_diffs() == [("rename_table", "crmp", "meta_station", "stations")]
    (operation,) = script.upgrade_ops.ops
    assert isinstance(operation.reverse(), RenameTableDirective)


def test_unrelated_ops_are_untouched() -> None:
    script = _script(
        _modify(_add(sa.Column("label", sa.String(255), nullable=True))),
        ops.DropTableOp.from_table(sa.Table("gone", sa.MetaData(), sa.Column("x", sa.TEXT()))),
    )
    before = (
        _render(script.upgrade_ops),
        _render(script.downgrade_ops),
    )
    assert _run(rename_writer, script) == before


def _fk_table(column: str) -> sa.ForeignKeyConstraint:
    metadata = sa.MetaData()
    sa.Table("meta_contact", metadata, sa.Column("contact_id", sa.Integer), schema=SCHEMA)
    table = sa.Table(
        "meta_network",
        metadata,
        sa.Column(column, sa.Integer),
        sa.ForeignKeyConstraint([column], [f"{SCHEMA}.meta_contact.contact_id"], name="fk_net"),
        schema=SCHEMA,
    )
    (constraint,) = table.foreign_key_constraints
    return constraint


def test_recreated_foreign_key_is_removed() -> None:
    script = _script(
        _modify(
            _add(sa.Column("contact", sa.Integer(), nullable=True)),
            ops.DropConstraintOp.from_constraint(_fk_table("contact_ref")),
            ops.CreateForeignKeyOp.from_constraint(_fk_table("contact")),
            _drop(sa.Column("contact_ref", sa.INTEGER(), nullable=True)),
        )
    )
    upgrade, downgrade = _run(rename_writer, script)
    assert [name for name, _args, _kw in _op_calls(upgrade)] == ["alter_column"]
    assert [name for name, _args, _kw in _op_calls(downgrade)] == ["alter_column"]


def test_foreign_key_to_another_target_is_kept() -> None:
    script = _script(
        _modify(
            _add(sa.Column("contact", sa.Integer(), nullable=True)),
            ops.DropConstraintOp.from_constraint(_fk_table("contact_ref")),
            ops.CreateForeignKeyOp(
                "fk_net",
                "meta_network",
                "meta_contact",
                ["contact"],
                ["other_id"],
                source_schema=SCHEMA,
                referent_schema=SCHEMA,
            ),
            _drop(sa.Column("contact_ref", sa.INTEGER(), nullable=True)),
        )
    )
    upgrade, _ = _run(rename_writer, script)
    names = [name for name, _args, _kw in _op_calls(upgrade)]
    assert names == ["alter_column", "drop_constraint", "create_foreign_key"]


def _history(table: str) -> tuple[str]:
    return (f"{table}_hx",)


def test_companion_follows_a_hinted_column_rename() -> None:
    # The hint sits on the main table's column only; the history table's copy has none, and
    # its type change keeps the pair from being inferred. It follows its leader anyway,
    # whichever of the two the draft lists first.
    def pair(table: str, info: dict) -> ops.ModifyTableOps:
        return _modify(
            _add(sa.Column("label", sa.Text(), nullable=True, info=info), table=table),
            _drop(sa.Column("name", sa.VARCHAR(length=255), nullable=True), table=table),
            table=table,
        )

    writer = make_rename_writer(companions=_history)
    script = _script(pair("meta_network_hx", {}), pair("meta_network", {"renamed_from": "name"}))
    upgrade, downgrade = _run(writer, script)
    renames = [(args[0], kwargs["new_column_name"]) for _, args, kwargs in _op_calls(upgrade)]
    assert sorted(renames) == [("meta_network", "'label'"), ("meta_network_hx", "'label'")]
    assert "add_column" not in upgrade + downgrade and "drop_column" not in upgrade + downgrade
    assert downgrade.count("new_column_name='name'") == 2
    # Without companions the history table stays drop + add.
    upgrade, _ = _run(
        make_rename_writer(),
        _script(pair("meta_network_hx", {}), pair("meta_network", {"renamed_from": "name"})),
    )
    assert "op.add_column('meta_network_hx'" in upgrade


def test_companion_table_is_renamed_with_its_leader() -> None:
    def table(name: str, column: str) -> sa.Table:
        return sa.Table(name, sa.MetaData(), sa.Column(column, sa.Integer()), schema=SCHEMA)

    writer = make_rename_writer({"crmp.meta_station": "stations"}, companions=_history)
    script = _script(
        ops.CreateTableOp.from_table(table("stations", "id")),
        ops.CreateTableOp.from_table(table("stations_hx", "stations_hx_id")),
        ops.DropTableOp.from_table(table("meta_station", "id")),
        ops.DropTableOp.from_table(table("meta_station_hx", "meta_station_hx_id")),
    )
    upgrade, downgrade = _run(writer, script)
    # The history table's key column differs inside the renamed table: it is renamed too,
    # on the new table name, right after the table rename (and just before it on the way back).
    assert [(name, args) for name, args, _ in _op_calls(upgrade)] == [
        ("rename_table", ["meta_station", "stations"]),
        ("rename_table", ["meta_station_hx", "stations_hx"]),
        ("alter_column", ["stations_hx", "meta_station_hx_id"]),
    ]
    assert [(name, args) for name, args, _ in _op_calls(downgrade)] == [
        ("alter_column", ["stations_hx", "stations_hx_id"]),
        ("rename_table", ["stations_hx", "meta_station_hx"]),
        ("rename_table", ["stations", "meta_station"]),
    ]


def test_downgrade_renames_back_before_recreating_a_foreign_key_to_the_table() -> None:
    def contact_table(name: str) -> sa.Table:
        return sa.Table(name, sa.MetaData(), sa.Column("contact_id", sa.Integer()), schema=SCHEMA)

    def fk(target: str, ondelete: str | None) -> ops.CreateForeignKeyOp:
        return ops.CreateForeignKeyOp(
            "meta_network_contact_id_fkey",
            "meta_network",
            target,
            ["contact_id"],
            ["contact_id"],
            source_schema=SCHEMA,
            referent_schema=SCHEMA,
            ondelete=ondelete,
        )

    drop_fk = ops.DropConstraintOp(
        "meta_network_contact_id_fkey",
        "meta_network",
        type_="foreignkey",
        schema=SCHEMA,
        _reverse=fk("meta_contact", None),
    )
    # Alembic's order: new tables, dropped tables, then changes to the other tables.
    script = _script(
        ops.CreateTableOp.from_table(contact_table("contacts")),
        ops.DropTableOp.from_table(contact_table("meta_contact")),
        _modify(drop_fk, fk("contacts", "SET NULL")),
    )
    upgrade, downgrade = _run(make_rename_writer({"crmp.meta_contact": "contacts"}), script)
    assert [name for name, _, _ in _op_calls(upgrade)] == [
        "rename_table",
        "drop_constraint",
        "create_foreign_key",
    ]
    # Back: the FK to meta_contact can only be created once the table has its old name.
    assert [(name, args[:3]) for name, args, _ in _op_calls(downgrade)] == [
        ("rename_table", ["contacts", "meta_contact"]),
        ("drop_constraint", ["meta_network_contact_id_fkey", "meta_network"]),
        ("create_foreign_key", ["meta_network_contact_id_fkey", "meta_network", "meta_contact"]),
    ]
