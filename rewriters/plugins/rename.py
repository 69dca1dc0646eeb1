"""Plugin ``rename``: a drop+add pair that is really a rename -> ``alter_column`` /
``rename_table`` (transform: :mod:`rewriters.drop_add_to_rename`; rules:
:mod:`rewriters.rename_rules`). On by default: its rules need no project knowledge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from rewriters.config import ConfigError, RewriteConfig
from rewriters.plugin import Case, Rewriter, check_keys

KEYS = {
    "enabled": "false turns the rewrite off (default true)",
    "renames": 'declared renames: "table.old" = "new", "old_table" = "table:new_table"',
}


def configure(table: Mapping[str, Any], source: str, config: RewriteConfig) -> RewriteConfig:
    from rewriters.rename_rules import parse_rename_entry  # its regexes cost a hook run

    check_keys("rename", table, KEYS, source)
    renames = table.get("renames", {})
    if not isinstance(renames, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in renames.items()
    ):
        raise ConfigError(f"{source}: [tool.alembic-rewrite.rename.renames] must map strings")
    for key, value in renames.items():
        parse_rename_entry(key, value, source)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{source}: 'enabled' must be true or false")
    return replace(config, renames=dict(renames), rename=enabled)


def enabled(config: RewriteConfig) -> bool:
    return config.rename


def precheck(source: str, config: RewriteConfig) -> bool:
    """Without a drop there is nothing to pair into a rename."""
    return "drop_column" in source or "drop_table" in source


_HEAD = "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"
_DOWN = "\n\ndef downgrade():\n"
PLUGIN = Rewriter(
    name="rename",
    description="drop+add pairs that are renames -> alter_column / rename_table",
    keys=KEYS,
    configure=configure,
    enabled=enabled,
    precheck=precheck,
    transform="rewriters.drop_add_to_rename:rewrite_renames",
    cases=(
        Case(
            "declared column rename",
            _HEAD + "    op.add_column('t', sa.Column('label', sa.Text(), nullable=True))\n"
            "    op.drop_column('t', 'name')\n"
            + _DOWN
            + "    op.add_column('t', sa.Column('name', sa.TEXT(), autoincrement=False, "
            "nullable=True))\n    op.drop_column('t', 'label')\n",
            _HEAD
            + "    op.alter_column('t', 'name', new_column_name='label', existing_type=sa.TEXT())\n"
            + _DOWN
            + "    op.alter_column('t', 'label', new_column_name='name', "
            "existing_type=sa.Text())\n",
            {"renames": {"t.name": "label"}},
        ),
    ),
)
