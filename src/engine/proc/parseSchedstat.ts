// The parser of /proc/<pid>/task/<tid>/schedstat: "run_ns wait_ns timeslices" (see the kernel's
// Documentation/scheduler/sched-stats.rst): nanoseconds on a core, nanoseconds waiting in the
// run queue, and how many times the task was switched onto a core.
//
// parseSchedstat reads text and is the reference the fixture tests pin down; parseSchedstatBytes
// reads the bytes of one read without allocating, for every sample. A test checks both agree.

export interface Schedstat {
  runNs: number;
  waitNs: number;
  timeslices: number;
}

export function parseSchedstat(text: string): Schedstat {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length < 3 || parts.some((n) => !Number.isFinite(n))) throw new Error(`malformed schedstat: ${JSON.stringify(text.slice(0, 80))}`);
  return { runNs: parts[0], waitNs: parts[1], timeslices: parts[2] };
}

const SPACE = 0x20;
const ZERO = 0x30;

/** Fills `out` from the bytes of a schedstat line; false when malformed. */
export function parseSchedstatBytes(buf: Uint8Array, out: Schedstat): boolean {
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
