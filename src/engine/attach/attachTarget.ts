// Whether a pid can be attached to, and what it is: every refusal is one line naming the pid and
// why, raised as an InputError on the `pid` field (exit 2 in the CLI, a field error in the app).
// Nothing here signals or otherwise touches the target: it only reads /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../shared/runLimits';
import { parseTaskStat } from '../proc/parseTaskStat';

/** PF_KTHREAD (include/linux/sched.h): the task is a kernel thread. */
const PF_KTHREAD = 0x00200000;
/** The kernel's largest pid (pid_max can be at most 2^22). */
export const PID_MAX = 4_194_304;

export interface AttachTarget {
  pid: number;
  /** With the pid, identifies the process across pid reuse. */
  starttime: number;
  name: string;
  /** The command line, NUL-separated arguments joined by spaces (empty for a process that cleared it). */
  cmdline: string;
}

export interface AttachCheckOptions {
  procRoot?: string;
  /** CoreScope's own pid (attaching to itself would measure the measurer). */
  selfPid?: number;
  /** Reads a file (tests inject failures: root reads every /proc file whatever its mode). */
  readFile?: (path: string) => string;
  readDir?: (path: string) => string[];
}

const refuse = (message: string): InputError => new InputError('pid', `pid: ${message}`);

export function checkAttachTarget(pid: unknown, opts: AttachCheckOptions = {}): AttachTarget {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > PID_MAX) {
    throw refuse(`must be a whole number from 1 to ${PID_MAX}, the id of a running process (got ${JSON.stringify(pid)})`);
  }
  if (pid === (opts.selfPid ?? process.pid)) throw refuse(`${pid} is CoreScope itself; attach to another program`);
  const root = opts.procRoot ?? '/proc';
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const list = opts.readDir ?? ((p: string) => readdirSync(p));
  let stat;
  try {
    stat = parseTaskStat(read(join(root, String(pid), 'stat')));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw refuse(`no such process: ${pid}`);
    throw unreadable(pid, err);
  }
  if (stat.flags & PF_KTHREAD) throw refuse(`${pid} (${stat.comm}) is a kernel thread: it has no program of its own to follow`);
  if (stat.state === 'Z' || stat.state === 'X') throw refuse(`${pid} (${stat.comm}) has already exited (it waits for its parent to collect it)`);
  // The files a run reads: the thread list and each thread's schedstat. hidepid=1/2, another
  // user's process without ptrace rights, or a locked-down /proc refuse them.
  try {
    const tids = list(join(root, String(pid), 'task'));
    if (tids.length === 0) throw Object.assign(new Error('empty task list'), { code: 'EACCES' });
    read(join(root, String(pid), 'task', tids[0], 'schedstat'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw refuse(`no such process: ${pid} (it exited just now)`);
    throw unreadable(pid, err);
  }
  let cmdline = '';
  try {
    cmdline = read(join(root, String(pid), 'cmdline')).split('\0').filter(Boolean).join(' ');
  } catch {
    // A command line is nice to show, not needed to measure.
  }
  return { pid, starttime: stat.starttime, name: stat.comm, cmdline };
}

function unreadable(pid: number, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return refuse(`cannot read /proc/${pid} (${code}): another user's process on a /proc mounted with hidepid, or one you may not trace; run CoreScope as that user`);
}
