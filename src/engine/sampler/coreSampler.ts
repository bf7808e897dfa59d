// Per-core utilisation between successive readings: /proc/stat on Linux (10 ms ticks, all four
// states), os.cpus() elsewhere (no iowait, coarser), and the result says which.
import { cpus } from 'node:os';
import type { CoreFidelity, CoreUsage } from '../../shared/types';
import { CPU_FIELDS, parseCpuLinesBytes, parseCpuStat, type CpuTicks } from '../proc/parseCpuStat';
import { coreTickDelta, countersOf, cpuDelta, intervalTicks, shareOfInterval, type CoreTicks } from '../proc/cpuDelta';
import { ProcFile } from '../proc/procFile';
import type { SampledFile } from './sampleSource';

export interface CoreReading {
  cores: CpuTicks[];
}

export class CoreSampler {
  readonly fidelity: CoreFidelity;
  readonly coreCount: number;
  private readonly statFile: SampledFile | null;
  private last: CoreReading;
  // Linux, at every sample: the counters of the previous and current readings, swapped, and the
  // usage objects handed out, reused, so a sample allocates nothing.
  private prevTicks: Float64Array;
  private curTicks: Float64Array;
  private readonly usage: CoreUsage[];
  private readonly delta: CoreTicks = { user: 0, system: 0, iowait: 0, idle: 0 };

  /** `statFile`: /proc/stat as the sample source opened it (the native sampler's); by default a ProcFile. */
  constructor(statFile: SampledFile | null = process.platform === 'linux' ? ProcFile.open('/proc/stat') : null) {
    this.statFile = statFile;
    this.fidelity = this.statFile ? 'proc-stat' : 'os-cpus';
    this.last = this.read();
    this.coreCount = this.last.cores.length;
    this.prevTicks = new Float64Array(this.coreCount * CPU_FIELDS);
    this.curTicks = new Float64Array(this.coreCount * CPU_FIELDS);
    this.usage = Array.from({ length: this.coreCount }, () => ({ user: 0, system: 0, iowait: 0, idle: 1 }));
    this.readTicks(this.prevTicks);
  }

  /** Raw counters now (ticks); exposed so callers can compute whole-run figures. */
  read(): CoreReading {
    const raw = this.statFile?.readBytes();
    const bytes = raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : null;
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

  /**
   * Usage of each core since the previous call. On Linux the array and its objects are reused by
   * the next call: copy what must outlive it.
   */
  sample(): CoreUsage[] {
    if (!this.statFile || !this.readTicks(this.curTicks)) {
      const now = this.read();
      const out = usageBetween(this.last, now);
      this.last = now;
      return out;
    }
    const a = this.prevTicks;
    const b = this.curTicks;
    for (let k = 0; k < this.coreCount; k++) {
      const i = k * CPU_FIELDS;
      shareOfInterval(coreTickDelta(a, i, b, i, this.delta), this.usage[k]);
    }
    this.prevTicks = b;
    this.curTicks = a;
    return this.usage;
  }

  /** The per-core counters now, into `out`; false when /proc/stat could not be read. */
  private readTicks(out: Float64Array): boolean {
    const bytes = this.statFile?.readBytes();
    return !!bytes && parseCpuLinesBytes(bytes, out) > 0;
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
  const d: CoreTicks = { user: 0, system: 0, iowait: 0, idle: 0 };
  for (let i = 0; i < b.cores.length; i++) {
    const p = a.cores[i];
    const c = b.cores[i];
    if (!p || !c) continue;
    coreTickDelta(countersOf(p), 0, countersOf(c), 0, d);
    busy += d.user + d.system;
    total += intervalTicks(d);
  }
  return { busy, total };
}
