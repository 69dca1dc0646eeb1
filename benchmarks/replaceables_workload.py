"""Seeded, mixed sets of replaceable entities for the replaceables benchmark and tests.

A *universe* is a list of ``Spec``s in dependency order (what a spec needs comes earlier):
SQL functions (some calling earlier ones), PL/pgSQL trigger functions, views on tables, on
functions and on other views (chains), materialized views on tables or views, and triggers.
Each spec builds its entity in variant 0 (original) or 1 (changed definition, same columns,
so that stock alembic-utils' CREATE OR REPLACE path applies too).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.replaceable_entity import ReplaceableEntity


@dataclass
class Spec:
    kind: str  # function, trigger_function, view, matview, trigger
    name: str
    schema: str
    source: str  # what it reads: table or earlier spec name
    needs: list[str] = field(default_factory=list)
    uses_function: str | None = None

    def build(self, variant: int = 0) -> ReplaceableEntity:
        s, v = self.schema, 10 * variant
        if self.kind == "function":
            body = f"{s}.{self.source}(x) + {v + 1}" if self.needs else f"x + {v + 1}"
            return PGFunction(
                s,
                f"{self.name}(x integer)",
                f"returns integer language sql immutable as $$ select {body} $$",
            )
        if self.kind == "trigger_function":
            return PGFunction(
                s,
                f"{self.name}()",
                "returns trigger language plpgsql as $$ begin "
                f"NEW.a := coalesce(NEW.a, 0) + {v + 1}; return NEW; end $$",
            )
        if self.kind in ("view", "matview"):
            a = f"{s}.{self.uses_function}(a) as a" if self.uses_function else "a"
            sql = f"select id, {a}, b from {s}.{self.source} where id > {v}"
            if self.kind == "view":
                return PGView(s, self.name, sql)
            return PGMaterializedView(s, self.name, sql, with_data=True)
        if self.kind == "trigger":
            event = "BEFORE INSERT OR UPDATE" if variant else "BEFORE INSERT"
            return PGTrigger(
                s,
                self.name,
                f"{event} ON {s}.{self.source} FOR EACH ROW EXECUTE FUNCTION {s}.{self.needs[0]}()",
                on_entity=f"{s}.{self.source}",
            )
        raise ValueError(self.kind)


def table_names(n: int) -> list[str]:
    return [f"t{i}" for i in range(max(2, n // 20))]


def create_tables(conn: sa.Connection, schema: str, n: int) -> None:
    for table in table_names(n):
        conn.exec_driver_sql(
            f"CREATE TABLE {schema}.{table} (id serial primary key, a integer, b text)"
        )


def universe(schema: str, n: int, seed: int = 0) -> list[Spec]:
    """``n`` specs: ~20% SQL functions, ~10% trigger functions, ~35% views (half of them on
    other views), ~10% materialized views, ~25% triggers; dependency order."""
    rng = random.Random(seed)
    tables = table_names(n)
    counts = {
        "function": round(0.20 * n),
        "trigger_function": max(1, round(0.10 * n)),
        "view": round(0.35 * n),
        "matview": round(0.10 * n),
    }
    counts["trigger"] = max(0, n - sum(counts.values()))
    specs: list[Spec] = []
    functions: list[str] = []
    for i in range(counts["function"]):
        name = f"fn{i}"
        if functions and rng.random() < 0.3:
            callee = rng.choice(functions)
            specs.append(Spec("function", name, schema, callee, needs=[callee]))
        else:
            specs.append(Spec("function", name, schema, ""))
        functions.append(name)
    trigger_functions = [f"tf{i}" for i in range(counts["trigger_function"])]
    specs += [Spec("trigger_function", f, schema, "") for f in trigger_functions]
    views: list[str] = []
    for i in range(counts["view"]):
        name = f"v{i}"
        if views and rng.random() < 0.5:
            source = rng.choice(views[-5:])  # chains: views on recent views
            needs = [source]
        else:
            source, needs = rng.choice(tables), []
        use = rng.choice(functions) if functions and rng.random() < 0.2 else None
        specs.append(Spec("view", name, schema, source, needs + ([use] if use else []), use))
        views.append(name)
    for i in range(counts["matview"]):
        if views and rng.random() < 0.5:
            source = rng.choice(views)
            needs = [source]
        else:
            source, needs = rng.choice(tables), []
        specs.append(Spec("matview", f"m{i}", schema, source, needs))
    for i in range(counts["trigger"]):
        function = rng.choice(trigger_functions)
        specs.append(Spec("trigger", f"tr{i}", schema, rng.choice(tables), [function]))
    return specs


def close_under_needs(specs: Sequence[Spec], state: dict[str, int | None]) -> dict[str, int | None]:
    """Make a state (name -> variant, None = absent) creatable: whatever a present spec needs
    is present too (variant 0 when it was absent)."""
    state = dict(state)
    for spec in reversed(specs):
        if state.get(spec.name) is not None:
            for need in spec.needs:
                if state.get(need) is None:
                    state[need] = 0
    return state


def build(specs: Sequence[Spec], state: dict[str, int | None]) -> list[ReplaceableEntity]:
    return [s.build(state[s.name]) for s in specs if state.get(s.name) is not None]


def install(conn: sa.Connection, entities: Sequence[ReplaceableEntity]) -> None:
    """Create entities (given in dependency order) as a previous migration would have."""
    for entity in entities:
        conn.execute(entity.to_sql_statement_create())
