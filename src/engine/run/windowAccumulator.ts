// Builds, as samples arrive, the two summaries of a run's activity over time: the per-window
// verdicts (WINDOW_MS, what the strip shows) and the 100 ms activity bins the phases are
// segmented from. Memory stays bounded by the number of windows and bins, not samples × threads.
import type { Activity, StretchInput, ThreadStretch } from '../../shared/activity';
import { summariseStretch } from '../../shared/activity';
import { TasksInFlight } from '../../shared/metrics';
import { BIN_MS } from '../../shared/phases';
import type { CoreUsage, ThreadRole, ThreadState, WindowVerdict, WorkloadEvent } from '../../shared/types';
import { WINDOW_MS, windowVerdict } from '../../shared/windowVerdicts';

export interface WindowSampleThread {
  index: number;
  pid: number;
  tid: number;
  role: ThreadRole;
  /** Share of one core since the previous sample. */
  cpu: number;
  /** Share of one core it waited for in the run queue since the previous sample. */
  queued: number;
  runnable: boolean;
  state: ThreadState;
  /** Context switches so far (cumulative). */
  switches: number;
}

/** When the workload lived, as far as is known (Run: the keeper's start report, the keeper's exit): before and after, no time is its. */
export interface WorkloadLife {
  fromMs?: number;
  toMs?: number;
}

/**
 * The part of the sample interval (t − dt, t] within the workload's life. A stretch's shares are
 * its CPU over its time, and the time before the workload started (the keeper's own start-up,
 * ~45 ms) or after it exited is not time it could have used: counted in, a 0.2 s "make -j2"
 * read 1.2 cores over its 0.27 s timeline where it used 1.6 over its life, and was called serial.
 */
export function liveSpan(t: number, dt: number, life: WorkloadLife): number {
  const from = Math.max(t - dt, life.fromMs ?? -Infinity);
  const to = Math.min(t, life.toMs ?? Infinity);
  return Math.max(0, to - from);
}

interface ThreadAcc {
  /** The stretch these sums belong to: an older number means the thread has no sample in the open one. */
  stretch: number;
  pid: number;
  tid: number;
  role: ThreadRole;
  cpuMs: number;
  queuedMs: number;
  runnable: number;
  asleep: number;
  diskWait: number;
  samples: number;
  firstSwitches: number;
  lastSwitches: number;
}

/** One width of stretch (window or bin): sums the samples that fall in it. */
class StretchAccumulator {
  private fromMs = 0;
  private dtSum = 0;
  private workloadMs = 0;
  private machineMs = 0;
  private iowaitMs = 0;
  /**
   * Each thread's sums, by its store column, reused from stretch to stretch; `inStretch` lists the
   * columns with a sample in the open stretch, in the order they came. Arrays, not maps and fresh
   * objects per stretch: this runs for every thread at every sample (2,000 threads at 20 Hz is
   * 80,000 visits a second over the two widths).
   */
  private readonly acc: ThreadAcc[] = [];
  private inStretch: number[] = [];
  private stretch = 1;
  /** Each thread's last context-switch reading, carried across stretches so none is lost at a boundary. */
  private readonly lastSwitches: (number | undefined)[] = [];
  private readonly seenPids = new Set<number>();
  private born = 0;
  private eventCursor = 0;
  private readonly tasks = new TasksInFlight();
  private tasksPeak = 0;

  constructor(
    private readonly coreCount: number,
    private readonly events: readonly WorkloadEvent[],
    private readonly widthMs: number,
    private readonly onClose: (s: StretchInput) => void,
    /** Each heartbeat lag as it is read: the span it covers may lie in stretches already closed. */
    private readonly onLag: (fromMs: number, toMs: number, lagMs: number) => void = () => undefined,
    private readonly life: () => WorkloadLife = () => ({}),
  ) {}

  /**
   * `liveDt`: the part of `dt` within the workload's life (liveSpan); the CPU of the whole interval
   * counts, over that time. `late`: a sample wholly after the workload exited — what it still
   * brings (the CPU of the last moments, read once a parent reaped it) joins the open stretch, the
   * one the workload exited in, instead of opening one of its own with no time to set it against.
   */
  add(t: number, dt: number, liveDt: number, late: boolean, workloadCores: number, machineBusy: number, iowait: number, threads: readonly WindowSampleThread[]): void {
    if (!late) while (t > this.fromMs + this.widthMs) this.close(this.fromMs + this.widthMs);
    this.dtSum += liveDt;
    const workMs = workloadCores * dt;
    this.workloadMs += workMs;
    // The machine's busy time is the workload's CPU and the others', these spread over the whole interval.
    const share = dt > 0 ? liveDt / dt : 1;
    this.machineMs += workMs + Math.max(0, machineBusy * dt - workMs) * share;
    this.iowaitMs += iowait * liveDt;
    for (const th of threads) {
      let acc = this.acc[th.index];
      if (!acc || acc.stretch !== this.stretch) {
        // A thread's first sample in this stretch: a process never seen before is one born in it.
        if (!this.seenPids.has(th.pid)) {
          this.seenPids.add(th.pid);
          this.born++;
        }
        const first = this.lastSwitches[th.index] ?? th.switches;
        if (!acc) {
          acc = { stretch: 0, pid: 0, tid: 0, role: th.role, cpuMs: 0, queuedMs: 0, runnable: 0, asleep: 0, diskWait: 0, samples: 0, firstSwitches: 0, lastSwitches: 0 };
          this.acc[th.index] = acc;
        }
        acc.stretch = this.stretch;
        acc.pid = th.pid;
        acc.tid = th.tid;
        acc.role = th.role;
        acc.cpuMs = acc.queuedMs = acc.runnable = acc.asleep = acc.diskWait = acc.samples = 0;
        acc.firstSwitches = first;
        this.inStretch.push(th.index);
      }
      acc.cpuMs += th.cpu * dt;
      acc.queuedMs += th.queued * dt;
      if (th.runnable) acc.runnable++;
      else if (th.state === 'D') acc.diskWait++;
      else acc.asleep++;
      acc.samples++;
      acc.lastSwitches = th.switches;
      this.lastSwitches[th.index] = th.switches;
    }
  }

