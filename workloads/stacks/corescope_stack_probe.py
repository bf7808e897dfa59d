"""CoreScope's Python stack probe: which code each thread (and each suspended asyncio task) was in.

Started by CoreScope's sitecustomize.py (next to this file) in every CPython 3.9+ process of a run
when CORESCOPE_STACKS_DIR is set. A thread of its own (a bare _thread, invisible to
threading.enumerate() and never joined) wakes CORESCOPE_STACKS_HZ times a second (1..1000, default
100) on an absolute schedule of time.monotonic_ns() deadlines (a late tick does not shift the
next ones; a tick so late that the next deadline is less than half a period away skips it, and
the end record counts those as missed) and records:
  - every thread's stack (sys._current_frames()), outermost call first, each frame as its
    function's name (co_qualname on 3.11+, else co_name), file (co_filename) and the line it is at;
    the thread's kernel id (threading's native_id; 0 for a thread threading does not know) and
    name; the CPU the thread used since its previous sample, from the thread's own CPU clock;
  - when asyncio is in use, every suspended task's stack (coroutine frame, then the cr_await chain)
    with its innermost frame at the `await` it waits on -- frames inside asyncio's own package at
    the inner end are left out, so `await asyncio.sleep(1)` is the leaf, not asyncio's sleep();
    the task currently running is skipped (its frames are on its thread's stack); at most
    MAX_TASKS tasks and TASK_BUDGET of the period per tick, taking turns when there are more.

Output: $CORESCOPE_STACKS_DIR/py-<pid>.jsonl, one file per process, appended with os.write about
every FLUSH_NS and at exit (atexit, and threading's pre-shutdown hook, which is all a
multiprocessing fork child runs before os._exit). A forked child (os.register_at_fork) starts over
in a file of its own; multiprocessing spawn/forkserver children are new interpreters and run
sitecustomize themselves.

FILE FORMAT (JSON lines; all text ASCII, JSON-escaped). A file holds one or more segments, each
starting with a header (two when a process exec'd another Python under the same pid); ids are
per segment, from 0, and every id is defined on a line before the first line that uses it.

  {"corescope":"python-stacks","v":1,"pid":P,"ppid":PP,"hz":100,"base":"<ns>","python":"3.11.2","impl":"cpython"}
        header: `base` is time.monotonic_ns() at the segment's start, as a decimal string (it can
        exceed 2**53); sample times are microseconds after it.
  ["f",id,"name","file",line]   a frame: function, file, line (0 unknown); name "..." with an
                                empty file stands for outer frames cut off a deeper stack
                                than MAX_DEPTH
  ["k",id,f0,f1,...]            a stack: frame ids, outermost call first
  ["n",id,"name"]               a thread's or task's name
  ["s",dt,tid,name,stack,cpu]   a thread's sample: dt us after base, kernel tid (0 unknown), name
                                id, stack id, CPU us since the thread's previous sample (-1
                                unknown: no CPU clock, or the thread's first sample in the
                                probe's first tick)
  ["a",dt,tid,name,stack]       a suspended asyncio task's sample: tid of the thread running its
                                loop (0 unknown), name id of the task's name
  {"note":"..."}                something the probe could not do (failed and stopped, hit the
                                size cap, cut tasks per tick, ...), each text once
  {"end":dt,"ticks":n,"missed":n,"samples":n,"tasksCut":n,"tasksUnsampled":n,"probeCpuUs":n}
                                written at exit (the last one counts); a file without one
                                belongs to a process that ended abruptly (killed, os._exit, exec).
                                ticks: taken; missed: skipped (late); tasksCut: ticks that sampled
                                only a share of the tasks, tasksUnsampled: tasks they left out;
                                probeCpuUs: CPU of the probe's own thread

Its thread needs the GIL like any other, so it queues for it up to a period before each deadline
(a waiting thread asks the holder to let go only after a switch interval, 5 ms, without a
switch). Behind one busy thread it keeps its rate; behind several busy threads it must win a
hand-over among them and misses ticks (two threads in a pure-Python loop: 30 to 90 ticks a second
of 100 on a 2-core VM); a sample's time is when it was taken, within a period of its deadline.

Never breaks the program: every failure is caught, noted in the file, and the probe stops. It
writes nothing to stdout/stderr, changes no exit code, imports nothing the program would see
(threading and asyncio are only looked up in sys.modules), and stops its thread around os.fork()
so the process forks single-threaded as it would without us (Python 3.12+ warns about forking a
multi-threaded process).

Test knob: CORESCOPE_STACKS_MAX_BYTES overrides the 50 MB cap per file.
"""

