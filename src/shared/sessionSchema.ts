// The session file format, `corescope.session/1`: one machine's hardware, the runtimes used and
// every run (parameters, samples, events, output, results), plus any sweeps over them. Pure
// TypeScript: the engine validates files it loads with this, the renderer validates uploads.
//
// Validation never trusts the input: every array and string has a length limit, every number a
// range, and the schema only descends into the shapes it knows (unknown keys are dropped, not
// walked), so nesting depth is bounded by the schema. Errors name the place:
// `runs[2].samples.rateHz: must be a number from 1 to 100 (got 500)` (schemaWording.ts).
//
// The schema is the data model's one definition: the record types every layer uses (RunRecord,
// RunResult, RunSamples, … in types.ts; SweepResult and its parts in sweep.ts; SessionFile here)
// are inferred from it, so a field added to one cannot be missing from the other. The comparison
// of several sessions lives in sessionCompare.ts.
import { z } from 'zod';
import { bool, boundedRecord, int, list, num, numbers, obj, oneOf, parseWith, shown, text, type ParseOutcome, type SessionIssue } from './schemaWording';

// The error wording lived here before it had a module of its own: importers keep asking here.
export { describeIssue, formatPlace, type ParseOutcome, type SessionIssue } from './schemaWording';

export const SESSION_FORMAT = 'corescope.session/1';
/** Every format version this build reads. */
export const READABLE_SESSION_FORMATS: readonly string[] = [SESSION_FORMAT];

/** Limits on what a session may hold; far above any real recording, far below what would hurt. */
export const SESSION_LIMITS = {
  runs: 10_000,
  samplesPerRun: 2_000_000,
  cores: 4096,
  threadsPerRun: 100_000,
  processesPerRun: 100_000,
  eventsPerRun: 1_000_000,
  windowsPerRun: 1_000_000,
  phasesPerRun: 100_000,
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
  stackSamplesPerRun: 2_000_000,
  stackFramesPerRun: 200_000,
  stacksPerRun: 500_000,
  stackDepth: 2000,
  findingsPerRun: 10_000,
} as const;

// ---- building blocks (their messages in schemaWording.ts) -----------------------------------

/** Names, paths and keys: text of at most SESSION_LIMITS.name characters. */
const name = (): z.ZodString => text(SESSION_LIMITS.name);
const MS = num(0, 1e12, 'a time in ms');
const PCT = num(0, 100, 'a percentage');
const PID = int(0, 2 ** 32);

const paramValue = z.union([z.number(), z.string().max(SESSION_LIMITS.text), z.boolean()], { error: `must be a number, true/false, or text of at most ${SESSION_LIMITS.text} characters` });

// ---- the data model (types.ts and sweep.ts name these shapes' types) ----------------------

export const THREAD_ROLES = ['main', 'libuv-pool', 'v8-helper', 'worker-thread', 'cluster-worker', 'cluster-primary', 'mp-child', 'python-thread', 'child-process', 'other'] as const;
// New kinds are added at the end: files written before them still read.
export const VERDICT_KINDS = ['interleaved', 'parallel', 'waiting', 'blocked', 'serial', 'contended', 'mixed', 'failed'] as const;
export const PHASE_KINDS = ['startup', 'serial', 'interleaved', 'parallel', 'waiting', 'blocked', 'contended', 'winddown'] as const;
export const WAIT_REASONS = ['gil-or-lock', 'event-loop-blocked', 'io-wait', 'oversubscribed'] as const;
/** connection-lost: a run on another machine whose ssh connection went before it ended (what reached here is kept). */
export const RUN_END_REASONS = ['exited', 'cancelled', 'timeout', 'engine-error', 'profiler-exit', 'connection-lost'] as const;
export const CORE_FIDELITIES = ['proc-stat', 'os-cpus'] as const;
/** What ended an attached run: the program exited, the user stopped watching, --duration passed, CoreScope went away, or the ssh connection to its machine did. */
export const ATTACH_END_REASONS = ['target-exited', 'stopped', 'duration', 'engine-error', 'profiler-exit', 'connection-lost'] as const;

