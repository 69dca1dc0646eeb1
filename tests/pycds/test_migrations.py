"""The migration chain on real PostgreSQL: up, down, per revision, in any schema."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from pycds import get_schema_name
from pycds.alembic_config import make_config
from pycds.localdb import provision
from tests.helpers.catalog import added, definitions, snapshot

pytestmark = pytest.mark.db

TRACKED = ("meta_network", "meta_station", "meta_history", "meta_vars", "obs_raw")
HX = {"meta_network_hx", "meta_station_hx", "meta_history_hx", "meta_vars_hx", "obs_raw_hx"}
BASE_TABLES = {
    "meta_contact",
    "meta_network",
    "meta_station",
    "meta_history",
    "meta_sensor",
    "meta_vars",
    "obs_raw",
    "meta_native_flag",
    "meta_pcic_flag",
    "obs_raw_native_flags",
    "obs_raw_pcic_flags",
    "time_bounds",
    "obs_derived_values",
}
FUNCTIONS = {
    "closest_stns_within_threshold",
    "daily_ts",
    "monthly_ts",
    "daysinmonth",
    "lastdateofmonth",
    "season",
    "effective_day",
    "getstationvariabletable",
    "query_one_station",
    "query_one_station_climo",
    "do_query_one_station",
    "updatesdateedate",
    "variable_tags",
    "hxtk_primary_control_hx_cols",
    "hxtk_primary_ops_to_hx",
    "hxtk_add_foreign_hx_keys",
    "hxtk_collection_name_from_hx",
    "hxtk_hx_table_name",
    "hxtk_hx_id_name",
    "set_network_display_name_default",
    "prevent_network_name_modification",
}
# Revision -> what upgrading to it must add to the schema (kinds not named: nothing). The
# root builds upstream's head (its exact structure: test_root_revision.py); the revisions
# after it change objects in place.
EXPECTED_ADDITIONS: dict[str, dict[str, set[str]]] = {
    "f6d5a4c2e901": {
        "table": BASE_TABLES | HX,
        "sequence": {
            "meta_contact_contact_id_seq",
            "meta_network_network_id_seq",
            "meta_station_station_id_seq",
            "meta_history_history_id_seq",
            "meta_sensor_sensor_id_seq",
            "meta_vars_vars_id_seq",
            "obs_raw_obs_raw_id_seq",
            "meta_native_flag_native_flag_id_seq",
            "meta_pcic_flag_pcic_flag_id_seq",
            "obs_derived_values_obs_derived_value_id_seq",
            *(f"{hx}_{hx}_id_seq" for hx in HX),
        },
        "function": FUNCTIONS,
        "trigger": {
            "meta_network.set_network_display_name_default_trigger",
            "meta_network.prevent_network_name_modification_trigger",
            *(f"{t}.t100_primary_control_hx_cols" for t in TRACKED),
            *(f"{t}.t100_primary_ops_to_hx" for t in TRACKED),
            *(f"{t}_hx.t100_add_foreign_hx_keys" for t in TRACKED),
        },
        "view": {
            "crmp_network_geoserver",
            "history_join_station_network",
            "obs_count_per_day_history_v",
            "obs_with_flags",
        },
        "matview": {
            "vars_per_history_mv",
            "climo_obs_count_mv",
            "station_obs_stats_mv",
            "collapsed_vars_mv",
            "obs_count_per_month_history_mv",
            "discarded_obs_raw_mv",
            "daily_max_temperature_mv",
            "daily_min_temperature_mv",
            "monthly_average_of_daily_max_temperature_mv",
            "monthly_average_of_daily_min_temperature_mv",
            "monthly_total_precipitation_mv",
        },
        "index": {
            "var_hist_idx",
            "climo_obs_count_idx",
            "station_obs_stats_mv_idx",
            "collapsed_vars_idx",
            "obs_count_per_month_history_idx",
            "discarded_obs_raw_mv_pkey",
            "daily_max_temperature_mv_idx",
            "daily_min_temperature_mv_idx",
            "monthly_average_of_daily_max_temperature_mv_idx",
            "monthly_average_of_daily_min_temperature_mv_idx",
            "monthly_total_precipitation_mv_idx",
        },
    },
    # Revisions that change objects in place: nothing added or removed.
    "1b6e3a9c4d20": {},
    "2c7f4b0d5e31": {},
    "3d8a5c1e6f42": {"index": {f"ix_{hx}_mod_time" for hx in HX}},
    "4e9b6d2f7a53": {},
    "5fac7e3a8b64": {},
    "6abd8f4b9c75": {},
    "7bce9a5cad86": {},
    # Replaces hxtk_primary_ops_to_hx (name-based copying): nothing added.
    "a93888fd78de": {},
    # Replaces variable_tags (case-insensitive again), refreshes two matviews.
    "25e7620a1047": {},
}


def _revisions() -> list[tuple[str, str | None]]:
    script = ScriptDirectory.from_config(make_config())
    return [(rev.revision, rev.down_revision) for rev in reversed(list(script.walk_revisions()))]


def test_every_revision_has_expectations():
    assert {rev for rev, _ in _revisions()} == set(EXPECTED_ADDITIONS)


def test_single_linear_chain():
    script = ScriptDirectory.from_config(make_config())
    assert len(script.get_heads()) == 1
    assert all(not isinstance(down, tuple) for _, down in _revisions())


VERSION_TABLE = {"table": "alembic_version", "index": "alembic_version_pkc"}


def _objects(url: str, schema: str) -> dict[str, set[str]]:
    """The schema's objects but Alembic's version table, which appears with the first
    revision run (each revision runs in its own transaction, the table's creation in the
    first one's)."""
    found = snapshot(url, schema)
    for kind, name in VERSION_TABLE.items():
        found[kind].discard(name)
    return found


def _definitions(url: str, schema: str) -> dict[str, dict[str, str]]:
    found = definitions(url, schema)
    return {
        kind: {
            name: text
            for name, text in by_name.items()
            if name.split(".", 1)[0] not in VERSION_TABLE.values()
        }
        for kind, by_name in found.items()
    }


@pytest.mark.parametrize(("revision", "down_revision"), _revisions(), ids=lambda r: str(r))
def test_revision_adds_and_removes_exactly_its_objects(empty_db, revision, down_revision):
    schema = get_schema_name()
    config = make_config(empty_db)
    command.upgrade(config, down_revision or "base")
    before = _objects(empty_db, schema)
    defined_before = _definitions(empty_db, schema)
    command.upgrade(config, revision)
    after = _objects(empty_db, schema)
    expected = EXPECTED_ADDITIONS[revision]
    new = added(before, after)
    for kind in ("table", "view", "matview", "function", "trigger", "sequence", "type"):
        assert new.get(kind, set()) == expected.get(kind, set()), kind
    assert expected.get("index", set()) <= new.get("index", set())
    command.downgrade(config, down_revision or "base")
    assert _objects(empty_db, schema) == before
    # The downgrade restores exactly what the revision before built: every function body and
    # property, view and index definition, column, constraint, trigger, owner and grant.
    restored = _definitions(empty_db, schema)
    for kind, expected_definitions in defined_before.items():
        changed = {
            name
            for name in expected_definitions.keys() | restored[kind].keys()
            if expected_definitions.get(name) != restored[kind].get(name)
        }
        assert changed == set(), kind


def _public_leftovers(url: str) -> dict[str, list[str]]:
    """Objects in ``public`` that no extension owns: there must be none."""
    not_extension_owned = (
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
    )
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        relations = conn.scalars(
            sa.text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r','v','m','S','p') AND "
                + not_extension_owned.format(oid="c.oid")
            )
        ).all()
        functions = conn.scalars(
            sa.text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND " + not_extension_owned.format(oid="p.oid")
            )
        ).all()
    engine.dispose()
    return {"relations": relations, "functions": functions}


