// `corescope run`: one profiled run of a scenario or a command line.
import type { RunRequest } from '../../shared/api';
import type { RunRecord } from '../../shared/types';
import type { SshTarget } from '../../engine';
import { EXIT_OK, EXIT_RUN_FAILED, CliInputError } from '../exitCodes';
import { formatResult, onMachine } from '../format';
import { checkOutputPath, parseEnvPairs, parseKnobs } from '../options';
import { Progress } from '../progress';
import { withEngine } from '../session';
import { profileBeforeRun, saveRunRecord, sayIfConnectionLost } from '../runOutput';
import { savePathFor } from '../keepRecorded';
import { terminalSafeJson, terminalSafeLines } from '../../shared/terminalSafe';
import { cutShort, runSucceeded } from '../../shared/runOutcome';

export interface RunOpts {
  cmd?: string;
  cwd?: string;
  env?: string[];
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

export function buildRequest(scenario: string | undefined, opts: RunOpts, extra: string[]): RunRequest {
  if (opts.cmd !== undefined) {
    if (scenario) throw new CliInputError(`give either a scenario or --cmd, not both (got scenario ${JSON.stringify(scenario)} and --cmd)`);
    if (extra.length) throw new CliInputError(`unknown option ${extra[0]} for --cmd runs; see corescope run --help`);
    return { kind: 'command', cmd: opts.cmd, cwd: opts.cwd, env: parseEnvPairs(opts.env ?? []), rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks };
  }
  if (!scenario) throw new CliInputError('give a scenario id (see `corescope list`) or --cmd "<command line>"');
  return { kind: 'scenario', scenario, params: parseKnobs(extra), rateHz: opts.rate, timeoutS: opts.timeout, stacksHz: opts.stacks, python: opts.python, node: opts.node };
}

/** Exit code for a finished run. */
export function runExitCode(record: RunRecord): number {
  return runSucceeded(record.result) ? EXIT_OK : EXIT_RUN_FAILED;
}

export async function runCommand(scenario: string | undefined, opts: RunOpts, extra: string[]): Promise<number> {
  const request = buildRequest(scenario, opts, extra);
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const record = await withEngine({ python: opts.python, node: opts.node, on: opts.on, sshConfig: opts.sshConfig }, async (engine) => {
    await profileBeforeRun(engine, opts.out);
    const progress = new Progress(scenario ?? 'command');
    const off = progress.wanted ? engine.onEvent((e) => progress.onEvent(e)) : () => undefined;
    let rec: RunRecord;
    try {
      rec = await engine.runToEnd(request);
    } finally {
      off();
      progress.done();
    }
    sayIfConnectionLost(rec);
    const out = opts.out && savePathFor(opts.out, '--out', { runs: 1, interrupted: cutShort(rec.result) !== undefined, what: 'run' });
    if (out) await saveRunRecord(engine, out, rec, '--out');
    return rec;
  });
  process.stdout.write(opts.json ? `${terminalSafeJson(record.result)}\n` : `${onMachine(formatResult(record.result), opts.on)}\n`);
  if (!opts.json && record.stderr.trim() && runExitCode(record) !== EXIT_OK) process.stderr.write(`workload stderr (last lines):\n${terminalSafeLines(record.stderr.trim().split('\n').slice(-10).join('\n'))}\n`);
  const interrupted = Number(process.exitCode ?? 0);
  return interrupted > 2 ? interrupted : runExitCode(record);
}
