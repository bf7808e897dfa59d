// The profiler side of `npm run bench:soak` (scripts/bench-soak.mjs bundles this file with
// esbuild and runs it as a dedicated Node process, so the parent can read this process's memory
// from /proc/<pid>/status while it records).
//
//   node soakChild.mjs run --cmd "<shell command>" --rate HZ --timeout S --session FILE --record FILE --state DIR
//     One run through the engine exactly as the app does it: createEngine().startRun(), with a
//     listener on the live stream (the app always watches its run live), then buildSession +
//     saveSession (what `corescope run --out x.session.json.gz` does). The live stream is checked
//     as it arrives: every batch must start where the previous one ended, and the sample times
//     are hashed. After the session is saved, the same record is written as plain JSON to
//     --record, for the verify step. Progress goes to stdout as JSON lines:
//       {"ev":"started"} {"ev":"recorded"} {"ev":"saved"} {"ev":"dumped"} {"ev":"result",...}
//
//   node soakChild.mjs verify --session FILE --record FILE
//     Loads the session with loadSession (size caps, gunzip, schema validation: the app's path)
//     in a fresh process, and compares its one run against the plain-JSON record field by field
//     (NaN in the thread columns is null in JSON; both mean "thread not alive"). Prints one
//     JSON line: {"ev":"verify", identical, differences, counts, checksums}.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createEngine, buildSession, loadSession, saveSession } from '../../src/engine';
import type { RunRecord, RunSamples } from '../../src/shared/types';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`missing ${name}`);
}

/** This process's resident memory now and its peak so far (VmRSS, VmHWM), in bytes. */
function selfMemory(): { rssBytes: number; hwmBytes: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** The main (JavaScript) thread's time on a core and time runnable but waiting for one, in ms. */
function mainThreadSched(): { runMs: number; waitMs: number } {
  const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6 };
}

