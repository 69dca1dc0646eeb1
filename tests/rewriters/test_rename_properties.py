"""Property tests for the drop+add -> rename rewriter on generated migrations.

Whatever the mix of adds, drops, type spellings and data operations: the output parses, a
second run changes nothing, every output statement is an input statement or a rename, every
rename is backed by a drop+add pair with its mirror in downgrade(), and when nothing was renamed
the code is unchanged (review comments aside).
"""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rewriters.rewriters_testlib import PYCDS_CONFIG, run_rename

# (metadata spelling, reflected spelling) of the same type, and one different type.
TYPES = [
    ("sa.Integer()", "sa.INTEGER()"),
    ("sa.String(length=20)", "sa.VARCHAR(length=20)"),
    ("sa.Float()", "postgresql.DOUBLE_PRECISION(precision=53)"),
    ("sa.Text()", "sa.TEXT()"),
]
COLUMNS = ["a", "b", "c", "d"]


@st.composite
def migrations(draw: st.DrawFn) -> str:
    up: list[str] = []
    down: list[str] = []
    for name in draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=3)):
        generic, _ = draw(st.sampled_from(TYPES))
        table = draw(st.sampled_from(["t", "u"]))
        up.append(f"op.add_column('{table}', sa.Column('new_{name}', {generic}, nullable=True))")
        down.append(f"op.drop_column('{table}', 'new_{name}')")
    for name in draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=3)):
        _, reflected = draw(st.sampled_from(TYPES))
        table = draw(st.sampled_from(["t", "u"]))
        nullable = draw(st.sampled_from(["True", "False"]))
        if draw(st.booleans()):
            up.append("op.execute('UPDATE t SET x = 1')")
        up.append(f"op.drop_column('{table}', 'old_{name}')")
        down.insert(
            0,
            f"op.add_column('{table}', sa.Column('old_{name}', {reflected}, "
            f"autoincrement=False, nullable={nullable}))",
        )
    up = draw(st.permutations(up))
    if not up:
        up = ["pass"]
    if not down:
        down = ["pass"]
    body = lambda lines: "".join(f"    {line}\n" for line in lines)  # noqa: E731
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        + body(up)
        + "\n\ndef downgrade():\n"
        + body(down)
    )


def _statements(source: str, function: str) -> list[str]:
    module = ast.parse(source)
    (node,) = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == function]
    return [ast.unparse(statement) for statement in node.body]


def _renames(statements: list[str]) -> list[tuple[str, str, str]]:
    found = []
    for statement in statements:
        call = getattr(ast.parse(statement).body[0], "value", None)
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "op.alter_column":
            keywords = {
                k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg != "existing_type"
            }
            table, old = (ast.literal_eval(a) for a in call.args)
            found.append((table, old, keywords["new_column_name"]))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(migrations())
def test_renames_are_backed_by_pairs_and_everything_else_is_kept(source: str) -> None:
    output = run_rename(source, PYCDS_CONFIG)
    assert run_rename(output, PYCDS_CONFIG) == output
    up_in, down_in = _statements(source, "upgrade"), _statements(source, "downgrade")
    up_out, down_out = _statements(output, "upgrade"), _statements(output, "downgrade")
    renames_up, renames_down = _renames(up_out), _renames(down_out)
    assert sorted((t, new, old) for t, old, new in renames_up) == sorted(renames_down)
    for table, old, new in renames_up:
        assert f"op.drop_column('{table}', '{old}')" in up_in
        assert any(s.startswith(f"op.add_column('{table}', sa.Column('{new}'") for s in up_in)
        assert f"op.drop_column('{table}', '{new}')" in down_in
    for statement in up_out + down_out:
        assert statement in up_in + down_in or "new_column_name=" in statement
    if not renames_up:
        assert (up_out, down_out) == (up_in, down_in)
    # Dropped statements are exactly the renamed pairs.
    assert len(up_in) - len(up_out) == len(renames_up)
    assert len(down_in) - len(down_out) == len(renames_down)


# -- batch blocks --------------------------------------------------------------------------------


def _in_scope(line: str, batched: bool) -> tuple[str | None, str]:
    """``op.x('t', ...)`` as is (scope None), or as ``batch_op.x(...)`` in the block of ``t``."""
    if not batched or not line.startswith("op.") or line.startswith("op.execute"):
        return None, line
    table = line.split("'")[1]
    return table, line.replace(f"('{table}', ", "(", 1).replace("op.", "batch_op.", 1)


def _layout(items: list[tuple[str | None, str]]) -> list[str]:
    """Source lines: batched statements of a table go into one block where the first one was."""
    lines: list[str] = []
    blocks: dict[str, list[str]] = {}
    for scope, line in items:
        if scope is None:
            lines.append(line)
        elif scope in blocks:
            blocks[scope].append(line)
        else:
            blocks[scope] = [line]
            lines.append(scope)  # placeholder, replaced below
    out: list[str] = []
    for line in lines:
        if line in blocks:
            out.append(f"with op.batch_alter_table('{line}', schema=None) as batch_op:")
            out.extend(f"    {inner}" for inner in blocks[line])
        else:
            out.append(line)
    return out or ["pass"]