def test_upgrade_head_then_downgrade_base(empty_db):
    schema = get_schema_name()
    config = make_config(empty_db)
    command.upgrade(config, "head")
    at_head = snapshot(empty_db, schema)
    assert BASE_TABLES | HX | {"alembic_version"} <= at_head["table"]
    assert _public_leftovers(empty_db) == {"relations": [], "functions": []}

    command.downgrade(config, "base")
    empty = snapshot(empty_db, schema)
    assert empty["table"] == {"alembic_version"}
    assert empty["index"] == {"alembic_version_pkc"}
    assert all(not names for kind, names in empty.items() if kind not in ("table", "index"))


def test_version_table_lives_in_the_schema(head_db):
    engine = sa.create_engine(head_db, poolclass=sa.NullPool)
    with engine.connect() as conn:
        schemas = conn.scalars(
            sa.text("SELECT table_schema FROM information_schema.tables WHERE table_name = :t"),
            {"t": "alembic_version"},
        ).all()
    engine.dispose()
    assert schemas == [get_schema_name()]


OTHER_SCHEMA_SCRIPT = textwrap.dedent(
    """
    import sys
    from alembic import command
    from pycds.alembic_config import make_config
    from tests.helpers.catalog import snapshot

    url = sys.argv[1]
    config = make_config(url)
    command.upgrade(config, "head")
    at_head = snapshot(url, "other")
    crmp = snapshot(url, "crmp")
    command.downgrade(config, "base")
    at_base = snapshot(url, "other")
    print(repr((sorted(at_head["table"]), sorted(crmp["table"]), sorted(at_base["table"]))))
    """
)


def test_whole_chain_in_another_schema(pg_server_url):
    """PYCDS_SCHEMA_NAME=other runs the chain up and down in ``other`` only."""
    name = "test_other_schema_chain"
    provision.drop_database(pg_server_url, name)
    url = provision.create_database(pg_server_url, name)
    try:
        provision.ensure_schema(url, "other")
        done = subprocess.run(
            [sys.executable, "-c", OTHER_SCHEMA_SCRIPT, url],
            env={**os.environ, "PYCDS_SCHEMA_NAME": "other"},
            capture_output=True,
            text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        at_head, in_crmp, at_base = eval(done.stdout.strip().splitlines()[-1])
        assert set(at_head) >= BASE_TABLES | HX | {"alembic_version"}
        assert in_crmp == []
        assert at_base == ["alembic_version"]
        assert _public_leftovers(url) == {"relations": [], "functions": []}
    finally:
        provision.drop_database(pg_server_url, name)
