"""Find schema-qualified identifiers in SQL text and parametrize them.

A tiny PostgreSQL lexer separates code from string literals, quoted identifiers, dollar-quoted
bodies and comments. ``crmp.meta_station`` in code is unambiguous and becomes
``{schema_name}.meta_station`` (for an f-string); the same text inside a literal or comment
might be data, a message or a regclass cast, so the whole SQL string is then left alone and the
caller reports it. Dollar-quoted bodies are lexed as SQL only when the text declares
``LANGUAGE sql`` or ``LANGUAGE plpgsql``; a plpython body is opaque. A literal cast to an
object identifier type (``'crmp.seq'::regclass``) names an object and is parametrized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$]")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_LANGUAGE = re.compile(r"\bLANGUAGE\s+'?\"?([A-Za-z0-9_]+)", re.IGNORECASE)
_SQL_LANGUAGES = {"sql", "plpgsql"}
_REGCLASS_CAST = re.compile(r"::\s*reg(class|proc|procedure|type)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SqlRewrite:
    """Result of :func:`parametrize_sql`.

    ``text`` is the f-string body (braces doubled) when ``changed``; ``ambiguous`` lists why the
    text was left alone (empty when it was rewritten or had nothing to rewrite).
    """

    text: str
    changed: bool
    ambiguous: tuple[str, ...] = ()


def _body_is_sql(sql: str) -> bool:
    languages = {m.group(1).lower() for m in _LANGUAGE.finditer(sql)}
    return bool(languages) and languages <= _SQL_LANGUAGES


def _match_schema(sql: str, i: int, schemas: tuple[str, ...]) -> tuple[int, str] | None:
    """If a qualified reference ``schema.`` starts at ``i``, return (length, schema text)."""
    if i > 0 and (_IDENT_CHAR.match(sql[i - 1]) or sql[i - 1] == "."):
        return None
    for schema in schemas:
        quoted = f'"{schema}"'
        if sql.startswith(quoted + ".", i):
            return len(quoted), quoted
        end = i + len(schema)
        # Unquoted identifiers fold to lower case in PostgreSQL.
        if (
            sql[i:end].lower() == schema
            and schema == schema.lower()
            and sql.startswith(".", end)
            and not (i > 0 and sql[i - 1] == '"')
        ):
            return len(schema), sql[i:end]
    return None


def _mentions(text: str, schemas: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(f"{schema.lower()}." in lowered for schema in schemas)


def scan_sql(
    sql: str, schemas: tuple[str, ...], *, code_in_dollar_bodies: bool | None = None
) -> tuple[list[tuple[int, int]], list[str]]:
    """Return (spans of schema identifiers in code, reasons the text is ambiguous)."""
    if code_in_dollar_bodies is None:
        code_in_dollar_bodies = _body_is_sql(sql)
    spans: list[tuple[int, int]] = []
    ambiguous: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            if _mentions(sql[i:end], schemas):
                ambiguous.append("schema name inside an SQL comment")
            i = end
        elif ch == "/" and sql.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if _mentions(sql[i:j], schemas):
                ambiguous.append("schema name inside an SQL comment")
            i = j
        elif ch == "'":
            escapes = i > 0 and sql[i - 1] in "eE" and not (i > 1 and _IDENT_CHAR.match(sql[i - 2]))
            j = i + 1
            while j < n:
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == "'":
                    if sql.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            literal = sql[i + 1 : j]
            if _REGCLASS_CAST.match(sql, j + 1) and "'" not in literal:
                # 'crmp.seq'::regclass names an object: the literal is an identifier.
                match = _match_schema(literal, 0, schemas)
                if match and literal[match[0] :].count(".") == 1:
                    spans.append((i + 1, i + 1 + match[0]))
                    i = j + 1
                    continue
            if _mentions(sql[i : j + 1], schemas):
                ambiguous.append("schema name inside an SQL string literal")
            i = j + 1
        elif ch == '"':
            match = _match_schema(sql, i, schemas)
            if match:
                spans.append((i, i + match[0]))
                i += match[0]
                continue
            end = sql.find('"', i + 1)
            i = n if end < 0 else end + 1
        elif ch == "$" and (i == 0 or not _IDENT_CHAR.match(sql[i - 1])):
            tag = _DOLLAR_TAG.match(sql, i)
            if not tag:
                i += 1
                continue
            close = sql.find(tag.group(0), tag.end())
            body_end = n if close < 0 else close
            body = sql[tag.end() : body_end]
            if code_in_dollar_bodies:
                inner, inner_ambiguous = scan_sql(body, schemas, code_in_dollar_bodies=True)
                spans.extend((a + tag.end(), b + tag.end()) for a, b in inner)
                ambiguous.extend(inner_ambiguous)
            elif _mentions(body, schemas):
                ambiguous.append("schema name inside a dollar-quoted body of a non-SQL language")
            i = n if close < 0 else close + len(tag.group(0))
        else:
            match = _match_schema(sql, i, schemas)
            if match:
                spans.append((i, i + match[0]))
                i += match[0]
            elif _IDENT_CHAR.match(ch):
                # Skip the whole word so that "xcrmp.t" or "a.crmp.t" never match mid-word.
                j = i + 1
                while j < n and _IDENT_CHAR.match(sql[j]):
                    j += 1
                i = j
            else:
                i += 1
    return spans, ambiguous


def parametrize_sql(sql: str, schemas: tuple[str, ...], variable: str) -> SqlRewrite:
    """Replace schema qualifiers in SQL code by ``{variable}``, escaping existing braces."""
    spans, ambiguous = scan_sql(sql, schemas)
    if ambiguous:
        return SqlRewrite(sql, False, tuple(dict.fromkeys(ambiguous)))
    if not spans:
        return SqlRewrite(sql, False)
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces.append(sql[last:start].replace("{", "{{").replace("}", "}}"))
        quoted = sql[start] == '"'
        pieces.append(f'"{{{variable}}}"' if quoted else f"{{{variable}}}")
        last = end
    pieces.append(sql[last:].replace("{", "{{").replace("}", "}}"))
    return SqlRewrite("".join(pieces), True)
