// The session file format, `corescope.session/1`: one machine's hardware, the runtimes used and
// every run (parameters, samples, events, output, results), plus any sweeps over them. Pure
// TypeScript: the engine validates files it loads with this, the renderer validates uploads.
//
// Validation never trusts the input: every array and string has a length limit, every number a
// range, and the schema only descends into the shapes it knows (unknown keys are dropped, not
// walked), so nesting depth is bounded by the schema. Errors name the place:
// `runs[2].samples.rateHz: must be a number from 1 to 100 (got 500)`.
import { z } from 'zod';
import type { HardwareProfile, RunRecord, RuntimeInfo } from './types';
import type { SweepResult } from './sweep';

export const SESSION_FORMAT = 'corescope.session/1';
/** Every format version this build reads. */
export const READABLE_SESSION_FORMATS: readonly string[] = [SESSION_FORMAT];

export interface SessionFile {
  format: typeof SESSION_FORMAT;
  /** ISO 8601 time the session was written. */
  createdAt: string;
  corescopeVersion: string;
  hardware: HardwareProfile;
  /** The interpreters the runs used (matched to a run by `params.argv[0]` = `path`). */
  runtimes: RuntimeInfo[];
  runs: RunRecord[];
  sweeps?: SweepResult[];
  /** Set when recording was interrupted: why, in words. The runs present are complete. */
  incomplete?: string;
}

/** Limits on what a session may hold; far above any real recording, far below what would hurt. */
export const SESSION_LIMITS = {
  runs: 10_000,
  samplesPerRun: 2_000_000,
  cores: 4096,
  threadsPerRun: 100_000,
  processesPerRun: 100_000,
  eventsPerRun: 1_000_000,
  windowsPerRun: 1_000_000,
  warningsPerRun: 1000,
  metricsPerRun: 10_000,
  argv: 10_000,
  envVars: 10_000,
  outputChars: 16 * 1024 * 1024,
  text: 65_536,
  name: 4096,
  runtimes: 1000,
  sweeps: 1000,
  sweepRuns: 100_000,
} as const;

// ---- building blocks with messages people can act on -------------------------------------

const fmt = (n: number): string => (Math.abs(n) >= 1e6 ? n.toExponential(0).replace('e+', 'e') : String(n));

const num = (min: number, max: number, what = 'a number'): z.ZodNumber => {
  const msg = `must be ${what} from ${fmt(min)} to ${fmt(max)}`;
  return z.number({ error: msg }).min(min, msg).max(max, msg);
};
const int = (min: number, max: number): z.ZodNumber => num(min, max, 'a whole number').int(`must be a whole number from ${fmt(min)} to ${fmt(max)}`);
const text = (max: number = SESSION_LIMITS.name, min = 0): z.ZodString => {
  const msg = min > 0 ? `must be text of ${min} to ${max} characters` : `must be text of at most ${max} characters`;
  return z.string({ error: msg }).min(min, msg).max(max, msg);
};
const bool = z.boolean({ error: 'must be true or false' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const list = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item, { error: 'must be a list' }).max(max, `must have at most ${max} entries`);
const obj = <S extends z.ZodRawShape>(shape: S) => z.object(shape, { error: 'must be an object' });

const MS = num(0, 1e12, 'a time in ms');
const PCT = num(0, 100, 'a percentage');
const PID = int(0, 2 ** 32);

/**
 * A list of numbers checked in one tight loop (sample columns hold millions): the first bad
 * entry is reported by index. With `nullAsNaN`, null (what JSON makes of NaN) reads back as NaN.
 */
function numbers(o: { min: number; max: number; maxLen: number; what?: string; integer?: boolean; nullAsNaN?: boolean }) {
  const what = o.what ?? (o.integer ? 'a whole number' : 'a number');
  const msg = `must be ${o.nullAsNaN ? 'null or ' : ''}${what} from ${fmt(o.min)} to ${fmt(o.max)}`;
  return z
    .any()
    .superRefine((v: unknown, ctx) => {
      if (!Array.isArray(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a list of numbers' });
        return;
      }
      if (v.length > o.maxLen) {
        ctx.addIssue({ code: 'custom', message: `must have at most ${o.maxLen} entries (got ${v.length})` });
        return;
      }
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null && o.nullAsNaN) continue;
        if (typeof x !== 'number' || !(x >= o.min && x <= o.max) || (o.integer && !Number.isInteger(x))) {
          ctx.addIssue({ code: 'custom', message: msg, path: [i] });
          return;
        }
      }
    })
    .transform((v: unknown) => (o.nullAsNaN && Array.isArray(v) ? v.map((x) => (x === null ? NaN : x)) : v) as number[]);
}

