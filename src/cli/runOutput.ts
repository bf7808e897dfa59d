// Where `run --out FILE` puts a run: a session file with this one run when the name says so
// (.session.json[.gz]), else the run record as JSON. Both written durably (temp file + rename).
import type { RunRecord } from '../shared/types';
import { buildSession, isSessionName, saveSession, writeFileDurable } from '../engine';
import type { CommandEngine } from './session';

export async function saveRunRecord(engine: Pick<CommandEngine, 'info'>, path: string, record: RunRecord, option = '--out'): Promise<void> {
  if (!isSessionName(path)) return writeFileDurable(path, JSON.stringify(record), { option });
  const reason = record.result.exit.reason;
  const incomplete = reason === 'cancelled' || reason === 'profiler-exit' ? `the run was ${reason === 'cancelled' ? 'cancelled' : 'interrupted'} before it finished` : undefined;
  await saveSession(path, await buildSession(() => engine.info(), [record], { incomplete }), { option });
}
