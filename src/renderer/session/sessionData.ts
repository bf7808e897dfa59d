// Pure pieces of the app's sessions and sweeps (no DOM): the current session as a session file,
// base64 and upload parts, sweep plans from the form, and run titles. Unit-tested.
import type { RunRequest } from '../../shared/api';
import type { ParamValue, ScenarioInfo } from '../../shared/model';
import { makeSession, type SessionFile } from '../../shared/sessionSchema';
import { buildSweepResult, parseTaskCounts, sweepRunRef, type SweepResult, type SweepRunRef } from '../../shared/sweep';
import type { RunRecord, SystemInfo } from '../../shared/types';

/**
 * The app's current session: the runs of the results table (oldest first) and the sweeps over
 * them, with this machine's profile as the engine reported it (the engine stamps it again
 * when it exports). Sweeps that name a run no longer present are left out, so the file validates.
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

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}=`;
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const a = B64.indexOf(clean[i]);
    const b = B64.indexOf(clean[i + 1]);
    const c = i + 2 < clean.length ? B64.indexOf(clean[i + 2]) : 0;
    const d = i + 3 < clean.length ? B64.indexOf(clean[i + 3]) : 0;
    if (a < 0 || b < 0 || c < 0 || d < 0) throw new Error('not base64');
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Splits bytes into upload parts of at most `size` bytes (at least one part, even for nothing). */
export function splitParts(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return parts.length ? parts : [bytes];
}

export interface SweepStep {
  tasks: number;
  repeat: number;
  request: RunRequest;
}

/** "1,2,4" and a repeat count into the runs of a sweep, in order; throws a message naming the bad entry. */
export function planSweep(base: RunRequest, scenario: ScenarioInfo, tasksText: string, repeatText: string): SweepStep[] {
  if (base.kind !== 'scenario') throw new Error('only a scenario can be swept');
  const spec = scenario.params.find((p) => p.name === 'tasks');
  if (!spec) throw new Error(`${scenario.title} has no tasks parameter to sweep`);
  let counts: number[];
  try {
    counts = parseTaskCounts(tasksText, spec.max ?? 4096);
  } catch (err) {
    throw new Error((err as Error).message.replace('--tasks', 'task counts'));
  }
  const repeat = Number(repeatText);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error(`repeats must be a whole number from 1 to 20 (got ${JSON.stringify(repeatText)})`);
  const steps: SweepStep[] = [];
  for (const tasks of counts) for (let r = 1; r <= repeat; r++) steps.push({ tasks, repeat: r, request: { ...base, params: { ...base.params, tasks } } });
  return steps;
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

/** "Python threads, CPU-bound ×2": the title a run gets in the results table. */
export function runTitle(record: RunRecord, scenarios: ScenarioInfo[]): string {
  const r = record.result;
  if (!r.scenario) return `custom: ${(r.params.cmd ?? r.params.argv?.join(' ') ?? '').slice(0, 40)}`;
  const s = scenarios.find((x) => x.id === r.scenario);
  const p = r.params.scenario?.params ?? {};
  const tasks = p.tasks ?? p.workers ?? p.threads;
  return `${s?.title ?? r.scenario}${tasks !== undefined ? ` ×${tasks}` : ''}`;
}
