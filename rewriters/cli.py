"""``pycds-rewrite [--check | --diff] [--schema NAME]... [--no-rename] PATH...``.

Exit status: 0 nothing changed; 1 something changed (or would change with ``--check`` /
``--diff``); 2 an error happened (bad configuration, unreadable or unparsable file), which takes
precedence. Diagnostics (``path:line: message``) go to stderr and do not change the status.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from rewriters.config import ConfigError, RewriteConfig, load_config, parse_rename_entry
from rewriters.files import decode, iter_python_files, read_source, write_atomic
from rewriters.pipeline import PipelineResult, SourceError, rewrite_source

EXIT_CLEAN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pycds-rewrite",
        description="Rewrite Alembic migrations: schema literals -> get_schema_name(), "
        "drop+add pairs -> renames.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    mode.add_argument("--diff", action="store_true", help="print a unified diff instead of writing")
    parser.add_argument(
        "--schema",
        action="append",
        metavar="NAME",
        help="schema literal to parametrize (repeatable; replaces the configured list)",
    )
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="TABLE.OLD=NEW",
        help="declare a column rename (TABLE may be SCHEMA.TABLE); OLD_TABLE=table:NEW for tables",
    )
    parser.add_argument(
        "--no-rename", action="store_true", help="disable the drop+add -> rename rewrite"
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or directories; '-' for stdin"
    )
    return parser


def _cli_renames(entries: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not sep:
            raise ConfigError(f"--rename {entry!r}: expected TABLE.OLD=NEW")
        parse_rename_entry(key, value, "--rename")
        renames[key] = value
    return renames


class _Runner:
    def __init__(self, args: argparse.Namespace, renames: dict[str, str]) -> None:
        self.args = args
        self.renames = renames
        self.status = EXIT_CLEAN

    def config_for(self, location: Path) -> RewriteConfig:
        return load_config(location).with_overrides(
            schemas=self.args.schema,
            renames=self.renames,
            rename=False if self.args.no_rename else None,
        )

    def fail(self, message: str) -> None:
        print(message, file=sys.stderr)
        self.status = EXIT_ERROR

    def changed(self) -> None:
        self.status = max(self.status, EXIT_CHANGED)

    def run_file(self, path: Path) -> None:
        name = str(path)
        try:
            config = self.config_for(path)
            source, encoding = read_source(path)
        except ConfigError as exc:
            return self.fail(f"{name}: error: {exc}")
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            return self.fail(f"{name}: error: cannot read: {exc}")
        result = self.rewrite(name, source, config)
        if result is None or not result.changed:
            return None
        self.changed()
        if self.args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    source.splitlines(keepends=True),
                    result.source.splitlines(keepends=True),
                    fromfile=name,
                    tofile=name,
                )
            )
        if self.args.check or self.args.diff:
            flag = "--check" if self.args.check else "--diff"
            print(f"Rewriting {name} ({flag}: not written)", file=sys.stderr)
            return None
        try:
            write_atomic(path, result.source, encoding)
        except (OSError, UnicodeEncodeError) as exc:
            return self.fail(f"{name}: error: cannot write: {exc}")
        print(f"Rewriting {name}", file=sys.stderr)
        return None

    def rewrite(self, name: str, source: str, config: RewriteConfig) -> PipelineResult | None:
        try:
            result = rewrite_source(source, config)
        except SourceError as exc:
            self.fail(f"{name}:{exc.line}: {exc.message}")
            return None
        except Exception as exc:  # a bug must not hide the other files behind a traceback
            self.fail(f"{name}: internal error, file left unchanged: {type(exc).__name__}: {exc}")
            return None
        for diagnostic in result.diagnostics:
            print(diagnostic.format(name), file=sys.stderr)
        return result

    def run_stdin(self) -> None:
        try:
            config = self.config_for(Path.cwd())
            source, encoding = decode(sys.stdin.buffer.read())
        except ConfigError as exc:
            return self.fail(f"-: error: {exc}")
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            return self.fail(f"-: error: cannot read stdin: {exc}")
        result = self.rewrite("-", source, config)
        if result is None:
            sys.stdout.buffer.write(source.encode(encoding)) if not self.args.check else None
            return None
        if result.changed:
            self.changed()
        if self.args.check:
            return None
        if self.args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    source.splitlines(keepends=True),
                    result.source.splitlines(keepends=True),
                    fromfile="-",
                    tofile="-",
                )
            )
            return None
        sys.stdout.buffer.write(result.source.encode(encoding))
        sys.stdout.flush()
        return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``pycds-rewrite`` and ``python -m rewriters``; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return EXIT_ERROR if exc.code else EXIT_CLEAN
    try:
        renames = _cli_renames(args.rename)
    except ConfigError as exc:
        print(f"pycds-rewrite: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    runner = _Runner(args, renames)
    for raw in args.paths:
        if raw == "-":
            runner.run_stdin()
            continue
        path = Path(raw)
        if not path.exists():
            runner.fail(f"{raw}: error: no such file or directory")
            continue
        for file in iter_python_files([path]):
            runner.run_file(file)
    return runner.status
