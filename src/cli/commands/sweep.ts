// `corescope sweep <scenario> --tasks 1,2,4,8 [--repeat K] [--out FILE]`: the scenario at each
// task count, K times each; wall time, parallelism, speedup and efficiency against the 1-task
// run, and an Amdahl fit. Ctrl-C keeps the finished runs and still writes --out, marked incomplete
// (beside an existing file rather than over it: see keepRecorded.ts).
import type { RunRecord } from '../../shared/types';
import { getScenario } from '../../shared/scenarios';
import { amdahlText, speedupBasisText, type SweepResult } from '../../shared/sweep';
import { checkRepeat as checkRepeatAt, planSweepRuns, type SweepRunPlan } from '../../shared/sweepPlan';
import { saveSession, hardwareProfile, runSweepPlan, type SshTarget, type SuiteHooks, type SweepPlan } from '../../engine';
import { commandSession } from '../runOutput';
import { CliInputError, EXIT_OK, EXIT_RUN_FAILED } from '../exitCodes';
import { checkOutputPath, parseKnobs } from '../options';
import { savePathFor } from '../keepRecorded';
import { Progress } from '../progress';
import { withEngine, type CommandEngine } from '../session';
import { terminalSafe, terminalSafeJson } from '../../shared/terminalSafe';

export interface SweepOpts {
  tasks: string;
  repeat: number;
  rate: number;
  timeout: number;
  stacks: number;
  python?: string;
  node?: string;
  json?: boolean;
  out?: string;
  on?: SshTarget;
  sshConfig?: string;
}

/** Where a sweep's progress lines go: stderr, or (a suite on several machines) each under its machine's name. */
export interface SweepLog {
  say: (line: string) => void;
  /** The live one-line progress on a terminal (off when machines run side by side). */
  live: boolean;
}

export const STDERR_LOG: SweepLog = { say: (line) => process.stderr.write(`${line}\n`), live: true };

/** Whether SIGHUP / Ctrl-C / SIGTERM arrived (withEngine sets the exit code to 129/130/143). */
export const interrupted = (): boolean => Number(process.exitCode ?? 0) > 2;

/** --repeat against the one limit every door shares (src/shared/sweepPlan.ts), as a usage error. */
export function checkRepeat(repeat: number): number {
  try {
    return checkRepeatAt(repeat, 'cli');
  } catch (err) {
    throw new CliInputError((err as Error).message);
  }
}

export function sweepPlan(scenario: string, opts: SweepOpts, extra: string[]): SweepPlan {
  const info = getScenario(scenario);
  if (!info || info.runtime === 'custom') throw new CliInputError(`unknown scenario ${JSON.stringify(scenario)}; see corescope list`);
  let planned: SweepRunPlan;
  try {
    planned = planSweepRuns(info, String(opts.tasks), opts.repeat, 'cli');
  } catch (err) {
    throw new CliInputError((err as Error).message);
  }
  const params = parseKnobs(extra);
  if ('tasks' in params) throw new CliInputError('give the task counts once, as --tasks 1,2,4');
  return { scenario, params, taskCounts: planned.taskCounts, repeat: planned.repeat, rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
}

/** The engine's suite hooks for a terminal: progress lines on `log`, the live line per run, Ctrl-C. */
export function terminalHooks(engine: CommandEngine, log: SweepLog): SuiteHooks {
  return {
    // Lines may carry a workload's or a remote's words: escaped.
    say: (line) => log.say(terminalSafe(line)),
    eachRun: (label) => {
      const progress = new Progress(label);
      const off = log.live && progress.wanted ? engine.onEvent((e) => progress.onEvent(e)) : () => undefined;
      return () => {
        off();
        progress.done();
      };
    },
    stopped: interrupted,
  };
}

/** Runs a sweep on `engine` with terminal progress (the engine's runSweepPlan). */
export function runSweep(engine: CommandEngine, plan: SweepPlan, logicalCores: number, counter: { done: number; total: number }, log: SweepLog = STDERR_LOG): Promise<{ records: RunRecord[]; sweep: SweepResult }> {
  return runSweepPlan(engine, plan, logicalCores, counter, terminalHooks(engine, log));
}

const sec = (msv: number): string => `${(msv / 1000).toFixed(2)} s`;

export function formatSweep(sw: SweepResult): string {
  const params = Object.entries(sw.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const rows: string[][] = [['tasks', 'runs', 'wall mean (min–max)', 'CPU', 'parallelism', 'speedup (min–max)', 'efficiency', 'cores used']];
  for (const p of sw.points) {
    rows.push([
      String(p.tasks),
      String(p.runs),
      `${sec(p.wallMs.mean)} (${sec(p.wallMs.min)}–${sec(p.wallMs.max)})`,
      sec(p.cpuMs),
      p.parallelism.mean.toFixed(2),
      p.speedup ? `${p.speedup.mean.toFixed(2)}× (${p.speedup.min.toFixed(2)}–${p.speedup.max.toFixed(2)})` : '–',
      p.efficiency !== null ? `${Math.round(p.efficiency * 100)} %` : '–',
      `${Math.round(p.coreShare * 100)} % of ${sw.logicalCores}`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = [`CoreScope sweep: ${sw.scenario}${params ? ` (${params})` : ''}, ${sw.repeat}× each, ${sw.logicalCores} logical cores${sw.complete ? '' : ' — INCOMPLETE (interrupted)'}`];
  for (const r of rows) lines.push(`  ${r.map((x, c) => x.padEnd(widths[c])).join('  ')}`.trimEnd());
  const failed = sw.runs.filter((r) => !r.ok).length;
  if (failed) lines.push(`  ${failed} run(s) failed and are left out of the figures`);
  lines.push(`  ${speedupBasisText(sw)}`);
  lines.push(`  ${amdahlText(sw)}`);
  // Parameters may come from a session file.
  return lines.map(terminalSafe).join('\n');
}

export async function sweepCommand(scenario: string, opts: SweepOpts, extra: string[]): Promise<number> {
  const plan = sweepPlan(scenario, opts, extra);
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const outcome = await withEngine({ python: opts.python, node: opts.node, on: opts.on, sshConfig: opts.sshConfig }, async (engine) => {
    // The cores of the machine the sweep runs on: another one's, with --on.
    const hardware = opts.on ? (await engine.info()).hardware : await hardwareProfile();
    const counter = { done: 0, total: plan.taskCounts.length * plan.repeat };
    const { records, sweep } = await runSweep(engine, plan, hardware.cpu.logicalCores, counter);
    const out = opts.out && savePathFor(opts.out, '--out', { runs: records.length, interrupted: !sweep.complete, what: 'sweep' });
    if (out) {
      const session = await commandSession(engine, records, { sweeps: [sweep], incomplete: sweep.complete ? undefined : `interrupted after ${records.length} of ${counter.total} runs` });
      await saveSession(out, session, { option: '--out' });
      process.stderr.write(`saved ${records.length} run(s) to ${out}${sweep.complete ? '' : ' (marked incomplete)'}\n`);
    }
    return { records, sweep };
  });
  const { sweep } = outcome;
  process.stdout.write(opts.json ? `${terminalSafeJson(sweep)}\n` : `${formatSweep(sweep)}\n`);
  if (interrupted()) return Number(process.exitCode);
  return sweep.runs.every((r) => r.ok) && sweep.complete ? EXIT_OK : EXIT_RUN_FAILED;
}
