// The sweep and the standard suite, run on any engine that can run to the end — this machine's,
// or another one's over ssh (issue #18) — for every door that starts them: `corescope sweep`
// and `corescope suite` (with their terminal progress), and the app's Machines place (with its
// progress events). One order of runs, one way of judging each, one way of saying how far it got.
//
// The suite is the standard set a person runs on every machine they want to compare: every
// scenario once at its default parameters, then a sweep of the CPU-bound ones from 1 task up to
// the core count, with small work so it takes minutes, not hours.
import type { RunRequest } from '../../shared/api';
import type { ParamValue } from '../../shared/model';
import { runSucceeded } from '../../shared/runOutcome';
import { SCENARIOS } from '../../shared/scenarios';
import { buildSweepResult, suiteTaskCounts, sweepRunRef, type SweepResult, type SweepRunRef } from '../../shared/sweep';
import { plannedRuns } from '../../shared/sweepPlan';
import type { RunRecord, SystemInfo } from '../../shared/types';

/** The CPU-bound scenarios whose scaling the suite measures. */
export const SUITE_SWEEP_SCENARIOS = ['py-mp-cpu', 'py-threads-cpu', 'node-worker-threads', 'node-fork'] as const;

/** What the suite and the sweep need of an engine. */
export interface SuiteEngine {
  info(): Promise<SystemInfo>;
  runToEnd(request: RunRequest): Promise<RunRecord>;
  /** On another machine: why its connection is gone, or null while it is up. */
  readonly lost?: string | null;
}

/** How a door follows a sweep or a suite. */
export interface SuiteHooks {
  /** One line of progress: "run 3/22: py-mp-cpu (defaults)", then how that run went. */
  say(line: string): void;
  /** Around each run (the CLI's live progress line); returns what ends it. */
  eachRun?(label: string): () => void;
  /** Whether the person stopped it (Ctrl-C, SIGTERM; the app's Stop). */
  stopped(): boolean;
}

export interface SweepPlan {
  scenario: string;
  params: Record<string, ParamValue>;
  taskCounts: number[];
  repeat: number;
  rateHz: number;
  timeoutS: number;
  stacksHz: number;
  python?: string;
  node?: string;
}

/** What the suite runs unless told otherwise (the CLI's option defaults, the app's suite). */
export const SUITE_DEFAULTS = { repeat: 2, workMs: 400, rateHz: 20, timeoutS: 600, stacksHz: 100 } as const;

export interface SuiteSettings {
  repeat: number;
  workMs: number;
  /** The sweeps' largest task count (default: the machine's logical cores). */
  maxTasks?: number;
  rateHz: number;
  timeoutS: number;
  stacksHz: number;
  python?: string;
  node?: string;
}

export interface SuiteOutcome {
  records: RunRecord[];
  sweeps: SweepResult[];
  /** Scenarios or sweeps that failed (or could not run). */
  failed: number;
  /** Why the suite holds less than it was to do; absent when it ran to its end. */
  incomplete?: string;
}

/** One run of a sweep or suite: its record, or the error that kept it from running. */
async function runOne(engine: SuiteEngine, request: RunRequest, label: string, hooks: SuiteHooks): Promise<RunRecord> {
  const end = hooks.eachRun?.(label) ?? (() => undefined);
  try {
    return await engine.runToEnd(request);
  } finally {
    end();
  }
}

/** How every run of a sweep or suite is asked for: a scenario, its parameters, the shared settings. */
type RunSettings = Pick<SuiteSettings, 'rateHz' | 'timeoutS' | 'stacksHz' | 'python' | 'node'>;

function scenarioRequest(scenario: string, params: Record<string, ParamValue>, s: RunSettings): RunRequest {
  return { kind: 'scenario', scenario, params, rateHz: s.rateHz, timeoutS: s.timeoutS, stacksHz: s.stacksHz, python: s.python, node: s.node };
}

/**
 * What a finished run means for the sweep or suite it is in: dropped and the end (stopped, or
 * CoreScope quitting: not a measurement), kept and the end (its machine's connection was lost:
 * what reached here is kept), or kept and on.
 */
function afterRun(record: RunRecord, hooks: SuiteHooks): 'drop-and-end' | 'keep-and-end' | 'keep' {
  const reason = record.result.exit.reason;
  if (hooks.stopped() || reason === 'profiler-exit') return 'drop-and-end';
  if (reason !== 'connection-lost') return 'keep';
  hooks.say(`  the connection was lost ${(record.result.wallMs / 1000).toFixed(2)} s into the run: what reached here is kept, marked incomplete`);
  return 'keep-and-end';
}

/** "1.23 s wall, 1.85 cores busy, parallel", and why it failed when it did. */
function outcomeLine(r: RunRecord['result'], ok: boolean): string {
  return `  ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.parallelism.toFixed(2)} cores busy, ${r.verdict.kind}${ok ? '' : ` (FAILED: ${r.exit.reason}${r.exit.code !== null || r.exit.signal ? ` ${r.exit.code ?? r.exit.signal}` : ''})`}`;
}