export const verdictSchema = obj({
  kind: oneOf(VERDICT_KINDS),
  /** One sentence for people, with the numbers behind it. */
  text: text(SESSION_LIMITS.text),
  /**
   * Set when the number that decided the kind lay within the measured run-to-run spread of its
   * line: the kind could have read `other` on another run.
   */
  borderline: obj({ value: num(-1e6, 1e6), line: num(-1e6, 1e6), margin: num(0, 1e6), other: oneOf(VERDICT_KINDS), what: text(200) }).optional(),
});
/** One contiguous stretch of the run that behaved one way (shared/phases.ts). */
export const phaseSchema = obj({
  kind: oneOf(PHASE_KINDS),
  fromMs: MS,
  toMs: MS,
  /** Cores' worth of CPU the workload used, and wanted (used + waiting in the run queue). */
  cores: num(0, 1e6),
  demand: num(0, 1e6),
  /** Cores' worth other programs used meanwhile. */
  otherCores: num(0, 1e6),
  /** Threads active on average. */
  threads: num(0, 1e7),
  /** Peak tasks in flight (from the workload's events; 0 without). */
  tasks: int(0, 1e9),
  /** What the evidence was, in words. */
  text: text(SESSION_LIMITS.text),
  /** Which code, from the stack samples (attribution.ts): "thread `w1` ran count() at work.py:12 in 86 % …". */
  code: text(SESSION_LIMITS.text).optional(),
});
/**
 * Amdahl from one run: the share of the workload's CPU work done while it used at most one core
 * (serial), and the speedup ceiling that share implies on any number of cores.
 */
export const serialFractionSchema = obj({ serialWorkMs: MS, parallelWorkMs: MS, fraction: num(0, 1), ceiling: num(1, 1e9).nullable() });

export const runParamsSchema = obj({
  /** A shell command line (run by /bin/sh -c), or argv when `argv` is given. */
  cmd: text(SESSION_LIMITS.text).optional(),
  argv: list(text(SESSION_LIMITS.text), SESSION_LIMITS.argv).optional(),
  cwd: name().optional(),
  env: boundedRecord(text(SESSION_LIMITS.text), SESSION_LIMITS.envVars, SESSION_LIMITS.name).optional(),
  rateHz: num(1, 100),
  timeoutS: num(0.1, 86_400, 'a number of seconds'),
  scenario: obj({ id: text(200, 1), params: boundedRecord(paramValue, 1000, 200) }).optional(),
  /** A program that was already running, attached to by pid (no cmd/argv then). */
  attach: obj({ pid: PID, name: name(), cmdline: text(SESSION_LIMITS.text) }).optional(),
  /** Stack samples per second the probes aimed at; 0 = off (absent in files written before stacks). */
  stacksHz: num(0, 1000).optional(),
});

export const windowVerdictSchema = obj({
  ...verdictSchema.shape,
  fromMs: MS,
  toMs: MS,
  /** Cores' worth of CPU the workload used in this window. */
  parallelism: num(0, 1e6),
  /** Threads of the workload that were runnable or waiting (not idle) in the window. */
  activeThreads: int(0, 1e7),
  reason: obj({ kind: oneOf(WAIT_REASONS), text: text(SESSION_LIMITS.text) }).optional(),
  /** Which code, from the stack samples (attribution.ts), when the window was flagged. */
  code: text(SESSION_LIMITS.text).optional(),
});

export const coreResultSchema = obj({ id: int(0, 1e6), busyPct: PCT, userPct: PCT, systemPct: PCT, iowaitPct: PCT });
export const threadResultSchema = obj({ pid: PID, tid: PID, name: name(), role: oneOf(THREAD_ROLES), cpuMs: MS });
export const lagStatsSchema = obj({ p50Ms: MS, p99Ms: MS, maxMs: MS, count: int(0, 1e12) });

