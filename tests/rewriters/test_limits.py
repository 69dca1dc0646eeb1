"""Bounded rewriting (issue 12, found items 10 and 11): the worker count is capped, workers die
with their parent, and a file that crashes, hangs or overflows the rewriter costs one error line
for that file only; the other files are still rewritten and the exit status says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rewriters.workers import cpu_count
from tests.rewriters.rewriters_testlib import PYCDS_TOML

HEADER = "from alembic import op\n\n\ndef upgrade():\n"
DROP = "    op.drop_table('t', schema='crmp')\n"
NEEDS_REWRITE = HEADER + DROP
REWRITTEN_MARK = "schema=schema_name"


def _project(tmp_path: Path, files: int) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYCDS_TOML)
    versions = tmp_path / "versions"
    versions.mkdir()
    for n in range(files):
        (versions / f"r{n:03d}.py").write_text(NEEDS_REWRITE)
    return versions


def _expression_file(path: Path, terms: int, *, separator: str = " + ") -> None:
    body = separator.join(["x"] * terms)
    path.write_text(f"{HEADER}    y = {body}\n{DROP}")


def _start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rewriters", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rewriters", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="counts processes through Linux's /proc"
)


def test_huge_jobs_on_300_files_keeps_processes_and_memory_flat(tmp_path):
    versions = _project(tmp_path, 300)
    process = _start("-j", "100000", str(versions), cwd=tmp_path)
    most_children, most_rss = 0, 0
    while process.poll() is None:
        children = _children(process.pid)
        most_children = max(most_children, len(children))
        rss = _rss_kib(process.pid) + sum(_rss_kib(child) for child in children)
        most_rss = max(most_rss, rss)
        time.sleep(0.01)
    _, err = process.communicate()
    assert process.returncode == 1, err
    assert err.count("Rewriting ") == 300
    assert all(REWRITTEN_MARK in path.read_text() for path in versions.iterdir())
    assert 1 <= most_children <= cpu_count()
    # One parent and at most one worker per CPU: well under 200 MiB each.
    assert most_rss < 200 * 1024 * (1 + cpu_count()), most_rss


def test_workers_die_with_their_parent(tmp_path):
    versions = _project(tmp_path, 300)
    process = _start("-j", "2", str(versions), cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (workers := _children(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers, "no worker started"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_expression_of_10000_terms_is_one_line_and_the_others_go_on(tmp_path):
    versions = _project(tmp_path, 3)
    _expression_file(versions / "r000.py", 10_000)
    started = time.monotonic()
    done = _run(str(versions), cwd=tmp_path)
    assert time.monotonic() - started < 120
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == (
        f"{versions / 'r000.py'}:1: cannot parse: nested too deeply for Python itself "
        "(RecursionError)"
    )
    assert lines[1:] == [f"Rewriting {versions / f'r00{n}.py'}" for n in (1, 2)]
    assert REWRITTEN_MARK not in (versions / "r000.py").read_text()


def test_a_file_over_the_time_limit_is_one_line_and_the_others_go_on(tmp_path):
    # 7,000 terms stay under the pre-check size and make LibCST's parser run for minutes.
    versions = _project(tmp_path, 3)
    _expression_file(versions / "r001.py", 7_000, separator="+")
    done = _run("-j", "1", "--timeout", "5", str(versions), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Rewriting {versions / 'r000.py'}",
        f"{versions / 'r001.py'}: error: no result after 5 s (--timeout); file left unchanged",
        f"Rewriting {versions / 'r002.py'}",
    ]


def test_a_file_over_the_size_limit_is_one_line(tmp_path):
    versions = _project(tmp_path, 2)
    big = versions / "r001.py"
    big.write_text(NEEDS_REWRITE + "#" * 3000 + "\n")
    done = _run("--max-size", "2", str(versions), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Rewriting {versions / 'r000.py'}",
        f"{big}: error: file is larger than 2 KiB (--max-size); file left unchanged",
    ]


def test_a_crashed_worker_is_one_line_never_rewritten_and_the_others_go_on(tmp_path):
    """The worker busy with the slow file dies of SIGSEGV, as LibCST's native parser does
    when its stack overflows; the signal is sent from outside to make the crash certain."""
    versions = _project(tmp_path, 4)
    slow = versions / "r000.py"
    _expression_file(slow, 7_000, separator="+")
    before = slow.read_text()
    process = _start("-j", "1", str(versions), cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (workers := _children(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers, "no worker started"
    time.sleep(1.0)  # well inside the parse of the 7,000 terms (minutes)
    os.kill(workers[0], signal.SIGSEGV)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 2
    assert err.splitlines() == [
        f"{slow}: error: the rewriter crashed on this file (killed by SIGSEGV); "
        "file left unchanged",
        *(f"Rewriting {versions / f'r00{n}.py'}" for n in (1, 2, 3)),
    ]
    assert slow.read_text() == before
    assert "Traceback" not in err
