"""CPU priority of work done for untrusted input that runs long: only on a core nothing else wants.

A validation worker at nice 19 still takes its share of a core from the server's event loop: on two cores, one
checking a contribution to its full time limit took 12 s of CPU a minute, and the ordinary client's p99 under the
audit's contributions alone was 3.1x its quiet one (tests/reliability/test_attack_mix.py). Linux's SCHED_IDLE
policy is stronger than any nice level: such a thread runs only on a core no other task wants, a waking server
thread preempts it at once, and the scheduler counts its core as idle when it places that thread. A whole worker
at SCHED_IDLE starves on a busy machine (its start, its quick answers: measured, the attack test's clients waited
60 s for refusals), so only a job that has run IDLE_AFTER seconds is moved there, and back after it. No privilege
is needed; where the policy is missing (other systems), nothing changes.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

#: A ten-triple contribution is checked in well under this; a check still running after it is a large one.
IDLE_AFTER = 0.5
LOWEST_NICE = 19


def idle(tid: int) -> None:
    """Move thread `tid` to SCHED_IDLE, where the system has it."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))


def restored(tid: int) -> bool:
    """Thread `tid` back to the ordinary policy (its nice level unchanged); False if it could not be."""
    try:
        if os.sched_getscheduler(tid) == os.SCHED_IDLE:
            os.sched_setscheduler(tid, os.SCHED_OTHER, os.sched_param(0))
    except AttributeError:
        return True
    except OSError:
        return False
    return True


@contextlib.contextmanager
def idle_after(seconds: float = IDLE_AFTER) -> Iterator[list[bool]]:
    """Run the block at the ordinary policy for `seconds`, then at SCHED_IDLE; back after it. The list it gives
    holds False after the block if the thread could not be put back (its process should then be replaced)."""
    tid = threading.get_native_id()
    timer = threading.Timer(seconds, idle, (tid,))
    timer.daemon = True
    back = [True]
    timer.start()
    try:
        yield back
    finally:
        timer.cancel()
        timer.join()
        back[0] = restored(tid)


def lowest_nice_here() -> None:
    """This thread at nice 19 (on Linux a thread's nice is its own; elsewhere the whole process's, so nothing)."""
    if os.uname().sysname == "Linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_NICE)


def low_priority_threads(n: int, name: str) -> ThreadPoolExecutor:
    """`n` threads at nice 19, for work the server does for an untrusted client off the event loop that releases
    the GIL (zlib): they then take no core from the event loop's thread."""
    return ThreadPoolExecutor(n, thread_name_prefix=name, initializer=lowest_nice_here)
