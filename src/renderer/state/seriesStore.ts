// Samples of one run as the charts read them: fixed-capacity ring buffers, so a run that goes
// on for hours keeps a bounded history (the live view shows the last `capacity` samples; the
// full record is fetched from the engine when the run ends).
import type { LiveBatch, Phase, RunSamples, ThreadInfo, WindowVerdict, WorkloadEvent } from '../../shared/types';

/** Live history window: 60 s at 100 Hz, 5 min at 20 Hz. */
export const LIVE_CAPACITY = 6000;

export interface ThreadSeries {
  info: ThreadInfo;
  cpu: Float32Array;
  core: Int16Array;
}

export class SeriesStore {
  readonly capacity: number;
  coreCount = 0;
  /** Total samples ever pushed; the ring holds the last min(count, capacity). */
  count = 0;
  /** Bumped when a batch rewrites samples already held, so cached aggregates of them are dropped. */
  version = 0;
  t: Float64Array;
  user: Float32Array[] = [];
  system: Float32Array[] = [];
  iowait: Float32Array[] = [];
  workload: Float32Array;
  /** Per sample, Σ over cores of user + system (cores' worth busy): the busy line reads this, not every core. */
  machineBusy: Float32Array;
  threads = new Map<number, ThreadSeries>();
  events: WorkloadEvent[] = [];
  windows: WindowVerdict[] = [];
  /** The run's phases: each live batch carries the whole list so far, so it replaces, never appends. */
  phases: Phase[] = [];

  constructor(capacity = LIVE_CAPACITY) {
    this.capacity = capacity;
    this.t = new Float64Array(capacity);
    this.workload = new Float32Array(capacity);
    this.machineBusy = new Float32Array(capacity);
  }

  static fromSamples(samples: RunSamples, events: WorkloadEvent[], windows: WindowVerdict[], phases: Phase[] = []): SeriesStore {
    const store = new SeriesStore(Math.max(1, samples.t.length));
    store.push(0, samples.t, samples.coreUser, samples.coreSystem, samples.coreIowait, samples.workloadCores, samples.threads, samples.threadCpu, samples.threadCore);
    store.events = events.slice();
    store.windows = windows.slice();
    store.phases = phases.slice();
    return store;
  }

  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Index (in pushed order) of the oldest sample still held. */
  get first(): number {
    return this.count - this.size;
  }

  slot(index: number): number {
    return index % this.capacity;
  }

  lastT(): number {
    return this.count ? this.t[this.slot(this.count - 1)] : 0;
  }

  addBatch(batch: LiveBatch): void {
    this.push(batch.fromIndex, batch.t, batch.coreUser, batch.coreSystem, batch.coreIowait, batch.workloadCores, batch.threads, batch.threadCpu, batch.threadCore);
    // Events arrive once each; windows may be re-sent as they are refined, so merge by start.
    for (const e of batch.events) this.events.push(e);
    for (const w of batch.windows) {
      const i = this.windows.findIndex((x) => x.fromMs === w.fromMs);
      if (i >= 0) this.windows[i] = w;
      else this.windows.push(w);
    }
    // Older engines send no phases: keep what we have rather than blanking the strip.
    if (Array.isArray(batch.phases)) this.phases = batch.phases;
    if (this.windows.length > 2000) this.windows.splice(0, this.windows.length - 2000);
    // Trimmed in steps (to 18 000 once over 20 000), not by a few each batch: the lanes pack task
    // spans incrementally and a trimmed front means packing them all again.
    if (this.events.length > 20000) this.events.splice(0, this.events.length - 18000);
  }

  private ensureCores(n: number): void {
    while (this.coreCount < n) {
      this.user.push(new Float32Array(this.capacity));
      this.system.push(new Float32Array(this.capacity));
      this.iowait.push(new Float32Array(this.capacity));
      this.coreCount++;
    }
  }

  private push(
    fromIndex: number,
    t: number[],
    user: number[][],
    system: number[][],
    iowait: number[][],
    workload: number[],
    threads: ThreadInfo[],
    threadCpu: number[][],
    threadCore: number[][],
  ): void {
    this.ensureCores(user.length);
    if (fromIndex < this.count && t.length) this.version++;
    for (let k = 0; k < threads.length; k++) {
      const info = threads[k];
      let series = this.threads.get(info.tid);
      if (!series) {
        series = { info, cpu: new Float32Array(this.capacity).fill(NaN), core: new Int16Array(this.capacity).fill(-1) };
        this.threads.set(info.tid, series);
      } else series.info = info;
    }
    for (let i = 0; i < t.length; i++) {
      const index = fromIndex + i;
      // A batch that overlaps what we hold only refreshes; one that skips leaves a gap of zeros.
      const s = this.slot(index);
      this.t[s] = t[i];
      let busy = 0;
      for (let c = 0; c < user.length; c++) {
        this.user[c][s] = user[c][i] ?? 0;
        this.system[c][s] = system[c]?.[i] ?? 0;
        this.iowait[c][s] = iowait[c]?.[i] ?? 0;
        busy += this.user[c][s] + this.system[c][s];
      }
      this.machineBusy[s] = busy;
      this.workload[s] = workload[i] ?? 0;
      for (let k = 0; k < threads.length; k++) {
        const series = this.threads.get(threads[k].tid)!;
        const v = threadCpu[k]?.[i];
        series.cpu[s] = v === undefined || v === null ? NaN : v;
        series.core[s] = threadCore[k]?.[i] ?? -1;
      }
      if (index + 1 > this.count) this.count = index + 1;
    }
    // Threads not in this batch were not alive for its samples.
    if (t.length) {
      const seen = new Set(threads.map((x) => x.tid));
      for (const [tid, series] of this.threads) {
        if (seen.has(tid)) continue;
        for (let i = 0; i < t.length; i++) {
          const s = this.slot(fromIndex + i);
          series.cpu[s] = NaN;
          series.core[s] = -1;
        }
      }
    }
  }
}
