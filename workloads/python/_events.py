"""Event channel for CoreScope workloads (see workloads/README.md).

One JSON object per line on the fd named by CORESCOPE_EVENT_FD, each line in a single
os.write() of under 4 KiB so lines from several processes sharing the pipe never interleave.
Without the variable (program run by hand) every function here is a no-op.
Forked multiprocessing children inherit the fd and the module state, so they can emit too.
"""

import json
import os
import threading
import time

_MAX_LINE = 4000


def _open_fd():
    raw = os.environ.get("CORESCOPE_EVENT_FD")
    if not raw:
        return None
    try:
        fd = int(raw)
        os.fstat(fd)
        return fd
    except (ValueError, OSError):
        return None


_fd = _open_fd()


def enabled():
    return _fd is not None


def emit(obj):
    global _fd
    if _fd is None:
        return
    data = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    if len(data) > _MAX_LINE:
        return  # the channel rejects oversized lines anyway; never split one
    try:
        os.write(_fd, data)
    except OSError:
        # The profiler went away (EPIPE) or the fd is unusable: keep the workload running.
        _fd = None


def _ids():
    return {"pid": os.getpid(), "tid": threading.get_native_id()}


def task_start(task, **info):
    emit({"ev": "task-start", "task": str(task), **_ids(), **info})


def task_end(task, **info):
    emit({"ev": "task-end", "task": str(task), **_ids(), **info})


def lag(lag_ms):
    emit({"ev": "lag", "lagMs": round(max(0.0, lag_ms), 3), **_ids()})


def metric(name, value, unit=None):
    obj = {"ev": "metric", "name": name, "value": value, "pid": os.getpid()}
    if unit:
        obj["unit"] = unit
    emit(obj)


class task:
    """Context manager: a task span that ends even when the body raises."""

    def __init__(self, name, **info):
        self.name = name
        self.info = info

    def __enter__(self):
        task_start(self.name, **self.info)
        return self

    def __exit__(self, *exc):
        task_end(self.name, **self.info)
        return False


async def heartbeat(interval_ms=20.0):
    """Asyncio lag heartbeat: sleeps interval_ms and reports how late it woke up.

    A blocked loop cannot wake this coroutine, so its lateness is the loop's responsiveness.
    Cancel it when the workload is done.
    """
    import asyncio

    interval = interval_ms / 1000.0
    while True:
        due = time.perf_counter() + interval
        await asyncio.sleep(interval)
        lag((time.perf_counter() - due) * 1000.0)


def die_with_parent():
    """Ask Linux to SIGTERM this process when its parent dies (no orphans if the parent is killed)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:  # not Linux, or no libc: best effort only
        pass
