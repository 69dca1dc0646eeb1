"""Before/after cases for rewriters.drop_add_to_rename (each also checked for idempotence)."""

# ruff: noqa: E501  (cases reproduce Alembic's long rendered lines verbatim)

from __future__ import annotations

import pytest

from rewriters.config import RewriteConfig
from tests.rewriters.rewriters_testlib import dedent, run_rename


def migration(upgrade: str, downgrade: str) -> str:
    """A migration module with the given upgrade()/downgrade() bodies (4-space indented)."""
    indent = lambda body: "".join(f"    {line}\n" for line in dedent(body).splitlines())  # noqa: E731
    return (
        "from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import "
        "postgresql\n\n\ndef upgrade():\n"
        + indent(upgrade)
        + "\n\ndef downgrade():\n"
        + indent(downgrade)
    )


RENAME_UP = dedent(
    """
    op.add_column('meta_network', sa.Column('label', sa.String(length=255), nullable=True), schema='crmp')
    op.drop_column('meta_network', 'name', schema='crmp')
    """
)
RENAME_DOWN = dedent(
    """
    op.add_column('meta_network', sa.Column('name', sa.VARCHAR(length=255), autoincrement=False, nullable=True), schema='crmp')
    op.drop_column('meta_network', 'label', schema='crmp')
    """
)
RENAMED_UP = dedent(
    """
    op.alter_column('meta_network', 'name', new_column_name='label', existing_type=sa.VARCHAR(length=255), schema='crmp')
    """
)
RENAMED_DOWN = dedent(
    """
    op.alter_column('meta_network', 'label', new_column_name='name', existing_type=sa.String(length=255), schema='crmp')
    """
)

REWRITES = [
    pytest.param(
        RENAME_UP, RENAME_DOWN, RENAMED_UP, RENAMED_DOWN, id="varchar-generic-vs-reflected"
    ),
    pytest.param(
        """
        op.add_column('obs_raw', sa.Column('value', sa.Float(), nullable=False), schema='crmp')
        op.drop_column('obs_raw', 'datum', schema='crmp')
        """,
        """
        op.add_column('obs_raw', sa.Column('datum', postgresql.DOUBLE_PRECISION(precision=53), autoincrement=False, nullable=False), schema='crmp')
        op.drop_column('obs_raw', 'value', schema='crmp')
        """,
        """
        op.alter_column('obs_raw', 'datum', new_column_name='value', existing_type=postgresql.DOUBLE_PRECISION(precision=53), schema='crmp')
        """,
        """
        op.alter_column('obs_raw', 'value', new_column_name='datum', existing_type=sa.Float(), schema='crmp')
        """,
        id="double-precision",
    ),
    pytest.param(
        """
        op.add_column('t', sa.Column('b', sa.Integer(), server_default=sa.text('0'), nullable=False))
        op.drop_column('t', 'a')
        """,
        """
        op.add_column('t', sa.Column('a', sa.INTEGER(), server_default=sa.text('0'), autoincrement=False, nullable=False))
        op.drop_column('t', 'b')
        """,
        """
        op.alter_column('t', 'a', new_column_name='b', existing_type=sa.INTEGER())
        """,
        """
        op.alter_column('t', 'b', new_column_name='a', existing_type=sa.Integer())
        """,
        id="no-schema-with-default",
    ),
    pytest.param(
        RENAME_UP.replace(
            "op.drop_column('meta_network', 'name'",
            "op.drop_index('ix_net', table_name='meta_network', schema='crmp')\n"
            "op.create_index('ix_net', 'meta_network', ['label'], unique=False, schema='crmp')\n"
            "op.drop_column('meta_network', 'name'",
        ),
        RENAME_DOWN.replace(
            "op.drop_column('meta_network', 'label'",
            "op.drop_index('ix_net', table_name='meta_network', schema='crmp')\n"
            "op.create_index('ix_net', 'meta_network', ['name'], unique=False, schema='crmp')\n"
            "op.drop_column('meta_network', 'label'",
        ),
        RENAMED_UP,
        RENAMED_DOWN,
        id="recreated-index-removed",
    ),
    pytest.param(
        """
        op.create_table('stations', sa.Column('id', sa.Integer(), nullable=False), sa.PrimaryKeyConstraint('id'), schema='crmp')
        op.drop_table('meta_station', schema='crmp')
        """,
        """
        op.create_table('meta_station', sa.Column('id', sa.INTEGER(), server_default=sa.text("nextval('crmp.meta_station_id_seq'::regclass)"), autoincrement=True, nullable=False), sa.PrimaryKeyConstraint('id', name='meta_station_pkey'), schema='crmp')
        op.drop_table('stations', schema='crmp')
        """,
        """
        op.rename_table('meta_station', 'stations', schema='crmp')
        """,
        """
        op.rename_table('stations', 'meta_station', schema='crmp')
        """,
        id="table-rename",
    ),
]


