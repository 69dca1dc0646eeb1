"""Explain a filtered autogenerate run: what was suppressed, by which rule, which rules are stale.

The same :class:`RunReport` renders a comment block for the revision draft (the template variable
``autogen_filters_report``) and a short summary for the console (stderr).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .matching import Suppression
from .registry import Rule

__all__ = ["RunReport", "wrap_comment"]

_WIDTH = 98


@dataclass(frozen=True)
class RunReport:
    suppressions: tuple[Suppression, ...]
    stale: tuple[Rule, ...]
    sources: tuple[str, ...]
    remaining: int  # number of upgrade ops left after filtering

    def by_rule(self) -> list[tuple[Rule, list[str]]]:
        groups: dict[str, tuple[Rule, list[str]]] = {}
        for suppression in self.suppressions:
            rule = suppression.rule
            groups.setdefault(rule.id, (rule, []))[1].append(suppression.subject.describe())
        return [(rule, sorted(items)) for rule, items in groups.values()]

    def comment_block(self) -> str:
        """Python comment lines for the draft; empty when there is nothing to say."""
        if not self.suppressions and not self.stale:
            return ""
        lines = [
            f"Known divergences suppressed by autogen_filters ({len(self.suppressions)}), "
            f"registry: {', '.join(self.sources) or '-'}"
        ]
        for rule, items in self.by_rule():
            lines.extend(wrap_comment(f"[{rule.id}] {rule.reason}", "  ", "      "))
            for item in items:
                lines.extend(wrap_comment(f"- {item}", "    ", "      "))
        if self.stale:
            lines.append(f"Stale rules: matched nothing in this run ({len(self.stale)})")
            for rule in self.stale:
                text = f"[{rule.id}] {rule.kind} {rule.name}: {rule.reason}"
                lines.extend(wrap_comment(text, "  ", "      "))
        return "\n".join(f"# {line}".rstrip() for line in lines)

    def console_summary(self) -> str:
        """The suppressed divergences by rule id (reasons are in the draft), then stale rules."""
        groups = self.by_rule()
        lines = [
            f"autogen_filters: {len(self.suppressions)} known divergence(s) suppressed by "
            f"{len(groups)} rule(s)" + (":" if groups else "")
        ]
        for rule, items in groups:
            lines.append(f"  [{rule.id}]")
            lines.extend(f"    - {item}" for item in items)
        if self.stale:
            ids = ", ".join(rule.id for rule in self.stale)
            lines.append(f"autogen_filters: stale rule(s), matched nothing: {ids}")
        return "\n".join(lines)


def wrap_comment(text: str, first: str, rest: str) -> list[str]:
    """``text`` wrapped for a comment block, with a first-line and a continuation indent."""
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,  # keeps ids, paths and names whole
    ) or [first.rstrip()]
