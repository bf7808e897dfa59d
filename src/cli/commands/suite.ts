// `corescope suite [--out FILE]`: the standard set a person runs on every machine they want to
// compare — every scenario once at its default parameters, then a sweep of the CPU-bound ones
// from 1 task up to the core count, with small work so it takes minutes, not hours.
// Ctrl-C keeps every finished run and still writes --out, marked incomplete (beside an existing
// file rather than over it: see keepRecorded.ts).
import type { RunRequest } from '../../shared/api';
import type { RunRecord } from '../../shared/types';
import { SCENARIOS } from '../../shared/scenarios';
import { suiteTaskCounts, type SweepResult } from '../../shared/sweep';
import { buildSession, saveSession, hardwareProfile } from '../../engine';
import { CliInputError, EXIT_OK, EXIT_RUN_FAILED } from '../exitCodes';
import { checkOutputPath } from '../options';
import { savePathFor } from '../keepRecorded';
import { Progress } from '../progress';
import { withEngine } from '../session';
import { checkRepeat, formatSweep, interrupted, runSweep, type SweepPlan } from './sweep';
import { terminalSafe, terminalSafeJson } from '../../shared/terminalSafe';
import { runSucceeded } from '../../shared/runOutcome';

/** The CPU-bound scenarios whose scaling the suite measures. */
export const SUITE_SWEEP_SCENARIOS = ['py-mp-cpu', 'py-threads-cpu', 'node-worker-threads', 'node-fork'] as const;

export interface SuiteOpts {
  out?: string;
  repeat: number;
  workMs: number;
  maxTasks?: number;
  rate: number;
  timeout: number;
  stacks: number;
  python?: string;
  node?: string;
  json?: boolean;
}

export async function suiteCommand(opts: SuiteOpts): Promise<number> {
  const repeat = checkRepeat(opts.repeat);
  if (!Number.isInteger(opts.workMs) || opts.workMs < 10 || opts.workMs > 60_000) throw new CliInputError(`--work-ms must be a whole number from 10 to 60000 (got ${opts.workMs})`);
  if (opts.maxTasks !== undefined && (!Number.isInteger(opts.maxTasks) || opts.maxTasks < 1 || opts.maxTasks > 64)) throw new CliInputError(`--max-tasks must be a whole number from 1 to 64 (got ${opts.maxTasks})`);
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const singles = SCENARIOS.filter((s) => s.runtime !== 'custom');
  const result = await withEngine({ python: opts.python, node: opts.node }, async (engine) => {
    // Only the hardware is needed before the first run: probing every interpreter on the machine
    // took ~7 s (pyenv shims). A named --python/--node is still checked up front by info(), so a
    // bad one is exit 2 at once rather than a "could not run" per scenario.
    const cores = (opts.python || opts.node ? (await engine.info()).hardware : await hardwareProfile()).cpu.logicalCores;
    const taskCounts = suiteTaskCounts(Math.min(cores, opts.maxTasks ?? cores));
    const counter = { done: 0, total: singles.length + SUITE_SWEEP_SCENARIOS.length * taskCounts.length * repeat };
    process.stderr.write(`CoreScope suite: ${singles.length} scenarios at their defaults, then ${SUITE_SWEEP_SCENARIOS.length} sweeps over tasks ${taskCounts.join(',')} (${repeat}× each, workMs ${opts.workMs}) — ${counter.total} runs\n`);
    const records: RunRecord[] = [];
    const sweeps: SweepResult[] = [];
    let failed = 0;
    for (const s of singles) {
      if (interrupted()) break;
      counter.done++;
      process.stderr.write(`run ${counter.done}/${counter.total}: ${s.id} (defaults)\n`);
      const request: RunRequest = { kind: 'scenario', scenario: s.id, params: {}, rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
      const progress = new Progress(s.id);
      const off = progress.wanted ? engine.onEvent((e) => progress.onEvent(e)) : () => undefined;
      let record: RunRecord | undefined;
      try {
        record = await engine.runToEnd(request);
      } catch (err) {
        if (interrupted()) break;
        // One scenario that cannot start (say, no Node here) must not sink the whole suite.
        failed++;
        process.stderr.write(`  could not run ${s.id}: ${terminalSafe((err as Error).message)}\n`);
      } finally {
        off();
        progress.done();
      }
      if (!record) continue;
      if (interrupted() || record.result.exit.reason === 'profiler-exit') break;
      records.push(record);
      const r = record.result;
      const ok = runSucceeded(r);
      if (!ok) failed++;
      process.stderr.write(`  ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.parallelism.toFixed(2)} cores busy, ${r.verdict.kind}${ok ? '' : ` (FAILED: ${r.exit.reason})`}\n`);
    }
    for (const id of SUITE_SWEEP_SCENARIOS) {
      if (interrupted()) break;
      const plan: SweepPlan = { scenario: id, params: { workMs: opts.workMs }, taskCounts, repeat, rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
      try {
        const out = await runSweep(engine, plan, cores, counter);
        records.push(...out.records);
        if (out.sweep.runs.length) sweeps.push(out.sweep);
        if (out.sweep.runs.some((r) => !r.ok)) failed++;
      } catch (err) {
        if (interrupted()) break;
        failed++;
        process.stderr.write(`  could not sweep ${id}: ${terminalSafe((err as Error).message)}\n`);
      }
    }
    const incomplete = interrupted() ? `interrupted after ${records.length} of ${counter.total} runs` : undefined;
    const out = opts.out && savePathFor(opts.out, '--out', { runs: records.length, interrupted: incomplete !== undefined, what: 'suite' });
    if (out) {
      const session = await buildSession(() => engine.info(), records, { sweeps, incomplete });
      await saveSession(out, session, { option: '--out' });
      process.stderr.write(`saved ${records.length} run(s) and ${sweeps.length} sweep(s) to ${out}${incomplete ? ' (marked incomplete)' : ''}\n`);
    }
    return { records, sweeps, failed, incomplete };
  });
  if (opts.json) {
    process.stdout.write(`${terminalSafeJson({ runs: result.records.map((r) => r.result), sweeps: result.sweeps, incomplete: result.incomplete ?? null })}\n`);
  } else {
    const lines = ['CoreScope suite'];
    for (const r of result.records.filter((x) => !result.sweeps.some((s) => s.runs.some((q) => q.runId === x.result.runId)))) {
      lines.push(`  ${(r.result.scenario ?? '?').padEnd(22)} ${r.result.verdict.kind.padEnd(12)} wall ${(r.result.wallMs / 1000).toFixed(2)} s, parallelism ${r.result.parallelism.toFixed(2)}`);
    }
    for (const s of result.sweeps) lines.push(formatSweep(s));
    if (result.incomplete) lines.push(`INCOMPLETE: ${result.incomplete}`);
    process.stdout.write(`${lines.map(terminalSafe).join('\n')}\n`);
  }
  if (interrupted()) return Number(process.exitCode);
  return result.failed ? EXIT_RUN_FAILED : EXIT_OK;
}
