"""A bounded pool of worker processes that a bad input cannot take down.

``concurrent.futures.ProcessPoolExecutor`` is the wrong tool for untrusted source files:
it starts as many workers as asked (``-j 100000`` forked thousands), a worker that dies
(LibCST's native parser can overflow its stack and segfault) breaks the whole pool with
``BrokenProcessPool``, and a task that never ends cannot be stopped. Here:

- at most ``max_workers`` processes, started only when a task is waiting for one;
- each worker runs one task at a time, so a worker that dies or overruns ``timeout`` is
  pinned to exactly one task; that task gets a :class:`Failed` result, the worker is
  replaced, and the other tasks go on;
- workers die with their parent (``PR_SET_PDEATHSIG`` on Linux, a parent-pid watchdog
  elsewhere), so a killed command leaves no orphans;
- results come back in the order of the tasks.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Done:
    """The task's function returned ``value``."""

    value: Any


@dataclass(frozen=True)
class Failed:
    """The task did not finish: ``message`` says why (exception, crash, time limit)."""

    message: str


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask when the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` ends, even while it is busy."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _worker_main(
    connection: multiprocessing.connection.Connection,
    function: Callable[[Any], Any],
    parent_pid: int,
) -> None:
    """Loop of one worker: receive a task, send back ``Done`` or ``Failed``; EOF ends it."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result: Done | Failed = Done(function(task))
        except BaseException as exc:  # reported on the task's line, never a traceback
            result = Failed(f"{type(exc).__name__}: {exc}")
        try:
            connection.send(result)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an unpicklable result
            connection.send(Failed(f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, context: Any, function: Callable[[Any], Any]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, function, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0

    def assign(self, index: int, task: Any, timeout: float) -> None:
        self.index = index
        self.deadline = time.monotonic() + timeout
        self.connection.send(task)

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _death(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit status {code}"


def _context() -> Any:
    # fork: a worker starts in milliseconds and needs nothing pickled but its tasks.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    max_workers: int,
    timeout: float,
    crash_message: Callable[[str], str] = lambda death: f"worker {death}",
    timeout_message: Callable[[float], str] = lambda limit: f"no result after {limit:g} s",
) -> Iterator[Done | Failed | None]:
    """Run ``function(task)`` in worker processes; yield one result per task, in order.

    A task of ``None`` needs no worker and yields ``None``. ``function`` must be a module-level
    callable (workers are forked, or spawned where fork does not exist); its tasks and results
    must pickle.
    """
    context = _context()
    pending: deque[tuple[int, Any]] = deque()
    results: dict[int, Done | Failed | None] = {}
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    source = iter(enumerate(tasks))
    exhausted = False
    emitted = 0
    try:
        while True:
            # Read tasks only while a worker could take them: memory stays flat.
            while not exhausted and len(pending) < max_workers - len(busy):
                try:
                    index, task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                if task is None:
                    results[index] = None
                else:
                    pending.append((index, task))
            while emitted in results:
                yield results.pop(emitted)
                emitted += 1
            if exhausted and not pending and not busy:
                return
            while pending and len(busy) < max_workers:
                worker = idle.pop() if idle else _Worker(context, function)
                index, task = pending.popleft()
                worker.assign(index, task, timeout)
                busy.append(worker)
            if not busy:
                continue
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(
                multiprocessing.connection.wait(
                    [w.connection for w in busy] + [w.process.sentinel for w in busy],
                    timeout=wait,
                )
            )
            now = time.monotonic()
            for worker in list(busy):
                assert worker.index is not None
                result: Done | Failed | None = None
                if worker.connection in ready:
                    try:
                        result = worker.connection.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        busy.remove(worker)
                        idle.append(worker)
                        results[worker.index] = result
                        continue
                if worker.connection in ready or worker.process.sentinel in ready:
                    worker.process.join(5)
                    results[worker.index] = Failed(crash_message(_death(worker.process)))
                elif now >= worker.deadline:
                    results[worker.index] = Failed(timeout_message(timeout))
                    worker.stop(kill=True)
                else:
                    continue
                busy.remove(worker)
                worker.connection.close()
    finally:
        for worker in busy:
            worker.stop(kill=True)
        for worker in idle:
            worker.stop(kill=False)