  /** Closes the open stretch at `toMs` (the run's end closes a partial one). */
  close(runToMs: number): void {
    // Held open past its end only by late samples: it still ends where its width does.
    const toMs = Math.min(runToMs, this.fromMs + this.widthMs);
    // What is reported spans only the workload's life, as its time does (liveSpan): its cores
    // times its length is then the CPU it holds (serialFraction, the phases' durations).
    const life = this.life();
    const from = Math.max(this.fromMs, life.fromMs ?? -Infinity);
    const to = Math.max(from, Math.min(toMs, life.toMs ?? Infinity));
    const span = Math.max(1e-9, this.dtSum);
    let lagMax: number | null = null;
    while (this.eventCursor < this.events.length && this.events[this.eventCursor].t < toMs) {
      const e = this.events[this.eventCursor++];
      if (e.kind === 'lag') {
        lagMax = Math.max(lagMax ?? 0, e.lagMs);
        this.onLag(e.t - e.lagMs, e.t, e.lagMs);
      }
      if (this.tasks.add(e)) this.tasksPeak = Math.max(this.tasksPeak, this.tasks.size);
    }
    if (this.dtSum > 0) {
      const seconds = (to - from) / 1000;
      const threads: ThreadStretch[] = this.inStretch.map((k): ThreadStretch => {
        const a = this.acc[k];
        return {
          pid: a.pid,
          tid: a.tid,
          role: a.role,
          cpu: a.cpuMs / span,
          demand: (a.cpuMs + a.queuedMs) / span,
          runnable: a.samples ? a.runnable / a.samples : 0,
          asleep: a.samples ? a.asleep / a.samples : 0,
          diskWait: a.samples ? a.diskWait / a.samples : 0,
          switchesPerS: seconds > 0 ? Math.max(0, a.lastSwitches - a.firstSwitches) / seconds : 0,
        };
      });
      this.onClose({
        fromMs: from,
        toMs: to,
        coreCount: this.coreCount,
        cores: this.workloadMs / span,
        machineBusy: this.machineMs / span,
        iowaitCores: this.iowaitMs / span,
        threads,
        lagMaxMs: lagMax,
        tasksInFlight: this.tasksPeak,
        processesBorn: this.born,
      });
    }
    this.fromMs = toMs;
    this.dtSum = this.workloadMs = this.machineMs = this.iowaitMs = 0;
    this.inStretch = [];
    this.stretch++;
    this.born = 0;
    // The next stretch starts with the tasks still open.
    this.tasksPeak = this.tasks.size;
  }
}

export class WindowAccumulator {
  readonly windows: WindowVerdict[] = [];
  /** The run's activity in BIN_MS bins, what phases are segmented from. */
  readonly bins: Activity[] = [];
  private readonly windowSpans: StretchAccumulator;
  private readonly binSpans: StretchAccumulator;

  constructor(
    coreCount: number,
    events: readonly WorkloadEvent[],
    windowMs = WINDOW_MS,
    binMs = BIN_MS,
    /** The workload's life as known when a sample is added (Run.workloadLife). */
    private readonly life: () => WorkloadLife = () => ({}),
  ) {
    this.windowSpans = new StretchAccumulator(coreCount, events, windowMs, (s) => this.windows.push(windowVerdict(s)), undefined, life);
    this.binSpans = new StretchAccumulator(coreCount, events, binMs, (s) => this.bins.push(summariseStretch(s)), (from, to, lag) => this.lateLoop(from, to, lag), life);
  }

  add(t: number, dt: number, workloadCores: number, coreUsage: readonly CoreUsage[], threads: readonly WindowSampleThread[]): void {
    let machineBusy = 0;
    let iowait = 0;
    for (const u of coreUsage) {
      machineBusy += u.user + u.system;
      iowait += u.iowait;
    }
    const life = this.life();
    const liveDt = liveSpan(t, dt, life);
    const late = life.toMs !== undefined && t - dt >= life.toMs;
    this.windowSpans.add(t, dt, liveDt, late, workloadCores, machineBusy, iowait, threads);
    this.binSpans.add(t, dt, liveDt, late, workloadCores, machineBusy, iowait, threads);
  }

  /**
   * A heartbeat `lagMs` late at `toMs` says the loop was blocked from `fromMs` on; it is only
   * reported once the block is over, so the bins of the block itself, already closed, get it too
   * (else a long block reads as a busy thread, and only the bin after it as blocked).
   */
  private lateLoop(fromMs: number, toMs: number, lagMs: number): void {
    for (let i = this.bins.length - 1; i >= 0 && this.bins[i].toMs > fromMs; i--) {
      const b = this.bins[i];
      if (b.fromMs < toMs) b.lagMaxMs = Math.max(b.lagMaxMs ?? 0, lagMs);
    }
  }

  /** Closes the open window and bin at `toMs` (the run's end). */
  close(toMs: number): void {
    this.windowSpans.close(toMs);
    this.binSpans.close(toMs);
  }
}
