// Parser for /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat (proc(5)). The command name sits in
// parentheses and may itself contain spaces and parentheses, so split at the LAST ')'.

export interface TaskStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
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

export function parseTaskStat(text: string): TaskStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`malformed stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const pidText = text.slice(0, open).trim();
  const pid = pidText === '' ? NaN : Number(pidText);
  const comm = text.slice(open + 1, close);
  // After ')': field 3 (state) onwards, so rest[0] is field 3 of proc(5).
  const rest = text.slice(close + 2).trim().split(' ');
  const f = (n: number): number => Number(rest[n - 3]);
  if (!Number.isFinite(pid) || rest.length < 37) throw new Error(`malformed stat line: ${JSON.stringify(text.slice(0, 80))}`);
  return {
    pid,
    comm,
    state: rest[0],
    ppid: f(4),
    pgrp: f(5),
    session: f(6),
    utime: f(14),
    stime: f(15),
    cutime: f(16),
    cstime: f(17),
    numThreads: f(20),
    starttime: f(22),
    rssPages: f(24),
    processor: f(39),
  };
}
