"""The hazard catalogue enforces itself: every rule's examples raise it; acknowledgements are
validated like divergence rules; type changes are classified as PostgreSQL behaves."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.operations import ops
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_view import PGView
from alembic_utils.reversible_op import CreateOp, DropOp, ReplaceOp

from autogen_filters.acknowledgements import Acknowledgement
from autogen_filters.catalog_facts import CatalogFacts
from autogen_filters.hazard_rules import CATEGORIES, HAZARD_RULES
from autogen_filters.hazards import (
    HazardChecker,
    HazardReport,
    HazardsError,
    acknowledge,
    classify_type_change,
    find_hazards,
)
from autogen_filters.registry import RegistryError, parse_registry

SCHEMA = "s"
NAMESPACE = {
    "ops": ops,
    "sa": sa,
    "CreateOp": CreateOp,
    "DropOp": DropOp,
    "ReplaceOp": ReplaceOp,
    "PGView": PGView,
    "PGFunction": PGFunction,
    "PGMaterializedView": PGMaterializedView,
}
# A reference database where every example's table is large and exists, and the matview
# m_mv uses the function f.
FACTS = CatalogFacts(
    rows={(SCHEMA, t): 1e9 for t in ("obs_raw", "meta_contact", "meta_sensor", "v", "m_mv")},
    matviews_by_function={(SCHEMA, "f"): {(SCHEMA, "m_mv")}},
    volatile_functions=frozenset({"random", "nextval", "clock_timestamp"}),
)


def _example_op(example: str):
    op = eval(example, dict(NAMESPACE))  # the catalogue's own data, not user input
    for attribute in ("schema",):
        if hasattr(op, attribute) and getattr(op, attribute) is None:
            setattr(op, attribute, SCHEMA)
    return op


@pytest.mark.parametrize(
    ("rule", "example"),
    [(rule, example) for rule in HAZARD_RULES for example in rule.examples],
    ids=lambda value: getattr(value, "id", "example"),
)
def test_every_example_raises_its_hazard(rule, example):
    found = find_hazards([_example_op(example)], FACTS, schema=SCHEMA)
    assert rule.id in {hazard.rule.id for hazard in found}, found


def test_rules_are_complete_and_ids_stable():
    ids = [rule.id for rule in HAZARD_RULES]
    assert len(ids) == len(set(ids))
    for rule in HAZARD_RULES:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", rule.id)
        assert rule.category in CATEGORIES
        assert rule.explanation and rule.alternative and rule.examples and rule.peers
    assert {rule.category for rule in HAZARD_RULES} == set(CATEGORIES)


def test_lock_warnings_scale_with_the_row_estimate():
    index = ops.CreateIndexOp("ix_obs_raw_datum", "obs_raw", ["datum"], schema=SCHEMA)
    small = CatalogFacts(rows={(SCHEMA, "obs_raw"): 500.0})
    never_analysed = CatalogFacts(rows={(SCHEMA, "obs_raw"): None})
    assert find_hazards([index], small, schema=SCHEMA) == []
    assert find_hazards([index], never_analysed, schema=SCHEMA) == []
    [big] = find_hazards([index], FACTS, schema=SCHEMA)
    assert big.rule.id == "index-not-concurrent" and "~1,000,000,000 rows" in big.detail
    concurrent = ops.CreateIndexOp(
        "ix_obs_raw_datum", "obs_raw", ["datum"], schema=SCHEMA, postgresql_concurrently=True
    )
    assert find_hazards([concurrent], FACTS, schema=SCHEMA) == []


def test_new_tables_have_no_existing_rows_to_fail_on():
    table = ops.CreateTableOp("site_note", [sa.Column("body", sa.Text, nullable=False)])
    index = ops.CreateIndexOp("ix_site_note_body", "site_note", ["body"], unique=True)
    assert find_hazards([table, index], FACTS, schema=SCHEMA) == []


def test_a_backfill_in_the_draft_clears_not_null():
    alter = ops.AlterColumnOp(
        "meta_contact", "name", existing_nullable=True, modify_nullable=False, schema=SCHEMA
    )
    backfill = ops.ExecuteSQLOp("UPDATE s.meta_contact SET name = '' WHERE name IS NULL")
    assert [h.rule.id for h in find_hazards([alter], FACTS, schema=SCHEMA)] == [
        "not-null-without-backfill"
    ]
    assert find_hazards([backfill, alter], FACTS, schema=SCHEMA) == []


def test_a_stale_matview_is_not_flagged_when_the_draft_recreates_it():
    function = ReplaceOp(PGFunction(SCHEMA, "f()", "RETURNS int LANGUAGE sql AS $$ SELECT 1 $$"))
    matview = ReplaceOp(PGMaterializedView(SCHEMA, "m_mv", "SELECT s.f()", with_data=True))
    ids = [h.rule.id for h in find_hazards([function, matview], FACTS, schema=SCHEMA)]
    assert "stale-matview" not in ids and "matview-refresh" in ids


@pytest.mark.parametrize(
    ("old", "new", "rewrites", "narrows"),
    [
        ("INTEGER", "BIGINT", True, False),
        ("BIGINT", "INTEGER", True, True),
        ("VARCHAR(64)", "VARCHAR(255)", False, False),
        ("VARCHAR", "TEXT", False, False),
        ("TEXT", "VARCHAR(32)", True, True),
        ("DOUBLE PRECISION", "REAL", True, True),
        ("FLOAT", "DOUBLE PRECISION", False, False),
        ("DOUBLE PRECISION", "NUMERIC", True, False),
        ("NUMERIC", "INTEGER", True, True),
        ("VARCHAR", "INTEGER", True, True),
        ("INTEGER", "TEXT", True, False),
        # Array spellings are not parsed (this raised AttributeError): the conservative answer.
        ("VARCHAR(32)[]", "TEXT[]", True, True),
    ],
)
def test_type_changes_are_classified(old, new, rewrites, narrows):
    assert classify_type_change(old, new) == (rewrites, narrows)


def test_orm_info_and_registry_acknowledge_with_a_reason():
    metadata = sa.MetaData(schema=SCHEMA)
    sa.Table(
        "obs_raw",
        metadata,
        sa.Column("datum", sa.Numeric, info={"acknowledge_hazards": {"column-type-change": "ok"}}),
    )
    sa.Table("meta_contact", metadata, info={"acknowledge_hazards": {"drop-column": "unused"}})
    alter = ops.AlterColumnOp(
        "obs_raw", "datum", existing_type=sa.Float(), modify_type=sa.Numeric(), schema=SCHEMA
    )
    drop = ops.DropColumnOp("meta_contact", "phone", schema=SCHEMA)
    index = ops.CreateIndexOp("ix_obs_raw_datum", "obs_raw", ["datum"], schema=SCHEMA)
    entry = Acknowledgement(
        hazard="index-not-concurrent", table="obs_raw", reason="built in a quiet hour"
    )
    found = find_hazards([alter, drop, index], FACTS, schema=SCHEMA)
    done = acknowledge(found, schema=SCHEMA, metadata=metadata, acknowledgements=[entry])
    reasons = {h.rule.id: (h.acknowledged, h.by) for h in done}
    assert reasons == {
        "column-type-change": ("ok", "ORM info"),
        "drop-column": ("unused", "ORM info"),
        "index-not-concurrent": ("built in a quiet hour", "<memory>"),
    }
    report = HazardReport(tuple(done))
    assert report.open == []
    assert "acknowledged (ORM info): unused" in report.comment_block()
    HazardChecker(schema=SCHEMA, mode="error").enforce(report)  # nothing open: no error


def test_error_mode_fails_in_one_line():
    found = find_hazards([ops.DropColumnOp("t", "c", schema=SCHEMA)], FACTS, schema=SCHEMA)
    with pytest.raises(HazardsError) as raised:
        HazardChecker(schema=SCHEMA, mode="error").enforce(HazardReport(tuple(found)))
    message = str(raised.value)
    assert "\n" not in message and "hazards=error" in message and "drop-column s.t.c" in message


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="hazards='loud'"):
        HazardChecker(schema=SCHEMA, mode="loud")


ACK = """
[[acknowledge]]
hazard = "{hazard}"
table = "obs_raw"
reason = "{reason}"
"""


def test_registry_reads_acknowledgements():
    registry = parse_registry(ACK.format(hazard="drop-table", reason="archived"), source="r.toml")
    [entry] = registry.acknowledgements
    assert entry.covers("drop-table", "crmp", "obs_raw", None, "crmp")
    assert not entry.covers("drop-table", "crmp", "obs_raw_hx", None, "crmp")
    assert not entry.covers("drop-column", "crmp", "obs_raw", None, "crmp")


@pytest.mark.parametrize(
    ("hazard", "reason", "message"),
    [
        ("no-such-hazard", "x", "unknown hazard 'no-such-hazard'"),
        ("drop-table", "TODO: later", "placeholder"),
        ("drop-table", " ", "non-empty string"),
    ],
)
def test_bad_acknowledgements_are_one_line_errors(hazard, reason, message):
    with pytest.raises(RegistryError) as raised:
        parse_registry(ACK.format(hazard=hazard, reason=reason), source="r.toml")
    assert message in str(raised.value) and str(raised.value).startswith("r.toml: ")
    assert "\n" not in str(raised.value)
