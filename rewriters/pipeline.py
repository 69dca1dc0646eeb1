"""Run every enabled rewriter over the source text of one migration file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rewriters.config import RewriteConfig

if TYPE_CHECKING:
    import libcst as cst

    from rewriters._cst import Diagnostic

# LibCST (and the rewriters built on it) is imported only once a file passes the text
# pre-check: the import costs more than the rest of a hook run on files that need nothing.


class SourceError(Exception):
    """The source cannot be rewritten (it does not parse); ``line`` locates the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class PipelineResult:
    """New source text (identical object when unchanged) and the diagnostics to print."""

    source: str
    changed: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)


def might_need_schema_rewrite(source: str, config: RewriteConfig) -> bool:
    """Cheap text pre-check: a file that never mentions a schema cannot need that rewrite."""
    lowered = source.lower()
    return any(schema.lower() in lowered for schema in config.schemas)


def might_need_rename(source: str) -> bool:
    """Cheap text pre-check: without a drop there is nothing to pair into a rename."""
    return "drop_column" in source or "drop_table" in source


def might_need_rewrite(source: str, config: RewriteConfig) -> bool:
    """Cheap text pre-check of both rewrites: False means the file needs no parse at all."""
    return might_need_schema_rewrite(source, config) or (
        config.rename and might_need_rename(source)
    )


# Above this size a source is first compiled by CPython's own parser (about an eighth of
# LibCST's cost), so that what Python itself refuses, such as an expression of thousands of
# terms, never reaches LibCST's parser, which slows quadratically and can crash on it.
PREFLIGHT_CHARS = 16 * 1024


def parse(source: str) -> cst.Module:
    """Parse with LibCST, turning every parser failure into :class:`SourceError`."""
    import libcst as cst

    if len(source) > PREFLIGHT_CHARS:
        _preflight(source)
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return _raise(exc.raw_line or 1, f"cannot parse: {exc.message}")
    except (RecursionError, MemoryError, ValueError) as exc:
        # The native parser can overflow on pathological input (LibCST issue 980).
        return _raise(1, f"cannot parse: {type(exc).__name__}: {exc}")


def _raise(line: int, message: str) -> cst.Module:
    raise SourceError(line, message)


def _preflight(source: str) -> None:
    """Raise :class:`SourceError` if CPython cannot compile ``source`` (it is no migration)."""
    import ast

    try:
        ast.parse(source)
    except SyntaxError as exc:
        raise SourceError(exc.lineno or 1, f"cannot parse: {exc.msg}") from None
    except (RecursionError, MemoryError) as exc:
        raise SourceError(
            1, f"cannot parse: nested too deeply for Python itself ({type(exc).__name__})"
        ) from None


def rewrite_source(source: str, config: RewriteConfig) -> PipelineResult:
    """Rename rewrite (if enabled), then schema rewrite. Skips parsing when the text shows that
    neither can apply (cheap pre-check)."""
    wants_schema = might_need_schema_rewrite(source, config)
    wants_rename = config.rename and might_need_rename(source)
    if not (wants_schema or wants_rename):
        return PipelineResult(source, False)
    from rewriters.drop_add_to_rename import rewrite_renames
    from rewriters.schema_name import rewrite_schema_names

    module = parse(source)
    diagnostics: list[Diagnostic] = []
    changed = False
    if wants_rename:
        renamed = rewrite_renames(module, config)
        diagnostics.extend(renamed.diagnostics)
        if renamed.changed:
            module, changed = renamed.module, True
    if wants_schema:
        schema = rewrite_schema_names(module, config)
        if schema.changed:
            module, changed = schema.module, True
        # Line numbers refer to the module as the rename step left it (the input file unless
        # a rename was rewritten).
        diagnostics.extend(schema.diagnostics)
    if not changed:
        return PipelineResult(source, False, diagnostics)
    new_source = module.code
    return PipelineResult(new_source, new_source != source, diagnostics)