/** A record with bounded keys and a limit on how many. */
const boundedRecord = <T extends z.ZodType>(value: T, maxKeys: number, keyMax: number = SESSION_LIMITS.name) =>
  z.record(text(keyMax), value, { error: 'must be an object' }).refine((r) => Object.keys(r).length <= maxKeys, `must have at most ${maxKeys} entries`);

const paramValue = z.union([z.number(), z.string().max(SESSION_LIMITS.text), z.boolean()], { error: `must be a number, true/false, or text of at most ${SESSION_LIMITS.text} characters` });

// ---- the data model (mirrors src/shared/types.ts) -----------------------------------------

const THREAD_ROLES = ['main', 'libuv-pool', 'v8-helper', 'worker-thread', 'cluster-worker', 'cluster-primary', 'mp-child', 'python-thread', 'child-process', 'other'] as const;
const VERDICT_KINDS = ['interleaved', 'parallel', 'waiting', 'blocked'] as const;

const verdict = obj({ kind: oneOf(VERDICT_KINDS), text: text(SESSION_LIMITS.text) });

const runParams = obj({
  cmd: text(SESSION_LIMITS.text).optional(),
  argv: list(text(SESSION_LIMITS.text), SESSION_LIMITS.argv).optional(),
  cwd: text().optional(),
  env: boundedRecord(text(SESSION_LIMITS.text), SESSION_LIMITS.envVars).optional(),
  rateHz: num(1, 100),
  timeoutS: num(0.1, 86_400, 'a number of seconds'),
  scenario: obj({ id: text(200, 1), params: boundedRecord(paramValue, 1000, 200) }).optional(),
});

const windowVerdict = obj({
  kind: oneOf(VERDICT_KINDS),
  text: text(SESSION_LIMITS.text),
  fromMs: MS,
  toMs: MS,
  parallelism: num(0, 1e6),
  activeThreads: int(0, 1e7),
  reason: obj({ kind: oneOf(['gil-or-lock', 'event-loop-blocked', 'io-wait', 'oversubscribed'] as const), text: text(SESSION_LIMITS.text) }).optional(),
});

export const runResultSchema = obj({
  runId: text(200, 1),
  scenario: text(200).optional(),
  params: runParams,
  wallMs: MS,
  cpu: obj({ userMs: MS, systemMs: MS, totalMs: MS }),
  parallelism: num(0, 1e6),
  peakConcurrency: int(0, 1e9).nullable(),
  taskPhase: obj({ fromMs: MS, toMs: MS, parallelism: num(0, 1e6) }).nullable().optional(),
  cores: list(obj({ id: int(0, 1e6), busyPct: PCT, userPct: PCT, systemPct: PCT, iowaitPct: PCT }), SESSION_LIMITS.cores),
  threads: list(obj({ pid: PID, tid: PID, name: text(), role: oneOf(THREAD_ROLES), cpuMs: MS }), SESSION_LIMITS.threadsPerRun),
  processes: int(0, 1e9),
  peakRssBytes: num(0, 2 ** 60),
  spawnLatencyMs: MS,
  noisePct: PCT,
  profilerCpuPct: num(0, 1e6, 'a percentage of one core'),
  lag: obj({ p50Ms: MS, p99Ms: MS, maxMs: MS, count: int(0, 1e12) }).nullable(),
  metrics: boundedRecord(z.number({ error: 'must be a number' }), SESSION_LIMITS.metricsPerRun, 200),
  verdict,
  windows: list(windowVerdict, SESSION_LIMITS.windowsPerRun),
  exit: obj({
    code: int(-(2 ** 31), 2 ** 31).nullable(),
    signal: text(100).nullable(),
    reason: oneOf(['exited', 'cancelled', 'timeout', 'engine-error', 'profiler-exit'] as const),
  }),
  fidelity: obj({ cores: oneOf(['proc-stat', 'os-cpus'] as const), threads: bool, note: text(SESSION_LIMITS.text).optional() }),
  warnings: list(text(SESSION_LIMITS.text), SESSION_LIMITS.warningsPerRun),
});

