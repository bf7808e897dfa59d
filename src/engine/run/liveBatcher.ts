// The live batches a watched run sends every 100 ms: only what is new since the previous batch
// (samples, events, windows), with running figures for the live cards. Counting is incremental:
// recounting every event at each batch made each batch O(run).
import type { LiveBatch, Phase, ThreadInfo, WindowVerdict, WorkloadEvent } from '../../shared/types';
import { TasksInFlight } from '../../shared/metrics';
import type { SampleStore } from '../store/sampleStore';

/** What the run has recorded so far, as the batcher reads it. */
export interface LiveSource {
  store: SampleStore;
  /** Every thread tracked so far (the batch carries the full list: it grows rarely). */
  threads: () => ThreadInfo[];
  events: readonly WorkloadEvent[];
  windows: readonly WindowVerdict[];
  /** The phases so far (the full list: a handful of entries). */
  phases: (final: boolean) => Phase[];
  /** Wall time since the workload started, and the tree's CPU so far, in ms. */
  wallMs: number;
  cpuMs: number;
}

export class LiveBatcher {
  private samplesFrom = 0;
  private eventsFrom = 0;
  private windowsFrom = 0;
  /** Tasks in flight and the last event-loop lag, kept up to date batch by batch. */
  private readonly tasks = new TasksInFlight();
  private lastLagMs: number | null = null;

  constructor(private readonly runId: string) {}

  /** The next batch; null when no sample is new, unless it is the final batch (always sent). */
  next(src: LiveSource, final: boolean): LiveBatch | null {
    const to = src.store.length;
    if (to === this.samplesFrom && !final) return null;
    const threads = src.threads();
    const cols = src.store.toColumns(this.samplesFrom, to, threads.length);
    const events = src.events.slice(this.eventsFrom);
    for (const e of events) {
      this.tasks.add(e);
      if (e.kind === 'lag') this.lastLagMs = e.lagMs;
    }
    const batch: LiveBatch = {
      runId: this.runId,
      fromIndex: this.samplesFrom,
      ...cols,
      threads,
      events,
      live: {
        wallMs: src.wallMs,
        cpuMs: src.cpuMs,
        parallelism: src.wallMs > 0 ? src.cpuMs / src.wallMs : 0,
        tasksInFlight: this.tasks.size,
        lastLagMs: this.lastLagMs,
      },
      windows: src.windows.slice(this.windowsFrom),
      phases: src.phases(final),
    };
    this.windowsFrom = src.windows.length;
    this.samplesFrom = to;
    this.eventsFrom = src.events.length;
    return batch;
  }
}
