// `corescope suite [--out FILE]`: the standard set a person runs on every machine they want to
// compare — every scenario once at its default parameters, then a sweep of the CPU-bound ones
// from 1 task up to the core count, with small work so it takes minutes, not hours.
// Ctrl-C keeps every finished run and still writes --out, marked incomplete (beside an existing
// file rather than over it: see keepRecorded.ts).
// `--on a,b,c --out DIR` (issue #18): the suite on several machines over ssh, one run at a time
// on each, the machines side by side; one session per machine in DIR (each with its own
// hardware profile) and the comparison of them all, DIR/comparison.html.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { saveSession, hardwareProfile, comparisonReportHtml, runStandardSuite, writeFileDurable, type SshTarget, type SuiteOutcome as EngineSuiteOutcome, type SuiteSettings } from '../../engine';
import { commandSession } from '../runOutput';
import type { SessionFile } from '../../shared/sessionSchema';
import { CliInputError, EXIT_OK, EXIT_RUN_FAILED } from '../exitCodes';
import { checkOutputPath } from '../options';
import { savePathFor } from '../keepRecorded';
import { withEngine, type CommandEngine } from '../session';
import { checkRepeat, formatSweep, interrupted, STDERR_LOG, terminalHooks, type SweepLog } from './sweep';
import { terminalSafe, terminalSafeJson } from '../../shared/terminalSafe';

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
  on?: SshTarget[];
  sshConfig?: string;
}

/** What the engine's suite ran, and the session saved of it. */
interface SuiteOutcome extends EngineSuiteOutcome {
  session?: SessionFile;
}

export async function suiteCommand(opts: SuiteOpts): Promise<number> {
  checkRepeat(opts.repeat);
  if (!Number.isInteger(opts.workMs) || opts.workMs < 10 || opts.workMs > 60_000) throw new CliInputError(`--work-ms must be a whole number from 10 to 60000 (got ${opts.workMs})`);
  if (opts.maxTasks !== undefined && (!Number.isInteger(opts.maxTasks) || opts.maxTasks < 1 || opts.maxTasks > 64)) throw new CliInputError(`--max-tasks must be a whole number from 1 to 64 (got ${opts.maxTasks})`);
  if (opts.on && opts.on.length > 1) return suiteOnMachines(opts.on, opts);
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const result = await withEngine({ python: opts.python, node: opts.node, on: opts.on?.[0], sshConfig: opts.sshConfig }, (engine) => runSuite(engine, opts, STDERR_LOG, opts.out));
  if (opts.json) {
    process.stdout.write(`${terminalSafeJson({ runs: result.records.map((r) => r.result), sweeps: result.sweeps, incomplete: result.incomplete ?? null })}\n`);
  } else process.stdout.write(`${formatSuite(result, 'CoreScope suite')}\n`);
  if (interrupted()) return Number(process.exitCode);
  return result.failed || result.incomplete ? EXIT_RUN_FAILED : EXIT_OK;
}