@pytest.mark.parametrize(("up", "down", "new_up", "new_down"), REWRITES)
def test_rewrites(up: str, down: str, new_up: str, new_down: str) -> None:
    output = run_rename(migration(up, down))
    assert output == migration(new_up, new_down)
    assert run_rename(output) == output


UNCHANGED = [
    pytest.param(
        RENAME_UP.replace("sa.String(length=255)", "sa.Text()"), RENAME_DOWN, id="type-change"
    ),
    pytest.param(
        RENAME_UP.replace("nullable=True", "nullable=False"), RENAME_DOWN, id="nullability-change"
    ),
    pytest.param(
        RENAME_UP,
        RENAME_DOWN.replace(
            "op.add_column('meta_network', sa.Column('name'",
            "op.add_column('other', sa.Column('name'",
        ),
        id="no-re-add-in-downgrade",
    ),
    pytest.param(
        RENAME_UP.replace("schema='crmp')\nop.drop", "schema='public')\nop.drop", 1),
        RENAME_DOWN.replace(
            "op.drop_column('meta_network', 'label', schema='crmp')",
            "op.drop_column('meta_network', 'label', schema='public')",
        ),
        id="different-schema",
    ),
    pytest.param(
        "op.drop_column('t', 'a')\n",
        "op.add_column('t', sa.Column('a', sa.INTEGER(), nullable=True))\n",
        id="drop-only",
    ),
    pytest.param(RENAMED_UP, RENAMED_DOWN, id="already-renamed"),
]


@pytest.mark.parametrize(("up", "down"), UNCHANGED)
def test_unchanged(up: str, down: str) -> None:
    source = migration(up, down)
    assert run_rename(source) == source


def test_data_operation_between_blocks_and_comments() -> None:
    up = RENAME_UP.replace(
        "op.drop_column(",
        "op.execute('UPDATE crmp.meta_network SET label = name')\nop.drop_column(",
    )
    output = run_rename(migration(up, RENAME_DOWN))
    expected_comment = (
        "    # alembic-rewrite: possible rename of meta_network.name; candidates: label "
        "(`op.execute('UPDATE crmp.meta_network SET label = name')` runs between drop and add)\n"
        "    op.drop_column('meta_network', 'name', schema='crmp')\n"
    )
    assert expected_comment in output
    assert output.replace(expected_comment.splitlines(keepends=True)[0], "") == migration(
        up, RENAME_DOWN
    )
    assert run_rename(output) == output


def test_two_candidates_get_a_comment_naming_both() -> None:
    up = (
        RENAME_UP
        + "op.add_column('meta_network', sa.Column('title', sa.String(length=255), nullable=True), schema='crmp')\n"
    )
    down = RENAME_DOWN + "op.drop_column('meta_network', 'title', schema='crmp')\n"
    output = run_rename(migration(up, down))
    assert (
        "# alembic-rewrite: possible rename of meta_network.name; candidates: label, title "
        "(more than one equal candidate)" in output
    )
    assert "alter_column" not in output
    assert run_rename(output) == output


def test_declared_rename_carries_type_change() -> None:
    up = RENAME_UP.replace("sa.String(length=255)", "sa.Text()")
    config = RewriteConfig(schemas=("crmp",), renames={"meta_network.name": "label"})
    output = run_rename(migration(up, RENAME_DOWN), config)
    assert output == migration(
        "op.alter_column('meta_network', 'name', new_column_name='label', type_=sa.Text(), "
        "existing_type=sa.VARCHAR(length=255), schema='crmp')\n",
        "op.alter_column('meta_network', 'label', new_column_name='name', "
        "type_=sa.VARCHAR(length=255), existing_type=sa.Text(), schema='crmp')\n",
    )
    assert run_rename(output, config) == output


