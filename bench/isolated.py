"""One fit in a forked child process: a time cap that any trainer obeys, and its memory.

The child inherits everything imported and built (the data, the thread limits) and
returns the fit's result through a pipe. The cap is on the child's CPU time (RLIMIT_CPU:
the kernel signals it when the cap is used up), so that a busy machine, which stretches
wall-clock time for every contestant alike, does not stop fits early; a wall-clock cap
of WALL_FACTOR times as long (plus a minute) stops a child that hangs. No trainer here has a time limit
of its own. Its memory is the peak resident set (VmHWM) above the
resident set when it started, so what the parent holds (the interpreter, torch, the
data) is not counted; a fork starts its high-water mark afresh.
The child runs torch and BLAS on one thread: OpenMP's worker pool does not survive a
fork, and a child that enters a parallel region the parent ran with more threads hangs.
Global state a fit changes (torch's default dtype, seeds) dies with the child. A memory
cap bounds the child's address space above what it started with, so that a fit planning
more than the cap fails (recorded as crashed, with its message) instead of taking a
shared machine's memory.
"""
from __future__ import annotations

import gc
import math
import multiprocessing
import resource
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from threadpoolctl import threadpool_limits


WALL_FACTOR = 10
WALL_EXTRA_S = 60
GRACE_S = 30  # CPU seconds after the signal before the kernel kills the child outright


class CpuCap(BaseException):
    """Raised in the child when its CPU cap is used up (a BaseException: no `except Exception` in a peer stops it)."""


def _on_cap(signum, frame):
    raise CpuCap


@dataclass(frozen=True)
class Outcome:
    value: Any = None  # what the call returned; None when it crashed or ran out of time
    timed_out: bool = False
    error: str = ""  # the last line of the child's traceback
    added_mb: float | None = None
    cpu_s: float | None = None  # CPU time of the call, one thread: the wall time an idle machine would take


def resident_mb(field: str, pid: int | str = "self") -> float:
    """VmRSS (now), VmHWM (peak) or VmSize of a process (this one by default), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise OSError(f"no {field} in /proc/self/status")


def _limit(kind: int, soft: int, hard: int) -> None:
    resource.setrlimit(kind, (soft, min(hard, resource.getrlimit(kind)[1]) if resource.getrlimit(kind)[1] >= 0
                              else hard))


def _child(call: Callable[[], Any], conn, cap_s: float | None, memory_mb: float | None) -> None:
    start = resident_mb("VmRSS")
    conn.send(start)  # first, so that the parent can measure a fit it kills
    torch.set_num_threads(1)
    threadpool_limits(1)
    cpu = time.process_time()
    try:
        if memory_mb is not None:
            _limit(resource.RLIMIT_AS, int((resident_mb("VmSize") + memory_mb) * 2 ** 20), resource.RLIM_INFINITY)
        if cap_s is not None:
            signal.signal(signal.SIGXCPU, _on_cap)
            _limit(resource.RLIMIT_CORE, 0, 0)
            _limit(resource.RLIMIT_CPU, math.ceil(cap_s), math.ceil(cap_s) + GRACE_S)
        value = call()
        conn.send(Outcome(value, added_mb=resident_mb("VmHWM") - start, cpu_s=time.process_time() - cpu))
    except CpuCap:
        conn.send(Outcome(timed_out=True, error=f"used its {cap_s:g} s of CPU",
                          added_mb=resident_mb("VmHWM") - start, cpu_s=time.process_time() - cpu))
    except BaseException as exc:  # a peer may fail any way it likes: report it, do not hang
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        conn.send(Outcome(error=last, added_mb=resident_mb("VmHWM") - start))
    finally:
        conn.close()


def run(call: Callable[[], Any], cap_s: float | None, memory_mb: float | None = None) -> Outcome:
    """call() in a forked child; Outcome(timed_out=True) if it has used cap_s seconds of CPU
    (or WALL_FACTOR times that plus WALL_EXTRA_S of wall-clock time) without returning.
    memory_mb: the most address space the call may add (None: no cap)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(call, send, cap_s, memory_mb), daemon=True)
    gc.collect()  # garbage the child inherited and freed mid-call would count against the call's own memory
    child.start()
    send.close()
    try:
        start = receive.recv()
        wall = None if cap_s is None else WALL_FACTOR * cap_s + WALL_EXTRA_S
        if receive.poll(wall):
            return receive.recv()
        added = resident_mb("VmHWM", child.pid) - start
        return Outcome(timed_out=True, error=f"no result after {wall:g} s", added_mb=added)
    except EOFError:  # the child died without a word (killed for memory, a segfault)
        child.join()
        return Outcome(error=f"the fit's process died (exit code {child.exitcode})")
    finally:
        child.kill()
        child.join()
        receive.close()
