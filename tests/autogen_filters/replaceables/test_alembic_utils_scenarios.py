"""alembic-utils 0.8.8's own test scenarios (``src/test`` of olirice/alembic_utils), run with our
comparator swapped in for alembic-utils' ``compare_registered_entities``.

Nothing is vendored: each scenario is re-stated from alembic-utils' public tests (the file and
test it comes from are in the test name), in the same environment (``alembic_utils_harness``),
with the same entities, the same ``register_entities`` calls and the same assertions on the
revision file, followed by the upgrade and downgrade they run.  Tests of alembic-utils' own
classes that never reach a comparator (``from_sql`` parsing, ``repr``, rendering helpers) are
not repeated.  Where our answer differs on purpose, the test says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import comparators
from alembic_utils.pg_extension import PGExtension
from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_grant_table import PGGrantTable, PGGrantTableChoice
from alembic_utils.pg_materialized_view import PGMaterializedView
from alembic_utils.pg_policy import PGPolicy
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.pg_view import PGView
from alembic_utils.replaceable_entity import register_entities, registry
from sqlalchemy.exc import InternalError, ProgrammingError

from autogen_filters.replaceables import SimulationError
from autogen_filters.replaceables.compat import use_instead_of_alembic_utils
from pycds.localdb import provision

from .alembic_utils_harness import AlembicProject

pytestmark = pytest.mark.db

RESET = """
drop schema if exists public cascade; create schema public;
drop schema if exists myschema cascade; create schema myschema;
drop schema if exists "DEV" cascade; create schema "DEV";
"""


@pytest.fixture(scope="module")
def au_engine(pg_server_url: str) -> Iterator[sa.Engine]:
    name = f"au_scenarios_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(provision.create_database(pg_server_url, name), poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "do $$ begin if not exists (select from pg_roles where rolname = 'anon_user') "
            "then create role anon_user; end if; end $$"
        )
    yield engine
    engine.dispose()
    provision.drop_database(pg_server_url, name)


@pytest.fixture(scope="module")
def swapped() -> Iterator[None]:
    saved = {key: list(handlers) for key, handlers in comparators._registry.items()}
    assert use_instead_of_alembic_utils() == 1
    yield
    comparators._registry.clear()
    comparators._registry.update(saved)


@pytest.fixture
def project(au_engine, swapped, tmp_path) -> Iterator[AlembicProject]:
    registry.clear()
    with au_engine.begin() as conn:
        conn.exec_driver_sql(RESET)
    yield AlembicProject(tmp_path / "alembic", au_engine)
    registry.clear()


def run_sql(project: AlembicProject, *statements) -> None:
    with project.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement if not isinstance(statement, str) else sa.text(statement))


def assert_ops(contents: str, *, create: bool, drop: bool, replace: bool) -> None:
    assert ("op.create_entity" in contents) is create
    assert ("op.drop_entity" in contents) is drop
    assert ("op.replace_entity" in contents) is replace


# --- The kinds: create, update, no-op and drop (test_pg_<kind>.py) ------------------------

TO_UPPER = PGFunction(
    schema="public",
    signature="toUpper(some_text text default 'my text!')",
    definition="returns text as $$ select upper(some_text) || 'abc' $$ language SQL;",
)
TO_UPPER_2 = PGFunction(
    schema="public",
    signature="toUpper(some_text text default 'my text!')",
    definition="returns text as $$ select upper(some_text) || 'def' $$ language SQL;",
)
PG_VIEWS = "select *, {} as is_updated from pg_views"
VIEW = PGView(schema="DEV", signature="testExample", definition=PG_VIEWS.format("FALSE"))
VIEW_2 = PGView(schema="DEV", signature="testExample", definition=PG_VIEWS.format("TRUE"))
MATVIEW, MATVIEW_2 = (
    PGMaterializedView("DEV", "test_mat_view", PG_VIEWS.format(flag), with_data=True)
    for flag in ("FALSE", "TRUE")
)
ACCOUNT = "create table public.account (id serial primary key, email text not null)"
DOWNCASE = PGFunction.from_sql(
    "create function public.downcase_email() returns trigger as $$ begin return new; end; $$ "
    "language plpgsql;"
)


def _trigger(event: str, *, constraint: bool = False) -> PGTrigger:
    deferred = " INITIALLY DEFERRED" if constraint else ""
    return PGTrigger(
        schema="public",
        signature="lower_account_EMAIL",
        on_entity="public.account",
        is_constraint=constraint,
        definition=f"{event} ON public.account{deferred} FOR EACH ROW "
        "EXECUTE PROCEDURE public.downcase_email()",
    )


TRIGGER, TRIGGER_2 = _trigger("BEFORE INSERT"), _trigger("AFTER INSERT")
CONSTRAINT_TRIGGER = _trigger("AFTER INSERT", constraint=True)
CONSTRAINT_TRIGGER_2 = _trigger("AFTER UPDATE", constraint=True)
EXTENSION = PGExtension(schema="public", signature="uuid-ossp")
GRANT = PGGrantTable(
    schema="public", table="account", role="anon_user", grant=PGGrantTableChoice.DELETE
)
GRANT_2 = PGGrantTable(
    schema="public", table="account", role="anon_user", grant="DELETE", with_grant_option=True
)
COLUMN_GRANT = PGGrantTable(
    schema="public", table="account", columns=["id", "email"], role="anon_user", grant="SELECT"
)
COLUMN_GRANT_2 = PGGrantTable(
    schema="public",
    table="account",
    columns=["id"],
    role="anon_user",
    grant="SELECT",
    with_grant_option=True,
)
POLICY = PGPolicy(
    schema="public",
    signature="some_policy",
    on_entity="some_tab",  # schema omitted intentionally
    definition="for all to anon_user using (true) with check (true);",
)
POLICY_2 = PGPolicy(
    schema="public",
    signature="some_policy",
    on_entity="some_tab",
    definition="for update to anon_user using (true);",
)
SOME_TAB = "create table public.some_tab (id serial primary key, name text)"

# kind: (setup SQL, entities installed first, entity, updated entity, module, entity_types)
KINDS = {
    "function": ((), (), TO_UPPER, TO_UPPER_2, "pg_function", PGFunction),
    "view": ((), (), VIEW, VIEW_2, "pg_view", PGView),
    "materialized_view": ((), (), MATVIEW, MATVIEW_2, "pg_materialized_view", PGMaterializedView),
    "trigger": ((ACCOUNT,), (DOWNCASE,), TRIGGER, TRIGGER_2, "pg_trigger", PGTrigger),
    "constraint_trigger": (
        (ACCOUNT,),
        (DOWNCASE,),
        CONSTRAINT_TRIGGER,
        CONSTRAINT_TRIGGER_2,
        "pg_trigger",
        PGTrigger,
    ),
    "extension": ((), (), EXTENSION, None, "pg_extension", PGExtension),
    "grant_table": ((ACCOUNT,), (), GRANT, GRANT_2, "pg_grant_table", PGGrantTable),
    "grant_table_w_columns": (
        (ACCOUNT,),
        (),
        COLUMN_GRANT,
        COLUMN_GRANT_2,
        "pg_grant_table",
        PGGrantTable,
    ),
    "policy": ((SOME_TAB,), (), POLICY, POLICY_2, "pg_policy", PGPolicy),
}
UPDATABLE = [k for k, v in KINDS.items() if v[3] is not None]


def setup_kind(project, kind):
    setup, installed, entity, updated, module, cls = KINDS[kind]
    run_sql(project, *setup, *(e.to_sql_statement_create() for e in installed))
    return entity, updated, f"from alembic_utils.{module} import {cls.__name__}", cls


@pytest.mark.parametrize("kind", list(KINDS))
def test_pg_kind__test_create_revision(project, kind):
    entity, _, import_line, cls = setup_kind(project, kind)
    register_entities([entity], entity_types=[cls])
    contents = project.revision("1", "create")
    assert_ops(contents, create=True, drop=True, replace=False)
    assert import_line in contents
    if cls is PGTrigger:
        assert "is_constraint" in contents
    project.upgrade()
    project.downgrade()


@pytest.mark.parametrize("kind", UPDATABLE)
def test_pg_kind__test_update_revision(project, kind):
    entity, updated, import_line, cls = setup_kind(project, kind)
    run_sql(project, entity.to_sql_statement_create())
    register_entities([updated], entity_types=[cls])
    contents = project.revision("2", "replace")
    assert_ops(contents, create=False, drop=False, replace=True)
    assert import_line in contents
    project.upgrade()
    project.downgrade()


@pytest.mark.parametrize("kind", list(KINDS))
def test_pg_kind__test_noop_revision(project, kind):
    entity, _, _, cls = setup_kind(project, kind)
    run_sql(project, entity.to_sql_statement_create())
    register_entities([entity], entity_types=[cls])
    project.upgrade()
    contents = project.revision("3", "do_nothing")
    assert_ops(contents, create=False, drop=False, replace=False)
    assert "from alembic_utils" not in contents
    project.upgrade()
    project.downgrade()


@pytest.mark.parametrize("kind", list(KINDS))
def test_pg_kind__test_drop_revision(project, kind):
    """Nothing declared of the kind: the last live one is still a drop (the drop scan covers
    every allowed kind in the observed schemas, declared or not)."""
    entity, _, _, cls = setup_kind(project, kind)
    register_entities([], schemas=["DEV"], entity_types=[cls])
    run_sql(project, entity.to_sql_statement_create())
    contents = project.revision("1", "drop")
    assert "op.drop_entity" in contents and "op.create_entity" in contents
    assert "from alembic_utils" in contents
    assert contents.index("op.drop_entity") < contents.index("op.create_entity")
    project.upgrade()
    project.downgrade()


def test_pg_extension__test_update_is_unreachable(project):
    """An extension declared in another schema than the live one.  Differs on purpose:
    alembic-utils proposes only a create in "DEV" (which fails: the extension exists); there is
    no replace for extensions, so we drop the live one and create the declared one."""
    run_sql(project, EXTENSION.to_sql_statement_create())
    register_entities(
        [PGExtension("DEV", EXTENSION.signature)],
        schemas=["public", "DEV"],
        entity_types=[PGExtension],
    )
    contents = project.revision("2", "replace")
    assert "op.replace_entity" not in contents
    assert "from alembic_utils.pg_extension import PGExtension" in contents
    upgrade = contents.split("def downgrade")[0]
    assert upgrade.index("op.drop_entity") < upgrade.index("op.create_entity")
    project.upgrade()
    with project.engine.connect() as conn:
        schema = conn.scalar(
            sa.text(
                "select extnamespace::regnamespace::text from pg_extension "
                "where extname = 'uuid-ossp'"
            )
        )
    assert schema == '"DEV"'
    project.downgrade()


# --- Functions (test_pg_function.py, test_pg_function_overloading.py) --------------------


def test_pg_function__test_ignores_extension_functions(project):
    """Functions an extension owns are never proposed for drop."""
    run_sql(project, "create extension if not exists unaccent schema public")
    register_entities([], entity_types=[PGFunction])
    contents = project.revision("1", "do_nothing")
    assert_ops(contents, create=False, drop=False, replace=False)


def test_pg_function_overloading__test_create_revision(project):
    base = "returns text as $$ select upper(some_text) || 'abc' $$ language SQL;"
    overloads = [
        PGFunction("public", "to_upper(some_text text)", base),
        PGFunction(
            "public",
            "to_upper(some_text text, some_int int)",
            "returns text as $$ select upper(some_text) || some_int::text $$ language SQL;",
        ),
    ]
    register_entities(overloads, entity_types=[PGFunction])
    contents = project.revision("1", "create")
    assert contents.count("op.create_entity") == 2 and contents.count("op.drop_entity") == 2
    project.upgrade()
    with project.engine.connect() as conn:
        assert conn.scalar(sa.text("select public.to_upper('a', 1)")) == "A1"
    assert_ops(project.revision("2", "do_nothing"), create=False, drop=False, replace=False)
    project.downgrade()


def test_pg_function__test_update_revision_with_quotes_and_backslashes(project):
    updated = PGFunction(
        TO_UPPER.schema,
        TO_UPPER.signature,
        'returns text as $$ select upper(some_text) || \'def\'  -- """ \\n \\\\\n'
        "    $$ language SQL immutable strict;",
    )
    run_sql(project, TO_UPPER.to_sql_statement_create())
    register_entities([updated], entity_types=[PGFunction])
    assert_ops(project.revision("2", "replace"), create=False, drop=False, replace=True)
    project.upgrade()
    project.downgrade()


