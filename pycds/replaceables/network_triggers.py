"""The two meta_network triggers that protect ``network_name`` and default the display name.

``network_name`` is a stable key used by clients (and by data loaders to find a network),
so it may not change; what users see is ``network_display_name``, which defaults to the
name on insert and can be edited freely. Both triggers are BEFORE row triggers whose names
sort before the ``t100_`` history triggers, so PostgreSQL (which fires same-timing triggers
in name order) fills the display name before the row is stamped and copied to history.
"""

from __future__ import annotations

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_trigger import PGTrigger

from pycds.replaceables._schema import resolve_schema


def network_trigger_functions(schema: str | None = None) -> list[PGFunction]:
    """The trigger functions behind the meta_network display-name triggers."""
    s = resolve_schema(schema)
    return [
        PGFunction(
            schema=s,
            signature="set_network_display_name_default()",
            definition="""RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_display_name IS NULL THEN
        NEW.network_display_name := NEW.network_name;
    END IF;
    RETURN NEW;
END;
$$""",
        ),
        PGFunction(
            schema=s,
            signature="prevent_network_name_modification()",
            definition="""RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.network_name IS DISTINCT FROM OLD.network_name THEN
        RAISE EXCEPTION 'network_name of network % cannot be changed (% -> %)',
            OLD.network_id, OLD.network_name, NEW.network_name
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Change network_display_name instead.';
    END IF;
    RETURN NEW;
END;
$$""",
        ),
    ]


def network_triggers(schema: str | None = None) -> list[PGTrigger]:
    """The BEFORE INSERT and BEFORE UPDATE triggers on meta_network."""
    s = resolve_schema(schema)
    return [
        PGTrigger(
            schema=s,
            signature="set_network_display_name_default_trigger",
            on_entity=f"{s}.meta_network",
            definition=(
                f"BEFORE INSERT ON {s}.meta_network FOR EACH ROW "
                f"EXECUTE FUNCTION {s}.set_network_display_name_default()"
            ),
        ),
        PGTrigger(
            schema=s,
            signature="prevent_network_name_modification_trigger",
            on_entity=f"{s}.meta_network",
            definition=(
                f"BEFORE UPDATE ON {s}.meta_network FOR EACH ROW "
                f"EXECUTE FUNCTION {s}.prevent_network_name_modification()"
            ),
        ),
    ]


def network_entities(schema: str | None = None) -> list[PGFunction | PGTrigger]:
    """Functions then triggers of the display-name rules, in creation order."""
    return [*network_trigger_functions(schema), *network_triggers(schema)]