def test_declared_table_rename_with_schema_variable() -> None:
    up = (
        "op.create_table('b', sa.Column('x', sa.Integer(), nullable=True), schema=schema_name)\n"
        "op.drop_table('a', schema=schema_name)\n"
    )
    down = (
        "op.create_table('a', sa.Column('x', sa.TEXT(), nullable=True), schema=schema_name)\n"
        "op.drop_table('b', schema=schema_name)\n"
    )
    config = RewriteConfig(schemas=("crmp",), renames={"crmp.a": "table:b"})
    output = run_rename(migration(up, down), config)
    assert output == migration(
        "op.rename_table('a', 'b', schema=schema_name)\n",
        "op.rename_table('b', 'a', schema=schema_name)\n",
    )


def test_downgrade_renames_the_table_back_before_a_foreign_key_needs_it() -> None:
    # Alembic's order: new tables, dropped tables, then the other tables' changes; the
    # downgrade is that reversed, so the FK to the old name comes before the table is back.
    fk = (
        "op.drop_constraint('n_c_fkey', 'n', schema='crmp', type_='foreignkey')\n"
        "op.create_foreign_key('n_c_fkey', 'n', '{target}', ['c'], ['c'], "
        "source_schema='crmp', referent_schema='crmp'{extra})\n"
    )
    up = (
        "op.create_table('b', sa.Column('c', sa.Integer(), nullable=True), schema='crmp')\n"
        "op.drop_table('a', schema='crmp')\n" + fk.format(target="b", extra=", ondelete='SET NULL'")
    )
    down = (
        fk.format(target="a", extra="")
        + "op.create_table('a', sa.Column('c', sa.INTEGER(), nullable=True), schema='crmp')\n"
        "op.drop_table('b', schema='crmp')\n"
    )
    output = run_rename(migration(up, down))
    drop, create = fk.format(target="a", extra="").splitlines(keepends=True)
    assert output == migration(
        "op.rename_table('a', 'b', schema='crmp')\n"
        + fk.format(target="b", extra=", ondelete='SET NULL'"),
        drop + "op.rename_table('b', 'a', schema='crmp')\n" + create,
    )
    assert run_rename(output) == output


def test_comments_of_removed_statements_are_kept() -> None:
    up = "# ### commands auto generated by Alembic ###\n" + RENAME_UP
    output = run_rename(migration(up, RENAME_DOWN))
    assert "    # ### commands auto generated by Alembic ###\n    op.alter_column(" in output


# -- batch blocks (render_as_batch=True) --------------------------------------------------------


def batch(table: str, body: str, schema: str = "None") -> str:
    """A ``with op.batch_alter_table(...) as batch_op:`` block around ``body``."""
    lines = "".join(f"    {line}\n" for line in dedent(body).splitlines())
    return f"with op.batch_alter_table({table!r}, schema={schema}) as batch_op:\n{lines}"


BATCH_UP = dedent(
    """
    batch_op.add_column(sa.Column('label', sa.String(length=255), nullable=True))
    batch_op.drop_column('name')
    """
)
BATCH_DOWN = dedent(
    """
    batch_op.add_column(sa.Column('name', sa.VARCHAR(length=255), autoincrement=False, nullable=True))
    batch_op.drop_column('label')
    """
)
BATCH_RENAMED_UP = (
    "batch_op.alter_column('name', new_column_name='label', existing_type=sa.VARCHAR(length=255))\n"
)
BATCH_RENAMED_DOWN = (
    "batch_op.alter_column('label', new_column_name='name', existing_type=sa.String(length=255))\n"
)
TITLE_UP = "batch_op.add_column(sa.Column('title', sa.String(length=255), nullable=True))\n"
TITLE_DOWN = "batch_op.drop_column('title')\n"

