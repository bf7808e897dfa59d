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

/** Run and wait nanoseconds from a schedstat line ("run_ns wait_ns timeslices"); false when malformed. */
export function parseSchedstatBytes(buf: Uint8Array, out: { runNs: number; waitNs: number }): boolean {
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
  if (i === start) return false;
  out.runNs = run;
  out.waitNs = wait;
  return true;
}

/** The command name between the first '(' and the last ')' of a stat line. */
export function statComm(buf: Uint8Array): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const open = text.indexOf(0x28);
  const close = text.lastIndexOf(CLOSE_PAREN);
  return open >= 0 && close > open ? text.toString('utf8', open + 1, close) : '?';
}
