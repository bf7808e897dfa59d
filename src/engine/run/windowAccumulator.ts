// Builds the per-window verdicts as samples arrive, so memory stays bounded by the number of
// windows, not samples × threads.
import type { ThreadRole, WindowVerdict, WorkloadEvent } from '../../shared/types';
import { WINDOW_MS, windowVerdict, type WindowThread } from '../../shared/windowVerdicts';

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
  /** Context switches so far (cumulative). */
  switches: number;
}

interface ThreadAcc {
  pid: number;
  tid: number;
  role: ThreadRole;
  cpuMs: number;
  queuedMs: number;
  runnable: number;
  samples: number;
  firstSwitches: number;
  lastSwitches: number;
}

export class WindowAccumulator {
  readonly windows: WindowVerdict[] = [];
  private fromMs = 0;
  private dtSum = 0;
  private workloadMs = 0;
  private machineMs = 0;
  private threads = new Map<number, ThreadAcc>();
  /** Each thread's last context-switch reading, carried across windows so none is lost at a boundary. */
  private readonly lastSwitches = new Map<number, number>();
  private eventCursor = 0;

  constructor(
    private readonly coreCount: number,
    private readonly events: WorkloadEvent[],
    private readonly windowMs = WINDOW_MS,
  ) {}

  add(t: number, dt: number, workloadCores: number, machineBusyCores: number, threads: WindowSampleThread[]): void {
    while (t > this.fromMs + this.windowMs) this.close(this.fromMs + this.windowMs);
    this.dtSum += dt;
    this.workloadMs += workloadCores * dt;
    this.machineMs += machineBusyCores * dt;
    for (const th of threads) {
      let acc = this.threads.get(th.index);
      if (!acc) {
        const first = this.lastSwitches.get(th.index) ?? th.switches;
        acc = { pid: th.pid, tid: th.tid, role: th.role, cpuMs: 0, queuedMs: 0, runnable: 0, samples: 0, firstSwitches: first, lastSwitches: th.switches };
        this.threads.set(th.index, acc);
      }
      acc.cpuMs += th.cpu * dt;
      acc.queuedMs += th.queued * dt;
      acc.runnable += th.runnable ? 1 : 0;
      acc.samples++;
      acc.lastSwitches = th.switches;
      this.lastSwitches.set(th.index, th.switches);
    }
  }

  /** Closes the open window at `toMs` (the run's end closes a partial window). */
  close(toMs: number): void {
    const from = this.fromMs;
    const span = Math.max(1e-9, this.dtSum);
    let lagMax: number | null = null;
    while (this.eventCursor < this.events.length && this.events[this.eventCursor].t < toMs) {
      const e = this.events[this.eventCursor++];
      if (e.kind === 'lag') lagMax = Math.max(lagMax ?? 0, e.lagMs);
    }
    if (this.dtSum > 0) {
      const seconds = (toMs - from) / 1000;
      const threads: WindowThread[] = [...this.threads.values()].map((a) => ({
        pid: a.pid,
        tid: a.tid,
        role: a.role,
        cpu: a.cpuMs / span,
        demand: (a.cpuMs + a.queuedMs) / span,
        runnable: a.samples ? a.runnable / a.samples : 0,
        switchesPerS: seconds > 0 ? Math.max(0, a.lastSwitches - a.firstSwitches) / seconds : 0,
      }));
      this.windows.push(
        windowVerdict({
          fromMs: from,
          toMs,
          coreCount: this.coreCount,
          parallelism: this.workloadMs / span,
          machineBusy: this.machineMs / span,
          threads,
          lagMaxMs: lagMax,
        }),
      );
    }
    this.fromMs = toMs;
    this.dtSum = this.workloadMs = this.machineMs = 0;
    this.threads = new Map();
  }
}
