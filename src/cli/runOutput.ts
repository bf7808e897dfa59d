// Where `run --out FILE` puts a run: a session file with this one run when the name says so
// (.session.json[.gz]), else the run record as JSON. Both written durably (temp file + rename).
import type { RunRecord } from '../shared/types';
import type { SweepResult } from '../shared/sweep';
import { cutShort } from '../shared/runOutcome';
import { terminalSafe } from '../shared/terminalSafe';
import type { SessionFile } from '../shared/sessionSchema';
import { buildSession, isSessionName, RemoteEngine, saveSession, writeFileDurable } from '../engine';
import type { CommandEngine } from './session';

/** A session of a command's runs, stamped with the machine they ran on: this one, or the one --on named. */
export async function commandSession(engine: Pick<CommandEngine, 'info'>, records: RunRecord[], extra: { sweeps?: SweepResult[]; incomplete?: string } = {}): Promise<SessionFile> {
  return buildSession(() => engine.info(), records, { ...extra, remote: engine instanceof RemoteEngine ? await engine.info() : undefined });
}

export async function saveRunRecord(engine: Pick<CommandEngine, 'info'>, path: string, record: RunRecord, option = '--out'): Promise<void> {
  if (!isSessionName(path)) return writeFileDurable(path, JSON.stringify(record), { option });
  await saveSession(path, await commandSession(engine, [record], { incomplete: cutShort(record.result) }), { option });
}

/** A run whose connection was lost: said on stderr too, where --json leaves only the result on stdout. */
export function sayIfConnectionLost(record: RunRecord): void {
  if (record.result.exit.reason === 'connection-lost') process.stderr.write(`corescope: ${terminalSafe(record.result.warnings[0] ?? 'the connection was lost')}\n`);
}

/**
 * Before a run on another machine that will be saved as a session: its profile (hardware,
 * interpreters) is asked first, because a session kept after a lost connection needs it and can
 * no longer ask then.
 */
export async function profileBeforeRun(engine: Pick<CommandEngine, 'info'>, out: string | undefined): Promise<void> {
  if (out !== undefined && isSessionName(out) && engine instanceof RemoteEngine) await engine.info();
}