import os
import sys

import _thread
import time

FORMAT_VERSION = 1
MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 256
MAX_TASKS = 200
TASK_BUDGET = 0.02  # of the period: the most a tick spends on asyncio tasks (~1.5 us each)
FLUSH_NS = 200_000_000
DEFAULT_HZ = 100

try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - every CPython has _json; the json module would load re
    def _quote(s):
        out = ['"']
        for ch in s:
            o = ord(ch)
            if ch == '"' or ch == '\\':
                out.append('\\' + ch)
            elif o < 0x20 or o > 0x7e:
                if o > 0xffff:
                    o -= 0x10000
                    out.append('\\u%04x\\u%04x' % (0xd800 | (o >> 10), 0xdc00 | (o & 0x3ff)))
                else:
                    out.append('\\u%04x' % o)
            else:
                out.append(ch)
        out.append('"')
        return ''.join(out)


def _text(x):
    try:
        return _quote(x if isinstance(x, str) else str(x))
    except Exception:
        return '"?"'


_monotonic_ns = getattr(time, 'monotonic_ns', None)
_clock_gettime_ns = getattr(time, 'clock_gettime_ns', None)
_current_frames = getattr(sys, '_current_frames', None)
_get_ident = _thread.get_ident
_get_native_id = getattr(_thread, 'get_native_id', None)
_LINUX = sys.platform.startswith('linux')


def _coroutine_types():
    async def coro():
        pass

    def gen():
        yield

    c = coro()
    try:
        return type(c), type(gen())
    finally:
        c.close()  # never awaited, and never warned about


_CoroutineType, _GeneratorType = _coroutine_types()


def _thread_clock(tid):
    # The kernel's per-thread CPU clock id for a tid (MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)):
    # what pthread_getcpuclockid() returns, but from the tid, so a thread that exits while we read
    # it costs an EINVAL, not a read through a freed pthread_t (pthread_getcpuclockid on the
    # ident of an exited thread is undefined behaviour: its stack may be unmapped).
    return ((~tid) << 3) | 6


class _State(object):
    __slots__ = (
        'pid', 'ppid', 'dir', 'path', 'fd', 'hz', 'period', 'base', 'buf', 'size', 'max_bytes',
        'lock', 'frames', 'stacks', 'names', 'notes', 'prev_cpu', 'first_tick', 'ticks', 'missed',
        'samples', 'stopping', 'dead', 'capped', 'gen', 'wake', 'done', 'my_ident', 'my_native',
        'main_ident', 'main_native', 'cpu_ok', 'tasks_ok', 'tasks_cut', 'tasks_unsampled', 'task_pos', 'asyncio_dirs',
        'asyncio_frame', 'at', 'last_flush', 'probe_cpu', 'probe_cpu_done', 'trunc_frame',
    )


S = None  # this process's state (a new one after fork)
_hooks_installed = False
_threading_hooked = False


def _now():
    return _monotonic_ns()


