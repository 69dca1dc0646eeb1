"""Unit tests for the shared pairing rules (rewriters.rename_rules)."""

from __future__ import annotations

import pytest

from rewriters.rename_rules import (
    ColumnSpec,
    declared_renames,
    normalise_server_default,
    normalise_type,
    pair_unique,
    same_definition,
)


@pytest.mark.parametrize(
    ("generic", "reflected"),
    [
        pytest.param(("Integer", (), {}), ("INTEGER", (), {}), id="integer"),
        pytest.param(("String", (10,), {}), ("VARCHAR", (), {"length": 10}), id="string-length"),
        pytest.param(("Float", (), {}), ("DOUBLE_PRECISION", (), {"precision": 53}), id="float"),
        pytest.param(("Float", (), {"precision": 20}), ("REAL", (), {}), id="float-real"),
        pytest.param(
            ("DateTime", (), {"timezone": False}), ("TIMESTAMP", (), {}), id="timestamp-default-tz"
        ),
        pytest.param(
            ("Numeric", (10, 2), {"asdecimal": True}),
            ("NUMERIC", (), {"precision": 10, "scale": 2}),
            id="numeric",
        ),
        pytest.param(("Text", (), {}), ("TEXT", (), {}), id="text"),
        pytest.param(("Boolean", (), {}), ("BOOLEAN", (), {}), id="boolean"),
    ],
)
def test_equivalent_types(generic: tuple, reflected: tuple) -> None:
    assert normalise_type(*generic) == normalise_type(*reflected)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param(("String", (10,), {}), ("VARCHAR", (), {"length": 20}), id="length"),
        pytest.param(("String", (), {}), ("VARCHAR", (), {"length": 20}), id="unbounded-vs-20"),
        pytest.param(("Integer", (), {}), ("BIGINT", (), {}), id="integer-bigint"),
        pytest.param(("Float", (), {"precision": 20}), ("Float", (), {}), id="real-double"),
        pytest.param(("DateTime", (), {"timezone": True}), ("TIMESTAMP", (), {}), id="timestamptz"),
    ],
)
def test_different_types(left: tuple, right: tuple) -> None:
    assert normalise_type(*left) != normalise_type(*right)


@pytest.mark.parametrize(
    ("metadata", "reflected", "autoincrement"),
    [
        pytest.param("'x'", "'x'::character varying", False, id="cast"),
        pytest.param("true", "true", False, id="same"),
        pytest.param("now()", "(now())", False, id="parentheses"),
        pytest.param(None, "nextval('t_id_seq'::regclass)", True, id="serial"),
    ],
)
def test_equivalent_server_defaults(
    metadata: str | None, reflected: str, autoincrement: bool
) -> None:
    assert normalise_server_default(metadata) == normalise_server_default(reflected, autoincrement)


def test_nextval_without_autoincrement_is_a_real_default() -> None:
    assert normalise_server_default("nextval('s'::regclass)") == "nextval('s'::regclass)"


def _spec(name: str, type_name: str = "Integer", nullable: bool = True) -> ColumnSpec:
    return ColumnSpec(name, normalise_type(type_name), nullable)


def test_same_definition_ignores_name_only() -> None:
    assert same_definition(_spec("a"), _spec("b"))
    assert not same_definition(_spec("a"), _spec("b", nullable=False))
    assert not same_definition(_spec("a", "Integer"), _spec("b", "Text"))
    assert not same_definition(ColumnSpec("a", None), ColumnSpec("b", None))


def test_unique_pair_is_renamed() -> None:
    pairing = pair_unique(["old"], ["new"], lambda _o, _n: True)
    assert pairing.pairs == [("old", "new")]
    assert pairing.ambiguities == []


def test_two_equal_candidates_are_ambiguous() -> None:
    pairing = pair_unique(["old"], ["new1", "new2"], lambda _o, _n: True)
    assert pairing.pairs == []
    assert [(a.dropped, a.candidates) for a in pairing.ambiguities] == [("old", ("new1", "new2"))]


def test_unique_from_one_side_only_is_ambiguous() -> None:
    # new is old1's only candidate, but old2 also matches new: not unique in both directions.
    pairing = pair_unique(["old1", "old2"], ["new"], lambda _o, _n: True)
    assert pairing.pairs == []
    assert {a.dropped for a in pairing.ambiguities} == {"old1", "old2"}


def test_blocked_pair_is_reported() -> None:
    pairing = pair_unique(["old"], ["new"], lambda _o, _n: True, lambda _o, _n: "op.execute")
    assert pairing.pairs == []
    assert pairing.ambiguities[0].reason == "op.execute"


def test_no_equal_candidate_is_not_reported() -> None:
    pairing = pair_unique(["old"], ["new"], lambda _o, _n: False)
    assert (pairing.pairs, pairing.ambiguities) == ([], [])


def test_declared_rename_wins_over_inference() -> None:
    pairing = pair_unique(
        ["old", "other"], ["new1", "new2"], lambda _o, _n: True, declared={"old": "new2"}
    )
    assert pairing.pairs == [("old", "new2"), ("other", "new1")]


def test_declared_renames_lookup() -> None:
    entries = {"t.a": "b", "crmp.t.c": "d", "public.t.e": "f", "old_t": "table:new_t"}
    assert declared_renames(entries, "t", ("crmp",)) == {"a": "b", "c": "d"}
    assert declared_renames(entries, "t", ()) == {"a": "b"}
    assert declared_renames(entries, None, ("crmp",)) == {"old_t": "new_t"}


def test_one_home_for_the_schema_only_ops() -> None:
    """Both rename implementations read the one list of rewriters.rename_rules."""
    from alembic.operations import ops

    import rewriters.drop_add_to_rename as cst_side
    from autogen_filters import renames as op_tree_side
    from rewriters import rename_rules

    assert cst_side.SCHEMA_ONLY_OPS is rename_rules.SCHEMA_ONLY_OPS
    assert set(op_tree_side.OP_CLASSES) == rename_rules.SCHEMA_ONLY_OPS
    assert set(op_tree_side.SCHEMA_ONLY_OPS) == {
        *op_tree_side.OP_CLASSES.values(),
        ops.ModifyTableOps,
    }


def test_rules_need_the_standard_library_only() -> None:
    import subprocess
    import sys

    code = (
        "import sys, rewriters.rename_rules; "
        "print(sorted(m for m in ('libcst', 'sqlalchemy', 'alembic', 'pycds') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
