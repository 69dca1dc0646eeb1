"""Small LibCST helpers shared by the rewriters (names, string literals, positions)."""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


@dataclass(frozen=True)
class Diagnostic:
    """A message about one line of a file: printed as ``path:line: message``."""

    line: int
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message}"


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``op.execute`` for ``Attribute(Name("op"), "execute")``; ``None`` for other shapes."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def last_name(node: cst.BaseExpression) -> str | None:
    """Last segment of a dotted callee (``ForeignKey`` for ``sa.ForeignKey``)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def string_value(node: cst.BaseExpression) -> str | None:
    """Evaluated value of a plain (non-bytes, non-f) string literal, else ``None``."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes: treat as not a string we understand
            return None
        return value if isinstance(value, str) else None
    return None


_ESCAPE = re.compile(
    r"\\(?:\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})"
)


def _raw_offsets(body: str, is_raw: bool) -> list[int] | None:
    """Map each character index of the evaluated string to its index in the source body.

    Returns ``None`` when the body holds something this mapping does not model (``\\N{...}``,
    whose braces would clash with f-string syntax). The list has one extra final entry.
    """
    if is_raw:
        return list(range(len(body) + 1))
    offsets: list[int] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            match = _ESCAPE.match(body, i)
            if match is None:  # unknown escape: Python keeps the backslash literally
                offsets.append(i)
                i += 1
                continue
            if match.group(0).startswith("\\N"):
                return None
            decoded = (
                ast.literal_eval('"' + match.group(0) + '"') if match.group(0) != "\\\n" else ""
            )
            offsets.extend([i] * len(decoded))
            i = match.end()
        else:
            offsets.append(i)
            i += 1
    offsets.append(len(body))
    return offsets


def to_fstring(
    node: cst.SimpleString, spans: Sequence[tuple[int, int]], replacements: Sequence[str]
) -> cst.BaseExpression | None:
    """Replace evaluated-value ``spans`` of a string literal by f-string replacement fields.

    ``replacements`` are inserted verbatim (``{schema_name}``); every other ``{``/``}`` of the
    literal is doubled. Returns ``None`` when the spans cannot be mapped back onto the source.
    """
    prefix = node.prefix
    quote = node.quote
    body = node.value[len(prefix) + len(quote) : -len(quote)]
    offsets = _raw_offsets(body, "r" in prefix.lower())
    if offsets is None:
        return None
    parts: list[cst.BaseFormattedStringContent] = []
    last = 0

    def text(raw: str) -> None:
        if raw:
            parts.append(cst.FormattedStringText(raw.replace("{", "{{").replace("}", "}}")))

    for (start, end), replacement in zip(spans, replacements, strict=True):
        raw_start, raw_end = offsets[start], offsets[end]
        if body[raw_start:raw_end] != node.evaluated_value[start:end]:
            return None  # the span crosses an escape sequence: do not guess
        text(body[last:raw_start])
        parts.extend(_replacement_parts(replacement))
        last = raw_end
    text(body[last:])
    new_prefix = prefix.replace("u", "").replace("U", "") + "f"
    # Built directly rather than re-parsed: parsing a snippet per string cost more than the
    # rest of the rewrite.
    return cst.FormattedString(parts=parts, start=new_prefix + quote, end=quote)


#: Stands for each replacement field of an f-string when its text is scanned: an identifier
#: character, so that ``{prefix}crmp.t`` is never taken for a reference to schema ``crmp``.
FIELD_PLACEHOLDER = "x"


def fstring_text(node: cst.FormattedString) -> tuple[str, list[tuple[int, int]]] | None:
    """The text of an f-string, each replacement field as :data:`FIELD_PLACEHOLDER`.

    Also returns where each part sits in that text. ``None`` when a text part holds an escape
    sequence or a doubled brace, whose source differs from its value (not modelled here).
    """
    raw = "r" in node.prefix.lower()
    pieces: list[str] = []
    bounds: list[tuple[int, int]] = []
    position = 0
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text = part.value
            if "{{" in text or "}}" in text or (not raw and "\\" in text):
                return None
        else:
            text = FIELD_PLACEHOLDER
        pieces.append(text)
        bounds.append((position, position + len(text)))
        position += len(text)
    return "".join(pieces), bounds