const threadInfo = obj({ pid: PID, tid: PID, name: text(), role: oneOf(THREAD_ROLES), firstSeenMs: MS, exitedMs: MS.optional() });
const processInfo = obj({ pid: PID, ppid: PID, name: text(), cmdline: text(1024 * 1024), firstSeenMs: MS, exitedMs: MS.optional() });

const N = SESSION_LIMITS.samplesPerRun;
const samplesSchema = obj({
  rateHz: num(1, 100),
  coreCount: int(1, SESSION_LIMITS.cores),
  t: numbers({ min: 0, max: 1e12, maxLen: N, what: 'a time in ms' }),
  coreUser: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  coreSystem: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  coreIowait: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  workloadCores: numbers({ min: 0, max: SESSION_LIMITS.cores, maxLen: N, what: "a number of cores' worth" }),
  threadCpu: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction', nullAsNaN: true }), SESSION_LIMITS.threadsPerRun),
  threadCore: list(numbers({ min: -1, max: SESSION_LIMITS.cores, maxLen: N, integer: true, what: 'a core number' }), SESSION_LIMITS.threadsPerRun),
  threads: list(threadInfo, SESSION_LIMITS.threadsPerRun),
  processes: list(processInfo, SESSION_LIMITS.processesPerRun),
}).superRefine((raw, ctx) => {
  // Columns must line up, or every chart and exporter would read past an end. Zod runs this
  // even when a field above failed, so nothing here may assume a field has its type.
  const s = raw as Partial<Record<string, unknown>>;
  const len = (x: unknown): number => (Array.isArray(x) ? x.length : -1);
  const n = len(s.t);
  if (n < 0) return;
  for (const key of ['coreUser', 'coreSystem', 'coreIowait']) {
    const cols = s[key];
    if (!Array.isArray(cols)) continue;
    if (typeof s.coreCount === 'number' && cols.length !== s.coreCount) ctx.addIssue({ code: 'custom', path: [key], message: `must have one list per core (coreCount is ${s.coreCount}, got ${cols.length})` });
    cols.forEach((col, c) => {
      if (Array.isArray(col) && col.length !== n) ctx.addIssue({ code: 'custom', path: [key, c], message: `must have one entry per sample (t has ${n}, got ${col.length})` });
    });
  }
  const wl = len(s.workloadCores);
  if (wl >= 0 && wl !== n) ctx.addIssue({ code: 'custom', path: ['workloadCores'], message: `must have one entry per sample (t has ${n}, got ${wl})` });
  const threads = len(s.threads);
  for (const key of ['threadCpu', 'threadCore']) {
    const cols = s[key];
    if (!Array.isArray(cols)) continue;
    if (threads >= 0 && cols.length !== threads) ctx.addIssue({ code: 'custom', path: [key], message: `must have one list per thread (threads has ${threads}, got ${cols.length})` });
    cols.forEach((col, i) => {
      if (Array.isArray(col) && col.length !== n) ctx.addIssue({ code: 'custom', path: [key, i], message: `must have one entry per sample (t has ${n}, got ${col.length})` });
    });
  }
});

const optId = int(0, 2 ** 32).optional();
const taskName = text(200);
const workloadEvent = z.discriminatedUnion(
  'kind',
  [
    obj({ t: MS, kind: z.literal('task-start'), task: taskName, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('task-end'), task: taskName, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('lag'), lagMs: MS, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('metric'), name: text(200, 1), value: z.number({ error: 'must be a number' }), unit: text(40).optional(), pid: optId }),
  ],
  { error: 'must be an event of kind task-start, task-end, lag or metric' },
);

