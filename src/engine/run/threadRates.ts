// Each live thread's share of a core since the previous sample — on it (CPU) and waiting in the
// run queue for it (queued) — from the cumulative times the tree sampler reads, in the two shapes
// the run keeps them: points for the sample store and rows for the window verdicts.
//
// Both lists are reused from sample to sample (one slot per tracked thread): a sample allocates
// nothing in steady state.
import type { TrackedThread } from '../sampler/treeSampler';
import type { ThreadPoint } from '../store/sampleStore';
import type { WindowSampleThread } from './windowAccumulator';

export class ThreadRates {
  /** This sample's live threads, for the sample store; valid until the next update. */
  readonly points: ThreadPoint[] = [];
  /** The same threads, for the window verdicts; valid until the next update. */
  readonly forWindows: WindowSampleThread[] = [];
  /** Each thread's CPU and run-queue time at the previous sample, by store column; NaN before the first. */
  private prevCpuMs: Float64Array = new Float64Array(0);
  private prevQueuedMs: Float64Array = new Float64Array(0);

  /** Rates of the live threads over the last `dt` ms; a thread's first sample reads 0 (nothing to compare with). */
  update(threads: readonly TrackedThread[], dt: number): void {
    const points = this.points;
    const forWindows = this.forWindows;
    let n = 0;
    for (const th of threads) {
      if (!th.alive) continue;
      const k = th.index;
      if (k >= this.prevCpuMs.length) this.growThreadSlots(k + 1);
      const prev = this.prevCpuMs[k];
      const cpu = Number.isNaN(prev) || dt <= 0 ? 0 : Math.min(1, Math.max(0, th.cpuMs - prev) / dt);
      this.prevCpuMs[k] = th.cpuMs;
      const queuedMs = th.waitNs / 1e6;
      const prevQueued = this.prevQueuedMs[k];
      // waitNs < 0: no schedstat for this thread, so no run-queue time either.
      const queued = Number.isNaN(prevQueued) || dt <= 0 || th.waitNs < 0 ? 0 : Math.min(1, Math.max(0, queuedMs - prevQueued) / dt);
      this.prevQueuedMs[k] = queuedMs;
      if (n === points.length) {
        points.push({ index: 0, cpu: 0, core: -1 });
        forWindows.push({ index: 0, pid: 0, tid: 0, role: 'other', cpu: 0, queued: 0, runnable: false, state: 'S', switches: 0 });
      }
      const p = points[n];
      p.index = k;
      p.cpu = cpu;
      p.core = th.core;
      const w = forWindows[n];
      w.index = k;
      w.pid = th.info.pid;
      w.tid = th.info.tid;
      w.role = th.info.role;
      w.cpu = cpu;
      w.queued = queued;
      w.runnable = th.state === 'R';
      w.state = th.state;
      w.switches = th.switches;
      n++;
    }
    points.length = n;
    forWindows.length = n;
  }

  private growThreadSlots(min: number): void {
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(Math.max(min, a.length * 2, 64)).fill(Number.NaN);
      b.set(a);
      return b;
    };
    this.prevCpuMs = grow(this.prevCpuMs);
    this.prevQueuedMs = grow(this.prevQueuedMs);
  }
}