def test_pg_function__test_has_no_parameters(project):
    side_effect = PGFunction(
        "public", "side_effect()", "returns integer as $$ select 1; $$ language SQL;"
    )
    register_entities([side_effect], schemas=["public"], entity_types=[PGFunction])
    assert "op.drop_entity" in project.revision("1", "no_arguments")
    project.upgrade()
    project.downgrade()


def test_pg_function__test_plpgsql_colon_escape(project):
    plpgsql = PGFunction(
        "public",
        "some_func(some_text text)",
        "returns text as $$ declare copy_o_text text; begin copy_o_text := some_text; "
        "return copy_o_text; end; $$ language plpgsql",
    )
    register_entities([plpgsql], entity_types=[PGFunction])
    assert_ops(project.revision("1", "create"), create=True, drop=True, replace=False)
    project.upgrade()
    project.downgrade()


def test_pg_function_overloading__test_update_revision(project):
    """One overload changes: one replace up and one down, the other overload untouched."""
    to_float = "returns float as $$ select x::float $$ language SQL;"
    from_int = PGFunction("public", "to_float(x integer)", to_float)
    from_text = PGFunction("public", "to_float(x text)", to_float)
    run_sql(project, from_int.to_sql_statement_create(), from_text.to_sql_statement_create())
    update = PGFunction(
        "public",
        "to_float(x integer)",
        "returns float as $$ select x::text::float $$ language SQL;",
    )
    register_entities([update, from_text], entity_types=[PGFunction])
    contents = project.revision("2", "replace")
    assert contents.count("op.replace_entity") == 2
    assert "op.create_entity" not in contents and "op.drop_entity" not in contents
    project.upgrade()
    project.downgrade()


