"""``AutogenFilters``: the object env.py builds once and hands to ``context.configure``.

It wires the registry into the three Alembic hooks, chains other ``process_revision_directives``
hooks (rename Rewriter, replaceables), writes the report into the draft and decides what an empty
result means:

* ``alembic revision --autogenerate`` from the command line writes **no file** when nothing real
  remains (Alembic's "don't generate empty migrations" recipe) and says so on stderr;
* programmatic ``command.revision`` writes the (empty, explained) file unless
  ``config.attributes["autogen_filters.skip_empty"]`` is true;
* ``alembic check`` is never touched: it passes when nothing real remains.

Stale rules (matching nothing in an autogenerate run) are listed in the draft and on stderr; with
``strict=True`` they make the run fail with a ``CommandError`` (exit status 255 from the CLI).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from alembic.util import CommandError

from .directives import DirectiveFilter, predict_upgrade_op
from .hazards import HAZARDS_TEMPLATE_ARG, HazardChecker
from .include import IncludeHooks
from .matching import Matcher
from .registry import Registry
from .report import RunReport

__all__ = ["REPORT_TEMPLATE_ARG", "AutogenFilters", "StaleRulesError"]

#: Name of the template variable holding the report comment block.
REPORT_TEMPLATE_ARG = "autogen_filters_report"
#: ``config.attributes`` key: force (True) or forbid (False) skipping an empty revision file.
SKIP_EMPTY_ATTRIBUTE = "autogen_filters.skip_empty"
#: ``config.attributes`` key where the last :class:`RunReport` is stored (tests, baseline).
REPORT_ATTRIBUTE = "autogen_filters.report"
#: ``config.attributes`` key of the last :class:`~autogen_filters.hazards.HazardReport`.
HAZARDS_ATTRIBUTE = "autogen_filters.hazards"

_DEFAULT_PLUGINS = ("alembic.autogenerate.*",)
_CHECK_PLUGIN = "alembic.ext.checkconstraint_byname"

DirectivesHook = Callable[[Any, Any, list[Any]], None]


class StaleRulesError(CommandError):
    """Strict mode: some rules matched nothing."""


class AutogenFilters:
    """Registry-driven filters for one managed schema.

    ``strict`` turns stale rules into an error. ``compare_type`` and ``compare_server_default``
    are passed to ``context.configure`` (server defaults are compared by default, since renamed
    sequences and legacy defaults are among the divergences the registry describes).
    ``chain`` lists further ``process_revision_directives`` hooks run after the filter.
    ``hazards`` (a :class:`~autogen_filters.hazards.HazardChecker`) reports what the final
    draft risks, in its header and on the console, after every hook has run.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        schema: str,
        strict: bool = False,
        compare_type: bool | Callable[..., Any] = True,
        compare_server_default: bool | Callable[..., Any] = True,
        chain: list[DirectivesHook] | tuple[DirectivesHook, ...] = (),
        compare_check_constraints: bool = True,
        stream: Any = None,
        hazards: HazardChecker | None = None,
    ):
        self.registry = registry
        self.schema = schema
        self.strict = strict
        self.compare_type = compare_type
        self.compare_server_default = compare_server_default
        self.compare_check_constraints = compare_check_constraints
        self.matcher = Matcher(registry, schema)
        self._include = IncludeHooks(self.matcher, schema)
        self._filter = DirectiveFilter(self.matcher)
        self._chained: list[DirectivesHook] = list(chain)
        self._stream = stream
        self.hazards = hazards
        self.last_report: RunReport | None = None

    # --- public API -------------------------------------------------------------------------

    def chain(self, *hooks: DirectivesHook) -> AutogenFilters:
        """Run ``hooks`` (Rewriters or plain callables) after the filter, in order. Returns self."""
        self._chained.extend(hooks)
        return self

    def predict_upgrade_op(self, op: Any) -> Any | None:
        """The op as this filter will emit it (maybe trimmed), or None if suppressed.

        For comparators that look at the table ops before ``process_revision_directives``
        runs, such as :mod:`autogen_filters.replaceables` simulating column changes.
        """
        return predict_upgrade_op(op, self.matcher)

    def configure_options(self) -> dict[str, Any]:
        """Keyword arguments for ``context.configure(...)``."""
        options: dict[str, Any] = {
            "include_schemas": True,
            "include_name": self.include_name,
            "include_object": self.include_object,
            "process_revision_directives": self.process_revision_directives,
            "compare_type": self.compare_type,
            "compare_server_default": self.compare_server_default,
            "template_args": {REPORT_TEMPLATE_ARG: ""},
        }
        if self.hazards is not None:
            options["template_args"][HAZARDS_TEMPLATE_ARG] = ""
        if self.compare_check_constraints:
            # Named CHECK constraints are compared only through this opt-in plugin (Alembic
            # 1.19.2+); renamed legacy CHECKs are among the divergences a registry describes.
            options["autogenerate_plugins"] = [*_DEFAULT_PLUGINS, _CHECK_PLUGIN]
        return options

    def include_name(self, name: str | None, type_: str, parent_names: Any) -> bool:
        return self._include.include_name(name, type_, parent_names)

    def include_object(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        return self._include.include_object(obj, name, type_, reflected, compare_to)

    def process_revision_directives(
        self, context: Any, revision: Any, directives: list[Any]
    ) -> None:
        if not self._include.compared:
            # Not an autogenerate run (plain `alembic revision` with revision_environment):
            # nothing was compared, so there is nothing to filter and no rule can be stale.
            for hook in self._chained:
                hook(context, revision, directives)
            return
        try:
            self._filter(context, revision, directives)
            for hook in self._chained:
                hook(context, revision, directives)
            self._finish(context, directives)
        finally:
            self.reset()

    def reset(self) -> None:
        """Forget the suppressions of the current run (done automatically after each run)."""
        self.matcher.reset()
        self._include.compared = False

    # --- internals ------------------------------------------------------------------------

    def _finish(self, context: Any, directives: list[Any]) -> None:
        remaining = sum(
            len(upgrade_ops.ops) for script in directives for upgrade_ops in script.upgrade_ops_list
        )
        report = RunReport(
            suppressions=tuple(self.matcher.suppressions),
            stale=tuple(self.matcher.stale_rules()),
            sources=self.registry.sources,
            remaining=remaining,
        )
        self.last_report = report
        config = getattr(context, "config", None)
        attributes = getattr(config, "attributes", None)
        if isinstance(attributes, dict):
            attributes[REPORT_ATTRIBUTE] = report
        template_args = getattr(context, "opts", {}).get("template_args")
        if isinstance(template_args, dict):
            template_args[REPORT_TEMPLATE_ARG] = report.comment_block()

        self._say(report.console_summary())
        if self.strict and report.stale:
            raise StaleRulesError(
                "autogen_filters: strict mode: stale rule(s) matched nothing: "
                + ", ".join(rule.id for rule in report.stale)
            )
        if self.hazards is not None and remaining:
            hazards = self.hazards.report(context, directives)
            if isinstance(attributes, dict):
                attributes[HAZARDS_ATTRIBUTE] = hazards
            if isinstance(template_args, dict):
                template_args[HAZARDS_TEMPLATE_ARG] = hazards.comment_block()
            self._say(hazards.console_summary())
            self.hazards.enforce(hazards)
        if remaining == 0:
            if self._skip_empty(config):
                directives[:] = []
                self._say("autogen_filters: no changes: nothing real remains; no revision written")
            else:
                self._say("autogen_filters: no changes: nothing real remains")

    def _skip_empty(self, config: Any) -> bool:
        attributes = getattr(config, "attributes", None) or {}
        if SKIP_EMPTY_ATTRIBUTE in attributes:
            return bool(attributes[SKIP_EMPTY_ATTRIBUTE])
        # Only the CLI's `revision --autogenerate` sets cmd_opts.autogenerate; `alembic check`
        # must keep its (empty) script, since it reads generated_revisions[-1] afterwards.
        return bool(getattr(getattr(config, "cmd_opts", None), "autogenerate", False))

    def _say(self, text: str) -> None:
        print(text, file=self._stream or sys.stderr)
