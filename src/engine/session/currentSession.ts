// The app's current session, owned by the engine: every run it finished, the runs of the last
// autosave merged in, and the sweeps the app ran over them (told by run id; their results are
// built here from the engine's own records). Autosave, save and export read it from here and
// write it to disk, so the session never travels back from the renderer.
import type { SweepRef } from '../../shared/argSchemas';
import { sweepRefSchema } from '../../shared/argSchemas';
import { InputError } from '../../shared/runLimits';
import { makeSession, type SessionFile } from '../../shared/sessionSchema';
import { buildSweepResult, sweepRunRef, type SweepResult } from '../../shared/sweep';
import type { RunRecord, SystemInfo } from '../../shared/types';

/**
 * A session of runs and sweeps, with this machine's profile. Sweeps that name a run no longer
 * present are left out, so the file validates; the runtimes are those the runs used.
 */
export function buildCurrentSession(records: RunRecord[], sweeps: SweepResult[], info: Pick<SystemInfo, 'hardware' | 'runtimes' | 'corescopeVersion'>): SessionFile {
  const ids = new Set(records.map((r) => r.result.runId));
  const used = new Set(records.map((r) => r.result.params.argv?.[0]).filter((x): x is string => !!x));
  const keptSweeps = sweeps.filter((s) => s.runs.every((r) => ids.has(r.runId)));
  return makeSession({
    corescopeVersion: info.corescopeVersion,
    hardware: info.hardware,
    runtimes: info.runtimes.filter((r) => used.has(r.path)),
    runs: records,
    sweeps: keptSweeps.length ? keptSweeps : undefined,
  });
}

/** Merges runs into a list by run id (a run already there is kept, not duplicated). */
export function mergeRuns(existing: RunRecord[], incoming: RunRecord[]): RunRecord[] {
  const ids = new Set(existing.map((r) => r.result.runId));
  return [...existing, ...incoming.filter((r) => !ids.has(r.result.runId))];
}

/** A sweep is the same sweep when it covers the same runs. */
const sweepKey = (s: Pick<SweepResult, 'runs'>): string => s.runs.map((r) => r.runId).join('\n');

export class CurrentSession {
  private runs: RunRecord[] = [];
  private readonly ids = new Set<string>();
  private readonly sweeps: SweepResult[] = [];

  /** The runs, oldest first. */
  get records(): RunRecord[] {
    return this.runs;
  }

  get sweepResults(): SweepResult[] {
    return this.sweeps;
  }

  addRun(record: RunRecord): void {
    if (this.ids.has(record.result.runId)) return;
    this.ids.add(record.result.runId);
    this.runs.push(record);
  }

  /**
   * Adds the sweep a front end ran, from its runs' ids; throws an InputError naming the field
   * when the reference is malformed or names a run this session does not hold.
   */
  addSweep(input: SweepRef, logicalCores: number): SweepResult {
    const parsed = sweepRefSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'sweep';
      throw new InputError(field, `${field}: ${issue?.message ?? 'invalid sweep'}`);
    }
    const ref = parsed.data;
    const byId = new Map(this.runs.map((r) => [r.result.runId, r]));
    const refs = ref.runs.map((r, i) => {
      const record = byId.get(r.runId);
      if (!record) throw new InputError(`runs.${i}.runId`, `runs.${i}.runId: no run ${JSON.stringify(r.runId)} in the current session`);
      return sweepRunRef(record.result, r.tasks, r.repeat);
    });
    const sweep = buildSweepResult({ ...ref, logicalCores, runs: refs });
    if (!this.sweeps.some((s) => sweepKey(s) === sweepKey(sweep))) this.sweeps.push(sweep);
    return sweep;
  }

  /** Merges a saved session in: its runs first (they are older; one already here is not doubled), its sweeps after. */
  merge(session: Pick<SessionFile, 'runs' | 'sweeps'>): void {
    this.runs = mergeRuns(session.runs, this.runs);
    for (const r of this.runs) this.ids.add(r.result.runId);
    const have = new Set(this.sweeps.map(sweepKey));
    for (const s of session.sweeps ?? []) if (!have.has(sweepKey(s))) this.sweeps.push(s);
  }

  /** As a session file, with this machine's profile. */
  toSession(info: Pick<SystemInfo, 'hardware' | 'runtimes' | 'corescopeVersion'>): SessionFile {
    return buildCurrentSession(this.runs, this.sweeps, info);
  }
}
