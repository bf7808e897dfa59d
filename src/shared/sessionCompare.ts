// Several sessions (machines) side by side: the hardware and runtimes in rows, runs and sweeps
// matched by scenario, and a flag for everything that makes the comparison less than like for
// like. Pure, so the CLI, the HTML report and the app's machines view all flag the same things.
// Its own module, apart from the file format (sessionSchema.ts): reading a session and judging
// two of them change for different reasons.
import type { SessionFile } from './sessionSchema';
import type { HardwareProfile, RunRecord, RuntimeInfo } from './types';
import type { SweepResult } from './sweep';
import { runSucceeded } from './runOutcome';
import { getScenario } from './scenarios';

export interface LabelledSession {
  /** How the machine is called in tables: the file name, or the host name. */
  label: string;
  session: SessionFile;
}

export interface HardwareRow {
  field: string;
  values: string[];
  differs: boolean;
}

export interface RunCell {
  wallMs: number;
  cpuMs: number;
  parallelism: number;
  verdict: string;
  verdictText: string;
  rateHz: number;
  params: string;
  runtime: string;
  ok: boolean;
}

export interface ScenarioRow {
  /** Scenario id (or the command line), with #k for the k-th run of it when one session has several. */
  key: string;
  cells: (RunCell | null)[];
  flags: string[];
}

export interface SweepSeries {
  label: string;
  logicalCores: number;
  sweep: SweepResult | null;
}

export interface SweepRow {
  scenario: string;
  series: SweepSeries[];
  flags: string[];
}

export interface SessionComparison {
  labels: string[];
  hardware: HardwareRow[];
  runtimes: HardwareRow[];
  scenarios: ScenarioRow[];
  sweeps: SweepRow[];
  /** Everything that makes the comparison less than like for like, in words. */
  flags: string[];
}

/** The runtime a run used, matched by interpreter path. */
export function runtimeOfRun(session: Pick<SessionFile, 'runtimes'>, record: RunRecord): RuntimeInfo | undefined {
  const exe = record.result.params.argv?.[0];
  return exe ? session.runtimes.find((r) => r.path === exe) : undefined;
}