def _new_state(hz, directory, max_bytes, notes):
    s = _State()
    s.pid = os.getpid()
    try:
        s.ppid = os.getppid()
    except Exception:
        s.ppid = 0
    s.dir = directory
    s.path = os.path.join(directory, 'py-%d.jsonl' % s.pid)
    s.fd = None
    s.hz = hz
    s.period = max(1, int(round(1e9 / hz)))
    s.base = _now()
    s.buf = []
    s.size = 0
    s.max_bytes = max_bytes
    s.lock = _thread.allocate_lock()
    s.frames = {}  # (code, line) -> frame id
    s.at = {}  # (code, f_lasti) -> frame id
    s.stacks = {}
    s.names = {}
    s.notes = set()
    s.prev_cpu = {}
    s.first_tick = True
    s.ticks = 0
    s.missed = 0
    s.samples = 0
    s.stopping = False
    s.dead = False
    s.capped = False
    s.gen = 0
    s.wake = None
    s.done = None
    s.my_ident = None
    s.my_native = None
    s.main_ident = _get_ident()
    s.main_native = _get_native_id() if _get_native_id else 0
    s.cpu_ok = _LINUX and _clock_gettime_ns is not None
    s.tasks_ok = True
    s.tasks_cut = 0
    s.tasks_unsampled = 0
    s.task_pos = 0
    s.asyncio_dirs = None
    s.asyncio_frame = []
    s.last_flush = s.base
    s.probe_cpu = 0  # CPU of the probe's thread(s) so far, ns (its own clock, read at each flush)
    s.probe_cpu_done = 0  # of sampler threads that have ended (a fork stops and restarts it)
    s.trunc_frame = None
    header = (
        '{"corescope":"python-stacks","v":%d,"pid":%d,"ppid":%d,"hz":%s,"base":"%d","python":%s,"impl":%s}\n'
        % (FORMAT_VERSION, s.pid, s.ppid, _num(hz), s.base,
           _text('%d.%d.%d' % tuple(sys.version_info[:3])), _text(sys.implementation.name))
    )
    s.buf.append(header)
    s.size = len(header)
    for n in notes:
        _note(s, n)
    return s


def _num(x):
    return ('%d' % x) if x == int(x) else ('%.6g' % x)


def _note(s, text):
    if text in s.notes:
        return
    s.notes.add(text)
    line = '{"note":%s}\n' % _text(text)
    with_lock = s.lock.acquire(True, 1.0)
    try:
        s.buf.append(line)
        s.size += len(line)
    finally:
        if with_lock:
            s.lock.release()


def _parse_hz(raw, notes):
    if raw is None or raw.strip() == '':
        return DEFAULT_HZ
    try:
        hz = float(raw)
    except ValueError:
        notes.append('CORESCOPE_STACKS_HZ=%r is not a number: sampling at %d Hz' % (raw[:40], DEFAULT_HZ))
        return DEFAULT_HZ
    if not (hz == hz) or hz < 1 or hz > 1000:
        clamped = DEFAULT_HZ if not (hz == hz) else min(1000, max(1, hz))
        notes.append('CORESCOPE_STACKS_HZ=%s is outside 1..1000: sampling at %s Hz' % (raw[:40], _num(clamped)))
        return clamped
    return hz


def _max_bytes():
    raw = os.environ.get('CORESCOPE_STACKS_MAX_BYTES')
    try:
        return max(1024, int(raw)) if raw else MAX_BYTES
    except ValueError:
        return MAX_BYTES


# ---------------------------------------------------------------------------------------------
# Start, fork, exit


def start():
    """Start sampling this process (called by sitecustomize). Never raises."""
    global S
    try:
        directory = os.environ.get('CORESCOPE_STACKS_DIR')
        if not directory or S is not None:
            return
        notes = []
        hz = _parse_hz(os.environ.get('CORESCOPE_STACKS_HZ'), notes)
        reason = _unsupported()
        if reason is not None:
            _write_note_only(directory, hz, reason)
            return
        S = _new_state(hz, directory, _max_bytes(), notes)
        if not S.cpu_ok:
            _note(S, 'no per-thread CPU clock on this system: samples carry no CPU time')
        _install_hooks()
        _start_thread(S)
    except BaseException as e:  # noqa: the program must start whatever happens here
        if S is not None:
            _fail(S, 'start', e)
        else:
            try:
                _write_note_only(directory, DEFAULT_HZ, 'probe failed (start): %s: %s' % (type(e).__name__, str(e)[:300]))
            except BaseException:
                pass