/**
 * Runs a sweep in the shared planner's order (the same as the app's Sweep button). `counter`
 * numbers runs across a whole suite. An interrupted run is dropped (it is not a measurement); a
 * run whose connection was lost is kept (what reached here) and ends the sweep.
 */
export async function runSweepPlan(
  engine: SuiteEngine,
  plan: SweepPlan,
  logicalCores: number,
  counter: { done: number; total: number },
  hooks: SuiteHooks,
): Promise<{ records: RunRecord[]; sweep: SweepResult }> {
  const records: RunRecord[] = [];
  const refs: SweepRunRef[] = [];
  let complete = true;
  for (const { tasks, repeat: rep } of plannedRuns(plan.taskCounts, plan.repeat)) {
    if (hooks.stopped()) {
      complete = false;
      break;
    }
    counter.done++;
    hooks.say(`run ${counter.done}/${counter.total}: ${plan.scenario} tasks=${tasks} repeat ${rep}/${plan.repeat}`);
    let record: RunRecord;
    try {
      record = await runOne(engine, scenarioRequest(plan.scenario, { ...plan.params, tasks }, plan), `${plan.scenario} tasks=${tasks}`, hooks);
    } catch (err) {
      if (hooks.stopped()) {
        complete = false;
        break;
      }
      throw err;
    }
    const next = afterRun(record, hooks);
    if (next !== 'drop-and-end') records.push(record);
    if (next !== 'keep') {
      // A run whose connection was lost is kept, but is not a point of the sweep.
      complete = false;
      break;
    }
    const ref = sweepRunRef(record.result, tasks, rep);
    refs.push(ref);
    hooks.say(outcomeLine(record.result, ref.ok));
  }
  const sweep = buildSweepResult({ scenario: plan.scenario, params: plan.params, taskCounts: plan.taskCounts, repeat: plan.repeat, logicalCores, runs: refs, complete });
  return { records, sweep };
}

/** How many runs the suite makes on a machine of `logicalCores`. */
export function suitePlan(settings: SuiteSettings, logicalCores: number): { singles: typeof SCENARIOS; taskCounts: number[]; total: number } {
  const singles = SCENARIOS.filter((s) => s.runtime !== 'custom');
  const taskCounts = suiteTaskCounts(Math.min(logicalCores, settings.maxTasks ?? logicalCores));
  return { singles, taskCounts, total: singles.length + SUITE_SWEEP_SCENARIOS.length * taskCounts.length * settings.repeat };
}

/** The standard suite on one engine, on a machine of `logicalCores`. */
export async function runStandardSuite(engine: SuiteEngine, settings: SuiteSettings, logicalCores: number, hooks: SuiteHooks): Promise<SuiteOutcome> {
  const { singles, taskCounts, total } = suitePlan(settings, logicalCores);
  const counter = { done: 0, total };
  const { repeat } = settings;
  hooks.say(`CoreScope suite: ${singles.length} scenarios at their defaults, then ${SUITE_SWEEP_SCENARIOS.length} sweeps over tasks ${taskCounts.join(',')} (${repeat}× each, workMs ${settings.workMs}) — ${total} runs`);
  const records: RunRecord[] = [];
  const sweeps: SweepResult[] = [];
  let failed = 0;
  const ended = (): boolean => hooks.stopped() || !!engine.lost;
  for (const s of singles) {
    if (ended()) break;
    counter.done++;
    hooks.say(`run ${counter.done}/${total}: ${s.id} (defaults)`);
    let record: RunRecord;
    try {
      record = await runOne(engine, scenarioRequest(s.id, {}, settings), s.id, hooks);
    } catch (err) {
      if (ended()) break;
      // One scenario that cannot start (say, no Node there) must not sink the whole suite.
      failed++;
      hooks.say(`  could not run ${s.id}: ${(err as Error).message}`);
      continue;
    }
    const next = afterRun(record, hooks);
    if (next === 'drop-and-end') break;
    records.push(record);
    if (next === 'keep-and-end') {
      // The machine is gone: its suite ends with it, one run short.
      failed++;
      break;
    }
    const ok = runSucceeded(record.result);
    if (!ok) failed++;
    hooks.say(outcomeLine(record.result, ok));
  }
  for (const id of SUITE_SWEEP_SCENARIOS) {
    if (ended()) break;
    const plan: SweepPlan = { scenario: id, params: { workMs: settings.workMs }, taskCounts, repeat, rateHz: settings.rateHz, timeoutS: settings.timeoutS, stacksHz: settings.stacksHz, python: settings.python, node: settings.node };
    try {
      const swept = await runSweepPlan(engine, plan, logicalCores, counter, hooks);
      records.push(...swept.records);
      if (swept.sweep.runs.length) sweeps.push(swept.sweep);
      if (swept.sweep.runs.some((r) => !r.ok) || engine.lost) failed++;
    } catch (err) {
      if (ended()) break;
      failed++;
      hooks.say(`  could not sweep ${id}: ${(err as Error).message}`);
    }
  }
  const incomplete = hooks.stopped() ? `interrupted after ${records.length} of ${total} runs` : engine.lost ? `the connection was lost after ${records.length} of ${total} runs (${engine.lost})` : undefined;
  return { records, sweeps, failed, ...(incomplete ? { incomplete } : {}) };
}
