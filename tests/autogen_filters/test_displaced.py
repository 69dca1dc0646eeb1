"""A suppressed object that must move for a real change moves (issue 9, item 2), on PostgreSQL.

On the CRMP-like database, some objects are known divergences: the legacy views ``daily_agg``
and ``monthly_agg`` read ``obs_raw``, and rules hide them. A real change under them (a wider
``obs_raw.vars_id``, a replaced ``discarded_obs_raw_mv``) needs them, and every view or matview
on the changed object, dropped and re-created around it. Those drops and creates are marked
``displaced`` by the replaceables comparator; no rule may remove them, or the upgrade fails
(``cannot alter type of a column used by a view``, ``DependentObjectsStillExist``). Each case
autogenerates the draft on seeded rows, upgrades, is clean afterwards, keeps the rows and the
legacy views, and downgrades: with pycds's registry, and with a ``definition`` rule added that
names the moved matviews (a drop and its re-creation of one object would otherwise pair into a
suppressed definition difference, as the removed rule
``crmp-weather-anomaly-matviews-over-production-types`` did).

The same holds for the draft of a whole migration: a CRMP-like database at upstream's head,
stamped with pycds's head, gets a draft that upgrades it (issue 9 saw that rule break it).
"""

from __future__ import annotations

import ast
import copy
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from test_end_to_end import (
    REGISTRY,
    SCHEMA,
    check_clean,
    config_for,
    copy_metadata,
    table,
)

from autogen_filters.hooks import REPORT_ATTRIBUTE
from pycds.localdb import provision
from pycds.localdb.provision import OVERLAY_BASES
from pycds.replaceables import declared_entities

pytestmark = [pytest.mark.db, pytest.mark.slow]

SEED = f"""
SET search_path TO {SCHEMA}, public;
INSERT INTO meta_network (network_name) VALUES ('n');
INSERT INTO meta_station (native_id, network_id) SELECT 's', network_id FROM meta_network;
INSERT INTO meta_history (station_id, freq) SELECT station_id, 'daily' FROM meta_station;
INSERT INTO meta_vars (net_var_name, standard_name, cell_method, display_name, network_id)
    SELECT 'tmax', 'air_temperature', 'time: maximum', 'T', network_id FROM meta_network;
INSERT INTO obs_raw (obs_time, datum, vars_id, history_id)
    SELECT timestamp '2020-01-01' + n * interval '1 day', n, vars_id, history_id
    FROM meta_vars, meta_history, generate_series(0, 9) AS n;
INSERT INTO meta_pcic_flag (flag_name, discard) VALUES ('bad', true);
INSERT INTO obs_raw_pcic_flags (obs_raw_id, pcic_flag_id)
    SELECT min(obs_raw_id), min(pcic_flag_id) FROM obs_raw, meta_pcic_flag;
"""
LEGACY_VIEWS = {"daily_agg", "monthly_agg"}
MATVIEWS_RULE = """
[[rule]]
id = "matviews-over-production-types"
kind = "materialized_view"
name = "daily_(max|min)_temperature_mv|monthly_total_precipitation_mv"
difference = "definition"
reason = "Test: a definition rule naming objects that must move."
"""


def _widen_vars_id():
    metadata = copy_metadata()
    for name in ("obs_raw", "obs_raw_hx"):
        table(metadata, name).c.vars_id.type = sa.BigInteger()
    return {"metadata": metadata}


def _replace_discarded_mv():
    entities = []
    for entity in declared_entities(SCHEMA):
        if entity.signature == "discarded_obs_raw_mv":
            entity = copy.copy(entity)
            entity.definition = (
                entity.definition.rstrip()
                .rstrip(";")
                .replace("WHERE pf.discard", "WHERE pf.discard AND opf.obs_raw_id > 0")
            )
        entities.append(entity)
    return {"entities": entities}


# change -> (how, entities that must be displaced: dropped and created again)
CHANGES = {
    "widen obs_raw.vars_id": (
        _widen_vars_id,
        LEGACY_VIEWS | {"daily_max_temperature_mv", "monthly_total_precipitation_mv"},
    ),
    "replace discarded_obs_raw_mv": (
        _replace_discarded_mv,
        {"daily_max_temperature_mv", "daily_min_temperature_mv", "monthly_total_precipitation_mv"},
    ),
}


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        counts = {
            name: conn.scalar(sa.text(f"SELECT count(*) FROM {SCHEMA}.{name}"))
            for name in ("obs_raw", "obs_raw_pcic_flags", "daily_agg", "daily_max_temperature_mv")
        }
    engine.dispose()
    return counts


