// The one place where two readings of a core's /proc/stat counters become time per state: the
// sampler's every-sample usage (on flat counter arrays), a run's whole-span usage and its busy
// core-ticks all go through coreTickDelta, so they cannot disagree on what counts as busy.
//
// user = user + nice; system = system + irq + softirq; idle = idle + steal (time the hypervisor
// took is not ours either); iowait apart. Each is clamped at 0: iowait goes backwards on some
// kernels, and a counter reset must not read as negative time.
import type { CoreUsage } from '../../shared/types';
import type { CpuTicks } from './parseCpuStat';

/** Ticks one core spent in each state between two readings. */
export interface CoreTicks {
  user: number;
  system: number;
  iowait: number;
  idle: number;
}

/**
 * Ticks per state between counters at a[ai…] and b[bi…], each laid out as /proc/stat gives them
 * (user, nice, system, idle, iowait, irq, softirq, steal); written into `out`, which is returned.
 */
export function coreTickDelta(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, out: CoreTicks): CoreTicks {
  out.user = Math.max(0, b[bi] - a[ai] + (b[bi + 1] - a[ai + 1]));
  out.system = Math.max(0, b[bi + 2] - a[ai + 2] + (b[bi + 5] - a[ai + 5]) + (b[bi + 6] - a[ai + 6]));
  out.iowait = Math.max(0, b[bi + 4] - a[ai + 4]);
  out.idle = Math.max(0, b[bi + 3] - a[ai + 3] + (b[bi + 7] - a[ai + 7]));
  return out;
}

/** All ticks of the interval: the denominator of every share. */
export function intervalTicks(d: CoreTicks): number {
  return d.user + d.system + d.iowait + d.idle;
}

/** Writes each state's share of the interval into `out`; an interval of no ticks is all idle. */
export function shareOfInterval(d: CoreTicks, out: CoreUsage): CoreUsage {
  const ticks = intervalTicks(d);
  if (ticks <= 0) {
    out.user = out.system = out.iowait = 0;
    out.idle = 1;
  } else {
    out.user = d.user / ticks;
    out.system = d.system / ticks;
    out.iowait = d.iowait / ticks;
    out.idle = d.idle / ticks;
  }
  return out;
}

/** A reading's counters in /proc/stat order, for coreTickDelta. */
export function countersOf(t: CpuTicks): number[] {
  return [t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal];
}

/** Fractions of the interval between two readings of one core, by state, and its length in ticks. */
export function cpuDelta(a: CpuTicks, b: CpuTicks): { user: number; system: number; iowait: number; idle: number; ticks: number } {
  const d = coreTickDelta(countersOf(a), 0, countersOf(b), 0, { user: 0, system: 0, iowait: 0, idle: 0 });
  const ticks = intervalTicks(d);
  if (ticks <= 0) return { user: 0, system: 0, iowait: 0, idle: 1, ticks: 0 };
  return { ...shareOfInterval(d, { user: 0, system: 0, iowait: 0, idle: 0 }), ticks };
}