def rewrite_fstring(
    node: cst.FormattedString, spans: Sequence[tuple[int, int]], replacements: Sequence[str]
) -> cst.FormattedString | None:
    """Replace ``spans`` of :func:`fstring_text`'s text by replacement fields (``{schema_name}``).

    ``None`` when a span is not inside one text part (it would cut a replacement field).
    """
    scanned = fstring_text(node)
    if scanned is None:
        return None
    _text, bounds = scanned
    todo = sorted(zip(spans, replacements, strict=True))
    parts: list[cst.BaseFormattedStringContent] = []
    for part, (start, end) in zip(node.parts, bounds, strict=True):
        if not isinstance(part, cst.FormattedStringText):
            if todo and todo[0][0][0] < end:
                return None
            parts.append(part)
            continue
        last = start
        while todo and todo[0][0][0] < end:
            (span_start, span_end), replacement = todo.pop(0)
            if span_start < start or span_end > end:
                return None
            if span_start > last:
                parts.append(cst.FormattedStringText(part.value[last - start : span_start - start]))
            parts.extend(_replacement_parts(replacement))
            last = span_end
        if last < end:
            parts.append(cst.FormattedStringText(part.value[last - start :]))
    return node.with_changes(parts=parts)


# Verbatim text around exactly one f-string replacement field, e.g. '"{schema_name}"'.
_REPLACEMENT = re.compile(r"([^{}]*)\{([^{}]+)\}([^{}]*)", re.DOTALL)


@functools.lru_cache(maxsize=64)
def _replacement_parts(replacement: str) -> tuple[cst.BaseFormattedStringContent, ...]:
    """``text{expr}text`` as f-string parts (nodes are immutable: safe to share)."""
    match = _REPLACEMENT.fullmatch(replacement)
    if match is None:
        raise ValueError(f"not one replacement field: {replacement!r}")
    before, expression, after = match.groups()
    field = cst.FormattedStringExpression(expression=cst.parse_expression(expression))
    return tuple(
        part
        for part in (
            cst.FormattedStringText(before) if before else None,
            field,
            cst.FormattedStringText(after) if after else None,
        )
        if part is not None
    )


def lines_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, int]:
    """Start line of each node (by ``id``), computing positions only when asked.

    The wrapper does not copy the tree, so the nodes must belong to ``module`` itself.
    """
    wanted = {id(node) for node in nodes}
    if not wanted:
        return {}
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {id(node): pos.start.line for node, pos in positions.items() if id(node) in wanted}


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _CHILD_FIELDS[cls] = names
    return names


def paths_to_strings(module: cst.Module, needles: tuple[str, ...]) -> set[int]:
    """Ids of every node whose subtree holds a string literal (or the text of an f-string)
    containing one of ``needles``.

    A plain attribute walk (no node is rebuilt) is several times cheaper than a LibCST visit,
    which reconstructs every node it passes; transformers use the result to skip the rest.
    ``needles`` must be lower case; the comparison is on the lower-cased literal source.
    """
    keep: set[int] = set()

    def walk(node: cst.CSTNode) -> bool:
        if type(node) is cst.SimpleString or type(node) is cst.FormattedStringText:
            found = any(needle in node.value.lower() for needle in needles)
        else:
            found = False
            for name in _child_fields(type(node)):
                value = getattr(node, name)
                if isinstance(value, cst.CSTNode):
                    found = walk(value) or found
                elif isinstance(value, list | tuple):
                    for item in value:
                        if isinstance(item, cst.CSTNode):
                            found = walk(item) or found
        if found:
            keep.add(id(node))
        return found

    walk(module)
    return keep
