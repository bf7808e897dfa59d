// The parser of /proc/stat's "cpu" lines: the time counters (USER_HZ ticks) of the whole machine
// and of each core, in the order proc(5) gives them: user, nice, system, idle, iowait, irq,
// softirq, steal (guest time is already inside user and is not read).
//
// parseCpuStat reads text and is the reference the fixture tests pin down; parseCpuLinesBytes
// reads the per-core lines of one read into a flat array without allocating, for every sample.
// A test checks both agree. The arithmetic between two readings is in cpuDelta.ts.

export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface CpuStat {
  total: CpuTicks;
  /** Indexed by core id (cpuN); a core missing from the file (offline) is absent. */
  cores: CpuTicks[];
}

function toTicks(fields: string[]): CpuTicks {
  const n = (i: number): number => Number(fields[i] ?? 0) || 0;
  return { user: n(1), nice: n(2), system: n(3), idle: n(4), iowait: n(5), irq: n(6), softirq: n(7), steal: n(8) };
}

export function parseCpuStat(text: string): CpuStat {
  let total: CpuTicks | undefined;
  const cores: CpuTicks[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) {
      // The cpu lines come first; nothing after them concerns us.
      if (total) break;
      continue;
    }
    const fields = line.trim().split(/\s+/);
    const label = fields[0];
    if (label === 'cpu') total = toTicks(fields);
    else {
      const id = Number(label.slice(3));
      if (Number.isInteger(id) && id >= 0) cores[id] = toTicks(fields);
    }
  }
  if (!total) throw new Error('/proc/stat has no "cpu" line');
  return { total, cores };
}

/** Counters per core in a flat array: user, nice, system, idle, iowait, irq, softirq, steal. */
export const CPU_FIELDS = 8;

const SPACE = 0x20;
const ZERO = 0x30;

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
