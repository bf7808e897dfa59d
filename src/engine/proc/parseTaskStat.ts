// The one parser of a task's stat line: /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat
// (proc(5)). The command name sits in parentheses and may itself contain spaces, parentheses and
// even newlines, so every reader splits at the LAST ')'.
//
// Two entry points share one field table (STAT_FIELD): parseTaskStat reads text and is the
// readable reference the fixture tests pin down; parseStatBytes reads the bytes of one read
// without allocating, for the sampler's every-sample reads. A test checks both agree on every fixture.

/** Field numbers of the stat line as proc(5) counts them (1-based; 2 is the name). */
const STAT_FIELD = {
  pid: 1,
  comm: 2,
  state: 3,
  ppid: 4,
  pgrp: 5,
  session: 6,
  /** The kernel's PF_* flags of the task (PF_KTHREAD marks a kernel thread). */
  flags: 9,
  /** Ticks (USER_HZ) in user mode. */
  utime: 14,
  /** Ticks in kernel mode. */
  stime: 15,
  /** Ticks of waited-for children, user and kernel (a task file repeats its process's figure). */
  cutime: 16,
  cstime: 17,
  numThreads: 20,
  /** Ticks since boot when the task started: with the pid, it identifies a process across pid reuse. */
  starttime: 22,
  /** Resident set in pages. */
  rss: 24,
  /** The CPU the task last ran on. */
  processor: 39,
} as const;

export interface TaskStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** PF_* flags (include/linux/sched.h). */
  flags: number;
  /** Ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** Ticks of waited-for children (a task file repeats its process's figure). */
  cutime: number;
  cstime: number;
  numThreads: number;
  /** Ticks since boot. */
  starttime: number;
  /** Resident set in pages. */
  rssPages: number;
  /** CPU the task last ran on. */
  processor: number;
}

const malformed = (text: string): Error => new Error(`malformed stat line: ${JSON.stringify(text.slice(0, 80))}`);

export function parseTaskStat(text: string): TaskStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw malformed(text);
  const pidText = text.slice(0, open).trim();
  const pid = pidText === '' ? NaN : Number(pidText);
  const comm = text.slice(open + 1, close);
  // After ') ': the state, field 3, so field n is rest[n - 3].
  const rest = text.slice(close + 2).trim().split(' ');
  const f = (n: number): number => Number(rest[n - STAT_FIELD.state]);
  if (!Number.isFinite(pid) || rest.length <= STAT_FIELD.processor - STAT_FIELD.state) throw malformed(text);
  return {
    pid,
    comm,
    state: rest[0],
    ppid: f(STAT_FIELD.ppid),
    pgrp: f(STAT_FIELD.pgrp),
    session: f(STAT_FIELD.session),
    flags: f(STAT_FIELD.flags),
    utime: f(STAT_FIELD.utime),
    stime: f(STAT_FIELD.stime),
    cutime: f(STAT_FIELD.cutime),
    cstime: f(STAT_FIELD.cstime),
    numThreads: f(STAT_FIELD.numThreads),
    starttime: f(STAT_FIELD.starttime),
    rssPages: f(STAT_FIELD.rss),
    processor: f(STAT_FIELD.processor),
  };
}

/** parseTaskStat, or null for a line that is not one (a task that vanished mid-read, a bad file). */
export function tryParseTaskStat(text: string | null): TaskStat | null {
  if (!text) return null;
  try {
    return parseTaskStat(text);
  } catch {
    return null;
  }
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const ZERO = 0x30;

/** The stat fields read at every sample: parseTaskStat's, less the name and the ids we already know. */
export type StatNumbers = Pick<TaskStat, 'state' | 'ppid' | 'utime' | 'stime' | 'cutime' | 'cstime' | 'numThreads' | 'starttime' | 'rssPages' | 'processor'>;

export function newStatNumbers(): StatNumbers {
  return { state: '?', ppid: 0, utime: 0, stime: 0, cutime: 0, cstime: 0, numThreads: 0, starttime: 0, rssPages: 0, processor: -1 };
}

/** Fills `out` from the bytes of a stat line, allocating nothing; false when the line is malformed. */
export function parseStatBytes(buf: Uint8Array, out: StatNumbers): boolean {
  let i = buf.length - 1;
  while (i >= 0 && buf[i] !== CLOSE_PAREN) i--;
  if (i < 0 || i + 2 >= buf.length) return false;
  i += 2; // past ") ": the state
  out.state = String.fromCharCode(buf[i]);
  let field: number = STAT_FIELD.state;
  i += 1;
  const n = buf.length;
  while (i < n && field < STAT_FIELD.processor) {
    // at a separator: the next field starts after it
    i++;
    field++;
    let v = 0;
    let neg = false;
    if (buf[i] === MINUS) {
      neg = true;
      i++;
    }
    while (i < n && buf[i] !== SPACE && buf[i] !== NEWLINE) {
      const d = buf[i] - ZERO;
      if (d < 0 || d > 9) return false;
      v = v * 10 + d;
      i++;
    }
    if (neg) v = -v;
    switch (field) {
      case STAT_FIELD.ppid: out.ppid = v; break;
      case STAT_FIELD.utime: out.utime = v; break;
      case STAT_FIELD.stime: out.stime = v; break;
      case STAT_FIELD.cutime: out.cutime = v; break;
      case STAT_FIELD.cstime: out.cstime = v; break;
      case STAT_FIELD.numThreads: out.numThreads = v; break;
      case STAT_FIELD.starttime: out.starttime = v; break;
      case STAT_FIELD.rss: out.rssPages = v; break;
      case STAT_FIELD.processor: out.processor = v; break;
    }
  }
  return field >= STAT_FIELD.processor;
}

/** The command name (field 2) of a stat line's bytes: between the first '(' and the last ')'. */
export function statComm(buf: Uint8Array): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const open = text.indexOf(OPEN_PAREN);
  const close = text.lastIndexOf(CLOSE_PAREN);
  return open >= 0 && close > open ? text.toString('utf8', open + 1, close) : '?';
}
