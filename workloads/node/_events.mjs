// Event channel for CoreScope workloads (see workloads/README.md): one JSON line per
// fs.writeSync on the fd named by CORESCOPE_EVENT_FD, under 4 KiB so lines from several
// processes sharing the pipe never interleave. No-op when the variable is unset.
// Works from worker_threads too (same process, same fd table).
import fs from 'node:fs';
import { threadId } from 'node:worker_threads';

const MAX_LINE = 4000;

function openFd() {
  const raw = process.env.CORESCOPE_EVENT_FD;
  if (!raw) return null;
  const fd = Number(raw);
  if (!Number.isInteger(fd) || fd < 0) return null;
  try {
    fs.fstatSync(fd);
    return fd;
  } catch {
    return null;
  }
}

let fd = openFd();

// The OS thread id of this JS thread (each worker_thread loads its own copy of this module),
// so task spans can be matched to thread lanes. Linux only; elsewhere events carry pid alone.
function nativeTid() {
  try {
    const m = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
const tid = nativeTid();
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

export function enabled() {
  return fd !== null;
}

export function emit(obj) {
  if (fd === null) return;
  const buf = Buffer.from(JSON.stringify(obj) + '\n');
  if (buf.length > MAX_LINE) return; // never split a line: the reader would reject both halves
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      fs.writeSync(fd, buf);
      return;
    } catch (err) {
      // A non-blocking pipe that is momentarily full: wait a little, keep the line whole.
      if (err && err.code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 5);
        continue;
      }
      fd = null; // reader gone (EPIPE/EBADF): the workload keeps running silently
      return;
    }
  }
}

function ids(extra) {
  const o = { pid: process.pid, ...extra };
  if (tid !== undefined) o.tid = tid;
  if (threadId !== 0) o.threadId = threadId;
  return o;
}

export function taskStart(task, info = {}) {
  emit({ ev: 'task-start', task: String(task), ...ids(info) });
}

export function taskEnd(task, info = {}) {
  emit({ ev: 'task-end', task: String(task), ...ids(info) });
}

export function lag(lagMs) {
  emit({ ev: 'lag', lagMs: Math.round(Math.max(0, lagMs) * 1000) / 1000, ...ids({}) });
}

export function metric(name, value, unit) {
  const o = { ev: 'metric', name, value, pid: process.pid };
  if (unit) o.unit = unit;
  emit(o);
}

/**
 * Lag heartbeat: a timer re-armed every intervalMs that reports how late it fired. A busy
 * main thread cannot run it, so a chunk of C ms shows up as lag of about C - intervalMs.
 * Returns a stop function; the timer is unref'd so it never keeps the process alive.
 */
export function startHeartbeat(intervalMs = 20) {
  let timer;
  let stopped = false;
  const arm = () => {
    const due = performance.now() + intervalMs;
    timer = setTimeout(() => {
      lag(performance.now() - due);
      if (!stopped) arm();
    }, intervalMs);
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * stdio for child_process.fork / cluster so the child gets the event fd at the same number
 * (fd N at index N) and the IPC channel after it. Without the channel: no extra fds.
 */
export function forkStdio() {
  const stdio = ['inherit', 'inherit', 'inherit'];
  if (fd === null || fd < 3) return [...stdio, 'ipc'];
  while (stdio.length < fd) stdio.push('ignore');
  stdio.push(fd, 'ipc');
  return stdio;
}
