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

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing.connection

# multiprocessing is imported only once a task needs a worker: a pre-commit run on files
# that need nothing stays as quick as the text pre-check.

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


# A worker holds its current task and, when small enough to sit in the pipe without blocking
# this process, the next one: it never waits for this process to wake up between two tasks.
_QUEUED_TASK_BYTES = 32 * 1024


class _Worker:
    def __init__(self, context: Any, function: Callable[[Any], Any]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, function, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.tasks: deque[tuple[int, Any]] = deque()  # sent, in the order the worker runs them
        self.deadline = 0.0  # of the first task

    def can_take(self, payload: bytes) -> bool:
        return not self.tasks or (len(self.tasks) == 1 and len(payload) <= _QUEUED_TASK_BYTES)

    def assign(self, index: int, task: Any, payload: bytes, timeout: float) -> None:
        """Send a task; raises OSError, leaving nothing assigned, if the worker is gone."""
        self.connection.send_bytes(payload)
        if not self.tasks:
            self.deadline = time.monotonic() + timeout
        self.tasks.append((index, task))

    def finished(self, timeout: float) -> int:
        """The first task is done: its index; the next one's time starts now."""
        index, _ = self.tasks.popleft()
        self.deadline = time.monotonic() + timeout
        return index

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
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    max_workers: int,
    timeout: float,
    preload: Callable[[], object] | None = None,
    crash_message: Callable[[str], str] = lambda death: f"worker {death}",
    timeout_message: Callable[[float], str] = lambda limit: f"no result after {limit:g} s",
) -> Iterator[Done | Failed | None]:
    """Run ``function(task)`` in worker processes; yield one result per task, in order.

    A task of ``None`` needs no worker and yields ``None``. ``function`` must be a module-level
    callable (workers are forked, or spawned where fork does not exist); its tasks and results
    must pickle. ``preload`` runs once in this process before the first worker is forked, so
    that the workers share what it imports instead of each importing it again.
    """
    context: Any = None
    pending: deque[tuple[int, Any, bytes]] = deque()  # (index, task, pickled task)
    results: dict[int, Done | Failed | None] = {}
    workers: list[_Worker] = []
    source = iter(enumerate(tasks))
    exhausted = False
    emitted = 0
    try:
        while True:
            # Read tasks only while a worker could take them: memory stays flat.
            room = 2 * max_workers - sum(len(w.tasks) for w in workers)
            while not exhausted and len(pending) < room:
                try:
                    index, task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                if task is None:
                    results[index] = None
                else:
                    pending.append((index, task, _dumps(task)))
            # Workers get their next task before the caller handles results (it writes files
            # meanwhile), so they never wait on it.
            while pending:
                payload = pending[0][2]
                worker = next((w for w in workers if not w.tasks), None)
                if worker is None and len(workers) < max_workers:
                    if context is None:
                        context = _context()
                    if preload is not None:
                        preload()
                        preload = None
                    worker = _Worker(context, function)
                    workers.append(worker)
                if worker is None:
                    worker = next((w for w in workers if w.can_take(payload)), None)
                if worker is None:
                    break
                try:
                    worker.assign(*pending[0], timeout)
                except OSError:  # it died: its own tasks are settled once its death is seen
                    if worker.tasks:
                        break
                    _retire(worker, workers)
                    continue
                pending.popleft()
            while emitted in results:
                yield results.pop(emitted)
                emitted += 1
            busy = [w for w in workers if w.tasks]
            if exhausted and not pending and not busy:
                return
            if not busy:
                continue
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            from multiprocessing.connection import wait as wait_for

            ready = set(
                wait_for(
                    [w.connection for w in busy] + [w.process.sentinel for w in busy],
                    timeout=wait,
                )
            )
            for worker in busy:
                _collect(worker, ready, results, pending, timeout, crash_message, timeout_message)
            for worker in [w for w in workers if not w.tasks and not w.process.is_alive()]:
                _retire(worker, workers)
    finally:
        for worker in workers:
            worker.stop(kill=bool(worker.tasks))


def _dumps(task: Any) -> bytes:
    """A task as ``Connection.recv`` in the worker reads it."""
    from multiprocessing.reduction import ForkingPickler

    return bytes(ForkingPickler.dumps(task))


def _retire(worker: _Worker, workers: list[_Worker]) -> None:
    """Forget a dead worker (its tasks were already settled or put back)."""
    worker.process.join(5)
    worker.connection.close()
    workers.remove(worker)


def _collect(
    worker: _Worker,
    ready: set[Any],
    results: dict[int, Done | Failed | None],
    pending: deque[tuple[int, Any, bytes]],
    timeout: float,
    crash_message: Callable[[str], str],
    timeout_message: Callable[[float], str],
) -> None:
    """Take what ``worker`` finished; on its death or overrun, fail its first task only."""
    while worker.tasks and worker.connection.poll():
        try:
            result = worker.connection.recv()
        except (EOFError, OSError):
            break
        results[worker.finished(timeout)] = result
    if not worker.tasks:
        return
    if worker.process.sentinel in ready or not worker.process.is_alive():
        worker.process.join(5)
        failure = Failed(crash_message(_death(worker.process)))
    elif time.monotonic() >= worker.deadline:
        failure = Failed(timeout_message(timeout))
        worker.process.kill()
        worker.process.join(5)
    else:
        return
    index, _ = worker.tasks.popleft()
    results[index] = failure
    # The tasks queued behind the failed one go back to the front of the line.
    for queued_index, task in reversed(worker.tasks):
        pending.appendleft((queued_index, task, _dumps(task)))
    worker.tasks.clear()
