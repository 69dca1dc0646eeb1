"""``alembic-rewrite [--check | --diff] [--schema NAME]... [--no-rename] PATH...``.

Exit status: 0 nothing changed; 1 something changed (or would change with ``--check`` /
``--diff``); 2 an error happened (bad configuration; a missing, unreadable, unparsable, too
large or too slow file; a crash of the parser), which takes precedence. Diagnostics
(``path:line: message``) go to stderr and do not change the status.

The parent reads each file and applies the cheap text pre-check; only files that may need a
rewrite go to worker processes (:mod:`rewriters.workers`), at most min(``-j``, files, CPUs)
of them, started when first needed. A worker parses and rewrites; the parent writes. So a
crash or a hang of LibCST on one file costs that file one error line, and a file is reported
as rewritten only once the parent has written it.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rewriters.config import ConfigError, RewriteConfig, load_config
from rewriters.files import Unreadable, decode, iter_python_files, write_atomic
from rewriters.pipeline import (
    PipelineResult,
    SourceError,
    might_need_rewrite,
    rewrite_source,
    unconfigured,
)
from rewriters.registry import plugins
from rewriters.workers import Done, Failed, cpu_count, run_tasks

EXIT_CLEAN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
# Per-file limits. Real migrations are a few KiB; LibCST needs about 2.5 ms and 1 MiB of
# memory per KiB, and a 5 MB file once took 109 s and 4 GB.
DEFAULT_MAX_KIB = 1024
DEFAULT_TIMEOUT = 60.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alembic-rewrite",
        description="Rewrite Alembic migrations with the rewriter plugins configured under "
        "[tool.alembic-rewrite] (schema literals -> get_schema_name(), drop+add pairs -> "
        "renames, role names -> a role call).",
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
        help="read [tool.alembic-rewrite] from FILE, not the pyproject.toml nearest each file",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="worker processes (default: one per CPU when there are many files; never more "
        "than the CPUs or the files)",
    )
    parser.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_KIB,
        metavar="KIB",
        help=f"refuse files larger than this (default: {DEFAULT_MAX_KIB} KiB)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a file after this long (default: {DEFAULT_TIMEOUT:g} s)",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or directories; '-' for stdin"
    )
    return parser


def _cli_renames(entries: list[str]) -> dict[str, str]:
    from rewriters.rename_rules import parse_rename_entry  # its regexes cost a hook run

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
    encoding: str = "utf-8"  # of stdout: the input's, for stdin

    def fail(self, message: str) -> Outcome:
        self.stderr.append(message)
        self.status = EXIT_ERROR
        return self

    def changed(self) -> None:
        self.status = max(self.status, EXIT_CHANGED)


@dataclass(frozen=True)
class Limits:
    """What one file may cost: its size in bytes, the seconds a worker may spend on it."""

    max_bytes: int = DEFAULT_MAX_KIB * 1024
    seconds: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Options:
    """The parsed command line, as needed per file."""

    check: bool
    diff: bool
    schemas: tuple[str, ...] | None
    renames: tuple[tuple[str, str], ...]
    no_rename: bool
    config_file: Path | None = None
    limits: Limits = Limits()

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


@dataclass(frozen=True)
class _Parsed:
    """What a worker sends back for one source: the pipeline's result or its parse error."""

    result: PipelineResult | None
    error_line: int = 0
    error: str = ""


def _rewrite_in_worker(task: tuple[str, RewriteConfig]) -> _Parsed:
    """Runs in a worker process: parse and rewrite one source (LibCST is imported there)."""
    source, config = task
    try:
        return _Parsed(rewrite_source(source, config))
    except SourceError as exc:
        return _Parsed(None, exc.line, exc.message)
    except RecursionError:
        return _Parsed(
            None, 0, "cannot rewrite: nested too deeply (RecursionError); file left unchanged"
        )
    except Exception as exc:  # a bug must not hide the other files behind a traceback
        message = f"internal error, file left unchanged: {type(exc).__name__}: {exc}"
        return _Parsed(None, 0, message)