export const FINDING_KINDS = ['gil', 'blocked', 'waiting', 'hot'] as const;
const frameSchema = obj({ name: text(SESSION_LIMITS.name), file: text(SESSION_LIMITS.name), line: int(0, 1e9) });
/**
 * Which code was behind a stretch of the run (attribution.ts): the thread that held the GIL and
 * what it ran, the function that blocked an event loop, where waiting threads and tasks were, or
 * the hottest code of a busy stretch.
 */
export const findingSchema = obj({
  kind: oneOf(FINDING_KINDS),
  fromMs: MS,
  toMs: MS,
  pid: PID,
  tid: PID,
  thread: name(),
  frame: frameSchema,
  /** Callers, innermost first (a few). */
  callers: list(frameSchema, 20),
  /** Share of the stretch's samples (of that thread, or of the waiting ones) in `frame`. */
  share: num(0, 1),
  /** Threads (GIL) or tasks (waiting) that waited meanwhile. */
  waiting: int(0, 1e9),
  text: text(SESSION_LIMITS.text),
});

/** The per-run figures; `corescope run --json` prints exactly this object. */
export const runResultSchema = obj({
  runId: text(200, 1),
  scenario: text(200).optional(),
  params: runParamsSchema,
  wallMs: MS,
  /** userMs/systemMs null: the split is not known (a run whose connection was lost: only the total streamed). */
  cpu: obj({ userMs: MS.nullable(), systemMs: MS.nullable(), totalMs: MS }),
  parallelism: num(0, 1e6),
  /** Peak number of tasks in flight from the workload's events; null when it reported none. */
  peakConcurrency: int(0, 1e9).nullable(),
  /**
   * From the first task start to the last task end the workload reported: CPU/wall over that span
   * alone, without interpreter start-up and tear-down. Null when it reported no tasks.
   */
  taskPhase: obj({ fromMs: MS, toMs: MS, parallelism: num(0, 1e6) }).nullable().optional(),
  cores: list(coreResultSchema, SESSION_LIMITS.cores),
  threads: list(threadResultSchema, SESSION_LIMITS.threadsPerRun),
  processes: int(0, 1e9),
  /** Null when not known (a run whose connection was lost: memory does not stream). */
  peakRssBytes: num(0, 2 ** 60).nullable(),
  /** Time from spawn() to the workload's process being seen running; null when not known. */
  spawnLatencyMs: MS.nullable(),
  /** CPU used by everything else on the machine during the run, % of all cores. */
  noisePct: PCT,
  /** CoreScope's own CPU during the run, % of one core; null when not known. */
  profilerCpuPct: num(0, 1e6, 'a percentage of one core').nullable(),
  lag: lagStatsSchema.nullable(),
  /** Figures the workload itself reported (requests/s, IPC bytes…), by name. */
  metrics: boundedRecord(z.number({ error: 'must be a number' }), SESSION_LIMITS.metricsPerRun, 200),
  verdict: verdictSchema,
  windows: list(windowVerdictSchema, SESSION_LIMITS.windowsPerRun),
  /** Absent in files written before phases existed. */
  phases: list(phaseSchema, SESSION_LIMITS.phasesPerRun).optional(),
  serialFraction: serialFractionSchema.nullable().optional(),
  exit: obj({
    code: int(-(2 ** 31), 2 ** 31).nullable(),
    signal: text(100).nullable(),
    reason: oneOf(RUN_END_REASONS),
  }),
  fidelity: obj({
    cores: oneOf(CORE_FIDELITIES),
    threads: bool,
    note: text(SESSION_LIMITS.text).optional(),
    /** Which sampler measured: the native addon's thread, or the JavaScript timer (absent in older files). */
    sampler: oneOf(['native', 'js'] as const).optional(),
    /** How late samples were taken against their schedule (actual − scheduled), in ms. */
    jitterMs: obj({ samples: int(0, 1e12), p50: num(0, 1e9), p99: num(0, 1e9), max: num(0, 1e9) }).optional(),
    /** CPU the stack probes used inside the program (their cost to it, already in its CPU), in ms; absent without probes or when they could not tell. */
    stackProbeCpuMs: MS.optional(),
    /** What this run could not have (an attached program gives no task events, output, stacks…). */
    unavailable: list(text(SESSION_LIMITS.name), 100).optional(),
  }),
  /** Which code held the GIL, blocked the loop or waited (absent without stack samples). */
  findings: list(findingSchema, SESSION_LIMITS.findingsPerRun).optional(),
  /** Set for a run attached to a running program: which one, and what ended the watching. */
  attach: obj({ pid: PID, name: name(), endedBy: oneOf(ATTACH_END_REASONS) }).optional(),
  warnings: list(text(SESSION_LIMITS.text), SESSION_LIMITS.warningsPerRun),
});

