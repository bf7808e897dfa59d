// Scaling sweeps: the same scenario at several task counts, repeated, reduced to speedup and
// efficiency against the 1-task run, plus an Amdahl's-law fit that turns "where scaling stops"
// into a number. Pure functions, shared by the CLI, the reports and the renderer.
//
// The scenarios' work is per task (each task does workMs of work), so n tasks do n times the
// work of one: speedup(n) = n × time(1) / time(n), efficiency = speedup / n. The time is the task
// phase (first task start to last task end) when every run reported its tasks: interpreter
// start-up is serial and the same at any task count, so counting it would shrink every speedup.
// Otherwise it is the run's wall time.
import type { z } from 'zod';
import type { ParamValue } from './model';
import type { amdahlFitSchema, spreadSchema, sweepPointSchema, sweepRunRefSchema, sweepSchema } from './sessionSchema';
import type { RunResult } from './types';
import { round, speedup as speedupOf } from './metrics';
import { runSucceeded } from './runOutcome';

// The sweep's shapes are inferred from the session schema, which stores them (sessionSchema.ts
// documents each field): one definition, no hand-written copy for the schema to mirror.
/** One run of a sweep, kept small: the full record lives in the session's `runs`. */
export type SweepRunRef = z.output<typeof sweepRunRefSchema>;
/** What speedups are computed from: the task phase of every run, or (when some run reported no tasks) wall time. */
export type SpeedupBasis = NonNullable<SweepResult['speedupBasis']>;
export type Spread = z.output<typeof spreadSchema>;
export type SweepPoint = z.output<typeof sweepPointSchema>;
export type AmdahlFit = z.output<typeof amdahlFitSchema>;
export type SweepResult = z.output<typeof sweepSchema>;

export function sweepRunRef(result: RunResult, tasks: number, repeat: number): SweepRunRef {
  return {
    runId: result.runId,
    tasks,
    repeat,
    wallMs: result.wallMs,
    taskMs: result.taskPhase ? round(result.taskPhase.toMs - result.taskPhase.fromMs, 1) : null,
    cpuMs: result.cpu.totalMs,
    parallelism: result.parallelism,
    ok: runSucceeded(result),
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: number[]): Spread => ({ mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) });

/** Task phase when every successful run has one, else wall time. */
export function speedupBasis(runs: SweepRunRef[]): SpeedupBasis {
  const ok = runs.filter((r) => r.ok && r.wallMs > 0);
  return ok.length > 0 && ok.every((r) => typeof r.taskMs === 'number' && r.taskMs > 0) ? 'task-phase' : 'wall';
}

/** Aggregates the successful runs per task count (sorted by tasks). */
export function aggregateSweep(runs: SweepRunRef[], logicalCores: number, basis: SpeedupBasis = speedupBasis(runs)): SweepPoint[] {
  const byTasks = new Map<number, SweepRunRef[]>();
  for (const r of runs) {
    if (!r.ok || !(r.wallMs > 0)) continue;
    const list = byTasks.get(r.tasks) ?? [];
    list.push(r);
    byTasks.set(r.tasks, list);
  }
  const timeOf = (r: SweepRunRef): number => (basis === 'task-phase' && r.taskMs ? r.taskMs : r.wallMs);
  const base = byTasks.get(1);
  const baseTime = base ? mean(base.map(timeOf)) : null;
  return [...byTasks.keys()]
    .sort((a, b) => a - b)
    .map((tasks) => {
      const list = byTasks.get(tasks)!;
      const wall = spread(list.map((r) => r.wallMs));
      const time = spread(list.map(timeOf));
      const par = spread(list.map((r) => r.parallelism));
      const sp =
        baseTime === null
          ? null
          : {
              mean: speedupOf(baseTime, time.mean, tasks).speedup,
              min: speedupOf(baseTime, time.max, tasks).speedup,
              max: speedupOf(baseTime, time.min, tasks).speedup,
            };
      return {
        tasks,
        runs: list.length,
        wallMs: wall,
        taskMs: basis === 'task-phase' ? time : null,
        cpuMs: mean(list.map((r) => r.cpuMs)),
        parallelism: par,
        speedup: sp,
        efficiency: sp ? sp.mean / tasks : null,
        coreShare: logicalCores > 0 ? par.mean / logicalCores : 0,
      };
    });
}

/** Amdahl's law: the speedup n workers reach when a fraction s of the work is serial. */
export function amdahlSpeedup(serialFraction: number, n: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / n);
}

/**
 * Fits Amdahl's law to measured (tasks, speedup) points by least squares on
 * 1/speedup = s + (1 − s)/n, i.e. (1/S − 1/n) = s·(1 − 1/n), one parameter through the origin:
 * s = Σxy / Σx² with x = 1 − 1/n, y = 1/S − 1/n; clamped to [0, 1].
 * Points above `maxTasks` (the core count) are left out: past the cores, speedup flattens
 * because there is no hardware left, not because work is serial. Null when no point with
 * n > 1 remains.
 */
