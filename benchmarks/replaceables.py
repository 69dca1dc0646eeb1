"""Benchmark: stock alembic-utils' comparator vs ours (``autogen_filters.replaceables``).

For N mixed entities (functions, trigger functions, views with view-on-view chains, views on
functions, materialized views, triggers; see ``replaceables_workload.py``) and three cases
(no change, 10% changed among entities nothing depends on, all new), both comparators
autogenerate against the same database state, side by side in one run; the table gives
seconds for each and the ratio.  Ours is the best of five runs (well under a second each);
stock runs once.  Stock above ``--max-stock-n`` is skipped (all-new at N=400 takes many
minutes).  The "same" column checks that both made the same create/replace/drop decisions.

    python benchmarks/replaceables.py [--sizes 50,100,200,400] [--max-stock-n 200] [--url URL]

Needs a PostgreSQL superuser URL (default: ``pycds-db url postgres``); works in throwaway
``cmp_bench_*`` databases (a fresh one per size and case), dropped after use.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic_utils.reversible_op import CreateOp, DropOp, ReplaceOp  # noqa: E402
from alembic_utils.statement import normalize_whitespace  # noqa: E402

from autogen_filters.replaceables import Registration  # noqa: E402
from benchmarks.replaceables_workload import (  # noqa: E402
    build,
    create_tables,
    install,
    universe,
)
from pycds.localdb import provision  # noqa: E402
from tests.autogen_filters.replaceables.helpers import (  # noqa: E402
    autogenerate,
    stock_autogenerate,
)

CASES = ("no change", "10% changed", "all new")


def server_url(given: str | None, database: str = "postgres") -> str:
    """``given``, else the URL of ``database`` on the local server, with the psycopg2 driver."""
    url = (
        given
        or subprocess.run(
            ["pycds-db", "url", database], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def states(specs, case: str, seed: int):
    original = {s.name: 0 for s in specs}
    if case == "no change":
        return original, original
    if case == "all new":
        return {}, original
    # Changed entities are drawn among those nothing else needs: changing a needed one makes
    # stock's own simulation fail (it cascade-drops unchanged dependents), so no timing.
    needed = {name for s in specs for name in s.needs}
    leaves = [s for s in specs if s.name not in needed]
    changed = random.Random(seed).sample(leaves, max(1, len(specs) // 10))
    return original, {**original, **{s.name: 1 for s in changed}}


def decisions_of_stock(ops):
    action = {CreateOp: "create", ReplaceOp: "replace", DropOp: "drop"}
    return sorted(
        (action[type(op)], op.target.identity, normalize_whitespace(op.target.definition))
        for op in ops
    )


def decisions_of_ours(registration):
    return sorted(
        (d.action, d.entity.identity, normalize_whitespace(d.entity.definition))
        for d in registration.last_plan.decisions
    )


def measure(server: str, n: int, case: str, seed: int, run_stock: bool):
    """Time both comparators on a fresh database (simulations leave dead catalog rows behind,
    which would slow whatever runs next), ours first."""
    name = f"cmp_bench_{os.getpid()}_{n}_{CASES.index(case)}"
    engine = sa.create_engine(provision.create_database(server, name), poolclass=sa.NullPool)
    try:
        return _measure(engine, n, case, seed, run_stock)
    finally:
        engine.dispose()
        provision.drop_database(server, name)


def _measure(engine, n: int, case: str, seed: int, run_stock: bool):
    schema = f"bench_{n}"
    specs = universe(schema, n, seed=seed)
    live, declared = states(specs, case, seed)
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        create_tables(conn, schema, n)
        install(conn, build(specs, live))
        entities = build(specs, declared)
        ours = []
        for _ in range(5):
            registration = Registration(entities=entities, schemas=(schema,))
            started = time.perf_counter()
            autogenerate(conn, entities, [schema], registration=registration)
            ours.append(time.perf_counter() - started)
        stock_seconds, same = None, None
        if run_stock:
            started = time.perf_counter()
            stock = stock_autogenerate(conn, entities)
            stock_seconds = time.perf_counter() - started
            same = decisions_of_stock(stock.upgrade_ops.ops) == decisions_of_ours(registration)
        n_decisions = len(registration.last_plan.decisions)
        conn.rollback()
    return min(ours), stock_seconds, same, n_decisions


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--max-stock-n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", default=None, help="superuser URL of the server")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]

    server = server_url(args.url)
    ratios: dict[int, list[float]] = {}
    ours_by: dict[tuple[int, str], float] = {}
    print(
        f"{'N':>4}  {'case':<12} {'decisions':>9} {'stock s':>9} {'ours s':>8} {'ratio':>7}  same"
    )
    for n in sizes:
        for case in CASES:
            ours, stock, same, n_decisions = measure(
                server, n, case, args.seed, n <= args.max_stock_n
            )
            ours_by[n, case] = ours
            if stock is None:
                print(
                    f"{n:>4}  {case:<12} {n_decisions:>9} {'skipped':>9} {ours:>8.3f} "
                    f"{'-':>7}  -   (stock skipped: N > --max-stock-n)"
                )
                continue
            ratio = stock / ours
            ratios.setdefault(n, []).append(ratio)
            print(
                f"{n:>4}  {case:<12} {n_decisions:>9} {stock:>9.2f} {ours:>8.3f} "
                f"{ratio:>6.0f}x  {'yes' if same else 'NO'}",
                flush=True,
            )
    if 200 in sizes and 400 in sizes:
        growth = max(ours_by[400, c] / ours_by[200, c] for c in CASES)
        print(f"ours: max growth N=200 -> N=400: {growth:.2f}x")
    if 200 in ratios:
        print(f"min ratio at N=200: {min(ratios[200]):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