/** The suite on one engine (this machine's, or one reached with --on); saves to `out` when given. */
async function runSuite(engine: CommandEngine, opts: SuiteOpts, log: SweepLog, out: string | undefined): Promise<SuiteOutcome> {
  const repeat = checkRepeat(opts.repeat);
  // Only the hardware is needed before the first run: probing every interpreter on the machine
  // took ~7 s (pyenv shims). A named --python/--node is still checked up front by info(), so a
  // bad one is exit 2 at once rather than a "could not run" per scenario. Another machine's
  // cores come from its own engine.
  const cores = (opts.python || opts.node || opts.on ? (await engine.info()).hardware : await hardwareProfile()).cpu.logicalCores;
  const settings: SuiteSettings = { repeat, workMs: opts.workMs, maxTasks: opts.maxTasks, rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
  const outcome: SuiteOutcome = await runStandardSuite(engine, settings, cores, terminalHooks(engine, log));
  const { records, sweeps, incomplete } = outcome;
  const path = out && savePathFor(out, '--out', { runs: records.length, interrupted: incomplete !== undefined, what: 'suite' });
  if (path) {
    outcome.session = await commandSession(engine, records, { sweeps, incomplete });
    await saveSession(path, outcome.session, { option: '--out' });
    log.say(`saved ${records.length} run(s) and ${sweeps.length} sweep(s) to ${path}${incomplete ? ' (marked incomplete)' : ''}`);
  }
  return outcome;
}

function formatSuite(result: SuiteOutcome, title: string): string {
  const lines = [terminalSafe(title)];
  for (const r of result.records.filter((x) => !result.sweeps.some((s) => s.runs.some((q) => q.runId === x.result.runId)))) {
    lines.push(terminalSafe(`  ${(r.result.scenario ?? '?').padEnd(22)} ${r.result.verdict.kind.padEnd(12)} wall ${(r.result.wallMs / 1000).toFixed(2)} s, parallelism ${r.result.parallelism.toFixed(2)}`));
  }
  // Several lines each, made terminal-safe line by line by formatSweep (escaping them again
  // here printed their line breaks as "\x0a").
  for (const s of result.sweeps) lines.push(formatSweep(s));
  if (result.incomplete) lines.push(terminalSafe(`INCOMPLETE: ${result.incomplete}`));
  return lines.join('\n');
}

/** A machine's name as a file name: what ssh took, with anything else made "_". */
export const machineFileName = (t: SshTarget): string => t.text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');

/** The suite on several machines at once, one session each in DIR, and their comparison. */
async function suiteOnMachines(machines: SshTarget[], opts: SuiteOpts): Promise<number> {
  const dir = opts.out;
  if (dir === undefined) throw new CliInputError(`--on with ${machines.length} machines needs --out DIR: a folder for one session per machine and their comparison`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliInputError(`--out: ${JSON.stringify(dir)} is a file; with several machines --out names a folder (one session per machine, and comparison.html)`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CliInputError(`--out: cannot create the folder ${JSON.stringify(dir)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const files = machines.map((m) => join(dir, `${machineFileName(m)}.session.json.gz`));
  const report = join(dir, 'comparison.html');
  for (const f of [...files, report]) checkOutputPath(f, '--out');
  process.stderr.write(`CoreScope suite on ${machines.length} machines: ${machines.map((m) => m.text).join(', ')} (one run at a time on each, the machines side by side)\n`);
  const outcomes = await Promise.all(
    machines.map(async (m, i): Promise<SuiteOutcome | null> => {
      const log: SweepLog = { say: (line) => process.stderr.write(`[${m.text}] ${line}\n`), live: false };
      try {
        return await withEngine({ python: opts.python, node: opts.node, on: m, sshConfig: opts.sshConfig }, (engine) => runSuite(engine, { ...opts, on: [m] }, log, files[i]));
      } catch (err) {
        log.say(`could not run the suite there: ${terminalSafe((err as Error).message)}`);
        return null;
      }
    }),
  );
  const done = machines.map((m, i) => ({ label: m.text, outcome: outcomes[i] })).filter((x) => x.outcome?.session);
  if (done.length >= 2) {
    await writeFileDurable(report, comparisonReportHtml(done.map((d) => ({ label: d.label, session: d.outcome!.session! }))), { option: '--out' });
  }
  if (opts.json) {
    process.stdout.write(`${terminalSafeJson({ machines: machines.map((m, i) => ({ on: m.text, session: outcomes[i]?.session ? files[i] : null, runs: outcomes[i]?.records.map((r) => r.result) ?? [], sweeps: outcomes[i]?.sweeps ?? [], incomplete: outcomes[i]?.incomplete ?? null })), comparison: done.length >= 2 ? report : null })}\n`);
  } else {
    const parts = machines.map((m, i) => (outcomes[i] ? formatSuite(outcomes[i]!, `CoreScope suite on ${m.text}`) : terminalSafe(`CoreScope suite on ${m.text}: not run (see above)`)));
    parts.push(done.length >= 2 ? `The machines side by side: ${report} (open it in a browser; \`corescope compare ${files.filter((_, i) => outcomes[i]?.session).join(' ')}\` prints it here)` : `No comparison: fewer than two machines finished the suite.`);
    process.stdout.write(`${parts.join('\n\n')}\n`);
  }
  if (interrupted()) return Number(process.exitCode);
  return outcomes.every((o) => o && !o.failed && !o.incomplete) ? EXIT_OK : EXIT_RUN_FAILED;
}