export function fitAmdahl(points: { tasks: number; speedup: number }[], options: { maxTasks?: number } = {}): AmdahlFit | null {
  const usable = points.filter(
    (p) => Number.isFinite(p.tasks) && p.tasks >= 1 && Number.isFinite(p.speedup) && p.speedup > 0 && (options.maxTasks === undefined || p.tasks <= options.maxTasks),
  );
  let sxy = 0;
  let sxx = 0;
  for (const p of usable) {
    const x = 1 - 1 / p.tasks;
    const y = 1 / p.speedup - 1 / p.tasks;
    sxy += x * y;
    sxx += x * x;
  }
  if (sxx === 0) return null;
  const s = Math.min(1, Math.max(0, sxy / sxx));
  const measured = usable.map((p) => p.speedup);
  const avg = mean(measured);
  let ssTot = 0;
  let ssRes = 0;
  for (const p of usable) {
    ssTot += (p.speedup - avg) ** 2;
    ssRes += (p.speedup - amdahlSpeedup(s, p.tasks)) ** 2;
  }
  const r2 = ssTot > 1e-12 ? 1 - ssRes / ssTot : null;
  const top = Math.max(...points.map((p) => p.tasks).filter(Number.isFinite), 1);
  const curve: { tasks: number; speedup: number }[] = [];
  for (let n = 1; n <= Math.min(top, 4096); n++) curve.push({ tasks: n, speedup: amdahlSpeedup(s, n) });
  return {
    serialFraction: s,
    r2,
    maxSpeedup: s > 0 ? 1 / s : null,
    usedTasks: [...new Set(usable.map((p) => p.tasks))].sort((a, b) => a - b),
    curve,
  };
}

/** Builds the whole sweep result from its runs. */
export function buildSweepResult(input: {
  scenario: string;
  params: Record<string, ParamValue>;
  taskCounts: number[];
  repeat: number;
  logicalCores: number;
  runs: SweepRunRef[];
  complete: boolean;
}): SweepResult {
  const basis = speedupBasis(input.runs);
  const points = aggregateSweep(input.runs, input.logicalCores, basis);
  const fitPoints = points.flatMap((p) => (p.speedup ? [{ tasks: p.tasks, speedup: p.speedup.mean }] : []));
  const amdahl = fitAmdahl(fitPoints, { maxTasks: input.logicalCores > 0 ? input.logicalCores : undefined });
  return { ...input, points, amdahl, speedupBasis: basis };
}

/**
 * Task counts for a suite sweep up to the core count: every count up to 8 cores, beyond that
 * doubling (1, 2, 4, …) plus the core count itself, so big machines stay quick to sweep.
 */
export function suiteTaskCounts(logicalCores: number): number[] {
  const n = Math.max(1, Math.floor(logicalCores));
  if (n <= 8) return Array.from({ length: n }, (_, i) => i + 1);
  const out: number[] = [];
  for (let k = 1; k < n; k *= 2) out.push(k);
  out.push(n);
  return out;
}

/** One line saying what the speedups were computed from. */
export function speedupBasisText(sw: Pick<SweepResult, 'speedupBasis'>): string {
  return sw.speedupBasis === 'task-phase'
    ? 'Speedup from the task phase (first task start to last task end): interpreter start-up, the same at any task count, is left out.'
    : 'Speedup from wall time (not every run reported its tasks), start-up included.';
}

/**
 * A fit's ceiling is exceeded by a measured point when its mean speedup — the number every table
 * shows — beat the ceiling by more than this share: less is the fit's own rounding, not a
 * contradiction. (Judged by the slowest repeat, a table could show 1.20× under "the ceiling is
 * 1.0×" as long as one repeat stayed within 5 %.)
 */
const CEILING_TOLERANCE = 0.05;

/**
 * The one sentence about a sweep's Amdahl fit, for the CLI, the app and the HTML report alike.
 * It never claims more than the measurements: where a measured speedup beat the fitted ceiling
 * (the fit uses task counts up to the core count only, and a machine's speed drifts), it says so
 * and names the points, instead of promising a limit the table next to it contradicts.
 */
export function amdahlText(sw: Pick<SweepResult, 'amdahl' | 'points'>): string {
  const a = sw.amdahl;
  if (!a) return 'Not enough points for an Amdahl fit: it needs a finished 1-task run and one with more tasks.';
  const s = a.serialFraction;
  const r2 = a.r2 !== null && a.usedTasks.length >= 3 ? `; fit R² ${a.r2.toFixed(2)}` : '';
  const fit = `Serial fraction s = ${s.toFixed(3)} (${(s * 100).toFixed(1)} % of the work did not run in parallel${r2}; Amdahl fit over tasks ${a.usedTasks.join(', ')})`;
  if (a.maxSpeedup === null) return `${fit} — no ceiling: the fit scales with every core added.`;
  const ceiling = a.maxSpeedup;
  const beyond = sw.points.filter((p) => p.speedup && p.speedup.mean > ceiling * (1 + CEILING_TOLERANCE));
  if (beyond.length === 0) return `${fit} — the fit's ceiling is ${ceiling.toFixed(1)}× however many cores.`;
  const measured = beyond.map((p) => `${p.speedup!.mean.toFixed(2)}× at ${p.tasks} tasks`).join(', ');
  return `${fit} — the fit's ceiling would be ${ceiling.toFixed(1)}×, but this sweep measured ${measured}, beyond it: the fit does not describe these runs, so trust the measured speedups.`;
}
