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

from rewriters.config import RewriteConfig
from tests.rewriters.rewriters_testlib import run_rename

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
    output = run_rename(source, RewriteConfig())
    assert run_rename(output, RewriteConfig()) == output
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