def test_pg_materialized_view__test_create_revision_keeps_colons(project):
    matview = PGMaterializedView(
        "DEV",
        "test_mat_view",
        "SELECT concat('https://something/', cast(x as text)) FROM generate_series(1,10) x",
        with_data=True,
    )
    register_entities([matview], entity_types=[PGMaterializedView])
    contents = project.revision("1", "create")
    assert "https://" in contents
    project.upgrade()
    project.downgrade()


# --- Views (test_pg_view.py) ------------------------------------------------------------


def test_pg_view__test_attempt_revision_on_unparsable(project):
    """A broken entity: our SimulationError, which is also SQLAlchemy's ProgrammingError
    (alembic-utils re-raises the driver's SyntaxError as such), with a one-line message."""
    register_entities([PGView("public", "broken_view", "NOPE;")], entity_types=[PGView])
    with pytest.raises(ProgrammingError) as caught:
        project.revision("1", "create")
    assert isinstance(caught.value, SimulationError)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("cannot create view public.broken_view: syntax error")
    assert caught.value.orig is caught.value.__cause__


def test_pg_view__test_create_revision_with_url_w_colon(project):
    query = "SELECT concat('https://something/', v::text) FROM generate_series(1,2) x(v)"
    register_entities([PGView("public", "exa", query)], entity_types=[PGView])
    contents = project.revision("1", "create")
    assert "https://something/" in contents
    project.upgrade()
    project.downgrade()


