"""Helpers for the rewriter tests: run a rewriter on source text, dedent cases."""

from __future__ import annotations

import textwrap

import libcst as cst

from rewriters.config import RewriteConfig
from rewriters.drop_add_to_rename import rewrite_renames
from rewriters.pipeline import rewrite_source
from rewriters.schema_name import rewrite_schema_names

HEADER = "from alembic import op\nimport sqlalchemy as sa\n\n"
IMPORTED_HEADER = (
    "from alembic import op\nimport sqlalchemy as sa\nfrom pycds import get_schema_name\n\n"
    "schema_name = get_schema_name()\n\n"
)


#: pycds's own settings (its pyproject.toml): the cases below are pycds migrations.
PYCDS_CONFIG = RewriteConfig(schemas=("crmp",), schema_call="pycds.get_schema_name")
PYCDS_TOML = (
    '[tool.alembic-rewrite.schema]\nschema = ["crmp"]\nschema-call = "pycds.get_schema_name"\n'
)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def run_schema(source: str, config: RewriteConfig | None = None) -> tuple[str, list[str]]:
    result = rewrite_schema_names(cst.parse_module(source), config or PYCDS_CONFIG)
    return result.module.code, [f"{d.line}: {d.message}" for d in result.diagnostics]


def run_rename(source: str, config: RewriteConfig | None = None) -> str:
    return rewrite_renames(cst.parse_module(source), config or PYCDS_CONFIG).module.code


def run_all(source: str, config: RewriteConfig | None = None) -> str:
    return rewrite_source(source, config or PYCDS_CONFIG).source
