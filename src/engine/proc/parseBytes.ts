// Allocation-free parsers for the /proc files read at every sample, working on the bytes of one
// read. They mirror parseTaskStat and parseSchedstat (the readable reference versions, which the
// fixture tests pin down); a test checks both agree on the same input.

import type { TaskStat } from './parseTaskStat';

const SPACE = 0x20;
const CLOSE_PAREN = 0x29;
const ZERO = 0x30;

/** The stat fields read at every sample: parseTaskStat's, less the name and the ids we already know. */
export type StatNumbers = Pick<TaskStat, 'state' | 'ppid' | 'utime' | 'stime' | 'cutime' | 'cstime' | 'numThreads' | 'starttime' | 'rssPages' | 'processor'>;

export function newStatNumbers(): StatNumbers {
  return { state: '?', ppid: 0, utime: 0, stime: 0, cutime: 0, cstime: 0, numThreads: 0, starttime: 0, rssPages: 0, processor: -1 };
}

/** Fills `out` from a stat line; false when the line is malformed. Field numbers as in proc(5). */
export function parseStatBytes(buf: Uint8Array, out: StatNumbers): boolean {
  let i = buf.length - 1;
  while (i >= 0 && buf[i] !== CLOSE_PAREN) i--;
  if (i < 0 || i + 2 >= buf.length) return false;
  i += 2; // past ") ": field 3, the state
  out.state = String.fromCharCode(buf[i]);
  let field = 3;
  i += 1;
  const n = buf.length;
  while (i < n && field < 39) {
    // at a separator: the next field starts after it
    i++;
    field++;
    let v = 0;
    let neg = false;
    if (buf[i] === 0x2d) {
      neg = true;
      i++;
    }
    while (i < n && buf[i] !== SPACE && buf[i] !== 0x0a) {
      const d = buf[i] - ZERO;
      if (d < 0 || d > 9) return false;
      v = v * 10 + d;
      i++;
    }
    if (neg) v = -v;
    switch (field) {
      case 4: out.ppid = v; break;
      case 14: out.utime = v; break;
      case 15: out.stime = v; break;
      case 16: out.cutime = v; break;
      case 17: out.cstime = v; break;
      case 20: out.numThreads = v; break;
      case 22: out.starttime = v; break;
      case 24: out.rssPages = v; break;
      case 39: out.processor = v; break;
    }
  }
  return field >= 39;
}

/**
 * Run and wait nanoseconds and the number of times the task was switched onto a core from a
 * schedstat line ("run_ns wait_ns timeslices"); false when malformed.
 */
export function parseSchedstatBytes(buf: Uint8Array, out: { runNs: number; waitNs: number; timeslices: number }): boolean {
  const n = buf.length;
  let i = 0;
  let run = 0;
  let start = i;
  while (i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9) run = run * 10 + (buf[i++] - ZERO);
  if (i === start || buf[i] !== SPACE) return false;
  i++;
  let wait = 0;
  start = i;
  while (i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9) wait = wait * 10 + (buf[i++] - ZERO);
  if (i === start || buf[i] !== SPACE) return false;
  i++;
  let slices = 0;
  start = i;
  while (i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9) slices = slices * 10 + (buf[i++] - ZERO);
  if (i === start) return false;
  out.runNs = run;
  out.waitNs = wait;
  out.timeslices = slices;
  return true;
}

/** The command name between the first '(' and the last ')' of a stat line. */
export function statComm(buf: Uint8Array): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const open = text.indexOf(0x28);
  const close = text.lastIndexOf(CLOSE_PAREN);
  return open >= 0 && close > open ? text.toString('utf8', open + 1, close) : '?';
}

/** Counters per core in a flat array: user, nice, system, idle, iowait, irq, softirq, steal. */
export const CPU_FIELDS = 8;

/**
 * Fills `out` (CPU_FIELDS numbers per core, indexed by core id) from the per-core "cpuN" lines of
 * /proc/stat; mirrors parseCpuStat. Returns one past the highest core id seen, or -1 when there
 * is no per-core line. Cores beyond the array's room are ignored; a core absent from the file
 * (offline) keeps the figures it had.
 */
export function parseCpuLinesBytes(buf: Uint8Array, out: Float64Array): number {
  const n = buf.length;
  const room = Math.floor(out.length / CPU_FIELDS);
  let cores = -1;
  let i = 0;
  while (i < n) {
    // At the start of a line: "cpu" then a digit is a core; the aggregate "cpu " line is not.
    if (buf[i] === 0x63 && buf[i + 1] === 0x70 && buf[i + 2] === 0x75 && buf[i + 3] >= ZERO && buf[i + 3] <= ZERO + 9) {
      i += 3;
      let id = 0;
      while (i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9) id = id * 10 + (buf[i++] - ZERO);
      const base = id * CPU_FIELDS;
      for (let f = 0; f < CPU_FIELDS; f++) {
        while (i < n && buf[i] === SPACE) i++;
        let v = 0;
        const start = i;
        while (i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9) v = v * 10 + (buf[i++] - ZERO);
        // Old kernels end the line early (no steal): those counters read as zero, as in parseCpuStat.
        if (id < room) out[base + f] = i === start ? 0 : v;
      }
      if (id < room) cores = Math.max(cores, id + 1);
    } else if (cores >= 0 && buf[i] !== 0x63) {
      // The cpu lines come first; once past them, nothing else concerns us.
      break;
    }
    while (i < n && buf[i] !== 0x0a) i++;
    i++;
  }
  return cores;
}
