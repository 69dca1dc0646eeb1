"""``pycds-rewrite [--check | --diff] [--schema NAME]... [--no-rename] PATH...``.

Exit status: 0 nothing changed; 1 something changed (or would change with ``--check`` /
``--diff``); 2 an error happened (bad configuration, unreadable or unparsable file), which takes
precedence. Diagnostics (``path:line: message``) go to stderr and do not change the status.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
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
        "--config",
        type=Path,
        metavar="FILE",
        help="read [tool.pycds-rewrite] from FILE instead of the pyproject.toml nearest each file",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="worker processes (default: one per CPU when there are many files)",
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


@dataclass
class Outcome:
    """What handling one input produced: its exit status and its output, in order."""

    status: int = EXIT_CLEAN
    stderr: list[str] = field(default_factory=list)
    stdout: str = ""

    def fail(self, message: str) -> Outcome:
        self.stderr.append(message)
        self.status = EXIT_ERROR
        return self

    def changed(self) -> None:
        self.status = max(self.status, EXIT_CHANGED)


@dataclass(frozen=True)
class Options:
    """The parsed command line, as needed per file (picklable, for worker processes)."""

    check: bool
    diff: bool
    schemas: tuple[str, ...] | None
    renames: tuple[tuple[str, str], ...]
    no_rename: bool
    config_file: Path | None = None

    def config_for(self, location: Path) -> RewriteConfig:
        return load_config(location, self.config_file).with_overrides(
            schemas=list(self.schemas) if self.schemas is not None else None,
            renames=dict(self.renames),
            rename=False if self.no_rename else None,
        )


def _diff(name: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=name,
            tofile=name,
        )
    )


def _rewrite(
    outcome: Outcome, name: str, source: str, config: RewriteConfig
) -> PipelineResult | None:
    try:
        result = rewrite_source(source, config)
    except SourceError as exc:
        outcome.fail(f"{name}:{exc.line}: {exc.message}")
        return None
    except Exception as exc:  # a bug must not hide the other files behind a traceback
        outcome.fail(f"{name}: internal error, file left unchanged: {type(exc).__name__}: {exc}")
        return None
    outcome.stderr.extend(diagnostic.format(name) for diagnostic in result.diagnostics)
    return result


def process_file(options: Options, path: Path) -> Outcome:
    """Rewrite one file (or say what would change); never raises."""
    outcome = Outcome()
    name = str(path)
    try:
        config = options.config_for(path)
        source, encoding = read_source(path)
    except ConfigError as exc:
        return outcome.fail(f"{name}: error: {exc}")
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return outcome.fail(f"{name}: error: cannot read: {exc}")
    result = _rewrite(outcome, name, source, config)
    if result is None or not result.changed:
        return outcome
    outcome.changed()
    if options.diff:
        outcome.stdout = _diff(name, source, result.source)
    if options.check or options.diff:
        flag = "--check" if options.check else "--diff"
        outcome.stderr.append(f"Rewriting {name} ({flag}: not written)")
        return outcome
    try:
        write_atomic(path, result.source, encoding)
    except (OSError, UnicodeEncodeError) as exc:
        return outcome.fail(f"{name}: error: cannot write: {exc}")
    outcome.stderr.append(f"Rewriting {name}")
    return outcome


def process_stdin(options: Options) -> Outcome:
    """Read a migration on stdin; its rewrite (or diff) goes to stdout."""
    outcome = Outcome()
    try:
        config = options.config_for(Path.cwd())
        source, encoding = decode(sys.stdin.buffer.read())
    except ConfigError as exc:
        return outcome.fail(f"-: error: {exc}")
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return outcome.fail(f"-: error: cannot read stdin: {exc}")
    result = _rewrite(outcome, "-", source, config)
    if result is None:
        if not options.check:
            outcome.stdout = source
        return outcome
    if result.changed:
        outcome.changed()
    if options.diff:
        outcome.stdout = _diff("-", source, result.source)
    elif not options.check:
        outcome.stdout = result.source
    # stdout keeps the input's encoding
    outcome.encoding = encoding  # type: ignore[attr-defined]
    return outcome


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16


def _outcomes(options: Options, files: list[Path], jobs: int) -> Iterator[Outcome]:
    if jobs <= 0:
        jobs = (os.cpu_count() or 1) if len(files) >= PARALLEL_THRESHOLD else 1
    if jobs == 1 or len(files) < 2:
        yield from (process_file(options, file) for file in files)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunk = max(1, len(files) // (jobs * 8))
        yield from pool.map(partial(process_file, options), files, chunksize=chunk)


def _emit(outcome: Outcome, encoding: str = "utf-8") -> None:
    for line in outcome.stderr:
        print(line, file=sys.stderr)
    if outcome.stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(outcome.stdout.encode(encoding))
        sys.stdout.flush()


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
    if args.jobs < 0:
        print("pycds-rewrite: error: --jobs must be >= 0", file=sys.stderr)
        return EXIT_ERROR
    options = Options(
        check=args.check,
        diff=args.diff,
        schemas=tuple(args.schema) if args.schema is not None else None,
        renames=tuple(renames.items()),
        no_rename=args.no_rename,
        config_file=args.config,
    )
    status = EXIT_CLEAN
    files: list[Path] = []

    def flush_files() -> None:
        nonlocal status
        for outcome in _outcomes(options, files, args.jobs):
            _emit(outcome)
            status = max(status, outcome.status)
        files.clear()

    for raw in args.paths:
        if raw == "-":
            flush_files()  # keep the output in the order of the arguments
            outcome = process_stdin(options)
            _emit(outcome, getattr(outcome, "encoding", "utf-8"))
            status = max(status, outcome.status)
            continue
        path = Path(raw)
        if not path.exists():
            flush_files()
            _emit(Outcome().fail(f"{raw}: error: no such file or directory"))
            status = EXIT_ERROR
            continue
        files.extend(iter_python_files([path]))
    flush_files()
    return status
