// Pure pieces of the app's sessions and sweeps (no DOM): upload parts, sweep plans from the form,
// the sweep over the runs that finished (and the same sweep by run id, as the engine records it),
// and run titles. Unit-tested. The current session itself is the engine's (engine/session).
import type { RunRequest, SweepRef } from '../../shared/api';
import type { ParamValue, ScenarioInfo } from '../../shared/model';
import { buildSweepResult, sweepRunRef, type SweepResult, type SweepRunRef } from '../../shared/sweep';
import { planSweepRuns, type PlannedRun } from '../../shared/sweepPlan';
import type { RunRecord } from '../../shared/types';

/** Splits bytes into upload parts of at most `size` bytes (at least one part, even for nothing). */
export function splitParts(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return parts.length ? parts : [bytes];
}

export interface SweepStep extends PlannedRun {
  request: RunRequest;
}

/** "1,2,4" and a repeat count into the runs of a sweep, in the shared planner's order; throws a message naming the form's field. */
export function planSweep(base: RunRequest, scenario: ScenarioInfo, tasksText: string, repeatText: string): SweepStep[] {
  if (base.kind !== 'scenario') throw new Error('only a scenario can be swept');
  return planSweepRuns(scenario, tasksText, repeatText, 'form').runs.map((run) => ({ ...run, request: { ...base, params: { ...base.params, tasks: run.tasks } } }));
}

/** The sweep over the runs that finished (a cancelled run is not a measurement and is left out). */
export function sweepFromRuns(
  scenario: string,
  params: Record<string, ParamValue>,
  steps: SweepStep[],
  finished: { step: SweepStep; record: RunRecord }[],
  logicalCores: number,
): SweepResult {
  const refs: SweepRunRef[] = finished.filter((f) => f.record.result.exit.reason !== 'cancelled').map((f) => sweepRunRef(f.record.result, f.step.tasks, f.step.repeat));
  const rest = { ...params };
  delete rest.tasks;
  return buildSweepResult({
    scenario,
    params: rest,
    taskCounts: [...new Set(steps.map((s) => s.tasks))],
    repeat: Math.max(1, ...steps.map((s) => s.repeat)),
    logicalCores,
    runs: refs,
    complete: refs.length === steps.length,
  });
}

/** A sweep as the engine records it: by its runs' ids (the engine builds the result from its own records). */
export function sweepRef(sw: SweepResult): SweepRef {
  return {
    scenario: sw.scenario,
    params: sw.params,
    taskCounts: sw.taskCounts,
    repeat: sw.repeat,
    runs: sw.runs.map((r) => ({ runId: r.runId, tasks: r.tasks, repeat: r.repeat })),
    complete: sw.complete,
  };
}

/** "Python threads, CPU-bound ×2": the title a run gets in the results table. */
export function runTitle(record: RunRecord, scenarios: ScenarioInfo[]): string {
  const r = record.result;
  if (!r.scenario) return `custom: ${(r.params.cmd ?? r.params.argv?.join(' ') ?? '').slice(0, 40)}`;
  const s = scenarios.find((x) => x.id === r.scenario);
  const p = r.params.scenario?.params ?? {};
  const tasks = p.tasks ?? p.workers ?? p.threads;
  return `${s?.title ?? r.scenario}${tasks !== undefined ? ` ×${tasks}` : ''}`;
}
