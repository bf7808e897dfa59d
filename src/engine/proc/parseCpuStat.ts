// Parser for /proc/stat: the per-core time counters (in USER_HZ ticks) of the whole machine.

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

/** Fractions of the interval between two readings of one core, by state. */
export function cpuDelta(a: CpuTicks, b: CpuTicks): { user: number; system: number; iowait: number; idle: number; ticks: number } {
  const user = b.user - a.user + (b.nice - a.nice);
  const system = b.system - a.system + (b.irq - a.irq) + (b.softirq - a.softirq);
  const iowait = Math.max(0, b.iowait - a.iowait);
  // iowait can go backwards on some kernels; idle time stolen by the hypervisor is not ours either.
  const idle = b.idle - a.idle + (b.steal - a.steal);
  const ticks = Math.max(0, user) + Math.max(0, system) + iowait + Math.max(0, idle);
  if (ticks <= 0) return { user: 0, system: 0, iowait: 0, idle: 1, ticks: 0 };
  return { user: Math.max(0, user) / ticks, system: Math.max(0, system) / ticks, iowait: iowait / ticks, idle: Math.max(0, idle) / ticks, ticks };
}