export const runRecordSchema = obj({
  result: runResultSchema,
  samples: samplesSchema,
  events: list(workloadEvent, SESSION_LIMITS.eventsPerRun),
  stdout: text(SESSION_LIMITS.outputChars),
  stderr: text(SESSION_LIMITS.outputChars),
  outputTruncated: bool,
});

export const hardwareSchema = obj({
  cpu: obj({
    brand: text(),
    manufacturer: text(),
    physicalCores: int(0, 1e6),
    logicalCores: int(1, 1e6),
    speedGHz: num(0, 1000),
    speedMaxGHz: num(0, 1000),
    cacheKiB: obj({ l1d: num(0, 1e9), l1i: num(0, 1e9), l2: num(0, 1e9), l3: num(0, 1e9) }),
  }),
  memoryBytes: num(0, 2 ** 62),
  os: obj({ platform: text(), distro: text(), release: text(), kernel: text(), arch: text() }),
  hostname: text(),
});

export const runtimeInfoSchema = obj({
  kind: oneOf(['python', 'node'] as const),
  path: text(),
  version: text(200),
  implementation: text(200),
  gilEnabled: bool.optional(),
  freeThreadedBuild: bool.optional(),
});

const spread = obj({ mean: num(0, 1e12), min: num(0, 1e12), max: num(0, 1e12) });
const sweepSchema = obj({
  scenario: text(200, 1),
  params: boundedRecord(paramValue, 1000, 200),
  taskCounts: list(int(1, 1e6), 10_000),
  repeat: int(1, 10_000),
  logicalCores: int(1, 1e6),
  runs: list(
    obj({ runId: text(200, 1), tasks: int(1, 1e6), repeat: int(1, 10_000), wallMs: MS, taskMs: MS.nullable().optional(), cpuMs: MS, parallelism: num(0, 1e6), ok: bool }),
    SESSION_LIMITS.sweepRuns,
  ),
  points: list(
    obj({
      tasks: int(1, 1e6),
      runs: int(0, 1e6),
      wallMs: spread,
      taskMs: spread.nullable().optional(),
      cpuMs: MS,
      parallelism: spread,
      speedup: spread.nullable(),
      efficiency: num(0, 1e12).nullable(),
      coreShare: num(0, 1e6),
    }),
    10_000,
  ),
  amdahl: obj({
    serialFraction: num(0, 1),
    r2: z.number({ error: 'must be a number or null' }).nullable(),
    maxSpeedup: num(1, 1e12).nullable(),
    usedTasks: list(int(1, 1e6), 10_000),
    curve: list(obj({ tasks: int(1, 1e6), speedup: num(0, 1e12) }), 10_000),
  }).nullable(),
  speedupBasis: z.enum(['task-phase', 'wall'], { error: 'must be "task-phase" or "wall"' }).optional(),
  complete: bool,
});

export const sessionSchema = obj({
  format: z.literal(SESSION_FORMAT),
  createdAt: text(100, 1).refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time (ISO 8601)'),
  corescopeVersion: text(100, 1),
  hardware: hardwareSchema,
  runtimes: list(runtimeInfoSchema, SESSION_LIMITS.runtimes),
  runs: list(runRecordSchema, SESSION_LIMITS.runs),
  sweeps: list(sweepSchema, SESSION_LIMITS.sweeps).optional(),
  incomplete: text(SESSION_LIMITS.text).optional(),
}).superRefine((raw, ctx) => {
  const s = raw as { runs?: unknown; sweeps?: unknown };
  if (!Array.isArray(s.runs)) return;
  const ids = new Set<string>();
  s.runs.forEach((r: { result?: { runId?: unknown } } | null, i) => {
    const id = r?.result?.runId;
    if (typeof id !== 'string') return;
    if (ids.has(id)) ctx.addIssue({ code: 'custom', path: ['runs', i, 'result', 'runId'], message: "must be unique (an earlier run has this id)" });
    ids.add(id);
  });
  if (!Array.isArray(s.sweeps)) return;
  s.sweeps.forEach((sw: { runs?: unknown } | null, i) => {
    if (!Array.isArray(sw?.runs)) return;
    sw.runs.forEach((ref: { runId?: unknown } | null, j) => {
      const id = ref?.runId;
      if (typeof id === 'string' && !ids.has(id)) ctx.addIssue({ code: 'custom', path: ['sweeps', i, 'runs', j, 'runId'], message: `must name a run in this session (no run ${JSON.stringify(id)})` });
    });
  });
});

