"""Policies, table and column grants, extensions: our comparator decides what stock alembic-utils
0.8.8 decides, on randomised live and declared states (absent, as live, or changed), and our
migration applies upgrade -> downgrade -> upgrade."""

from __future__ import annotations

import random

from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_grant_table import PGGrantTable
from alembic_utils.pg_policy import PGPolicy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autogen_filters.replaceables import Registration

from .helpers import autogenerate, stock_autogenerate
from .test_same_decisions_as_alembic_utils import roundtrip, stock_decisions


def variants(s: str, roles: list[str]) -> dict[str, list]:
    """Per slot, the versions an entity can take (index 0 and 1)."""
    r1, r2 = roles
    slots = {
        "ext": [PGExtension(s, "citext"), PGExtension(s, "citext")],
        "p_read": [
            PGPolicy(s, "p_read", "for select to public using (true)", on_entity=f"{s}.t0"),
            PGPolicy(s, "p_read", f"for select to {r1} using (id > 0)", on_entity=f"{s}.t0"),
        ],
        "p_write": [
            PGPolicy(s, "p_write", f"for update to {r2} using (true)", on_entity=f"{s}.t1"),
            PGPolicy(
                s, "p_write", f"as restrictive for all to {r2} using (true)", on_entity=f"{s}.t1"
            ),
        ],
    }
    for n, (table, role) in enumerate([("t0", r1), ("t1", r2), ("t1", r1)]):
        slots[f"g_del{n}"] = [
            PGGrantTable(schema=s, table=table, role=role, grant="DELETE"),
            PGGrantTable(schema=s, table=table, role=role, grant="DELETE", with_grant_option=True),
        ]
        slots[f"g_sel{n}"] = [
            PGGrantTable(schema=s, table=table, role=role, grant="SELECT", columns=["id", "a"]),
            PGGrantTable(schema=s, table=table, role=role, grant="SELECT", columns=["a"]),
        ]
    return slots


@settings(
    max_examples=8,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_same_decisions_on_policies_grants_and_extensions(cmp_engine, seed):
    rng = random.Random(seed)
    s = f"nk_{seed}"
    roles = [f"{s}_r1", f"{s}_r2"]
    slots = variants(s, roles)
    live = {k: rng.choice([None, 0, 1]) for k in slots}
    declared = {k: rng.choice([None, 0, 0, 1]) for k in slots}
    declared["p_read"] = declared["p_read"] if declared["p_read"] is not None else 0
    old = [slots[k][v] for k, v in live.items() if v is not None]
    new = [slots[k][v] for k, v in declared.items() if v is not None]

    with cmp_engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(
            f"CREATE SCHEMA {s}; CREATE ROLE {roles[0]}; CREATE ROLE {roles[1]};"
            f"CREATE TABLE {s}.t0 (id int, a text); CREATE TABLE {s}.t1 (id int, a text);"
        )
        for entity in old:
            conn.execute(entity.to_sql_statement_create())
        registration = Registration(entities=new, schemas=(s,))
        ours = autogenerate(conn, new, [s], registration=registration)
        stock = stock_autogenerate(conn, new)
        ours_decisions = sorted(
            (d.action, d.entity.identity, d.entity.definition)
            for d in registration.last_plan.decisions
        )
        assert ours_decisions == stock_decisions(stock.upgrade_ops.ops)
        with conn.begin_nested():
            roundtrip(conn, s, old, new, ours, {})
        conn.rollback()
