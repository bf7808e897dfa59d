// What a stack sample weighs: the one rule attribution, the report's top stacks and the app's
// selection view share. A thread sample stands for the CPU its thread used since its previous
// sample — the thread's own clock when the probe could read it (Python: pthread_getcpuclockid;
// V8: one interval per non-idle sample), else the sampler's measured share of a core for that
// thread at that moment, times one sampling interval.
import type { StackSamples } from './stackSamples';
import type { RunSamples } from './types';

/** A thread that used less than this share of its sampling interval was not running. */
export const RUNNING_SHARE = 0.25;

export class SampleWeights {
  readonly intervalMs: number;
  private readonly threadIndex = new Map<number, number>();

  constructor(
    private readonly s: StackSamples,
    private readonly run: Pick<RunSamples, 't' | 'threads' | 'threadCpu'>,
  ) {
    this.intervalMs = 1000 / Math.max(1, s.rateHz);
    run.threads.forEach((th, k) => this.threadIndex.set(th.tid, k));
  }

  /** CPU ms sample `i` stands for. */
  cpuOf(i: number): number {
    const c = this.s.cpuMs[i];
    if (Number.isFinite(c)) return c;
    const k = this.threadIndex.get(this.s.tid[i]);
    const col = k === undefined ? undefined : this.run.threadCpu[k];
    if (!col?.length) return 0;
    const j = lowerBound(this.run.t, this.s.t[i]);
    const v = col[Math.min(j, col.length - 1)];
    return Number.isFinite(v) ? v * this.intervalMs : 0;
  }

  /** Whether the thread of sample `i` was running (not waiting) around it. */
  running(i: number): boolean {
    return this.cpuOf(i) >= RUNNING_SHARE * this.intervalMs;
  }

  /** The run's name for a thread, by tid ('' unknown). */
  runThreadName(tid: number): string {
    const k = this.threadIndex.get(tid);
    return k !== undefined ? this.run.threads[k].name : '';
  }
}

/** The first index whose value is ≥ v in an ascending list. */
export function lowerBound(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