const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(1)} GiB`;

export function hardwareFields(h: HardwareProfile): [string, string][] {
  return [
    ['CPU', `${h.cpu.manufacturer} ${h.cpu.brand}`.trim()],
    ['cores (physical / logical)', `${h.cpu.physicalCores} / ${h.cpu.logicalCores}`],
    ['frequency', h.cpu.speedGHz > 0 ? `${h.cpu.speedGHz} GHz (max ${h.cpu.speedMaxGHz} GHz)` : 'not reported'],
    ['caches (L1d / L1i / L2 / L3)', `${h.cpu.cacheKiB.l1d} / ${h.cpu.cacheKiB.l1i} / ${h.cpu.cacheKiB.l2} / ${h.cpu.cacheKiB.l3} KiB`],
    ['memory', gib(h.memoryBytes)],
    ['OS', `${h.os.distro} (${h.os.platform} ${h.os.arch})`],
    ['kernel', h.os.kernel],
    ['host', h.hostname],
  ];
}

/**
 * A scenario's parameters as one comparable text: every parameter the scenario has, its default
 * where the run did not name it (a session from another version, or a run that left it out, is
 * the same run), in name order.
 */
export function paramsText(p: Record<string, unknown> | undefined, scenarioId?: string): string {
  const all: Record<string, unknown> = {};
  for (const spec of (scenarioId && getScenario(scenarioId)?.params) || []) all[spec.name] = spec.default;
  Object.assign(all, p ?? {});
  return Object.keys(all)
    .filter((k) => all[k] !== undefined)
    .sort()
    .map((k) => `${k}=${String(all[k])}`)
    .join(' ');
}

function runtimeText(session: SessionFile, record: RunRecord): string {
  const rt = runtimeOfRun(session, record);
  if (rt) return `${rt.implementation === 'node' ? 'Node' : rt.implementation} ${rt.version}${rt.kind === 'python' && rt.gilEnabled === false ? ' (no GIL)' : ''}`;
  return record.result.params.argv ? 'unknown' : 'shell command';
}

function cellOf(session: SessionFile, record: RunRecord): RunCell {
  const r = record.result;
  return {
    wallMs: r.wallMs,
    cpuMs: r.cpu.totalMs,
    parallelism: r.parallelism,
    verdict: r.verdict.kind,
    verdictText: r.verdict.text,
    rateHz: r.params.rateHz,
    params: r.params.scenario ? paramsText(r.params.scenario.params, r.params.scenario.id) : (r.params.cmd ?? r.params.argv?.join(' ') ?? ''),
    runtime: runtimeText(session, record),
    ok: runSucceeded(r),
  };
}

/** What differs between cells that claim to be the same thing; each a sentence. */
function differences(labels: string[], cells: (RunCell | null)[]): string[] {
  const flags: string[] = [];
  const present = cells.map((c, i) => ({ c, l: labels[i] })).filter((x): x is { c: RunCell; l: string } => x.c !== null);
  const differ = (name: string, pick: (c: RunCell) => string): void => {
    if (new Set(present.map((x) => pick(x.c))).size > 1) flags.push(`different ${name}: ${present.map((x) => `${x.l} ${pick(x.c) || '(none)'}`).join(' vs ')}`);
  };
  differ('parameters', (c) => c.params);
  differ('sampling rate', (c) => `${c.rateHz} Hz`);
  differ('runtime', (c) => c.runtime);
  const missing = cells.flatMap((c, i) => (c === null ? [labels[i]] : []));
  if (missing.length) flags.push(`not recorded on ${missing.join(', ')}`);
  const failed = present.filter((x) => !x.c.ok).map((x) => x.l);
  if (failed.length) flags.push(`the run failed or was cut short on ${failed.join(', ')}`);
  return flags;
}

/** Matches runs and sweeps across sessions and flags every difference that is not the machine itself. */
export function compareSessions(input: LabelledSession[]): SessionComparison {
  const labels = input.map((x) => x.label);
  const flags: string[] = [];
  const rows = (fields: [string, string][][]): HardwareRow[] =>
    fields[0].map(([field], k) => {
      const values = fields.map((f) => f[k][1]);
      return { field, values, differs: new Set(values).size > 1 };
    });
  const hardware = rows(input.map((x) => hardwareFields(x.session.hardware)));
  const hwDiffs = hardware.filter((r) => r.differs && r.field !== 'host').map((r) => r.field);
  if (hwDiffs.length) flags.push(`hardware differs in: ${hwDiffs.join(', ')}`);

  // Runtimes by kind: the versions each session used.
  const kinds = ['python', 'node'] as const;
  const runtimes: HardwareRow[] = kinds
    .map((kind) => {
      const values = input.map((x) => [...new Set(x.session.runtimes.filter((r) => r.kind === kind).map((r) => `${r.implementation} ${r.version}`))].join(', ') || '–');
      // A session that did not use this runtime at all is no difference in version.
      return { field: kind === 'python' ? 'Python' : 'Node.js', values, differs: new Set(values.filter((v) => v !== '–')).size > 1 };
    })
    .filter((r) => r.values.some((v) => v !== '–'));
  for (const r of runtimes) if (r.differs) flags.push(`${r.field} versions differ: ${r.values.map((v, i) => `${labels[i]} ${v}`).join(' vs ')}`);
  const versions = input.map((x) => x.session.corescopeVersion);
  if (new Set(versions).size > 1) flags.push(`recorded with different CoreScope versions: ${versions.map((v, i) => `${labels[i]} ${v}`).join(' vs ')}`);
  input.forEach((x) => {
    if (x.session.incomplete) flags.push(`${x.label} is incomplete: ${x.session.incomplete}`);
  });

  // Runs that are not part of a sweep, matched by what was run: the same scenario (or command)
  // with the same parameters, the k-th such run of one session with the k-th of another. Runs
  // left without a partner that share a scenario then share a row, their parameters flagged as
  // different, so that no session holds a half-empty row the other could have filled.
  const scenarios = matchRuns(input).map(({ key, recs }) => {
    const cells = recs.map((rec, i) => (rec ? cellOf(input[i].session, rec) : null));
    return { key, cells, flags: input.length > 1 ? differences(labels, cells) : [] };
  });

  // Sweeps matched by scenario (the first sweep of it in each session).
  const sweepIds: string[] = [];
  for (const x of input) for (const s of x.session.sweeps ?? []) if (!sweepIds.includes(s.scenario)) sweepIds.push(s.scenario);
  const sweeps = sweepIds.map((scenario) => {
    const series = input.map((x) => ({
      label: x.label,
      logicalCores: x.session.hardware.cpu.logicalCores,
      sweep: (x.session.sweeps ?? []).find((s) => s.scenario === scenario) ?? null,
    }));
    const cells = input.map((x, i) => {
      const sw = series[i].sweep;
      const first = sw && x.session.runs.find((r) => r.result.runId === sw.runs[0]?.runId);
      if (!sw || !first) return null;
      const c = cellOf(x.session, first);
      return { ...c, params: paramsText(sw.params, sw.scenario), ok: sw.complete && sw.runs.every((r) => r.ok) };
    });
    const f = input.length > 1 ? differences(labels, cells) : [];
    const counts = series.map((s) => (s.sweep ? s.sweep.taskCounts.join(',') : ''));
    if (input.length > 1 && new Set(counts.filter(Boolean)).size > 1) f.push(`different task counts: ${series.map((s, i) => `${s.label} ${counts[i] || '(none)'}`).join(' vs ')}`);
    return { scenario, series, flags: f };
  });
  return { labels, hardware, runtimes, scenarios, sweeps, flags };
}

interface MatchedRow {
  base: string;
  params: string;
  recs: (RunRecord | null)[];
}

/** What a run ran, for matching: the scenario id (or the command line) and its parameters. */
function runIdentity(rec: RunRecord): { base: string; params: string } {
  const p = rec.result.params;
  if (p.scenario) return { base: rec.result.scenario ?? p.scenario.id, params: paramsText(p.scenario.params, p.scenario.id) };
  const cmd = p.cmd ?? p.argv?.join(' ') ?? '?';
  return { base: rec.result.scenario ?? `command: ${cmd}`, params: cmd };
}

/** The sessions' runs outside sweeps in rows, one cell per session (null: not recorded there). */
export function matchRuns(input: LabelledSession[]): { key: string; recs: (RunRecord | null)[] }[] {
  const rows: MatchedRow[] = [];
  input.forEach(({ session }, i) => {
    const inSweep = new Set((session.sweeps ?? []).flatMap((s) => s.runs.map((r) => r.runId)));
    for (const rec of session.runs) {
      if (inSweep.has(rec.result.runId)) continue;
      const { base, params } = runIdentity(rec);
      let row = rows.find((r) => r.base === base && r.params === params && r.recs[i] === null);
      if (!row) {
        row = { base, params, recs: input.map(() => null) };
        rows.push(row);
      }
      row.recs[i] = rec;
    }
  });
  // Rows of one scenario that no session fills twice become one row (different parameters).
  const merged: MatchedRow[] = [];
  for (const row of rows) {
    const into = merged.find((m) => m.base === row.base && m.recs.every((r, i) => r === null || row.recs[i] === null));
    if (into) row.recs.forEach((r, i) => (into.recs[i] ??= r));
    else merged.push({ ...row, recs: [...row.recs] });
  }
  const seen = new Map<string, number>();
  return merged.map(({ base, recs }) => {
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return { key: k === 1 ? base : `${base} #${k}`, recs };
  });
}
