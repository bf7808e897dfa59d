// A sweep's run plan: which task counts, how many repeats, and the runs in the order they are
// made. One planner for both doors that sweep — `corescope sweep`/`suite` and the app's Sweep
// button — so they accept the same input, refuse it with the same words (each naming the field
// as that door names it, from fieldNames.ts) and run in the same order.
import { fieldName, type Door } from './fieldNames';
import type { ScenarioInfo } from './model';

/**
 * Runs per task count, at most. One limit for every door (the CLI allowed 100, the app 20): 20
 * repeats already give a sweep point's spread, and a sweep is task counts × repeats runs, so
 * 8 counts × 100 would hold the machine for hours with nothing shown until the end.
 */
export const MAX_SWEEP_REPEAT = 20;
/** Task counts beyond any real machine: the scenario's own `tasks` maximum usually applies first. */
export const MAX_SWEEP_TASKS = 4096;

/** One run of the plan: its task count and its 1-based repeat number at that count. */
export interface PlannedRun {
  tasks: number;
  repeat: number;
}

export interface SweepRunPlan {
  /** Sorted, deduplicated, with 1 (the baseline every speedup is measured against). */
  taskCounts: number[];
  repeat: number;
  /** Every task count in turn, each repeated `repeat` times before the next. */
  runs: PlannedRun[];
}

/**
 * Parses "1,2,4,8" (sorted, deduplicated, 1 added as the baseline); throws a message naming the
 * bad entry. The door defaults to the command line, whose option the message names.
 */
export function parseTaskCounts(text: string, max = MAX_SWEEP_TASKS, door: Door = 'cli'): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out = new Set<number>();
  for (const p of parts) {
    const n = Number(p);
    if (p === '' || !Number.isInteger(n) || n < 1 || n > max) {
      throw new Error(`${fieldName('taskCounts', door)} must be a comma-separated list of whole numbers from 1 to ${max} (got ${JSON.stringify(p)} in ${JSON.stringify(text)})`);
    }
    out.add(n);
  }
  out.add(1);
  return [...out].sort((a, b) => a - b);
}

/** The repeat count as typed (the form's text) or parsed (the CLI's number), checked against the one limit. */
export function checkRepeat(value: number | string, door: Door): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SWEEP_REPEAT) {
    throw new Error(`${fieldName('repeat', door)} must be a whole number from 1 to ${MAX_SWEEP_REPEAT} (got ${typeof value === 'string' ? JSON.stringify(value) : value})`);
  }
  return n;
}

/** The runs of a sweep over already-checked task counts, in the order they are made. */
export function plannedRuns(taskCounts: readonly number[], repeat: number): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const tasks of taskCounts) for (let r = 1; r <= repeat; r++) runs.push({ tasks, repeat: r });
  return runs;
}

/** A scenario's sweep from the task counts and repeats as given at a door; throws a message for that door. */
export function planSweepRuns(scenario: ScenarioInfo, tasksText: string, repeat: number | string, door: Door): SweepRunPlan {
  const spec = scenario.params.find((p) => p.name === 'tasks');
  if (!spec) {
    throw new Error(door === 'cli' ? `${scenario.id} has no tasks parameter to sweep; sweep a scenario with --tasks (see corescope list)` : `${scenario.title} has no tasks parameter to sweep`);
  }
  const taskCounts = parseTaskCounts(tasksText, spec.max ?? MAX_SWEEP_TASKS, door);
  const times = checkRepeat(repeat, door);
  return { taskCounts, repeat: times, runs: plannedRuns(taskCounts, times) };
}
