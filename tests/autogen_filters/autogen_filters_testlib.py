"""Helpers shared by the DB-free autogen_filters tests (imported by name: no package here,
since a tests/autogen_filters package would shadow the real ``autogen_filters``)."""

from alembic.operations import ops

from autogen_filters import Matcher
from autogen_filters.registry import parse_registry

SCHEMA = "crmp"


def make_matcher(toml: str, schema: str = SCHEMA) -> Matcher:
    return Matcher(parse_registry(toml, source="test.toml"), schema)


def script_for(*upgrade: ops.MigrateOperation) -> ops.MigrationScript:
    """A MigrationScript whose downgrade is derived the way autogenerate derives it."""
    upgrade_ops = ops.UpgradeOps(list(upgrade))
    return ops.MigrationScript(
        rev_id="x", upgrade_ops=upgrade_ops, downgrade_ops=upgrade_ops.reverse()
    )