// ---- parsing with errors that name the place -----------------------------------------------

export interface SessionIssue {
  /** Where, as a path people can read: `runs[2].samples.rateHz`; empty for the whole file. */
  place: string;
  message: string;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; issue: SessionIssue; issueCount: number };

/** `runs[2].samples.rateHz` from ['runs', 2, 'samples', 'rateHz']. */
export function formatPlace(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

/** A short rendering of what was found at a place, for "(got …)". */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

function parseWith<T>(schema: z.ZodType, data: unknown, prefix: PropertyKey[] = []): ParseOutcome<T> {
  let parsed: ReturnType<z.ZodType['safeParse']>;
  try {
    parsed = schema.safeParse(data);
  } catch (err) {
    // A check that trips over a malformed neighbour must still end in an error, not a crash.
    return { ok: false, issue: { place: formatPlace(prefix), message: `could not be validated (${(err as Error).message})` }, issueCount: 1 };
  }
  if (parsed.success) return { ok: true, value: parsed.data as T };
  const first = parsed.error.issues[0];
  const path = [...prefix, ...first.path];
  const place = formatPlace(path);
  const got = valueAt(data, first.path);
  const message = /\bgot /.test(first.message) ? first.message : got === undefined ? `${first.message} (missing)` : `${first.message} (got ${shown(got)})`;
  return { ok: false, issue: { place, message }, issueCount: parsed.error.issues.length };
}

function checkFormat(data: unknown): SessionIssue | null {
  const reads = READABLE_SESSION_FORMATS.join(', ');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { place: '', message: `not a CoreScope session: the file holds ${shown(data)}, not an object; this build reads ${reads}` };
  }
  const format = (data as { format?: unknown }).format;
  if (format === undefined) return { place: 'format', message: `missing: not a CoreScope session (this build reads ${reads})` };
  if (typeof format !== 'string') return { place: 'format', message: `must be a format name such as ${SESSION_FORMAT} (got ${shown(format)})` };
  if (READABLE_SESSION_FORMATS.includes(format)) return null;
  if (/^corescope\.session\//.test(format)) {
    return { place: 'format', message: `${JSON.stringify(format.slice(0, 60))} is a session version this build cannot read; it reads ${reads} (a newer CoreScope may have written it)` };
  }
  return { place: 'format', message: `${shown(format)} is not a CoreScope session format; this build reads ${reads}` };
}

/** Validates parsed JSON as a session. */
export function parseSession(data: unknown): ParseOutcome<SessionFile> {
  const bad = checkFormat(data);
  if (bad) return { ok: false, issue: bad, issueCount: 1 };
  return parseWith<SessionFile>(sessionSchema, data);
}

/** Validates parsed JSON as a single run record (what `corescope run --out x.json` writes). */
export function parseRunRecord(data: unknown): ParseOutcome<RunRecord> {
  return parseWith<RunRecord>(runRecordSchema, data);
}

/** "runs[2].samples.rateHz: must be … (got 500)" */
export function describeIssue(issue: SessionIssue, issueCount = 1): string {
  const more = issueCount > 1 ? ` (and ${issueCount - 1} more problem${issueCount > 2 ? 's' : ''})` : '';
  return `${issue.place ? `${issue.place}: ` : ''}${issue.message}${more}`;
}