@st.composite
def batch_migrations(draw: st.DrawFn) -> str:
    """Like :func:`migrations`, each table's ops in batch blocks or not, some ops the other way.

    Mostly one mode per table (so that renames happen), with the occasional op in the other
    mode (so that drop and add in different scopes, which must never pair, happen too).
    """
    up: list[tuple[str | None, str]] = []
    down: list[tuple[str | None, str]] = []
    tables = ["t", "u"]
    modes = {table: draw(st.booleans()) for table in tables}

    def batched(table: str) -> bool:
        return modes[table] != (draw(st.integers(0, 4)) == 0)

    for name in draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=3)):
        generic, _ = draw(st.sampled_from(TYPES))
        table = draw(st.sampled_from(tables))
        up.append(
            _in_scope(
                f"op.add_column('{table}', sa.Column('new_{name}', {generic}, nullable=True))",
                batched(table),
            )
        )
        down.append(_in_scope(f"op.drop_column('{table}', 'new_{name}')", batched(table)))
    for name in draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=3)):
        _, reflected = draw(st.sampled_from(TYPES))
        table = draw(st.sampled_from(tables))
        nullable = draw(st.sampled_from(["True", "False"]))
        in_batch = batched(table)
        if draw(st.booleans()):
            up.append((table if in_batch else None, "op.execute('UPDATE t SET x = 1')"))
        up.append(_in_scope(f"op.drop_column('{table}', 'old_{name}')", in_batch))
        down.insert(
            0,
            _in_scope(
                f"op.add_column('{table}', sa.Column('old_{name}', {reflected}, "
                f"autoincrement=False, nullable={nullable}))",
                batched(table),
            ),
        )
    up = draw(st.permutations(up))
    body = lambda lines: "".join(f"    {line}\n" for line in lines)  # noqa: E731
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        + body(_layout(up))
        + "\n\ndef downgrade():\n"
        + body(_layout(down))
    )


def _scoped_statements(source: str, function: str) -> list[tuple[str | None, str]]:
    """Statements of a function as (batch table or None, source), batch blocks flattened."""
    module = ast.parse(source)
    (node,) = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == function]
    found: list[tuple[str | None, str]] = []
    for statement in node.body:
        if isinstance(statement, ast.With):
            table = ast.literal_eval(statement.items[0].context_expr.args[0])
            found.extend((table, ast.unparse(inner)) for inner in statement.body)
        else:
            found.append((None, ast.unparse(statement)))
    return found


def _scoped_renames(statements: list[tuple[str | None, str]]) -> list[tuple]:
    found = []
    for scope, statement in statements:
        call = getattr(ast.parse(statement).body[0], "value", None)
        if isinstance(call, ast.Call) and ast.unparse(call.func).endswith(".alter_column"):
            keywords = {
                k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg != "existing_type"
            }
            args = [ast.literal_eval(a) for a in call.args]
            table, old = args if scope is None else (scope, args[0])
            found.append((scope is not None, table, old, keywords["new_column_name"]))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_migrations())
def test_batch_renames_stay_within_one_block_and_its_mirror(source: str) -> None:
    output = run_rename(source, PYCDS_CONFIG)
    assert run_rename(output, PYCDS_CONFIG) == output
    up_in, down_in = _scoped_statements(source, "upgrade"), _scoped_statements(source, "downgrade")
    up_out = _scoped_statements(output, "upgrade")
    down_out = _scoped_statements(output, "downgrade")
    renames_up, renames_down = _scoped_renames(up_out), _scoped_renames(down_out)
    assert sorted((b, t, new, old) for b, t, old, new in renames_up) == sorted(renames_down)
    for batched, table, old, new in renames_up:
        if batched:  # drop, add and the downgrade's drop all in the blocks of that table
            assert (table, f"batch_op.drop_column('{old}')") in up_in
            assert any(
                s == table and st_.startswith(f"batch_op.add_column(sa.Column('{new}'")
                for s, st_ in up_in
            )
            assert (table, f"batch_op.drop_column('{new}')") in down_in
        else:
            assert (None, f"op.drop_column('{table}', '{old}')") in up_in
            assert any(
                s is None and st_.startswith(f"op.add_column('{table}', sa.Column('{new}'")
                for s, st_ in up_in
            )
            assert (None, f"op.drop_column('{table}', '{new}')") in down_in
    for scoped in up_out + down_out:
        assert scoped in up_in + down_in or "new_column_name=" in scoped[1]
    if not renames_up:
        assert (up_out, down_out) == (up_in, down_in)
    assert len(up_in) - len(up_out) == len(renames_up)
    assert len(down_in) - len(down_out) == len(renames_down)
