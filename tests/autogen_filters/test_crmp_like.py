"""The CRMP-like database has CRMP's divergences, read from crmp-facts section 9 itself.

The database is built as pycds-db builds it (upstream's head, the overlay, ``upgrade head``);
each test reads one table or list of section 9 and checks the catalog against it, so a fact
the overlay drops, or one that pycds's later revisions undo, fails here.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pycds import get_schema_name
from tests.helpers.schema_facts import facts_path

pytestmark = pytest.mark.db

SCHEMA = get_schema_name()
FACTS = facts_path().with_name("crmp-facts.md").read_text()


def section(number: str) -> str:
    """The text of ``### <number> ...`` up to the next heading."""
    match = re.search(rf"^### {re.escape(number)} .*?$(.*?)(?=^##)", FACTS, re.M | re.S)
    assert match, f"crmp-facts has no section {number}"
    return match.group(1)


def rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``text``, cells without backticks."""
    table = [line for line in text.splitlines() if line.startswith("|")][2:]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in table]


def catalog(url: str, sql: str, **params) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        result = [tuple(row) for row in conn.execute(sa.text(sql), params)]
    engine.dispose()
    return result


def test_sequence_names(crmp_like_db):
    facts = rows(section("9.1"))
    assert len(facts) == 7
    for column, _, real in facts:
        table, name = column.split(".")
        [(sequence,)] = catalog(
            crmp_like_db, "SELECT pg_get_serial_sequence(:t, :c)", t=f"{SCHEMA}.{table}", c=name
        )
        assert sequence == f"{SCHEMA}.{real}", column


def _real_type(text: str) -> str:
    text = text.replace("`", "").replace("varchar", "character varying")
    return re.sub(r" \(enum\)$", "", text)


def test_column_types_on_tables_and_their_history_copies(crmp_like_db):
    facts = [row for row in rows(section("9.2")) if "same" not in row[2]]
    assert len(facts) == 17
    types = dict(
        catalog(
            crmp_like_db,
            "SELECT c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod)"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relnamespace = CAST(:s AS regnamespace) AND a.attnum > 0",
            s=SCHEMA,
        )
    )
    for column, _, real in facts:
        table, name = column.split(".")
        for copy in (table, f"{table}_hx"):  # history tables are LIKE-copies (crmp-facts 4.1)
            key = f"{copy}.{name}"
            if copy == table or key in types:
                assert types[key] == _real_type(real), key


def test_foreign_key_names_and_actions(crmp_like_db):
    facts = rows(section("9.5"))
    assert len(facts) == 6
    for fk, _, real_name, behaviour in facts:
        table, column = fk.split(" → ")[0].split(".")
        [(name, on_update)] = catalog(
            crmp_like_db,
            "SELECT conname, confupdtype FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.conrelid = CAST(:t AS regclass) AND a.attname = :c",
            t=f"{SCHEMA}.{table}",
            c=column,
        )
        assert name == (f"{table}_{column}_fkey" if real_name == "default" else real_name)
        assert on_update == ("c" if behaviour == "ON UPDATE CASCADE" else "a"), fk


def _names(text: str) -> set[str]:
    return set(re.findall(r"`(\w+)`", text))


def test_extra_indexes_legacy_tables_and_views(crmp_like_db):
    indexes = {
        name.replace("ix_crmp_", f"ix_{SCHEMA}_")
        for name in _names(section("9.7").split("Extra production indexes")[1].split("\n-")[0])
    }
    tables = {row[0] for row in rows(section("9.8")) if re.fullmatch(r"\w+", row[0])}
    # The first sentence of 9.9's first item: views present in CRMP but not in PyCDS.
    views = _names(section("9.9").split("\n-")[1].split("`.")[0] + "`")
    assert len(indexes) == 2 and len(tables) == 4 and len(views) == 11
    present = {
        (kind, name)
        for kind, name in catalog(
            crmp_like_db,
            "SELECT relkind::text, relname FROM pg_class"
            " WHERE relnamespace = CAST(:s AS regnamespace)",
            s=SCHEMA,
        )
    }
    assert {("i", name) for name in indexes} <= present
    assert {("r", name) for name in tables} <= present
    assert {("v", name) for name in views} <= present


def test_newline_checks_time_place_unique_and_comp_index(crmp_like_db):
    checks = {
        name
        for (name,) in catalog(
            crmp_like_db,
            "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)"
            " AND contype = 'c'",
            t=f"{SCHEMA}.meta_vars",
        )
    }
    assert {name for name in checks if name.endswith("_no_newlines")} == {
        f"ck_{column}_no_newlines"
        for column in (
            "unit", "standard_name", "cell_method", "display_name", "short_name",
            "long_description",
        )
    }  # fmt: skip
    definitions = dict(
        catalog(
            crmp_like_db,
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class c"
            " WHERE c.relnamespace = CAST(:s AS regnamespace) AND c.relkind = 'i'",
            s=SCHEMA,
        )
    )
    assert "(history_id, vars_id, obs_time)" in definitions["time_place_variable_unique"]
    assert "(obs_raw_id, obs_time, vars_id, history_id)" in definitions["obs_raw_comp_idx"]
    assert "USING gist" in definitions["idx_meta_history_the_geom"]


def test_nullability_default_roles_and_grants(crmp_like_db):
    [(not_null, mod_time_default)] = catalog(
        crmp_like_db,
        "SELECT (SELECT attnotnull FROM pg_attribute WHERE attrelid = CAST(:t AS regclass)"
        "        AND attname = 'vars_id'),"
        " (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a"
        "  ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
        "  WHERE d.adrelid = CAST(:t AS regclass) AND a.attname = 'mod_time')",
        t=f"{SCHEMA}.obs_raw",
    )
    assert not_null and mod_time_default == "now()"  # crmp-facts 9.4
    [(chained, crmprtd_inserts)] = catalog(
        crmp_like_db,
        "SELECT pg_has_role('steward', 'viewer', 'MEMBER'),"
        " has_table_privilege('crmprtd', CAST(:t AS regclass), 'INSERT')",
        t=f"{SCHEMA}.obs_raw",
    )
    assert chained and crmprtd_inserts  # crmp-facts 9.11