export const threadInfoSchema = obj({ pid: PID, tid: PID, name: name(), role: oneOf(THREAD_ROLES), firstSeenMs: MS, exitedMs: MS.optional() });
export const processInfoSchema = obj({
  pid: PID,
  ppid: PID,
  name: name(),
  /** argv joined by spaces, as far as /proc/<pid>/cmdline tells. */
  cmdline: text(1024 * 1024),
  firstSeenMs: MS,
  /** When the process was last seen alive; undefined while it is. */
  exitedMs: MS.optional(),
});

const N = SESSION_LIMITS.samplesPerRun;
/** Samples of one run in columnar form (what sessions store and exporters read). */
export const samplesSchema = obj({
  rateHz: num(1, 100),
  coreCount: int(1, SESSION_LIMITS.cores),
  /** Sample times, ms since run start. */
  t: numbers({ min: 0, max: 1e12, maxLen: N, what: 'a time in ms' }),
  /** Per core, per sample: fraction busy in user / system / iowait (0..1). */
  coreUser: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  coreSystem: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  coreIowait: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction' }), SESSION_LIMITS.cores),
  /** Workload CPU per sample interval, in cores' worth (0..coreCount). */
  workloadCores: numbers({ min: 0, max: SESSION_LIMITS.cores, maxLen: N, what: "a number of cores' worth" }),
  /** Per thread (same order as `threads`), CPU share of one core per sample interval (0..1); NaN when not alive. */
  threadCpu: list(numbers({ min: 0, max: 1, maxLen: N, what: 'a fraction', nullAsNaN: true }), SESSION_LIMITS.threadsPerRun),
  /** Per thread, the core it last ran on per sample (-1 when not alive). */
  threadCore: list(numbers({ min: -1, max: SESSION_LIMITS.cores, maxLen: N, integer: true, what: 'a core number' }), SESSION_LIMITS.threadsPerRun),
  threads: list(threadInfoSchema, SESSION_LIMITS.threadsPerRun),
  processes: list(processInfoSchema, SESSION_LIMITS.processesPerRun),
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
/** An event a workload reported on its event channel (fd 3, JSON lines), on the run's time axis. */
export const workloadEventSchema = z.discriminatedUnion(
  'kind',
  [
    obj({ t: MS, kind: z.literal('task-start'), task: taskName, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('task-end'), task: taskName, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('lag'), lagMs: MS, pid: optId, tid: optId }),
    obj({ t: MS, kind: z.literal('metric'), name: text(200, 1), value: z.number({ error: 'must be a number' }), unit: text(40).optional(), pid: optId }),
  ],
  { error: 'must be an event of kind task-start, task-end, lag or metric' },
);

const SN = SESSION_LIMITS.stackSamplesPerRun;
/** Stack samples of a run (shared/stackSamples.ts), columnar; absent when the run took none. */
export const stackSamplesSchema = obj({
  frames: list(frameSchema, SESSION_LIMITS.stackFramesPerRun),
  stacks: list(numbers({ min: 0, max: SESSION_LIMITS.stackFramesPerRun, maxLen: SESSION_LIMITS.stackDepth, integer: true, what: 'a frame index' }), SESSION_LIMITS.stacksPerRun),
  t: numbers({ min: 0, max: 1e12, maxLen: SN, what: 'a time in ms' }),
  pid: numbers({ min: 0, max: 2 ** 32, maxLen: SN, integer: true, what: 'a pid' }),
  tid: numbers({ min: 0, max: 2 ** 32, maxLen: SN, integer: true, what: 'a thread id' }),
  stack: numbers({ min: 0, max: SESSION_LIMITS.stacksPerRun, maxLen: SN, integer: true, what: 'a stack index' }),
  cpuMs: numbers({ min: 0, max: 1e12, maxLen: SN, what: 'a time in ms', nullAsNaN: true }),
  task: numbers({ min: 0, max: 1, maxLen: SN, integer: true, what: '0 or 1' }),
  threadName: list(text(200), SN),
  rateHz: num(0, 1000),
  sources: list(obj({ pid: PID, runtime: oneOf(['python', 'node'] as const), samples: int(0, 1e12), probeCpuMs: MS.optional(), note: text(SESSION_LIMITS.text).optional() }), SESSION_LIMITS.processesPerRun),
}).superRefine((raw, ctx) => {
  // Columns must line up and indices point inside their tables: readers index without checks.
  const s = raw as Partial<Record<string, unknown>>;
  const arr = (x: unknown): unknown[] | null => (Array.isArray(x) ? x : null);
  const t = arr(s.t);
  if (!t) return;
  for (const key of ['pid', 'tid', 'stack', 'cpuMs', 'task', 'threadName']) {
    const col = arr(s[key]);
    if (col && col.length !== t.length) ctx.addIssue({ code: 'custom', path: [key], message: `must have one entry per sample (t has ${t.length}, got ${col.length})` });
  }
  const stacks = arr(s.stacks);
  const frames = arr(s.frames);
  const stackCol = arr(s.stack);
  if (stacks && stackCol) {
    const bad = stackCol.findIndex((i) => typeof i === 'number' && i >= stacks.length);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['stack', bad], message: `must be the index of a stack (there are ${stacks.length})` });
  }
  if (stacks && frames) {
    stacks.forEach((st, k) => {
      const bad = Array.isArray(st) ? st.findIndex((i) => typeof i === 'number' && i >= frames.length) : -1;
      if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['stacks', k, bad], message: `must be the index of a frame (there are ${frames.length})` });
    });
  }
});