@pytest.mark.parametrize("with_matviews_rule", [False, True], ids=["pycds rules", "+ mv rule"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_displaced_known_divergences_move_with_a_real_change(
    crmp_like_db, tmp_path, change, with_matviews_rule
):
    make, must_move = CHANGES[change]
    engine = sa.create_engine(crmp_like_db, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(SEED)
        for mv in ("discarded_obs_raw_mv", "daily_max_temperature_mv"):
            conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW {SCHEMA}.{mv}")
    engine.dispose()
    before = _counts(crmp_like_db)
    assert before["daily_max_temperature_mv"] == 9  # ten days, one discarded

    config = config_for(crmp_like_db, tmp_path, **make())
    if with_matviews_rule:
        registry = tmp_path / "divergences.toml"
        registry.write_text(REGISTRY.read_text() + MATVIEWS_RULE)
        config.attributes["divergences"] = str(registry)
    script = command.revision(config, message=change, autogenerate=True, version_path=str(tmp_path))
    text = Path(script.path).read_text()
    moved = _entity_calls(text, "upgrade")
    assert must_move <= moved["drop_entity"] & moved["create_entity"], text
    # The downgrade puts them back around the reverted change too.
    back = _entity_calls(text, "downgrade")
    assert must_move <= back["drop_entity"] & back["create_entity"], text

    command.upgrade(config, "head")
    check_clean(config)
    assert _counts(crmp_like_db) == before
    command.downgrade(config, "-1")
    Path(script.path).unlink()
    assert _counts(crmp_like_db) == before
    check_clean(config_for(crmp_like_db, tmp_path))


def _entity_calls(source: str, function: str) -> dict[str, set[str]]:
    """``{"drop_entity": {signature, ...}, "create_entity": {...}}`` of a draft's function
    (grants, which have no signature argument and follow their views, are left out)."""
    tree = ast.parse(source)
    [body] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    signatures: dict[str, str] = {}
    calls: dict[str, set[str]] = {"drop_entity": set(), "create_entity": set()}
    for node in ast.walk(body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for keyword in node.value.keywords:
                if keyword.arg == "signature" and isinstance(keyword.value, ast.Constant):
                    signatures[node.targets[0].id] = keyword.value.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in calls
            and isinstance(node.args[0], ast.Name)
        ):
            calls[node.func.attr].add(node.args[0].id)
    return {
        call: {signatures[name] for name in names if name in signatures}
        for call, names in calls.items()
    }


@pytest.fixture
def stamped_upstream_crmp(pg_server_url: str) -> Iterator[str]:
    """A CRMP-like database at upstream's head, stamped with pycds's head without upgrading
    (what issue 8 tried: ``stamp --purge head``), so that autogenerate sees every difference
    between upstream's head and pycds's, on top of CRMP's divergences."""
    name = f"test_stamped_{uuid.uuid4().hex[:10]}"
    url = provision.create_database(pg_server_url, name)
    provision.ensure_schema(url)
    provision.upgrade(url, OVERLAY_BASES["crmp"])
    provision.apply_overlay(url, "crmp")
    yield url
    provision.drop_database(pg_server_url, name)


def test_draft_from_upstream_head_applies_on_a_crmp_like_database(stamped_upstream_crmp, tmp_path):
    """Hundreds of ops (functions re-created with new signatures under the matviews that call
    them, views re-typed, matviews rebuilt), next to CRMP's hidden legacy objects: the draft
    upgrades, and then only the known divergences remain, every rule matching."""
    config = config_for(stamped_upstream_crmp, tmp_path)
    command.stamp(config, "head", purge=True)
    script = command.revision(
        config, message="from upstream", autogenerate=True, version_path=str(tmp_path)
    )
    text = Path(script.path).read_text()
    moved = _entity_calls(text, "upgrade")
    # daysinmonth changes signature: the matviews calling it are dropped and re-created.
    calling_daysinmonth = {
        "monthly_average_of_daily_max_temperature_mv",
        "monthly_average_of_daily_min_temperature_mv",
        "monthly_total_precipitation_mv",
    }
    assert calling_daysinmonth <= moved["drop_entity"] & moved["create_entity"], text
    command.upgrade(config, "head")
    config = config_for(stamped_upstream_crmp, tmp_path, strict=True)
    check_clean(config)
    assert config.attributes[REPORT_ATTRIBUTE].stale == ()


def test_hidden_view_on_a_dropped_view_is_dropped_with_it(crmp_like_db, tmp_path):
    """A view the rules hide (``crmp-legacy-views``) that reads a pycds view the ORM drops
    cannot survive the drop: the draft drops it too (DROP ... CASCADE would), no rule keeps
    that drop out, the upgrade runs, and the downgrade brings both back."""
    engine = sa.create_engine(crmp_like_db, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"DROP VIEW {SCHEMA}.hourly_view; CREATE VIEW {SCHEMA}.hourly_view AS "
            f"SELECT * FROM {SCHEMA}.obs_count_per_day_history_v"
        )
    engine.dispose()
    entities = [
        e
        for e in declared_entities(SCHEMA)
        if "obs_count_per_day_history_v" not in (e.signature, getattr(e, "table", None))
    ]
    config = config_for(crmp_like_db, tmp_path, entities=entities)
    script = command.revision(config, message="drop", autogenerate=True, version_path=str(tmp_path))
    text = Path(script.path).read_text()
    dropped = _entity_calls(text, "upgrade")["drop_entity"]
    assert {"hourly_view", "obs_count_per_day_history_v"} <= dropped, text
    command.upgrade(config, "head")
    command.downgrade(config, "-1")
    engine = sa.create_engine(crmp_like_db, poolclass=sa.NullPool)
    with engine.connect() as conn:
        back = conn.scalar(sa.text(f"SELECT count(*) FROM {SCHEMA}.hourly_view"))
    engine.dispose()
    assert back == 0  # the view is there again (no observations in this database)