/** A session or a run record from parsed JSON: sessions are told apart by their `format` field. */
export function parseSessionOrRun(data: unknown): ParseOutcome<{ kind: 'session'; session: SessionFile } | { kind: 'run'; record: RunRecord }> {
  const isObj = data !== null && typeof data === 'object' && !Array.isArray(data);
  if (isObj && !('format' in data) && 'result' in data && 'samples' in data) {
    const r = parseRunRecord(data);
    return r.ok ? { ok: true, value: { kind: 'run', record: r.value } } : r;
  }
  const s = parseSession(data);
  return s.ok ? { ok: true, value: { kind: 'session', session: s.value } } : s;
}

/** JSON text of a session (NaN in thread columns becomes null, which the schema reads back as NaN). */
export function serializeSession(session: SessionFile): string {
  return JSON.stringify(session);
}

/** Wraps runs into a session. */
export function makeSession(input: Omit<SessionFile, 'format' | 'createdAt'> & { createdAt?: string }): SessionFile {
  const s: SessionFile = {
    format: SESSION_FORMAT,
    createdAt: input.createdAt ?? new Date().toISOString(),
    corescopeVersion: input.corescopeVersion,
    hardware: input.hardware,
    runtimes: input.runtimes,
    runs: input.runs,
  };
  if (input.sweeps) s.sweeps = input.sweeps;
  if (input.incomplete) s.incomplete = input.incomplete;
  return s;
}

/** The runtime a run used, matched by interpreter path. */
export function runtimeOfRun(session: Pick<SessionFile, 'runtimes'>, record: RunRecord): RuntimeInfo | undefined {
  const exe = record.result.params.argv?.[0];
  return exe ? session.runtimes.find((r) => r.path === exe) : undefined;
}

// Compile-time check that the schema's output fits the data model.
type _SessionOut = z.output<typeof sessionSchema>;
const _typeCheck = (x: _SessionOut): Omit<SessionFile, 'runs' | 'format'> => x;
void _typeCheck;

// ---- side by side: several sessions (machines) compared -------------------------------------
// Pure, so the CLI, the HTML report and the app's comparison view all flag the same things.

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

const paramsText = (p: Record<string, unknown> | undefined): string =>
  p
    ? Object.keys(p)
        .sort()
        .map((k) => `${k}=${String(p[k])}`)
        .join(' ')
    : '';

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
    params: r.params.scenario ? paramsText(r.params.scenario.params) : (r.params.cmd ?? r.params.argv?.join(' ') ?? ''),
    runtime: runtimeText(session, record),
    ok: r.exit.reason === 'exited' && r.exit.code === 0,
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

  // Runs that are not part of a sweep, matched by scenario and occurrence.
  const keyed = input.map(({ session }) => {
    const inSweep = new Set((session.sweeps ?? []).flatMap((s) => s.runs.map((r) => r.runId)));
    const seen = new Map<string, number>();
    const out = new Map<string, RunRecord>();
    for (const rec of session.runs) {
      if (inSweep.has(rec.result.runId)) continue;
      const base = rec.result.scenario ?? `command: ${rec.result.params.cmd ?? rec.result.params.argv?.join(' ') ?? '?'}`;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      out.set(k === 1 ? base : `${base} #${k}`, rec);
    }
    return out;
  });
  const keys: string[] = [];
  for (const m of keyed) for (const k of m.keys()) if (!keys.includes(k)) keys.push(k);
  const scenarios = keys.map((key) => {
    const cells = keyed.map((m, i) => {
      const rec = m.get(key);
      return rec ? cellOf(input[i].session, rec) : null;
    });
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
      return { ...c, params: paramsText(sw.params), ok: sw.complete && sw.runs.every((r) => r.ok) };
    });
    const f = input.length > 1 ? differences(labels, cells) : [];
    const counts = series.map((s) => (s.sweep ? s.sweep.taskCounts.join(',') : ''));
    if (input.length > 1 && new Set(counts.filter(Boolean)).size > 1) f.push(`different task counts: ${series.map((s, i) => `${s.label} ${counts[i] || '(none)'}`).join(' vs ')}`);
    return { scenario, series, flags: f };
  });
  return { labels, hardware, runtimes, scenarios, sweeps, flags };
}
