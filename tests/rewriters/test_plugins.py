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


def test_a_project_adds_its_own_plugin_by_module_name(tmp_path, monkeypatch) -> None:
    """One module defining PLUGIN, named in [tool.alembic-rewrite] plugins, with its table."""
    (tmp_path / "shout_plugin.py").write_text(
        "from rewriters.plugin import Rewriter, check_keys\n"
        "from dataclasses import replace\n\n"
        "def configure(table, source, config):\n"
        "    check_keys('shout', table, {'word': 'w'}, source)\n"
        "    return replace(config, options={**config.options, 'shout': table['word']})\n\n"
        "PLUGIN = Rewriter(name='shout', description='d', keys={'word': 'w'},\n"
        "    configure=configure, enabled=lambda c: 'shout' in c.options,\n"
        "    precheck=lambda s, c: c.options['shout'] in s, transform='shout_plugin:transform')\n\n"
        "def transform(module, config):\n"
        "    import libcst as cst\n"
        "    from rewriters.plugin import TransformResult\n"
        "    word = config.options['shout']\n"
        "    new = cst.parse_module(module.code.replace(word, word.upper()))\n"
        "    return TransformResult(new, True)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = config_from_table({"plugins": ["shout_plugin"], "shout": {"word": "hello"}})
    assert rewrite_source("x = 'hello'\n", config).source == "x = 'HELLO'\n"
    with pytest.raises(Exception, match="unknown key"):
        config_from_table({"plugins": ["shout_plugin"], "shout": {"wrd": "hello"}})
    with pytest.raises(Exception, match="plugin 'no_such_module' cannot be loaded"):
        config_from_table({"plugins": ["no_such_module"]})
