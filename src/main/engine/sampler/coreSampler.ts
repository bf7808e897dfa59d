// Per-core utilisation between successive readings: /proc/stat on Linux (10 ms ticks, all four
// states), os.cpus() elsewhere (no iowait, coarser), and the result says which.
import { cpus } from 'node:os';
import type { CoreFidelity, CoreUsage } from '../../../shared/types';
import { cpuDelta, parseCpuStat, type CpuTicks } from '../proc/parseCpuStat';
import { ProcFile } from '../proc/procFile';

export interface CoreReading {
  cores: CpuTicks[];
}

export class CoreSampler {
  readonly fidelity: CoreFidelity;
  readonly coreCount: number;
  private readonly statFile: ProcFile | null;
  private last: CoreReading;

  constructor() {
    this.statFile = process.platform === 'linux' ? ProcFile.open('/proc/stat') : null;
    this.fidelity = this.statFile ? 'proc-stat' : 'os-cpus';
    this.last = this.read();
    this.coreCount = this.last.cores.length;
  }

  /** Raw counters now (ticks); exposed so callers can compute whole-run figures. */
  read(): CoreReading {
    const bytes = this.statFile?.readBytes();
    // Only the cpu lines concern us: skip decoding the long interrupt counters after them.
    const end = bytes ? bytes.indexOf('\nintr') : -1;
    const text = bytes ? bytes.toString('latin1', 0, end > 0 ? end : bytes.length) : null;
    if (text) {
      const stat = parseCpuStat(text);
      return { cores: stat.cores };
    }
    return {
      cores: cpus().map((c) => ({
        user: c.times.user,
        nice: c.times.nice,
        system: c.times.sys,
        idle: c.times.idle,
        iowait: 0,
        irq: c.times.irq,
        softirq: 0,
        steal: 0,
      })),
    };
  }

  /** Usage of each core since the previous call. */
  sample(): CoreUsage[] {
    const now = this.read();
    const out = usageBetween(this.last, now);
    this.last = now;
    return out;
  }

  close(): void {
    this.statFile?.close();
  }
}

export function usageBetween(a: CoreReading, b: CoreReading): CoreUsage[] {
  const out: CoreUsage[] = [];
  for (let i = 0; i < b.cores.length; i++) {
    const prev = a.cores[i];
    const cur = b.cores[i];
    if (!prev || !cur) {
      out.push({ user: 0, system: 0, iowait: 0, idle: 1 });
      continue;
    }
    const d = cpuDelta(prev, cur);
    out.push({ user: d.user, system: d.system, iowait: d.iowait, idle: d.idle });
  }
  return out;
}

/** Busy core-ticks (user+system) between two readings, summed over cores. */
export function busyTicksBetween(a: CoreReading, b: CoreReading): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (let i = 0; i < b.cores.length; i++) {
    const p = a.cores[i];
    const c = b.cores[i];
    if (!p || !c) continue;
    // Same clamping as cpuDelta: a counter going backwards (iowait does on some kernels) adds nothing.
    const u = Math.max(0, c.user - p.user + (c.nice - p.nice) + (c.system - p.system) + (c.irq - p.irq) + (c.softirq - p.softirq));
    const rest = Math.max(0, c.idle - p.idle + (c.steal - p.steal)) + Math.max(0, c.iowait - p.iowait);
    busy += u;
    total += u + rest;
  }
  return { busy, total };
}
