"""``variable_tags`` at head tags variables as upstream's does: ``Climatology`` in any case
(net_var_name is citext; crmp-facts 3.6 and 6), and so do the matviews built on it.

A database at the root (upstream's head) gets variables named in mixed case, with
observations; the tags and the tagged matviews there are the reference. Revision
25e7620a1047 brings head back to them after a93888fd78de (case-sensitive, from 4e9b6d2f7a53)
had turned such variables into observations; its downgrade goes back to that.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from pycds import get_schema_name
from pycds.alembic_config import make_config
from tests.helpers import crmp_rows

pytestmark = pytest.mark.db

ROOT_REVISION = "f6d5a4c2e901"
CASE_SENSITIVE = "a93888fd78de"
NAMES = (
    "tmax_climatology",
    "TMIN_CLIMATOLOGY",
    "Precip_ClImAtOlOgY_1971",
    "Tx_Climatology_new",
    "tmax",
    "climatolog",
)
MIXED_CASE = {"tmax_climatology", "TMIN_CLIMATOLOGY", "Precip_ClImAtOlOgY_1971"}


@pytest.fixture
def root_with_names(pg_server_url: str) -> Iterator[str]:
    s = get_schema_name()
    with crmp_rows.populated_database(
        pg_server_url, "test_variable_tags_case", ROOT_REVISION, s
    ) as url:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SET search_path TO {s}, public")  # upstream's triggers
            history_id = conn.scalar(sa.text(f"SELECT min(history_id) FROM {s}.meta_history"))
            for n, name in enumerate(NAMES):
                vars_id = conn.scalar(
                    sa.text(
                        f"INSERT INTO {s}.meta_vars (net_var_name, standard_name, cell_method, "
                        "display_name) VALUES (:n, 'air_temperature', 'time: mean', :n) "
                        "RETURNING vars_id"
                    ),
                    {"n": name},
                )
                for day in range(n + 1):
                    conn.execute(
                        sa.text(
                            f"INSERT INTO {s}.obs_raw (obs_time, datum, vars_id, history_id) "
                            "VALUES (timestamp '2001-01-01' + :d * interval '1 day', 1, :v, :h)"
                        ),
                        {"d": day, "v": vars_id, "h": history_id},
                    )
            for matview in ("vars_per_history_mv", "climo_obs_count_mv", "collapsed_vars_mv"):
                conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW {s}.{matview}")
        engine.dispose()
        yield url


def _state(url: str) -> dict[str, object]:
    """Tags of every variable (default search_path), and the tagged matviews' rows."""
    s = get_schema_name()
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as conn:
        state = {
            "tags": dict(
                conn.execute(
                    sa.text(
                        f"SELECT v.net_var_name::text, {s}.variable_tags(v) FROM {s}.meta_vars v"
                    )
                ).all()
            ),
            "climo_obs_count_mv": sorted(
                tuple(row)
                for row in conn.execute(
                    sa.text(f"SELECT history_id, count FROM {s}.climo_obs_count_mv")
                )
            ),
            "collapsed_vars_mv": sorted(
                (history_id, sorted(tags))
                for history_id, tags in conn.execute(
                    sa.text(f"SELECT history_id, unique_variable_tags FROM {s}.collapsed_vars_mv")
                ).all()
            ),
        }
    engine.dispose()
    return state


def test_head_tags_as_the_root_does(root_with_names: str):
    at_root = _state(root_with_names)
    assert {name: at_root["tags"][name] for name in NAMES} == {
        **{name: ["climatology"] for name in (*MIXED_CASE, "Tx_Climatology_new")},
        "tmax": ["observation"],
        "climatolog": ["observation"],
    }
    config = make_config(root_with_names)

    command.upgrade(config, CASE_SENSITIVE)
    case_sensitive = _state(root_with_names)
    assert {n for n in NAMES if case_sensitive["tags"][n] != at_root["tags"][n]} == MIXED_CASE
    assert case_sensitive["climo_obs_count_mv"] != at_root["climo_obs_count_mv"]

    command.upgrade(config, "head")
    assert _state(root_with_names) == at_root

    command.downgrade(config, CASE_SENSITIVE)
    assert _state(root_with_names) == case_sensitive
