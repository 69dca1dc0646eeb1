"""Every registered rewriter plugin: its interface, and its before/after cases (idempotent)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rewriters.config import config_from_table
from rewriters.pipeline import rewrite_source, unconfigured
from rewriters.registry import plugins

CASES = [
    pytest.param(plugin, case, id=f"{plugin.name}: {case.name}")
    for plugin in plugins().values()
    for case in plugin.cases
]


def test_schema_rename_and_role_are_plugins_of_one_pipeline() -> None:
    assert list(plugins()) == ["rename", "role", "schema"]
    for plugin in plugins().values():
        assert plugin.description and plugin.keys and plugin.cases
        assert ":" in plugin.transform


@pytest.mark.parametrize(("plugin", "case"), CASES)
def test_case(plugin, case) -> None:
    config = config_from_table({plugin.name: dict(case.table)})
    assert rewrite_source(case.before, config).source == case.after
    assert rewrite_source(case.after, config).source == case.after


def test_plugins_load_without_libcst() -> None:
    """The registry and the pre-checks run in the parent before any parse: no LibCST there."""
    code = (
        "import sys; from rewriters.pipeline import might_need_rewrite; "
        "from rewriters.config import config_from_table; "
        "c = config_from_table({'role': {'roles': {'dba': 'p.f'}}, 'schema': {'schema': 'x'}}); "
        "might_need_rewrite('x = 1', c); print('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_configuration_nothing_project_specific_happens() -> None:
    source = (
        "from alembic import op\n\n\ndef upgrade():\n"
        '    op.drop_table("t", schema="crmp")\n    op.execute("SET ROLE pcicdba")\n'
    )
    config = config_from_table({})
    assert rewrite_source(source, config).source == source
    assert len(unconfigured(config)) == 2
    assert unconfigured(config_from_table({"schema": {"schema": "crmp"}})) == []
