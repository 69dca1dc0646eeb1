"""Run every enabled rewriter plugin (:mod:`rewriters.registry`) over one migration's source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rewriters.config import RewriteConfig
from rewriters.plugin import Rewriter
from rewriters.registry import plugins

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


def wanted(source: str, config: RewriteConfig) -> list[Rewriter]:
    """The enabled plugins whose cheap text pre-check passes: empty means no parse at all."""
    return [
        plugin
        for plugin in plugins(config.plugins).values()
        if plugin.enabled(config) and plugin.precheck(source, config)
    ]


def might_need_rewrite(source: str, config: RewriteConfig) -> bool:
    """Cheap text pre-check of every enabled plugin: False means the file needs no parse."""
    return bool(wanted(source, config))


def unconfigured(config: RewriteConfig) -> list[str]:
    """When no plugin that needs project knowledge is configured: what to configure."""
    needing = [plugin for plugin in plugins(config.plugins).values() if plugin.hint]
    if any(plugin.enabled(config) for plugin in needing):
        return []
    return [plugin.hint for plugin in needing]


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
    """Every enabled plugin in registry order, on one parse. Skips parsing when no plugin's
    text pre-check passes. Diagnostics' line numbers refer to the module as the previous
    plugins left it (the input file unless one of them changed it)."""
    chosen = wanted(source, config)
    if not chosen:
        return PipelineResult(source, False)
    module = parse(source)
    diagnostics: list[Diagnostic] = []
    changed = False
    for plugin in chosen:
        result = plugin.run(module, config)
        diagnostics.extend(result.diagnostics)
        if result.changed:
            module, changed = result.module, True
    if not changed:
        return PipelineResult(source, False, diagnostics)
    new_source = module.code
    return PipelineResult(new_source, new_source != source, diagnostics)