export const runRecordSchema = obj({
  result: runResultSchema,
  samples: samplesSchema,
  events: list(workloadEventSchema, SESSION_LIMITS.eventsPerRun),
  stdout: text(SESSION_LIMITS.outputChars),
  stderr: text(SESSION_LIMITS.outputChars),
  /** True when stdout/stderr were cut at the capture cap. */
  outputTruncated: bool,
  stacks: stackSamplesSchema.optional(),
});

export const hardwareSchema = obj({
  cpu: obj({
    brand: name(),
    manufacturer: name(),
    physicalCores: int(0, 1e6),
    logicalCores: int(1, 1e6),
    speedGHz: num(0, 1000),
    speedMaxGHz: num(0, 1000),
    cacheKiB: obj({ l1d: num(0, 1e9), l1i: num(0, 1e9), l2: num(0, 1e9), l3: num(0, 1e9) }),
  }),
  memoryBytes: num(0, 2 ** 62),
  os: obj({ platform: name(), distro: name(), release: name(), kernel: name(), arch: name() }),
  hostname: name(),
});

export const runtimeInfoSchema = obj({
  kind: oneOf(['python', 'node'] as const),
  path: name(),
  version: text(200),
  implementation: text(200),
  /** Python only: whether the GIL is enabled (false only on free-threaded builds with it off). */
  gilEnabled: bool.optional(),
  freeThreadedBuild: bool.optional(),
});