def _import_rewriters() -> None:
    """Import LibCST and the plugins' transforms once, in the parent, for every forked worker."""
    import importlib

    for plugin in plugins().values():
        importlib.import_module(plugin.transform.partition(":")[0])


@dataclass
class _Job:
    """One input on its way through the command: read, maybe rewritten by a worker, written."""

    name: str
    path: Path | None  # None: nothing to write (stdin, or a path that could not be read)
    stdin: bool = False
    outcome: Outcome = field(default_factory=Outcome)
    source: str = ""
    encoding: str = "utf-8"
    config: RewriteConfig | None = None

    def task(self) -> tuple[str, RewriteConfig] | None:
        """What to send to a worker; None when the job is settled without parsing."""
        if self.outcome.status == EXIT_ERROR or self.config is None:
            return None
        if not might_need_rewrite(self.source, self.config):
            return None
        return (self.source, self.config)


def _read(
    options: Options,
    job: _Job,
    location: Path,
    stream: Callable[[], AbstractContextManager[BinaryIO]],
) -> _Job:
    """Fill ``job`` from ``stream``, reading at most one byte past the size limit."""
    what = "stdin" if job.stdin else "file"
    try:
        job.config = options.config_for(location)
        with stream() as handle:
            data = handle.read(options.limits.max_bytes + 1)
        if len(data) > options.limits.max_bytes:
            limit = options.limits.max_bytes // 1024
            job.outcome.fail(
                f"{job.name}: error: {what} is larger than {limit} KiB (--max-size); "
                "file left unchanged"
            )
            return job
        job.source, job.encoding = decode(data)
    except ConfigError as exc:
        job.outcome.fail(f"{job.name}: error: {exc}")
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        job.outcome.fail(f"{job.name}: error: cannot read{' stdin' if job.stdin else ''}: {exc}")
    return job


def _read_file(options: Options, path: Path) -> _Job:
    return _read(options, _Job(str(path), path), path, lambda: path.open("rb"))


def _read_stdin(options: Options) -> _Job:
    stdin = sys.stdin.buffer  # read, never closed
    return _read(options, _Job("-", None, stdin=True), Path.cwd(), lambda: nullcontext(stdin))


def _finish(options: Options, job: _Job, done: Done | Failed | None) -> Outcome:
    """Report (and, for a file, write) one job from what its worker sent back."""
    outcome, name = job.outcome, job.name
    result: PipelineResult | None = None
    if isinstance(done, Failed):
        outcome.fail(f"{name}: error: {done.message}; file left unchanged")
    elif isinstance(done, Done):
        parsed: _Parsed = done.value
        if parsed.result is None:
            where = f"{name}:{parsed.error_line}" if parsed.error_line else name
            outcome.fail(f"{where}: {parsed.error}")
        else:
            result = parsed.result
            outcome.stderr.extend(d.format(name) for d in result.diagnostics)
    changed = result is not None and result.changed
    if job.stdin:  # the rewrite (or the input, unchanged) goes to stdout
        if outcome.status == EXIT_ERROR and job.config is None:
            return outcome
        new = result.source if changed and result is not None else job.source
        if changed:
            outcome.changed()
        if options.diff:
            outcome.stdout = _diff(name, job.source, new) if changed else ""
        elif not options.check:
            outcome.stdout = new
        outcome.encoding = job.encoding
        return outcome
    if not changed or result is None or job.path is None:
        return outcome
    outcome.changed()
    if options.diff:
        outcome.stdout = _diff(name, job.source, result.source)
    if options.check or options.diff:
        flag = "--check" if options.check else "--diff"
        outcome.stderr.append(f"Rewriting {name} ({flag}: not written)")
        return outcome
    try:
        write_atomic(job.path, result.source, job.encoding)
    except (OSError, UnicodeEncodeError) as exc:
        return outcome.fail(f"{name}: error: cannot write: {exc}")
    outcome.stderr.append(f"Rewriting {name}")
    return outcome


# Below this many files to parse, a second worker costs more than it saves.
PARALLEL_THRESHOLD = 16