def _unsupported():
    if getattr(sys, 'implementation', None) is None or sys.implementation.name != 'cpython':
        return 'stack sampling supports CPython only'
    if sys.version_info < (3, 9):
        return 'stack sampling needs Python 3.9 or newer'
    if _monotonic_ns is None or _current_frames is None:
        return 'this Python has no sys._current_frames or time.monotonic_ns'
    is_gil = getattr(sys, '_is_gil_enabled', None)
    if is_gil is not None:
        try:
            if not is_gil():
                return 'stack sampling is not supported on free-threaded Python (no GIL)'
        except Exception:
            pass
    return None


def _write_note_only(directory, hz, reason):
    try:
        base = _monotonic_ns() if _monotonic_ns else int(time.monotonic() * 1e9)
        pid = os.getpid()
        impl = getattr(getattr(sys, 'implementation', None), 'name', 'unknown')
        data = (
            '{"corescope":"python-stacks","v":%d,"pid":%d,"ppid":%d,"hz":%s,"base":"%d","python":%s,"impl":%s}\n{"note":%s}\n'
            % (FORMAT_VERSION, pid, os.getppid(), _num(hz), base,
               _text('%d.%d.%d' % tuple(sys.version_info[:3])), _text(impl), _text(reason))
        ).encode('ascii', 'replace')
        fd = os.open(os.path.join(directory, 'py-%d.jsonl' % pid),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, 'O_CLOEXEC', 0), 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except Exception:
        pass


def _install_hooks():
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    import atexit
    atexit.register(_at_exit)
    if hasattr(os, 'register_at_fork'):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent,
                            after_in_child=_after_fork_child)
    _hook_threading()


def _hook_threading():
    # threading._register_atexit runs before threading's shutdown joins threads: the only exit
    # hook a multiprocessing fork child runs (it ends with os._exit). Registered once threading is
    # imported (the probe itself never imports it); the list is inherited by forked children.
    global _threading_hooked
    if _threading_hooked:
        return
    threading = sys.modules.get('threading')
    if threading is None:
        return
    _threading_hooked = True
    reg = getattr(threading, '_register_atexit', None)
    if reg is not None:
        try:
            reg(_at_threading_exit)
        except Exception:
            pass


def _start_thread(s):
    if s.dead or s.capped or s.stopping:
        return
    s.gen += 1
    wake = _thread.allocate_lock()
    wake.acquire()
    done = _thread.allocate_lock()
    done.acquire()
    s.wake = wake
    s.done = done
    _thread.start_new_thread(_sampler, (s, s.gen, wake, done))


def _stop_thread(s, wait):
    """Ask the sampler to stop; with wait, until its OS thread is gone (so a fork sees one thread)."""
    wake, done = s.wake, s.done
    if wake is None:
        return
    s.gen += 1
    s.wake = None
    s.done = None
    try:
        wake.release()
    except RuntimeError:
        pass
    if not wait:
        return
    if done.acquire(True, 1.0):
        native = s.my_native
        if native and _LINUX:
            # The thread has said goodbye; wait (briefly) for the kernel to reap it.
            task = '/proc/self/task/%d' % native
            deadline = _now() + 20_000_000
            while os.path.exists(task) and _now() < deadline:
                time.sleep(0.0002)


def _before_fork():
    try:
        s = S
        if s is None:
            return
        _stop_thread(s, True)
        _flush(s)
    except BaseException as e:
        _fail(S, 'before fork', e)


def _after_fork_parent():
    try:
        s = S
        if s is None:
            return
        # 3.13+ warns about forking a multi-threaded process only after these hooks have run
        # (3.12 warned before them): restart once os.fork() has returned to its caller.
        if sys.version_info >= (3, 13):
            try:
                if _restart_after_fork_returns(s):
                    return
            except Exception:
                pass
        _start_thread(s)
    except BaseException as e:
        _fail(S, 'after fork', e)


