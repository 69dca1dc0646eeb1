"""The kind registry: every alembic-utils entity class has one module in ``kinds/``, found
without a list to edit, and the divergence registry names each entity through its kind."""

from __future__ import annotations

import pytest
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView

from autogen_filters.replaceables import KINDS, kind_of
from autogen_filters.subjects import entity_subject


def test_every_kind_is_found_in_creation_rank_order():
    assert [k.entity_class for k in KINDS] == [
        PGExtension,
        PGFunction,
        PGView,
        PGMaterializedView,
        PGTrigger,
        PGPolicy,
        PGGrantTable,
    ]


def test_a_subclass_maps_to_its_kind_and_an_unknown_class_is_refused():
    class MyView(PGView):
        pass

    assert kind_of(MyView("s", "v", "select 1")).entity_class is PGView
    with pytest.raises(TypeError, match="not a managed replaceable entity kind: int"):
        kind_of(1)


@pytest.mark.parametrize(
    ("entity", "subject", "described"),
    [
        (PGExtension("s", "citext"), ("extension", "s", None, "citext"), "extension s.citext"),
        (
            PGFunction("s", "f(x int)", "returns int language sql as $$ select x $$"),
            ("function", "s", None, "f"),
            "function s.f",
        ),
        (
            PGPolicy("s", "p", "for select to public using (true)", on_entity="s.t"),
            ("policy", "s", "t", "p"),
            "policy s.t.p",
        ),
        (
            PGGrantTable(schema="s", table="t", role="viewer", grant="SELECT", columns=["a"]),
            ("grant_table", "s", "t", "viewer"),
            "grant SELECT on s.t to viewer",
        ),
        (
            PGTrigger("s", "tr", "AFTER INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION s.f()", "s.t"),
            ("trigger", "s", "t", "tr"),
            "trigger s.t.tr",
        ),
    ],
)
def test_subject_and_description(entity, subject, described):
    found = entity_subject(entity, "db_only")
    assert (found.kind, found.schema, found.table, found.name) == subject
    assert kind_of(entity).describe(entity) == described
