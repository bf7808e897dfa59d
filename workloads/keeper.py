"""CoreScope's keeper: the parent of every workload, so that no process of a run survives it.

It makes itself a child subreaper (orphans of the workload, even those that called setsid or
double-forked, are re-parented to it instead of to init) and asks for a signal when CoreScope
dies (PR_SET_PDEATHSIG), so a SIGKILLed profiler still ends the workload. It runs the command,
reaps everything, and reports on its control pipe (fd given as argv[1], JSON lines):

  {"ev":"started","pid":P,"ns":T}            the workload was forked at monotonic time T
  {"ev":"exited","pid":P,"code":C,"signal":S,"ns":T}
  {"ev":"done","utimeS":U,"stimeS":S,"maxrssKiB":M,"leftovers":N}
      CPU of every process it reaped (getrusage(RUSAGE_CHILDREN): exact, like /usr/bin/time)

Usage: keeper.py CONTROL_FD PARENT_PID -- ARGV...
Standard library only; it must start fast (run with -S -I).
"""
import ctypes
import json
import os
import resource
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
GRACE_S = 0.5

control_fd = int(sys.argv[1])
parent_pid = int(sys.argv[2])
argv = sys.argv[4:]
os.set_inheritable(control_fd, False)


def report(obj):
    try:
        os.write(control_fd, (json.dumps(obj) + "\n").encode())
    except OSError:
        pass


def prctl(option, value):
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except Exception:
        return False


def descendants_by_ppid():
    """Fallback for kernels without /proc/<pid>/task/<tid>/children: walk parent links."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
            parents[int(entry)] = int(text[text.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
    found, frontier = [], {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier and pid not in found}
        found.extend(frontier)
    return found


HAS_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def descendants():
    """Every live process below the keeper (as a subreaper, all of them stay below it)."""
    if not HAS_CHILDREN_FILES:
        return descendants_by_ppid()
    found, stack = [], [os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            for k in kids:
                if k not in found:
                    found.append(k)
                    stack.append(k)
    return found


workload = {"pid": None, "reported": False}


def report_exit(status):
    if workload["reported"]:
        return
    workload["reported"] = True
    code = os.waitstatus_to_exitcode(status)
    report({
        "ev": "exited", "pid": workload["pid"], "ns": time.monotonic_ns(),
        "code": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
    })


def reap_all():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == workload["pid"]:
            report_exit(status)


def is_zombie(pid):
    """Whether pid has exited and only waits to be reaped (state Z, or X while it goes)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return True
    return text[text.rindex(")") + 2:][:1] in ("Z", "X")


def end_tree():
    """SIGTERM everything, give it a moment to clean up, then SIGKILL until nothing is left.

    Returns how many processes were still running: zombies (children that exited but were never
    waited for, handed to the keeper when their parent exited) are reaped, not counted.
    """
    reap_all()
    pids = descendants()
    running = [pid for pid in pids if not is_zombie(pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline:
        reap_all()
        if not descendants():
            return len(running)
        time.sleep(0.02)
    for _ in range(200):
        left = descendants()
        if not left:
            break
        for pid in left:
            try:
                # Stop first so a forking process cannot outrun the kill.
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap_all()
        time.sleep(0.01)
    reap_all()
    return len(running)


state = {"signal": None, "ending": False}


def on_signal(signum, _frame):
    """The first signal interrupts the wait; any later one, while the tree is being ended, is only noted."""
    if state["signal"] is None:
        state["signal"] = signum
    if not state["ending"]:
        state["ending"] = True
        raise KeyboardInterrupt


def run_workload():
    """Forks and execs the workload, then reaps until it exits (or a signal says to stop)."""
    child = os.fork()
    if child == 0:
        try:
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(s, signal.SIG_DFL)
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, f"corescope: cannot run {argv[0]!r}: {e.strerror}\n".encode())
            os._exit(127)
        except BaseException:
            os._exit(128 + signal.SIGTERM)
    workload["pid"] = child
    report({"ev": "started", "pid": child, "ns": time.monotonic_ns()})
    while True:
        pid, status, _ru = os.wait4(-1, 0)
        if pid == child:
            report_exit(status)
            return


def main():
    subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    # The profiler may have died before the death signal was armed.
    if os.getppid() != parent_pid:
        return 1
    if not subreaper:
        report({"ev": "warning", "text": "could not become a child subreaper; orphans may escape"})

    leftovers = 0
    try:
        run_workload()
    except (KeyboardInterrupt, ChildProcessError):
        pass
    state["ending"] = True
    try:
        leftovers = end_tree()
    finally:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        report({
            "ev": "done", "utimeS": ru.ru_utime, "stimeS": ru.ru_stime, "maxrssKiB": ru.ru_maxrss,
            "leftovers": leftovers,
            "endedBy": signal.Signals(state["signal"]).name if state["signal"] else None,
        })
    return 0


sys.exit(main())
