"""Property tests on generated migration sources.

For every generated module the rewrite output must parse, a second run must change nothing,
and the output must be the input "outside the intended nodes": substituting ``'crmp'`` back
for ``schema_name``, evaluating the new f-strings with ``schema_name = 'crmp'`` and removing the
added import and assignment gives back exactly the input's AST.
"""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewriters.pipeline import rewrite_source
from tests.rewriters.rewriters_testlib import PYCDS_CONFIG

SCHEMAS = st.sampled_from(["'crmp'", '"crmp"', "'public'", "'other'", "schema_name", "None"])
IDENT = st.sampled_from(["meta_station", "obs_raw", "t", "crmp_x", "x"])
SQL_PIECES = st.sampled_from(
    [
        "SELECT * FROM crmp.meta_station",
        " JOIN crmp.obs_raw USING (x)",
        " WHERE a = 'crmp.literal'",
        " -- crmp.comment\n",
        " /* note */",
        ' FROM "crmp".t',
        " {braces}",
        " public.crmp_x",
        "$$ SELECT 1 FROM crmp.t $$ LANGUAGE sql",
        " x::text",
        "\\n",
        "'quoted'",
    ]
)
SQL = st.lists(
    st.one_of(SQL_PIECES, st.text(alphabet="ab {}'\"\\.\n$", max_size=6)), max_size=5
).map("".join)


@st.composite
def statements(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    table = draw(IDENT)
    schema = draw(SCHEMAS)
    if kind == 0:
        return f"op.add_column({table!r}, sa.Column('c', sa.Integer()), schema={schema})"
    if kind == 1:
        return f"op.drop_table({table!r}, schema={schema})"
    if kind == 2:
        target = draw(st.sampled_from(["crmp", "public", "crmpx"])) + f".{table}.id"
        return f"sa.Column('c', sa.Integer(), sa.ForeignKey({target!r}))"
    if kind == 3:
        return f"op.execute({draw(SQL)!r})"
    if kind == 4:
        return f"v = PGView(schema={schema}, signature='v', definition={draw(SQL)!r})"
    if kind == 5:
        return f"'''Doc mentioning crmp.{table}.'''"
    return f"op.create_index('i', {table!r}, ['c'], schema={schema})  # crmp"


MODULES = st.lists(statements(), min_size=1, max_size=8).map(
    lambda body: (
        "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
        + "".join(f"    {line}\n" for line in body)
    )
)


class _Undo(ast.NodeTransformer):
    """Map the schema rewrite back onto the input (schema_name = 'crmp')."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == "schema_name" and isinstance(node.ctx, ast.Load):
            return ast.copy_location(ast.Constant("crmp"), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        # Only f-strings the rewriter produced (or the generator wrote): no untrusted input.
        value = eval(compile(ast.Expression(node), "<f-string>", "eval"), {"schema_name": "crmp"})
        return ast.copy_location(ast.Constant(value), node)


def _without_added_lines(tree: ast.Module) -> ast.Module:
    tree.body = [
        statement
        for statement in tree.body
        if not (
            (isinstance(statement, ast.ImportFrom) and statement.module == "pycds")
            or (
                isinstance(statement, ast.Assign)
                and ast.unparse(statement) == "schema_name = get_schema_name()"
            )
        )
    ]
    return tree


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MODULES)
def test_rewrite_parses_is_idempotent_and_preserves_everything_else(source: str) -> None:
    config = PYCDS_CONFIG
    result = rewrite_source(source, config)
    output_tree = ast.parse(result.source)  # output parses
    assert rewrite_source(result.source, config).source == result.source  # idempotent
    original = ast.dump(_Undo().visit(ast.parse(source)))
    restored = ast.dump(_Undo().visit(_without_added_lines(output_tree)))
    assert restored == original


@settings(max_examples=100, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6))
def test_other_schemas_are_never_touched(body: list[str]) -> None:
    source = "from alembic import op\n\n" + "\n".join(body).replace("crmp", "zzzz") + "\n"
    assert rewrite_source(source, PYCDS_CONFIG).source == source