def _workers(jobs: int, files: int) -> int:
    """Worker processes for ``files`` inputs: at most min(-j, files, CPUs), at least one."""
    cpus = cpu_count()
    if jobs <= 0:
        jobs = cpus if files >= PARALLEL_THRESHOLD else 1
    return max(1, min(jobs, files, cpus))


def _outcomes(options: Options, jobs: Iterable[_Job], count: int, j: int) -> Iterator[Outcome]:
    """Outcomes of ``jobs`` in order; parsing happens in bounded, crash-isolated workers."""
    queue: deque[_Job] = deque()

    def tasks() -> Iterator[tuple[str, RewriteConfig] | None]:
        for job in jobs:
            queue.append(job)
            yield job.task()

    limit = options.limits.seconds
    for done in run_tasks(
        _rewrite_in_worker,
        tasks(),
        max_workers=_workers(j, count),
        timeout=limit,
        preload=_import_rewriters,
        crash_message=lambda death: f"the rewriter crashed on this file ({death})",
        timeout_message=lambda _: f"no result after {limit:g} s (--timeout)",
    ):
        yield _finish(options, queue.popleft(), done)


def _emit(outcome: Outcome, encoding: str = "utf-8") -> None:
    for line in outcome.stderr:
        print(line, file=sys.stderr)
    if outcome.stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(outcome.stdout.encode(encoding))
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``alembic-rewrite`` (alias ``pycds-rewrite``) and ``python -m rewriters``;
    returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return EXIT_ERROR if exc.code else EXIT_CLEAN
    try:
        renames = _cli_renames(args.rename)
    except ConfigError as exc:
        print(f"alembic-rewrite: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for value, option in ((args.jobs, "--jobs"), (args.max_size, "--max-size")):
        if value < 0 or (option == "--max-size" and value == 0):
            minimum = ">= 0" if option == "--jobs" else "> 0"
            print(f"alembic-rewrite: error: {option} must be {minimum}", file=sys.stderr)
            return EXIT_ERROR
    if not args.timeout > 0:
        print("alembic-rewrite: error: --timeout must be > 0", file=sys.stderr)
        return EXIT_ERROR
    options = Options(
        check=args.check,
        diff=args.diff,
        schemas=tuple(args.schema) if args.schema is not None else None,
        renames=tuple(renames.items()),
        no_rename=args.no_rename,
        config_file=args.config,
        limits=Limits(args.max_size * 1024, args.timeout),
    )
    inputs = list(_inputs(args.paths))
    status = EXIT_CLEAN
    hints: set[str] = set()
    for outcome in _outcomes(options, _jobs(options, inputs, hints), len(inputs), args.jobs):
        _emit(outcome, outcome.encoding)
        status = max(status, outcome.status)
    if hints:
        print(
            f"alembic-rewrite: note: to enable more rewrites, configure {'; '.join(sorted(hints))}",
            file=sys.stderr,
        )
    return status


_STDIN = "-"


def _inputs(raws: list[str]) -> Iterator[Path | Unreadable | str]:
    """Every input in argument order: files, unreadable paths, and ``-`` for stdin."""
    for raw in raws:
        if raw == _STDIN:
            yield _STDIN
        else:
            yield from iter_python_files([Path(raw)])


def _jobs(
    options: Options, inputs: list[Path | Unreadable | str], hints: set[str]
) -> Iterator[_Job]:
    """Read each input when a worker may take it (not all at once); collect in ``hints`` the
    plugins left off for lack of configuration."""
    for job in _read_jobs(options, inputs):
        if job.config is not None:
            hints.update(unconfigured(job.config))
        yield job


def _read_jobs(options: Options, inputs: list[Path | Unreadable | str]) -> Iterator[_Job]:
    for item in inputs:
        if isinstance(item, str):
            yield _read_stdin(options)
        elif isinstance(item, Unreadable):
            job = _Job(str(item.path), None)
            if item.reason == "No such file or directory":
                job.outcome.fail(f"{item.path}: error: no such file or directory")
            else:
                job.outcome.fail(f"{item.path}: error: cannot read: {item.reason}")
            yield job
        else:
            yield _read_file(options, item)