export const spreadSchema = obj({ mean: num(0, 1e12), min: num(0, 1e12), max: num(0, 1e12) });
/** One run of a sweep, kept small: the full record lives in the session's `runs`. */
export const sweepRunRefSchema = obj({
  runId: text(200, 1),
  tasks: int(1, 1e6),
  /** 1-based repeat number at this task count. */
  repeat: int(1, 10_000),
  wallMs: MS,
  /** Duration of the task phase (first task start to last task end); null when no tasks were reported. */
  taskMs: MS.nullable().optional(),
  cpuMs: MS,
  parallelism: num(0, 1e6),
  /** Exited with code 0 (runSucceeded): only these count in the figures. */
  ok: bool,
});
export const sweepPointSchema = obj({
  tasks: int(1, 1e6),
  /** Successful runs at this task count. */
  runs: int(0, 1e6),
  wallMs: spreadSchema,
  /** Task-phase durations when the speedups are computed from them (see speedupBasis). */
  taskMs: spreadSchema.nullable().optional(),
  cpuMs: MS,
  parallelism: spreadSchema,
  /** Against the mean 1-task time (task phase or wall, see speedupBasis); null without a successful 1-task run. min/max come from the slowest/fastest repeat. */
  speedup: spreadSchema.nullable(),
  efficiency: num(0, 1e12).nullable(),
  /** Cores' worth used as a share of the machine's logical cores (0..1). */
  coreShare: num(0, 1e6),
});
export const amdahlFitSchema = obj({
  /** Serial fraction s in [0, 1]: speedup(n) = 1 / (s + (1 − s) / n). */
  serialFraction: num(0, 1),
  /** Coefficient of determination of the fitted speedups against the measured ones; null when undefined (all equal). */
  r2: z.number({ error: 'must be a number or null' }).nullable(),
  /** The ceiling the fit predicts for infinitely many cores (1/s); null when s = 0 (no ceiling). */
  maxSpeedup: num(1, 1e12).nullable(),
  /** Task counts the fit used (those not above the core count when one was given). */
  usedTasks: list(int(1, 1e6), 10_000),
  /** The fitted curve at each integer task count from 1 to the largest measured one. */
  curve: list(obj({ tasks: int(1, 1e6), speedup: num(0, 1e12) }), 10_000),
});
export const sweepSchema = obj({
  scenario: text(200, 1),
  /** Scenario parameters other than `tasks`. */
  params: boundedRecord(paramValue, 1000, 200),
  taskCounts: list(int(1, 1e6), 10_000),
  repeat: int(1, 10_000),
  logicalCores: int(1, 1e6),
  runs: list(sweepRunRefSchema, SESSION_LIMITS.sweepRuns),
  points: list(sweepPointSchema, 10_000),
  amdahl: amdahlFitSchema.nullable(),
  /** What speedups are computed from; absent in sessions written before it existed: those came from wall time. */
  speedupBasis: z.enum(['task-phase', 'wall'], { error: 'must be "task-phase" or "wall"' }).optional(),
  /** False when the sweep was interrupted before every run finished. */
  complete: bool,
});

export const sessionSchema = obj({
  format: z.literal(SESSION_FORMAT),
  createdAt: text(100, 1).refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time (ISO 8601)'),
  corescopeVersion: text(100, 1),
  hardware: hardwareSchema,
  /** The interpreters the runs used (matched to a run by `params.argv[0]` = `path`). */
  runtimes: list(runtimeInfoSchema, SESSION_LIMITS.runtimes),
  runs: list(runRecordSchema, SESSION_LIMITS.runs),
  sweeps: list(sweepSchema, SESSION_LIMITS.sweeps).optional(),
  /** Set when recording was interrupted: why, in words. The runs present are complete. */
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

/** A session file as read and written: the schema's output (NaN restored in thread columns). */
export type SessionFile = z.output<typeof sessionSchema>;
/** types.ts names it for everyone; this module does not import types.ts, which imports it. */
type RunRecord = z.output<typeof runRecordSchema>;

// ---- parsing with errors that name the place (wording in schemaWording.ts) ---------------------

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
  return parseWith(sessionSchema, data);
}

/** Validates parsed JSON as a single run record (what `corescope run --out x.json` writes). */
export function parseRunRecord(data: unknown): ParseOutcome<RunRecord> {
  return parseWith(runRecordSchema, data);
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
