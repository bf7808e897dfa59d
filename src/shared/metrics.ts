// Metric math over a run's events and samples. Pure functions, shared by engine and renderer.
import type { LagStats, WorkloadEvent } from './types';

/** Nearest-rank percentile of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Largest value without spreading into arguments (which overflows the stack on long arrays). */
export function maxOf(values: number[], empty = -Infinity): number {
  let m = empty;
  for (const v of values) if (v > m) m = v;
  return m;
}

export function lagStats(events: WorkloadEvent[]): LagStats | null {
  const lags = events.flatMap((e) => (e.kind === 'lag' ? [e.lagMs] : []));
  if (lags.length === 0) return null;
  return { p50Ms: percentile(lags, 50), p99Ms: percentile(lags, 99), maxMs: maxOf(lags), count: lags.length };
}

/** Tasks in flight after each start/end event, in time order; a task is keyed by pid and id. */
export function tasksInFlightSeries(events: WorkloadEvent[]): { t: number; inFlight: number }[] {
  const inFlight = new TasksInFlight();
  const out: { t: number; inFlight: number }[] = [];
  for (const e of events) if (inFlight.add(e)) out.push({ t: e.t, inFlight: inFlight.size });
  return out;
}

/** Tasks started and not yet ended, kept up to date one event at a time (a live run's count). */
export class TasksInFlight {
  private readonly open = new Set<string>();

  /** Applies `e`; false (and nothing changes) when it is not a task event. */
  add(e: WorkloadEvent): boolean {
    if (e.kind !== 'task-start' && e.kind !== 'task-end') return false;
    const key = `${e.pid ?? ''}:${e.task}`;
    if (e.kind === 'task-start') this.open.add(key);
    else this.open.delete(key);
    return true;
  }

  get size(): number {
    return this.open.size;
  }
}

/** Peak number of tasks in flight, or null when the workload reported no tasks. */
export function peakConcurrency(events: WorkloadEvent[]): number | null {
  const series = tasksInFlightSeries(events);
  if (series.length === 0) return null;
  return maxOf(series.map((s) => s.inFlight), 0);
}

/** Last value of each metric the workload reported. */
export function reportedMetrics(events: WorkloadEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) if (e.kind === 'metric') out[e.name] = e.value;
  return out;
}

/** Effective parallelism: cores' worth of CPU used on average over the wall time. */
export function effectiveParallelism(cpuMs: number, wallMs: number): number {
  return wallMs > 0 ? cpuMs / wallMs : 0;
}

/** Speedup and efficiency of a run against a 1-task baseline doing 1/tasks of the work. */
export function speedup(baselineWallMs: number, wallMs: number, tasks: number): { speedup: number; efficiency: number } {
  const s = wallMs > 0 ? (baselineWallMs * tasks) / wallMs : 0;
  return { speedup: s, efficiency: tasks > 0 ? s / tasks : 0 };
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
/** Tenths (times in ms, percentages) and thousandths (cores' worth): how results are stored. */
export const round1 = (x: number): number => round(x, 1);
export const round3 = (x: number): number => round(x, 3);

/** The span from the first task start to the last task end, or null without task events. */
export function taskSpan(events: WorkloadEvent[]): { fromMs: number; toMs: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const e of events) {
    if (e.kind === 'task-start') from = Math.min(from, e.t);
    else if (e.kind === 'task-end') to = Math.max(to, e.t);
  }
  return from < to ? { fromMs: from, toMs: to } : null;
}

/** Average cores' worth of CPU over [fromMs, toMs] from a sampled series (value per interval ending at t[i]). */
export function averageOver(t: ArrayLike<number>, cores: ArrayLike<number>, fromMs: number, toMs: number): number {
  let cpu = 0;
  for (let i = 1; i < t.length; i++) {
    const a = Math.max(t[i - 1], fromMs);
    const b = Math.min(t[i], toMs);
    if (b > a) cpu += cores[i] * (b - a);
  }
  return toMs > fromMs ? cpu / (toMs - fromMs) : 0;
}

/**
 * The task phase of a run (RunResult.taskPhase): CPU/wall from the first task start to the last
 * task end, when that span is long enough to judge by (a few samples; shorter spans say little
 * beyond the whole run). Null without one.
 */
export function taskPhaseOf(events: WorkloadEvent[], samples: { t: ArrayLike<number>; workloadCores: ArrayLike<number> }, rateHz: number): { fromMs: number; toMs: number; parallelism: number } | null {
  const span = taskSpan(events);
  if (!span || span.toMs - span.fromMs < Math.max(100, 3000 / rateHz)) return null;
  return { fromMs: round1(span.fromMs), toMs: round1(span.toMs), parallelism: round3(averageOver(samples.t, samples.workloadCores, span.fromMs, span.toMs)) };
}