def _restart_after_fork_returns(s):
    """Start the sampler again at the first event after os.fork() returns: a trace function on
    the frame that called it (opcode events: its next instruction) and a global one that looks
    for the first call made once that frame has moved on. False (restart now) when a tracer
    (debugger, coverage) is already set: ours would displace it."""
    if sys.gettrace() is not None:
        return False
    try:
        caller = sys._getframe(2)  # 0: here, 1: _after_fork_parent, 2: whoever called os.fork()
    except ValueError:
        return False
    lasti = caller.f_lasti
    pending = [caller]

    def finish():
        # Runs inside the program's own code (a trace function): nothing may escape.
        try:
            frame = pending.pop() if pending else None
            if frame is None:
                return
            try:
                if sys.gettrace() is on_call:
                    sys.settrace(None)
                frame.f_trace_opcodes = False
                frame.f_trace = None
            finally:
                if S is s:
                    _start_thread(s)
        except BaseException as e:
            _fail(s, 'restarting after fork', e)

    def on_frame(frame, event, arg):
        # Any event of the caller's frame comes after os.fork() returned (or raised) in it.
        finish()
        return None

    def on_call(frame, event, arg):
        # A new frame: another fork hook (the caller is still in its call: ignore) or, once the
        # caller has moved past it, anything it called next.
        try:
            if pending and pending[0].f_lasti != lasti:
                finish()
        except BaseException:
            pass
        return None

    caller.f_trace = on_frame
    caller.f_trace_opcodes = True
    sys.settrace(on_call)
    return True


def _after_fork_child():
    global S
    try:
        old = S
        if old is None:
            return
        S = None
        if old.fd is not None and old.fd >= 0:
            try:
                os.close(old.fd)
            except OSError:
                pass
        if old.dead:
            return  # the parent's probe had stopped; so does the child's
        S = _new_state(old.hz, old.dir, old.max_bytes, [])
        if not old.tasks_ok:
            S.tasks_ok = False
        _hook_threading()
        _start_thread(S)
    except BaseException as e:
        _fail(S, 'after fork in the child', e)


def _end_record(s):
    now = _now()
    return '{"end":%d,"ticks":%d,"missed":%d,"samples":%d,"tasksCut":%d,"tasksUnsampled":%d,"probeCpuUs":%d}\n' % (
        (now - s.base) // 1000, s.ticks, s.missed, s.samples, s.tasks_cut, s.tasks_unsampled, s.probe_cpu // 1000)


def _at_threading_exit():
    try:
        s = S
        if s is None:
            return
        _append(s, [_end_record(s)])
        _flush(s)
    except BaseException:
        pass


def _at_exit():
    try:
        s = S
        if s is None:
            return
        s.stopping = True
        _stop_thread(s, False)
        _append(s, [_end_record(s)])
        _flush(s)
        s.dead = True
        fd, s.fd = s.fd, -1  # nothing more is written, even by a sampler finishing its tick
        if fd is not None and fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
    except BaseException:
        pass


def _fail(s, where, e):
    """The probe failed: say so in the file and stop sampling; the program goes on."""
    try:
        if s is None:
            return
        s.dead = True
        _note(s, 'probe failed (%s): %s: %s' % (where, type(e).__name__, str(e)[:300]))
        _flush(s)
    except BaseException:
        pass


# ---------------------------------------------------------------------------------------------
# Output


def _append(s, lines):
    if not lines:
        return
    n = 0
    for ln in lines:
        n += len(ln)
    got = s.lock.acquire(True, 1.0)
    try:
        s.buf.extend(lines)
        s.size += n
    finally:
        if got:
            s.lock.release()


def _flush(s):
    if not s.lock.acquire(True, 1.0):
        return
    try:
        if not s.buf or s.fd == -1:
            return
        data = ''.join(s.buf).encode('utf-8', 'backslashreplace')
        s.buf = []
        if s.fd is None:
            try:
                s.fd = os.open(s.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, 'O_CLOEXEC', 0), 0o644)
            except OSError:
                s.fd = -1  # nowhere to write (the directory went away): stop quietly
                s.dead = True
                return
        view = memoryview(data)
        while view:
            try:
                n = os.write(s.fd, view)
            except InterruptedError:
                continue
            except OSError:
                s.dead = True
                return
            view = view[n:]
    finally:
        s.lock.release()


