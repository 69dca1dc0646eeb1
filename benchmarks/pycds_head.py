"""Benchmark: the whole pycds schema at head (extensions, functions, views, matviews, triggers
and the standard grants) compared by ``autogen_filters.replaceables``, as env.py registers it.

    python benchmarks/pycds_head.py [--url URL] [--runs 5]

Needs a database at head in the configured schema (default: ``pycds-db url ref``). Prints the
number of declared entities, the best comparison time of ``--runs`` runs (inside a rolled-back
transaction; ORM tables are not compared) and the decisions (none at head).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autogen_filters.replaceables import Registration  # noqa: E402
from benchmarks.replaceables import server_url  # noqa: E402
from pycds import get_schema_name  # noqa: E402
from pycds.autogenerate import KINDS, extra_sql  # noqa: E402
from pycds.replaceables import declared_entities  # noqa: E402
from tests.autogen_filters.replaceables.helpers import autogenerate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    schema = get_schema_name()
    entities = declared_entities(schema)
    engine = sa.create_engine(server_url(args.url, "ref"), poolclass=sa.NullPool)
    best = float("inf")
    decisions: list[str] = []
    timings: dict[str, float] = {}
    with engine.connect() as conn:
        for _ in range(args.runs):
            registration = Registration(
                entities=entities, schemas=(schema,), extra_sql=extra_sql, kinds=KINDS
            )
            with conn.begin():
                started = time.perf_counter()
                autogenerate(conn, entities, [schema], registration=registration)
                elapsed = time.perf_counter() - started
                if elapsed < best:
                    best, timings = elapsed, dict(registration.last_timings)
                conn.rollback()
            assert registration.last_plan is not None
            decisions = [
                f"{d.action} {d.entity.identity}" for d in registration.last_plan.decisions
            ]
    engine.dispose()
    print(f"pycds head: {len(entities)} declared entities, best of {args.runs}: {best:.3f} s")
    print("of which: " + ", ".join(f"{k} {v:.3f} s" for k, v in timings.items()))
    print(f"decisions: {decisions or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