def test_pg_view__test_view_contains_colon(project):
    """A colon that is not a bind parameter (``':'``) survives rendering and the upgrade."""
    view = PGView("public", "sample", "select ':' as myfield, '1'::int as othi")
    register_entities([view], entity_types=[PGView])
    assert_ops(project.revision("1", "create"), create=True, drop=True, replace=False)
    project.upgrade()
    project.downgrade()


def test_pg_view__test_update_revision_order_and_failover(project):
    """The upgrade holds the new definition, the downgrade the live one; a replace that drops
    columns (``CREATE OR REPLACE VIEW`` refuses) still runs (alembic-utils' drop + create)."""
    run_sql(project, VIEW.to_sql_statement_create())
    fewer_columns = PGView(VIEW.schema, VIEW.signature, "select TRUE as is_updated from pg_views")
    register_entities([fewer_columns], entity_types=[PGView])
    contents = project.revision("2", "replace").lower()
    assert_ops(contents, create=False, drop=False, replace=True)
    assert contents.find("true") < contents.find("false")
    project.upgrade()
    project.downgrade()


# --- Filters and registration (test_include_filters.py, test_duplicate_registration.py) ---

FUNC_DEF = "returns text as $$ begin return upper(some_text) || 'abc'; end; $$ language PLPGSQL;"