const say = (obj: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

// ---- checksums of sample columns: NaN and null hash alike (JSON writes NaN as null) ----------

const NAN_BYTES = Buffer.from('NaN-or-null');

class ColumnHash {
  private readonly h = createHash('sha256');
  private readonly buf = Buffer.alloc(8);
  count = 0;
  add(v: number | null): void {
    this.count++;
    if (v === null || Number.isNaN(v)) {
      this.h.update(NAN_BYTES);
      return;
    }
    this.buf.writeDoubleLE(v === 0 ? 0 : v); // -0 and 0 are the same sample
    this.h.update(this.buf);
  }
  addAll(values: readonly (number | null)[]): this {
    for (const v of values) this.add(v);
    return this;
  }
  digest(): string {
    return this.h.digest('hex').slice(0, 16);
  }
}

type Columns = Pick<RunSamples, 't' | 'workloadCores' | 'coreUser' | 'coreSystem' | 'coreIowait' | 'threadCpu' | 'threadCore'>;

/** One checksum per column kind (2-D columns hashed row after row) and the value count in each. */
function columnChecksums(s: Columns): Record<string, { values: number; sha256_16: string }> {
  const out: Record<string, { values: number; sha256_16: string }> = {};
  const one = (name: string, col: readonly (number | null)[]): void => {
    const h = new ColumnHash().addAll(col);
    out[name] = { values: h.count, sha256_16: h.digest() };
  };
  const two = (name: string, cols: readonly (readonly (number | null)[])[]): void => {
    const h = new ColumnHash();
    for (const c of cols) h.addAll(c);
    out[name] = { values: h.count, sha256_16: h.digest() };
  };
  one('t', s.t);
  one('workloadCores', s.workloadCores);
  two('coreUser', s.coreUser);
  two('coreSystem', s.coreSystem);
  two('coreIowait', s.coreIowait);
  two('threadCpu', s.threadCpu);
  two('threadCore', s.threadCore);
  return out;
}

// ---- deep comparison: null ≡ NaN, a missing key ≡ undefined, key order ignored --------------

function compare(a: unknown, b: unknown, path: string, diffs: string[], limit = 20): void {
  if (diffs.length >= limit) return;
  const nanish = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isNaN(v));
  if (nanish(a) && nanish(b)) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) diffs.push(`${path}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) {
      diffs.push(`${path}: array vs ${Array.isArray(a) ? typeof b : typeof a}`);
      return;
    }
    if (a.length !== b.length) {
      diffs.push(`${path}: length ${a.length} vs ${b.length}`);
      return;
    }
    for (let i = 0; i < a.length && diffs.length < limit; i++) compare(a[i], b[i], `${path}[${i}]`, diffs, limit);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) {
      if (ao[k] === undefined && bo[k] === undefined) continue;
      if (!(k in ao) || ao[k] === undefined) diffs.push(`${path}.${k}: missing in the reloaded session`);
      else if (!(k in bo) || bo[k] === undefined) diffs.push(`${path}.${k}: only in the reloaded session`);
      else compare(ao[k], bo[k], `${path}.${k}`, diffs, limit);
      if (diffs.length >= limit) return;
    }
    return;
  }
  if (a !== b) diffs.push(`${path}: ${JSON.stringify(a)?.slice(0, 60)} vs ${JSON.stringify(b)?.slice(0, 60)}`);
}

// ---- the two modes ------------------------------------------------------------------------------

async function runMode(): Promise<void> {
  const cmd = arg('--cmd');
  const rateHz = Number(arg('--rate'));
  const timeoutS = Number(arg('--timeout'));
  const sessionPath = arg('--session');
  const recordPath = arg('--record');
  const engine = createEngine({ stateDir: arg('--state') });

  // The live stream, as the app's window receives it.
  let runId = '';
  let liveSamples = 0;
  let liveBatches = 0;
  let liveDiscontinuities = 0;
  const liveT = new ColumnHash();
  engine.onEvent((e) => {
    if (e.type !== 'live' || e.batch.runId !== runId) return;
    liveBatches++;
    if (e.batch.fromIndex !== liveSamples) liveDiscontinuities++;
    liveSamples = e.batch.fromIndex + e.batch.t.length;
    liveT.addAll(e.batch.t);
  });

  const t0 = Date.now();
  ({ runId } = await engine.startRun({ kind: 'command', cmd, rateHz, timeoutS }));
  const schedAtStart = mainThreadSched();
  say({ ev: 'started', runId, at: Date.now() });
  const record: RunRecord = await engine.getRun(runId);
  const recordedAt = Date.now();
  const schedAtEnd = mainThreadSched();
  say({ ev: 'recorded', at: recordedAt, samples: record.samples.t.length });

  const session = await buildSession(() => engine.info(), [record]);
  await saveSession(sessionPath, session);
  const savedAt = Date.now();
  // The profiler's own peak: recording, building and saving, before the check-only copy below.
  const memoryAtSave = selfMemory();
  say({ ev: 'saved', at: savedAt, bytes: statSync(sessionPath).size, ...memoryAtSave });

  writeFileSync(recordPath, JSON.stringify(record));
  say({ ev: 'dumped', at: Date.now(), bytes: statSync(recordPath).size });

  const t = record.samples.t;
  const periodMs = 1000 / rateHz;
  let maxGapMs = 0;
  let maxGapAtMs = 0;
  let gapsOver2 = 0; // intervals longer than two periods: at least one tick missed
  let gapsOver5 = 0;
  let missedTicks = 0;
  let nonIncreasing = 0;
  for (let i = 1; i < t.length; i++) {
    const gap = t[i] - t[i - 1];
    if (!(gap > 0)) nonIncreasing++;
    if (gap > maxGapMs) {
      maxGapMs = gap;
      maxGapAtMs = t[i - 1];
    }
    if (gap > 2 * periodMs) gapsOver2++;
    if (gap > 5 * periodMs) gapsOver5++;
    missedTicks += Math.max(0, Math.round(gap / periodMs) - 1);
  }
  const sortedGaps = t.slice(1).map((v, i) => v - t[i]).sort((x, y) => x - y);
  const pct = (p: number): number => (sortedGaps.length ? sortedGaps[Math.min(sortedGaps.length - 1, Math.floor((p / 100) * sortedGaps.length))] : 0);
  const r = record.result;
  say({
    ev: 'result',
    runId,
    rateHz,
    samples: t.length,
    firstMs: t[0],
    lastMs: t[t.length - 1],
    spanMs: t.length > 1 ? t[t.length - 1] - t[0] : 0,
    wallMs: r.wallMs,
    gaps: { maxMs: maxGapMs, maxAtS: maxGapAtMs / 1000, p50Ms: pct(50), p99Ms: pct(99), p999Ms: pct(99.9), over2Periods: gapsOver2, over5Periods: gapsOver5, missedTicks, nonIncreasing },
    live: { batches: liveBatches, samples: liveSamples, discontinuities: liveDiscontinuities, tChecksum: liveT.digest(), tValues: liveT.count },
    recordChecksums: columnChecksums(record.samples),
    threads: r.threads.length,
    processes: r.processes,
    columns: { threadCpu: record.samples.threadCpu.length, coreUser: record.samples.coreUser.length },
    events: record.events.length,
    windows: r.windows.length,
    workloadPeakRssBytes: r.peakRssBytes,
    profilerCpuPct: r.profilerCpuPct,
    // Which sampler measured (native by default where built), and how steadily.
    sampler: r.fidelity.sampler,
    jitterMs: r.fidelity.jitterMs,
    cpu: r.cpu,
    exit: r.exit,
    warnings: r.warnings,
    stderrTail: record.stderr.slice(-1000),
    // While recording: how long Node's main thread ran, and how long it was runnable but had no core.
    mainThread: { runMs: schedAtEnd.runMs - schedAtStart.runMs, runQueueWaitMs: schedAtEnd.waitMs - schedAtStart.waitMs },
    memoryAtSave,
    recordMs: recordedAt - t0,
    saveMs: savedAt - recordedAt,
  });
  await engine.dispose();
}

async function verifyMode(): Promise<void> {
  const sessionPath = arg('--session');
  const recordPath = arg('--record');
  const t0 = Date.now();
  const session = await loadSession(sessionPath);
  const loadMs = Date.now() - t0;
  const record = JSON.parse(readFileSync(recordPath, 'utf8')) as RunRecord;
  const diffs: string[] = [];
  if (session.runs.length !== 1) diffs.push(`runs: ${session.runs.length} runs in the session, expected 1`);
  const loaded = session.runs[0];
  if (loaded) compare(loaded, record, 'runs[0]', diffs);
  say({
    ev: 'verify',
    identical: diffs.length === 0,
    differences: diffs,
    loadMs,
    format: session.format,
    samples: { session: loaded?.samples.t.length ?? 0, record: record.samples.t.length },
    threads: { session: loaded?.samples.threads.length ?? 0, record: record.samples.threads.length },
    processes: { session: loaded?.samples.processes.length ?? 0, record: record.samples.processes.length },
    sessionChecksums: loaded ? columnChecksums(loaded.samples) : null,
    recordChecksums: columnChecksums(record.samples),
  });
}

const mode = process.argv[2];
if (mode === 'run') await runMode();
else if (mode === 'verify') await verifyMode();
else {
  process.stderr.write('usage: soakChild.mjs run|verify …\n');
  process.exit(2);
}
