"""pycds, the first user: at head, our comparator finds nothing to do for the whole schema,
with the matview-index and GRANT hook pycds passes (``pycds.autogenerate.extra_sql``), the
way env.py configures autogenerate."""

from __future__ import annotations

import geoalchemy2  # noqa: F401  (reflects geometry columns without warnings)
import sqlalchemy as sa
from alembic.operations.ops import DowngradeOps, UpgradeOps
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.reversible_op import ReversibleOp

from autogen_filters.replaceables import Registration, read_live
from pycds import get_schema_name
from pycds.autogenerate import KINDS, extra_sql
from pycds.config import get_standard_table_privileges
from pycds.replaceables import declared_entities, indexes_of

from .helpers import apply, autogenerate


def test_nothing_to_do_at_head(head_engine):
    schema = get_schema_name()
    entities = declared_entities(schema)
    assert len(entities) > 40

    def include_name(name, type_, parent_names):
        if type_ == "schema":
            return name == schema
        return parent_names.get("schema_name") in (schema, None)

    registration = Registration(
        entities=entities, schemas=(schema,), extra_sql=extra_sql, kinds=KINDS
    )
    with head_engine.connect() as conn, conn.begin():
        autogenerate(
            conn,
            entities,
            [schema],
            registration=registration,
            include_schemas=True,
            include_name=include_name,
        )
        live = read_live(conn, {schema} | {e.schema for e in entities}, KINDS)
        conn.rollback()
    assert len(live) >= len(entities)  # everything declared was there to compare with
    plan = registration.last_plan
    assert [d.action + " " + d.entity.identity for d in plan.decisions] == []


def test_replacing_matviews_under_a_view_roundtrips_with_indexes_and_grants(head_engine):
    """Replace the matviews ``crmp_network_geoserver`` reads (same columns, new text): the view
    is displaced, indexes and grants come back, upgrade -> downgrade -> upgrade at head.

    (Matviews whose live text does not round-trip through PostgreSQL, alembic-utils #85, are
    left alone: their downgrade, built from the live text, would differ again.)"""
    schema = get_schema_name()
    old = declared_entities(schema)
    geoserver = next(e for e in old if e.signature == "crmp_network_geoserver")
    matviews = [
        e.signature
        for e in old
        if isinstance(e, PGMaterializedView) and f".{e.signature}" in geoserver.definition
    ]
    assert len(matviews) == 2
    new = [
        PGMaterializedView(
            e.schema, e.signature, f"select * from ({e.definition}) as q where true", e.with_data
        )
        if e.signature in matviews
        else e
        for e in old
    ]
    indexes = {i.name for m in matviews for i in indexes_of(m, schema)}
    assert indexes

    def include_name(name, type_, parent_names):
        if type_ == "schema":
            return name == schema
        return parent_names.get("schema_name") in (schema, None)

    options = {
        "include_schemas": True,
        "include_name": include_name,
        "extra_sql": extra_sql,
        "kinds": KINDS,
    }

    with head_engine.connect() as conn, conn.begin():

        def ours(ops):
            # No ORM metadata here: leave out the table ops Alembic proposes for that reason.
            return [op for op in ops.ops if isinstance(op, ReversibleOp)]

        def left_to_do(entities):
            script = autogenerate(conn, entities, [schema], **options)
            return [op.to_diff_tuple()[:2] for op in ours(script.upgrade_ops)]

        def indexes_and_grants():
            found = set(
                conn.scalars(
                    sa.text("select indexname from pg_indexes where schemaname = :s"),
                    {"s": schema},
                )
            )
            grants = {
                (role, m): conn.scalar(
                    sa.text("select has_table_privilege(:r, :t, 'SELECT')"),
                    {"r": role, "t": f"{schema}.{m}"},
                )
                for role, privileges in get_standard_table_privileges()
                if "SELECT" in privileges
                for m in matviews
            }
            return found & indexes, all(grants.values())

        script = autogenerate(conn, new, [schema], **options)
        upgrade = UpgradeOps(ours(script.upgrade_ops))
        downgrade = DowngradeOps(ours(script.downgrade_ops))
        kinds = {type(op).__name__ for op in upgrade.ops}
        assert {"ReplaceEntityOp", "DropEntityOp", "CreateEntityOp"} <= kinds  # view displaced
        apply(conn, upgrade)
        assert left_to_do(new) == []
        assert indexes_and_grants() == (indexes, True)
        apply(conn, downgrade)
        assert left_to_do(old) == []
        assert indexes_and_grants() == (indexes, True)
        apply(conn, upgrade)
        assert left_to_do(new) == []
        assert indexes_and_grants() == (indexes, True)
        conn.rollback()
