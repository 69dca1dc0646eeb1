"""Behaviour of upstream's client modules: ``pycds.util``, ``pycds.context``,
``pycds.alembic.info``, ``pycds.database``, ``pycds.manage_views`` and
``pycds.climate_baseline_helpers`` (crmp-facts sections 2, 5 and 6)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from pycds import History, Station, Variable, get_schema_name
from pycds.alembic.info import get_current_head
from pycds.alembic_config import VERSIONS
from pycds.climate_baseline_helpers import (
    field_widths,
    get_or_create_pcic_climate_baseline_variables,
    load_pcic_climate_baseline_values,
    verify_baseline_network_and_variables,
    verify_baseline_values,
)
from pycds.context import get_standard_table_privileges, parse_standard_table_privileges, split_on
from pycds.database import (
    check_migration_version,
    db_supports_matviews,
    get_postgresql_version,
    get_schema_item_names,
    matview_exists,
)
from pycds.manage_views import manage_views
from pycds.orm.tables import get_global_table_version
from pycds.util import compact_join, compile_query, ddl_escape, schema_func, snake_case
from tests.helpers.upstream_api import facts_dir


def test_util_helpers():
    assert snake_case("MonthlyAverageOfDailyMaxTemperature") == (
        "monthly_average_of_daily_max_temperature"
    )
    assert snake_case("PCICFlag") == "pcic_flag"
    assert ddl_escape("a % b") == "a %% b"
    assert compact_join("SELECT 1", None, "", "LIMIT 1") == "SELECT 1 LIMIT 1"
    assert compact_join("a", "b", separator=", ") == "a, b"
    query = sa.select(Variable.id).where(Variable.name == "x'y")
    assert compile_query(query).endswith(
        f"WHERE {get_schema_name()}.meta_vars.net_var_name = 'x''y'"
    )
    assert str(sa.select(schema_func.daysinmonth(sa.literal(1)))).startswith(
        f"SELECT {get_schema_name()}.daysinmonth("
    )


def test_context_parses_the_privilege_grammar():
    # crmp-facts 2.1: entries separated by ';', each 'role: priv[, priv…]'.
    assert split_on(";")("") == []
    assert split_on(",")("a , b,c") == ["a", "b", "c"]
    assert parse_standard_table_privileges(" viewer : SELECT ; steward: SELECT, UPDATE") == [
        ("viewer", ["SELECT"]),
        ("steward", ["SELECT", "UPDATE"]),
    ]


def test_context_default_privileges(monkeypatch):
    monkeypatch.delenv("PYCDS_STANDARD_TABLE_PRIVS", raising=False)
    assert get_standard_table_privileges() == [
        ("inspector", ["SELECT"]),
        ("viewer", ["SELECT"]),
        ("steward", ["ALL"]),
    ]
    monkeypatch.setenv("PYCDS_STANDARD_TABLE_PRIVS", "viewer: SELECT")
    assert get_standard_table_privileges() == [("viewer", ["SELECT"])]


def test_current_head_is_read_from_the_revision_files():
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revisions.add(re.search(r"^revision\s*(?::\s*str)?\s*=\s*['\"](\w+)['\"]", text, re.M)[1])
        down = re.search(r"^down_revision\s*(?::[^=]*)?=\s*(.*)$", text, re.M)[1]
        parents.update(re.findall(r"['\"](\w+)['\"]", down))
    (head,) = revisions - parents
    assert get_current_head() == head
    # Upstream's per-process table-version override: None means the tables at head, the
    # only ones this pycds has.
    assert get_global_table_version() is None


def _facts_inventory(kind: str) -> set[str]:
    """Names of one row of crmp-facts section 1 ("views", "materialized views")."""
    text = (facts_dir() / "crmp-facts.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| {kind} \| \d+ \| (.+) \|$", text, re.M)
    return {name.strip() for name in row[1].split(",")}


@pytest.mark.db
def test_database_checks(head_engine):
    with head_engine.connect() as conn:
        check_migration_version(conn)  # at this pycds's head: no error
        with pytest.raises(ValueError, match="must be at Alembic version 000000000000"):
            check_migration_version(conn, version="000000000000")
    with Session(head_engine) as session:
        check_migration_version(session, schema_name=get_schema_name())
    check_migration_version(head_engine)
    assert get_postgresql_version(head_engine)[0] >= 15
    assert db_supports_matviews(head_engine)
    assert not matview_exists(head_engine, "test")  # the probe was rolled back
    assert get_schema_item_names(head_engine, "matviews") == _facts_inventory("materialized views")
    assert get_schema_item_names(head_engine, "views") == _facts_inventory("views")
    assert matview_exists(head_engine, "collapsed_vars_mv")
    assert get_schema_item_names(
        head_engine, "constraints", table_name="obs_raw", constraint_type="primary"
    ) == {"obs_raw_pkey"}
    assert "mod_time_idx" in get_schema_item_names(head_engine, "indexes", table_name="obs_raw")
    with pytest.raises(ValueError, match="invalid item type"):
        get_schema_item_names(head_engine, "sequences")


@pytest.mark.db
def test_manage_views(head_engine):
    with Session(head_engine) as session:
        manage_views(session, "refresh", "all")
        manage_views(session, "drop", "monthly-only")
        session.commit()
        assert not matview_exists(session, "monthly_average_of_daily_max_temperature_mv")
        manage_views(session, "create", "monthly-only")
        session.commit()
        indexes = get_schema_item_names(
            session, "indexes", table_name="monthly_average_of_daily_min_temperature_mv"
        )
        assert indexes == {"monthly_average_of_daily_min_temperature_mv_idx"}
        with pytest.raises(ValueError, match="operation"):
            manage_views(session, "truncate", "all")


def _baseline_line(native_id: str, monthly: list[str]) -> str:
    fields = [native_id, "", "STATION", "100", "", "-123.0", "49.0", *monthly, "0"]
    return "".join(value.rjust(width) for value, width in zip(fields, field_widths, strict=True))


@pytest.mark.db
def test_climate_baselines_load_and_verify(head_engine):
    with Session(head_engine) as session:
        session.add(Station(native_id="1018611", histories=[History(station_name="A")]))
        session.flush()
        temperatures = ["-52", "-9999", *["15"] * 10]  # tenths of a degree; -9999: none
        lines = [
            _baseline_line("1018611", temperatures),
            _baseline_line("9999999", temperatures),  # no such station: skipped
            _baseline_line("1018611", temperatures)[:40],  # too short: errored
        ]
        counts = load_pcic_climate_baseline_values(session, "Tx_Climatology", lines)
        assert counts == (1, 11, 1, 0, 1)
        assert verify_baseline_network_and_variables(session)
        expected = [{"station_native_id": "1018611", "values": [-5.2, None, *[1.5] * 10]}]
        assert verify_baseline_values(session, "Tx_Climatology", 1, expected)
        with pytest.raises(AssertionError, match="station count"):
            verify_baseline_values(session, "Tx_Climatology", 2, expected)
        assert len(get_or_create_pcic_climate_baseline_variables(session)) == 3  # no duplicates
        with pytest.raises(ValueError, match="not found"):
            load_pcic_climate_baseline_values(session, "No_Such_Climatology", lines)
        session.rollback()