BATCH_REWRITES = [
    pytest.param(
        batch("meta_network", BATCH_UP),
        batch("meta_network", BATCH_DOWN),
        batch("meta_network", BATCH_RENAMED_UP),
        batch("meta_network", BATCH_RENAMED_DOWN),
        id="batch-no-schema",
    ),
    pytest.param(
        batch("meta_network", BATCH_UP, "'crmp'"),
        batch("meta_network", BATCH_DOWN, "'crmp'"),
        batch("meta_network", BATCH_RENAMED_UP, "'crmp'"),
        batch("meta_network", BATCH_RENAMED_DOWN, "'crmp'"),
        id="batch-schema-literal",
    ),
    pytest.param(
        batch("meta_network", BATCH_UP, "schema_name"),
        batch("meta_network", BATCH_DOWN, "schema_name"),
        batch("meta_network", BATCH_RENAMED_UP, "schema_name"),
        batch("meta_network", BATCH_RENAMED_DOWN, "schema_name"),
        id="batch-schema-variable",
    ),
    pytest.param(
        batch(
            "obs_raw",
            """
            batch_op.add_column(sa.Column('value', sa.Float(), nullable=False))
            batch_op.drop_index(batch_op.f('ix_obs_raw_datum'))
            batch_op.create_index(batch_op.f('ix_obs_raw_datum'), ['value'], unique=False)
            batch_op.drop_column('datum')
            """,
        ),
        batch(
            "obs_raw",
            """
            batch_op.add_column(sa.Column('datum', postgresql.DOUBLE_PRECISION(precision=53), autoincrement=False, nullable=False))
            batch_op.drop_index(batch_op.f('ix_obs_raw_datum'))
            batch_op.create_index(batch_op.f('ix_obs_raw_datum'), ['datum'], unique=False)
            batch_op.drop_column('value')
            """,
        ),
        batch(
            "obs_raw",
            "batch_op.alter_column('datum', new_column_name='value', existing_type=postgresql.DOUBLE_PRECISION(precision=53))\n",
        ),
        batch(
            "obs_raw",
            "batch_op.alter_column('value', new_column_name='datum', existing_type=sa.Float())\n",
        ),
        id="batch-recreated-index-removed",
    ),
    pytest.param(
        batch("other", "batch_op.drop_column('x')\n") + batch("meta_network", BATCH_UP),
        batch("meta_network", BATCH_DOWN)
        + batch("other", "batch_op.add_column(sa.Column('x', sa.INTEGER(), nullable=True))\n"),
        batch("other", "batch_op.drop_column('x')\n") + batch("meta_network", BATCH_RENAMED_UP),
        batch("meta_network", BATCH_RENAMED_DOWN)
        + batch("other", "batch_op.add_column(sa.Column('x', sa.INTEGER(), nullable=True))\n"),
        id="batch-blocks-of-other-tables-untouched",
    ),
    pytest.param(
        RENAME_UP + batch("t", BATCH_UP),
        RENAME_DOWN + batch("t", BATCH_DOWN),
        RENAMED_UP + batch("t", BATCH_RENAMED_UP),
        RENAMED_DOWN + batch("t", BATCH_RENAMED_DOWN),
        id="batch-and-plain-renamed-separately",
    ),
]


@pytest.mark.parametrize(("up", "down", "new_up", "new_down"), BATCH_REWRITES)
def test_batch_rewrites(up: str, down: str, new_up: str, new_down: str) -> None:
    output = run_rename(migration(up, down))
    assert output == migration(new_up, new_down)
    assert run_rename(output) == output


BATCH_UNCHANGED = [
    pytest.param(
        batch("meta_network", BATCH_UP.replace("sa.String(length=255)", "sa.Text()")),
        batch("meta_network", BATCH_DOWN),
        id="batch-type-change",
    ),
    pytest.param(
        batch("meta_network", "batch_op.drop_column('name')\n")
        + "op.add_column('meta_network', sa.Column('label', sa.String(length=255), nullable=True))\n",
        batch(
            "meta_network",
            "batch_op.add_column(sa.Column('name', sa.VARCHAR(length=255), autoincrement=False, nullable=True))\n",
        )
        + "op.drop_column('meta_network', 'label')\n",
        id="batch-drop-plain-add",
    ),
    pytest.param(
        "op.drop_column('meta_network', 'name')\n"
        + batch(
            "meta_network",
            "batch_op.add_column(sa.Column('label', sa.String(length=255), nullable=True))\n",
        ),
        "op.add_column('meta_network', sa.Column('name', sa.VARCHAR(length=255), autoincrement=False, nullable=True))\n"
        + batch("meta_network", "batch_op.drop_column('label')\n"),
        id="plain-drop-batch-add",
    ),
    pytest.param(
        batch("meta_network", BATCH_UP),
        RENAME_DOWN.replace(", schema='crmp'", ""),
        id="batch-upgrade-plain-downgrade",
    ),
    pytest.param(
        batch("meta_network", BATCH_UP, "'crmp'"),
        batch("meta_network", BATCH_DOWN, "'public'"),
        id="batch-mirror-in-other-schema",
    ),
    pytest.param(
        batch("meta_network", BATCH_UP),
        batch("other", BATCH_DOWN),
        id="batch-mirror-on-other-table",
    ),
    pytest.param(
        batch(
            "meta_network",
            "batch_op.add_column(sa.Column('label', sa.String(length=255), nullable=True))\n",
        )
        + batch("meta_network", "batch_op.drop_column('name')\n"),
        batch("meta_network", BATCH_DOWN),
        id="batch-drop-and-add-in-two-blocks",
    ),
    pytest.param(
        batch("meta_network", BATCH_RENAMED_UP),
        batch("meta_network", BATCH_RENAMED_DOWN),
        id="batch-already-renamed",
    ),
]