def _view(name):
    return PGView(schema="public", signature=name, definition="select 1 as one")


def _func(name):
    return PGFunction(
        schema="public", signature=f"{name}(some_text text default 'my text!')", definition=FUNC_DEF
    )


def test_include_filters__test_create_revision_with_filters(project):
    reflected = [
        _view("reflected_view"),
        _view("exclude_name_reflected_view"),
        _func("reflected_toUpper"),
        _func("exclude_obj_reflected_toUpper"),
    ]
    run_sql(project, *(e.to_sql_statement_create() for e in reflected))
    register_entities(
        [_view("A_view"), _view("exclude_obj_view"), _func("toUpper"), _func("exclude_obj_toUpper")]
    )
    contents = project.revision("1", "filtered_upgrade")
    assert "op.create_entity(public_a_view)" in contents
    assert "op.create_entity(public_toupper)" in contents
    assert "op.drop_entity(public_reflected_view)" in contents
    assert "op.drop_entity(public_reflected_toupper)" in contents
    assert "exclude_obj_view" not in contents
    assert "op.create_entity(public_exclude_obj_toupper)" not in contents
    assert "op.drop_entity(public_exclude_name_reflected_view)" not in contents
    assert "op.drop_entity(public_exclude_obj_reflected_toupper)" not in contents
    project.upgrade()
    project.downgrade()


def test_duplicate_registration__test_migration_create_function(project):
    def to_upper():
        return PGFunction(
            "public",
            "to_upper(some_text text)",
            "returns text as $$ select upper(some_text) || 'abc' $$ language SQL;",
        )

    first, second = to_upper(), to_upper()
    register_entities([first, second], entity_types=[PGFunction])
    assert registry.entities() == [second]
    contents = project.revision("1", "raise")
    assert contents.count("op.create_entity") == 1


# --- Dependencies (test_op_drop_cascade.py, test_depends.py, issue #117) -------------------

A = PGView(schema="public", signature="A_view", definition="select 1::integer as one")
B_A = PGView(schema="public", signature="B_view", definition='select * from public."A_view"')


