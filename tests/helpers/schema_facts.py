"""A schema's structure in the notation of ``upstream-head-schema.md``, from the facts file
and from a live database, so that the two can be compared object by object.

The facts file lists upstream's head in schema ``crmp`` with the SU role ``pcicdba`` and
the migrating role ``postgres``; :func:`parse_facts` rewrites those three names to the ones
of the database under test. :func:`read_structure` renders a live schema the same way (read
with PostgreSQL's default ``search_path``, as the facts were, so names outside it print
qualified).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
FACTS_NAME = "upstream-head-schema.md"


def facts_path() -> Path:
    """``shared/reference/upstream-head-schema.md`` next to the repository or an ancestor.

    In CI it sits at ``../shared/reference``; a git worktree may be nested deeper.
    """
    for folder in ROOT.parents:
        candidate = folder / "shared" / "reference" / FACTS_NAME
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no shared/reference/{FACTS_NAME} above {ROOT}")


Structure = dict[str, object]


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if text.startswith("`") and text.endswith("`") else text


def parse_facts(
    text: str, *, schema: str, su_role: str, migrating_role: str
) -> dict[str, Structure]:
    """Object key (``table x``, ``view x``, ``sequences``, ``function sig``) -> its facts."""
    text = re.sub(r"\bcrmp\.", f"{schema}.", text)
    text = re.sub(r"\bix_crmp_", f"ix_{schema}_", text)
    text = re.sub(r"\bpcicdba\b", su_role, text)
    text = re.sub(r"\bpostgres\b", migrating_role, text)
    objects: dict[str, Structure] = {}
    current: Structure | None = None
    section = ""
    for line in text.splitlines():
        heading = re.match(r"^(##+) (table|view|materialized view) `(\w+)`", line)
        if heading:
            kind = "table" if heading.group(2) == "table" else "relation"
            if kind == "table":
                current = {"columns": [], "constraints": {}, "indexes": {}, "triggers": {}}
            else:
                current = {"kind": heading.group(2), "columns": [], "indexes": {}}
                current.update(reads=[], calls=[])
            objects[f"{kind} {heading.group(3)}"] = current
            section = "columns"
            continue
        if line.startswith("## sequences"):
            current = {"sequences": []}
            objects["sequences"] = current
            section = "sequences"
            continue
        if line.startswith("## functions"):
            current = None
            section = "functions"
            continue
        if line.startswith("## ") or line.startswith("### "):
            current, section = None, ""
            continue
        if section == "functions" and line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            signature = _unquote(cells[0])
            objects[f"function {signature}"] = {"properties": cells[1:]}
            continue
        if current is None:
            continue
        if section == "sequences" and line.startswith("- `"):
            current["sequences"].append(line[2:].replace("`", ""))
            continue
        for label in ("constraints", "indexes", "triggers"):
            if line == f"{label}:":
                section = label
        if line.startswith("grants: "):
            current["grants"] = _unquote(line[len("grants: ") :])
        elif line.startswith("columns: `"):
            current["columns"] = [
                tuple(part.strip("`").split("` ", 1)) for part in line[9:].split(", `")
            ]
        elif line.startswith("reads: ") or line.startswith("calls: "):
            current[line[:5]] = sorted(_unquote(p) for p in line[7:].split(", "))
        elif section == "columns" and line.startswith("| ") and not line.startswith("| column"):
            if set(line) <= set("|- "):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            current["columns"].append((cells[0], cells[1], cells[2] == "yes", _unquote(cells[3])))
        elif section in ("constraints", "indexes", "triggers") and line.startswith("- `"):
            match = re.match(r"- `([^`]+)`( [A-Z]+)?: `(.*)`$", line, re.DOTALL)
            assert match, line
            name, kind, definition = match.groups()
            definition = definition.replace("<CR>", "\r").replace("<LF>", "\n")
            value = (kind.strip(), definition) if kind else definition
            current[section][name] = value
    return objects


def load_facts(*, schema: str, su_role: str, migrating_role: str) -> dict[str, Structure]:
    return parse_facts(
        facts_path().read_text(), schema=schema, su_role=su_role, migrating_role=migrating_role
    )


_CONSTRAINT_KINDS = {"p": "PK", "f": "FK", "u": "UNIQUE", "c": "CHECK"}


def _grants(acl: str | None, owner: str) -> str:
    return f"{acl or '(default)'}, owner {owner}"


def read_structure(connection: sa.Connection, schema: str) -> dict[str, Structure]:
    """The live ``schema`` in the notation of :func:`parse_facts`."""
    connection.exec_driver_sql('SET search_path TO "$user", public')
    q = connection.execute
    objects: dict[str, Structure] = {}
    relations = q(
        sa.text(
            "SELECT c.oid, c.relname, c.relkind, c.relacl::text, pg_get_userbyid(c.relowner) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND c.relkind IN ('r', 'v', 'm')"
        ),
        {"s": schema},
    ).all()
    for oid, name, relkind, acl, owner in relations:
        columns = q(
            sa.text(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE a.attrelid = :o AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
            ),
            {"o": oid},
        ).all()
        indexes = dict(
            q(
                sa.text(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = :o"
                ),
                {"o": oid},
            ).all()
        )
        entry: Structure = {"indexes": indexes, "grants": _grants(acl, owner)}
        if relkind == "r":
            entry["columns"] = [tuple(row) for row in columns]
            entry["constraints"] = {
                name_: (_CONSTRAINT_KINDS[kind], definition)
                for name_, kind, definition in q(
                    sa.text(
                        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = :o"
                    ),
                    {"o": oid},
                ).all()
            }
            entry["triggers"] = {
                tgname: re.sub(r"^CREATE TRIGGER \w+ ", "", definition)
                for tgname, definition in q(
                    sa.text(
                        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                        "WHERE tgrelid = :o AND NOT tgisinternal"
                    ),
                    {"o": oid},
                ).all()
            }
            objects[f"table {name}"] = entry
            continue
        entry["kind"] = "view" if relkind == "v" else "materialized view"
        entry["columns"] = [(column, type_) for column, type_, _, _ in columns]
        depends = (
            "SELECT DISTINCT {name} FROM pg_rewrite r JOIN pg_depend d "
            "ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid {join} "
            "JOIN pg_namespace n ON n.oid = x.{ns} WHERE r.ev_class = :o AND n.nspname = :s "
            "AND d.refobjid <> :o"
        )
        entry["reads"] = sorted(
            q(
                sa.text(
                    depends.format(
                        name="x.relname",
                        join="JOIN pg_class x ON x.oid = d.refobjid",
                        ns="relnamespace",
                    )
                ),
                {"o": oid, "s": schema},
            ).scalars()
        )
        entry["calls"] = sorted(
            q(
                sa.text(
                    depends.format(
                        name="x.proname",
                        join="JOIN pg_proc x ON x.oid = d.refobjid",
                        ns="pronamespace",
                    )
                ),
                {"o": oid, "s": schema},
            ).scalars()
        )
        objects[f"relation {name}"] = entry
    objects["sequences"] = {
        "sequences": sorted(
            f"{name} ({type_})"
            for name, type_ in q(
                sa.text(
                    "SELECT c.relname, format_type(s.seqtypid, NULL) FROM pg_sequence s "
                    "JOIN pg_class c ON c.oid = s.seqrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s"
                ),
                {"s": schema},
            ).all()
        )
    }
    volatility = {"v": "VOLATILE", "s": "STABLE", "i": "IMMUTABLE"}
    for row in q(
        sa.text(
            "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
            "pg_get_function_result(p.oid), l.lanname, p.provolatile, p.prosecdef, "
            "p.proisstrict, coalesce(array_to_string(p.proconfig, ', '), ''), "
            "pg_get_userbyid(p.proowner) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "JOIN pg_language l ON l.oid = p.prolang WHERE n.nspname = :s"
        ),
        {"s": schema},
    ).all():
        signature, result, language, volatile, secdef, strict, settings, owner = row
        objects[f"function {signature}"] = {
            "properties": [
                result,
                language,
                volatility[volatile],
                "yes" if secdef else "",
                "yes" if strict else "",
                settings,
                owner,
            ]
        }
    return objects


def comparable(facts: Structure) -> Structure:
    """Facts normalised like :func:`read_structure` (sorted sequences, typed columns)."""
    result = dict(facts)
    if "sequences" in result:
        result["sequences"] = sorted(result["sequences"])
    return result


def facts_and_structure(connection: sa.Connection, schema: str) -> tuple[dict, dict]:
    """(facts for this database's roles, live structure) of ``schema``."""
    from pycds import get_su_role_name

    live = read_structure(connection, schema)
    me = connection.scalar(sa.text("SELECT current_user"))
    return load_facts(schema=schema, su_role=get_su_role_name(), migrating_role=me), live


@contextmanager
def database_at(server_url: str, name: str, revision: str, schema: str) -> Iterator[str]:
    """A fresh database ``name`` migrated to ``revision`` in ``schema``; dropped afterwards."""
    from alembic import command

    from pycds.alembic_config import make_config
    from pycds.localdb import provision

    provision.ensure_roles(server_url)
    provision.drop_database(server_url, name)
    url = provision.create_database(server_url, name)
    try:
        provision.ensure_schema(url, schema)
        command.upgrade(make_config(url), revision)
        yield url
    finally:
        provision.drop_database(server_url, name)
