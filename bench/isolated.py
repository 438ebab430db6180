"""One fit in a forked child process: a time cap that any trainer obeys, and its memory.

The child inherits everything imported and built (the data, the thread limits) and
returns the fit's result through a pipe. It is killed when the cap runs out: no trainer
here has a time limit of its own. Its memory is the peak resident set (VmHWM) above the
resident set when it started, so what the parent holds (the interpreter, torch, the
data) is not counted; a fork starts its high-water mark afresh.
Global state a fit changes (torch's default dtype, seeds) dies with the child. A memory
cap bounds the child's address space above what it started with, so that a fit planning
more than the cap fails (recorded as crashed, with its message) instead of taking a
shared machine's memory.
"""
from __future__ import annotations

import multiprocessing
import resource
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Outcome:
    value: Any = None  # what the call returned; None when it crashed or ran out of time
    timed_out: bool = False
    error: str = ""  # the last line of the child's traceback
    added_mb: float | None = None


def resident_mb(field: str, pid: int | str = "self") -> float:
    """VmRSS (now), VmHWM (peak) or VmSize of a process (this one by default), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise OSError(f"no {field} in /proc/self/status")


def _child(call: Callable[[], Any], conn, memory_mb: float | None) -> None:
    start = resident_mb("VmRSS")
    conn.send(start)  # first, so that the parent can measure a fit it kills
    try:
        if memory_mb is not None:
            limit = int((resident_mb("VmSize") + memory_mb) * 2 ** 20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        value = call()
        conn.send(Outcome(value, added_mb=resident_mb("VmHWM") - start))
    except BaseException as exc:  # a peer may fail any way it likes: report it, do not hang
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        conn.send(Outcome(error=last, added_mb=resident_mb("VmHWM") - start))
    finally:
        conn.close()


def run(call: Callable[[], Any], cap_s: float | None, memory_mb: float | None = None) -> Outcome:
    """call() in a forked child; Outcome(timed_out=True) if it has not returned after cap_s seconds.
    memory_mb: the most address space the call may add (None: no cap)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(call, send, memory_mb), daemon=True)
    child.start()
    send.close()
    try:
        start = receive.recv()
        if receive.poll(cap_s):
            return receive.recv()
        added = resident_mb("VmHWM", child.pid) - start
        return Outcome(timed_out=True, error=f"no result after {cap_s:g} s", added_mb=added)
    except EOFError:  # the child died without a word (killed for memory, a segfault)
        child.join()
        return Outcome(error=f"the fit's process died (exit code {child.exitcode})")
    finally:
        child.kill()
        child.join()
        receive.close()