@pytest.mark.parametrize(("up", "down"), BATCH_UNCHANGED)
def test_batch_unchanged(up: str, down: str) -> None:
    source = migration(up, down)
    assert run_rename(source) == source


BATCH_COMMENTED = [
    pytest.param(
        BATCH_UP.replace(
            "batch_op.drop_column(",
            "op.execute('UPDATE meta_network SET label = name')\nbatch_op.drop_column(",
        ),
        BATCH_DOWN,
        "`op.execute('UPDATE meta_network SET label = name')` runs between drop and add",
        id="batch-op-execute-between",
    ),
    pytest.param(
        BATCH_UP.replace(
            "batch_op.drop_column(",
            "batch_op.execute('UPDATE meta_network SET label = name')\nbatch_op.drop_column(",
        ),
        BATCH_DOWN,
        "`batch_op.execute('UPDATE meta_network SET label = name')` runs between drop and add",
        id="batch-batch-execute-between",
    ),
    pytest.param(
        BATCH_UP,
        BATCH_DOWN.replace("batch_op.drop_column(", "op.bulk_insert(t, [])\nbatch_op.drop_column("),
        "`op.bulk_insert(t, [])` runs between drop and add",
        id="batch-data-op-between-in-downgrade",
    ),
    pytest.param(
        BATCH_UP + TITLE_UP,
        BATCH_DOWN + TITLE_DOWN,
        "more than one equal candidate",
        id="batch-two-candidates",
    ),
]


@pytest.mark.parametrize(("up", "down", "reason"), BATCH_COMMENTED)
def test_batch_ambiguity_gets_the_review_comment(up: str, down: str, reason: str) -> None:
    source = migration(batch("meta_network", up), batch("meta_network", down))
    output = run_rename(source)
    candidates = "label, title" if "title" in up else "label"
    comment = (
        f"        # alembic-rewrite: possible rename of meta_network.name; candidates: {candidates} "
        f"({reason})\n"
    )
    assert comment + "        batch_op.drop_column('name')\n" in output
    assert output.replace(comment, "") == source
    assert run_rename(output) == output


def test_batch_declared_rename_carries_type_change() -> None:
    up = batch("meta_network", BATCH_UP.replace("sa.String(length=255)", "sa.Text()"), "'crmp'")
    config = RewriteConfig(schemas=("crmp",), renames={"crmp.meta_network.name": "label"})
    output = run_rename(migration(up, batch("meta_network", BATCH_DOWN, "'crmp'")), config)
    assert output == migration(
        batch(
            "meta_network",
            "batch_op.alter_column('name', new_column_name='label', type_=sa.Text(), "
            "existing_type=sa.VARCHAR(length=255))\n",
            "'crmp'",
        ),
        batch(
            "meta_network",
            "batch_op.alter_column('label', new_column_name='name', "
            "type_=sa.VARCHAR(length=255), existing_type=sa.Text())\n",
            "'crmp'",
        ),
    )
    assert run_rename(output, config) == output


def test_batch_declared_rename_for_another_schema_is_not_applied() -> None:
    up = batch("meta_network", BATCH_UP.replace("sa.String(length=255)", "sa.Text()"))
    source = migration(up, batch("meta_network", BATCH_DOWN))
    config = RewriteConfig(schemas=("crmp",), renames={"crmp.meta_network.name": "label"})
    assert run_rename(source, config) == source