def test_op_drop_cascade__test_drop_fails_without_cascade(project):
    """Only B declared, B reads A: alembic-utils' answer, the drop of A alone, which
    PostgreSQL refuses (we keep B in place rather than drop and re-create it after A is gone,
    which could not run)."""
    run_sql(project, A.to_sql_statement_create(), B_A.to_sql_statement_create())
    register_entities([B_A], schemas=["DEV"])
    contents = project.revision("1", "drop")
    assert "op.drop_entity" in contents and "op.create_entity" in contents
    assert contents.index("op.drop_entity") < contents.index("op.create_entity")
    upgrade = contents.split("def downgrade")[0]
    assert "B_view" not in upgrade  # B stays: no self-contradictory drop and re-create
    with pytest.raises(InternalError):  # DependentObjectsStillExist
        project.upgrade()


def test_op_drop_cascade__test_drop_fails_with_cascade(project):
    run_sql(project, A.to_sql_statement_create(), B_A.to_sql_statement_create())
    register_entities([B_A], schemas=["DEV"], entity_types=[PGView])
    contents = project.revision("1", "drop")
    assert "op.drop_entity(public_a_view)" in contents
    path = project.path("1", "drop")
    path.write_text(
        contents.replace(
            "op.drop_entity(public_a_view)", "op.drop_entity(public_a_view, cascade=True)"
        )
    )
    project.upgrade()
    with project.engine.connect() as conn:
        assert PGView.from_database(conn, "public") == []


def test_dependency_order_of_creations_and_drops(project):
    """Differs on purpose (alembic-utils #117): creations need-first in the upgrade, drops
    dependents-first, whatever the registration order; the downgrade reverses both."""
    c_b = PGView(schema="public", signature="C_view", definition='select * from public."B_view"')
    register_entities([c_b, B_A, A], entity_types=[PGView])
    contents = project.revision("1", "create")
    upgrade, downgrade = contents.split("def downgrade")
    assert (
        upgrade.index("create_entity(public_a_view)")
        < upgrade.index("create_entity(public_b_view)")
        < upgrade.index("create_entity(public_c_view)")
    )
    assert (
        downgrade.index("drop_entity(public_c_view)")
        < downgrade.index("drop_entity(public_b_view)")
        < downgrade.index("drop_entity(public_a_view)")
    )
    project.upgrade()
    project.downgrade()


def test_extension_before_the_function_that_needs_it_and_grant_after_its_view(project):
    """New kinds in dependency order: the extension is created before a function with an
    argument of its type, a grant after the view it is on; the downgrade reverses both."""
    citext = PGExtension(schema="public", signature="citext")
    shout = PGFunction(
        "public", "shout(t citext)", "returns text as $$ select upper(t::text) $$ language sql"
    )
    view = PGView("public", "v", "select 1 as one")
    grant = PGGrantTable(schema="public", table="v", role="anon_user", grant="TRIGGER")
    register_entities([grant, shout, view, citext])
    contents = project.revision("1", "create")
    upgrade, downgrade = contents.split("def downgrade")
    assert upgrade.index("op.create_entity(public_citext)") < upgrade.index(
        "op.create_entity(public_shout)"
    )
    assert upgrade.index("op.create_entity(public_v)") < upgrade.index(
        "op.create_entity(public_v_anon_user_trigger)"
    )
    assert downgrade.index("op.drop_entity(public_shout)") < downgrade.index(
        "op.drop_entity(public_citext)"
    )
    project.upgrade()
    assert_ops(project.revision("2", "do_nothing"), create=False, drop=False, replace=False)
    project.downgrade()


def test_drops_in_dependency_order_extension_last(project):
    """Nothing declared: the function using the extension's type is dropped before it."""
    run_sql(
        project,
        "create extension citext schema public",
        "create function public.shout(t citext) returns text "
        "as $$ select upper(t::text) $$ language sql",
    )
    register_entities([], entity_types=[PGExtension, PGFunction])
    contents = project.revision("1", "drop")
    upgrade = contents.split("def downgrade")[0]
    assert upgrade.index("op.drop_entity(public_shout)") < upgrade.index(
        "op.drop_entity(public_citext)"
    )
    project.upgrade()
    project.downgrade()