# ---------------------------------------------------------------------------------------------
# Sampling


def _sampler(s, gen, wake, done):
    try:
        s.my_ident = _get_ident()
        s.my_native = _get_native_id() if _get_native_id else 0
        # The kernel's name for this thread, so the lanes and `top -H` say whose it is (its CPU
        # is the probe's cost, inside the program).
        try:
            with open('/proc/thread-self/comm', 'w') as comm:
                comm.write('cs-stack-probe')
        except Exception:
            pass
        period = s.period
        base = s.base
        k = (_now() - base) // period + 1
        thread_time = getattr(time, 'thread_time_ns', None)
        cpu0 = thread_time() if thread_time else 0
        last = 0
        while True:
            deadline = base + k * period
            # Start queueing for the GIL a period early (once the previous deadline has passed, and
            # half a period after the last tick): a thread waiting for the GIL only asks its holder
            # to let go after a switch interval (5 ms) without a switch, and behind two busy threads
            # that switch every 5 ms it never asks, it only wins the odd hand-over; so each tick
            # gets as many hand-overs as it can to win.
            now = _now()
            wake_at = max(deadline - period, last + period // 2)
            if wake_at > now and wake.acquire(True, (wake_at - now) / 1e9):
                break  # woken: asked to stop
            if s.gen != gen or s.stopping or s.dead:
                break
            t = last = _now()
            _tick(s, t)
            s.ticks += 1
            # Next: the following deadline, unless it is less than half a period after this tick
            # (which came late): then the first one that is not; those skipped count as missed.
            nk = (t + period // 2 - base + period - 1) // period
            if nk > k + 1:
                s.missed += nk - k - 1
                k = nk
            else:
                k += 1
            if t - s.last_flush >= FLUSH_NS:
                s.last_flush = t
                if thread_time:
                    s.probe_cpu = s.probe_cpu_done + thread_time() - cpu0
                _hook_threading()
                if s.size > s.max_bytes:
                    s.capped = True
                    _note(s, 'stopped at the %d MB cap on this file' % (s.max_bytes // (1024 * 1024))
                          if s.max_bytes >= 1024 * 1024 else 'stopped at the %d-byte cap on this file' % s.max_bytes)
                _flush(s)
            if s.capped:
                break
    except BaseException as e:
        _fail(s, 'sampling', e)
    finally:
        try:
            if thread_time:
                s.probe_cpu = s.probe_cpu_done = s.probe_cpu_done + thread_time() - cpu0
        except BaseException:
            pass
        try:
            done.release()
        except BaseException:
            pass


def _frame_at(s, f, code, out):
    """Frame id of frame f (running `code`) at its current instruction. Keyed by the instruction
    (f_lasti, an attribute read) so the line (f_lineno, a walk through the code's line table) is
    worked out once per instruction seen, not at every sample."""
    key = (code, f.f_lasti)
    fid = s.at.get(key)
    if fid is None:
        line = f.f_lineno or 0
        fid = s.frames.get((code, line))
        if fid is None:
            fid = _frame_id(s, code, line, out)
        s.at[key] = fid
    return fid


def _frame_id(s, code, line, out):
    fid = len(s.frames)
    name = getattr(code, 'co_qualname', None) or code.co_name
    out.append('["f",%d,%s,%s,%d]\n' % (fid, _text(name), _text(code.co_filename), line))
    s.frames[(code, line)] = fid
    dirs = s.asyncio_dirs or _asyncio_dir(s)
    s.asyncio_frame.append(bool(dirs) and code.co_filename.startswith(dirs))
    return fid


def _asyncio_dir(s):
    """asyncio's package directory (with a trailing separator) once asyncio is imported, else ''."""
    pkg = sys.modules.get('asyncio')
    path = getattr(pkg, '__file__', None) if pkg is not None else None
    if not isinstance(path, str):
        return ''
    s.asyncio_dirs = os.path.dirname(path) + os.sep
    return s.asyncio_dirs


def _stack_id(s, key, out):
    sid = s.stacks.get(key)
    if sid is None:
        sid = len(s.stacks)
        s.stacks[key] = sid
        out.append('["k",%d%s]\n' % (sid, ''.join([',%d' % f for f in key])))
    return sid


def _name_id(s, name, out):
    nid = s.names.get(name)
    if nid is None:
        nid = len(s.names)
        s.names[name] = nid
        out.append('["n",%d,%s]\n' % (nid, _text(name)))
    return nid


def _truncated_frame(s, out):
    if s.trunc_frame is None:
        fid = len(s.frames)
        out.append('["f",%d,"...","",0]\n' % fid)
        s.frames[('...', 0)] = fid
        s.asyncio_frame.append(False)
        s.trunc_frame = fid
    return s.trunc_frame


def _thread_stack(s, f, out):
    """Stack id of a thread's frame chain (f is the innermost frame)."""
    at = s.at
    ids = []
    depth = 0
    while f is not None:
        if depth == MAX_DEPTH:
            ids.append(_truncated_frame(s, out))
            break
        code = f.f_code
        fid = at.get((code, f.f_lasti))
        if fid is None:
            fid = _frame_at(s, f, code, out)
        ids.append(fid)
        f = f.f_back
        depth += 1
    ids.reverse()
    return _stack_id(s, tuple(ids), out)


def _tick(s, t):
    out = []
    frames = _current_frames()
    threading = sys.modules.get('threading')
    active = getattr(threading, '_active', None) if threading is not None else None
    if not isinstance(active, dict):
        active = None
    dt = (t - s.base) // 1000
    first = s.first_tick
    s.first_tick = False
    prev_cpu = s.prev_cpu
    seen = set()
    n = 0
    for ident, f in frames.items():
        if ident == s.my_ident:
            continue
        th = active.get(ident) if active is not None else None
        if th is not None:
            tid = getattr(th, 'native_id', None) or 0
            name = th.name
        elif ident == s.main_ident:
            tid = s.main_native or 0
            name = 'MainThread'
        else:
            tid = 0
            name = ''
        sid = _thread_stack(s, f, out)
        cpu = -1
        if tid and s.cpu_ok:
            try:
                c = _clock_gettime_ns(_thread_clock(tid))
            except (OSError, OverflowError, ValueError):
                c = -1
            if c >= 0:
                prev = prev_cpu.get(tid)
                if prev is not None:
                    cpu = max(0, (c - prev) // 1000)
                elif not first:
                    cpu = c // 1000  # a thread born since the previous tick: all of its CPU
                prev_cpu[tid] = c
                seen.add(tid)
        out.append('["s",%d,%d,%d,%d,%d]\n' % (dt, tid, _name_id(s, name, out), sid, cpu))
        n += 1
    frames = None
    f = None
    if len(prev_cpu) > len(seen):
        for gone in [x for x in prev_cpu if x not in seen]:
            del prev_cpu[gone]
    if s.tasks_ok and 'asyncio.tasks' in sys.modules:
        try:
            n += _tasks(s, dt, active, out)
        except Exception as e:
            s.tasks_ok = False
            _note(s, 'asyncio task sampling failed and stopped: %s: %s' % (type(e).__name__, str(e)[:200]))
    s.samples += n
    _append(s, out)


def _task_list(mod):
    """All tasks of all loops, by the registries asyncio keeps (3.9-3.11: _all_tasks; 3.12+:
    _scheduled_tasks and _eager_tasks); None when this asyncio has none of them."""
    found = False
    tasks = []
    for attr in ('_all_tasks', '_scheduled_tasks'):
        ws = getattr(mod, attr, None)
        if ws is None:
            continue
        found = True
        data = getattr(ws, 'data', None)  # WeakSet: its set of weak references
        if isinstance(data, set):
            for r in list(data):  # list(set) is one C call: no other thread changes it meanwhile
                task = r()
                if task is not None:
                    tasks.append(task)
        else:
            tasks.extend(list(ws))
    eager = getattr(mod, '_eager_tasks', None)
    if isinstance(eager, set):
        found = True
        tasks.extend(list(eager))
    return tasks if found else None


def _tasks(s, dt, active, out):
    mod = sys.modules.get('asyncio.tasks')
    if mod is None or getattr(getattr(mod, '__spec__', None), '_initializing', False):
        return 0  # not imported, or still being imported (its registries may not exist yet)
    if sys.version_info >= (3, 14):
        s.tasks_ok = False
        _note(s, 'asyncio task stacks are not sampled on Python 3.14+ (its tasks are kept in C)')
        return 0
    tasks = _task_list(mod)
    if tasks is None:
        s.tasks_ok = False
        _note(s, "asyncio task stacks are not sampled: this Python's asyncio keeps no task registry the probe knows")
        return 0
    if not tasks:
        return 0
    current = getattr(mod, '_current_tasks', None)
    running = set()
    if isinstance(current, dict):
        for task in list(current.values()):
            running.add(id(task))
    loop_tids = {}
    n = 0
    # More tasks than a tick may cost (MAX_TASKS, or TASK_BUDGET of the period): sample a share,
    # starting each tick where the previous one stopped, so every task gets its fair share.
    total = len(tasks)
    start = s.task_pos % total
    if start:
        tasks = tasks[start:] + tasks[:start]
    budget_end = _now() + int(s.period * TASK_BUDGET)
    i = 0
    for task in tasks:
        i += 1
        if id(task) in running:
            continue
        try:
            if task.done():
                continue
        except Exception:
            continue
        if n == MAX_TASKS or ((n & 15) == 15 and _now() > budget_end):
            i -= 1
            s.tasks_cut += 1
            s.tasks_unsampled += total - i
            _note(s, 'more suspended asyncio tasks than a tick samples (at most %d, and about %d%% of '
                     'the period): each tick samples the next share of them in turn, so their samples '
                     'give proportions, not all of their time' % (MAX_TASKS, round(TASK_BUDGET * 100)))
            break
        sid = _task_stack(s, task, out)
        if sid is None:
            continue
        loop = getattr(task, '_loop', None)
        key = id(loop)
        tid = loop_tids.get(key)
        if tid is None:
            tid = 0
            ident = getattr(loop, '_thread_id', None)
            if ident is not None:
                if ident == s.main_ident and (active is None or ident not in active):
                    tid = s.main_native or 0
                elif active is not None:
                    th = active.get(ident)
                    tid = (getattr(th, 'native_id', None) or 0) if th is not None else 0
            loop_tids[key] = tid
        try:
            name = task.get_name()
        except Exception:
            name = ''
        out.append('["a",%d,%d,%d,%d]\n' % (dt, tid, _name_id(s, name, out), sid))
        n += 1
    s.task_pos = start + i
    return n


def _task_stack(s, task, out):
    try:
        c = task.get_coro()
    except Exception:
        c = getattr(task, '_coro', None)
    at = s.at
    ids = []
    depth = 0
    while c is not None and depth < MAX_DEPTH:
        tp = type(c)
        if tp is _CoroutineType:
            f = c.cr_frame
            nxt = c.cr_await
        elif tp is _GeneratorType:
            f = c.gi_frame
            nxt = c.gi_yieldfrom
        else:  # another coroutine-like type (Cython's...), or the Future at the end of the chain
            f = getattr(c, 'cr_frame', None) or getattr(c, 'gi_frame', None)
            nxt = getattr(c, 'cr_await', None) or getattr(c, 'gi_yieldfrom', None)
        if f is None:
            break
        code = f.f_code
        fid = at.get((code, f.f_lasti))
        if fid is None:
            fid = _frame_at(s, f, code, out)
        ids.append(fid)
        c = nxt
        depth += 1
    f = c = None
    if not ids:
        return None
    # Leave asyncio's own frames off the inner end: the user's `await` is the answer.
    is_asyncio = s.asyncio_frame
    while len(ids) > 1 and is_asyncio[ids[-1]]:
        ids.pop()
    return _stack_id(s, tuple(ids), out)
