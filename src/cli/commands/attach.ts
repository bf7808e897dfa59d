// `corescope attach <pid>`: watch a program that is already running, as `run` watches one it
// launches. The program is never signalled: Ctrl-C, --duration or the program's own exit end the
// watching, and CoreScope dying (even by SIGKILL) leaves it as it was.
import type { RunRecord } from '../../shared/types';
import type { SshTarget } from '../../engine';
import { CliInputError } from '../exitCodes';
import { formatResult, onMachine } from '../format';
import { checkOutputPath } from '../options';
import { Progress } from '../progress';
import { withEngine } from '../session';
import { profileBeforeRun, saveRunRecord, sayIfConnectionLost } from '../runOutput';
import { cutShort } from '../../shared/runOutcome';
import { savePathFor } from '../keepRecorded';
import { terminalSafeJson } from '../../shared/terminalSafe';
import { runExitCode } from './run';
import { checkTimeoutS } from '../../shared/runLimits';

export interface AttachOpts {
  rate: number;
  duration: number;
  json?: boolean;
  out?: string;
  on?: SshTarget;
  sshConfig?: string;
}

/** The pid as typed: digits only, so "12abc" or "-1" is refused naming what was typed. */
export function parsePid(text: string): number {
  if (!/^\d{1,7}$/.test(text.trim())) throw new CliInputError(`<pid> must be a process id, a whole number from 1 to 4194304 (got ${JSON.stringify(text)})`);
  return Number(text.trim());
}

export async function attachCommand(pidText: string, opts: AttachOpts): Promise<number> {
  const pid = parsePid(pidText);
  // The engine calls it timeoutS; here it is --duration, and the message must say so.
  try {
    checkTimeoutS(opts.duration, '--duration');
  } catch (err) {
    throw new CliInputError((err as Error).message);
  }
  if (opts.out !== undefined) checkOutputPath(opts.out);
  const record = await withEngine({ on: opts.on, sshConfig: opts.sshConfig }, async (engine) => {
    await profileBeforeRun(engine, opts.out);
    const progress = new Progress(`pid ${pid}`);
    const off = progress.wanted ? engine.onEvent((e) => progress.onEvent(e)) : () => undefined;
    let rec: RunRecord;
    try {
      rec = await engine.runToEnd({ kind: 'attach', pid, rateHz: opts.rate, timeoutS: opts.duration });
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
  // Ctrl-C, SIGTERM, a closed terminal: as for run, 128 + the signal (the program runs on).
  const interrupted = Number(process.exitCode ?? 0);
  return interrupted > 2 ? interrupted : runExitCode(record);
}
