/* eslint-disable @typescript-eslint/no-explicit-any -- the tests damage JSON of any shape on purpose */
// Session files: round trips (plain and gzip), and every way a file can be wrong rejected with
// the exact error naming the file and the place; random damage never crashes the loader.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/shared/types';
import { SESSION_FORMAT, makeSession, parseSession, type SessionFile } from '../../src/shared/sessionSchema';
import { loadSession, loadSessionOrRun, saveSession, SessionFileError } from '../../src/engine/session/sessionFile';

const dir = mkdtempSync(join(tmpdir(), 'corescope-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

export function sampleRecord(id = 'run-1', rateHz = 20): RunRecord {
  const n = 5;
  const t = Array.from({ length: n }, (_, i) => i * 50);
  return {
    result: {
      runId: id,
      scenario: 'py-mp-cpu',
      params: { argv: ['/usr/bin/python3', 'mp_cpu.py'], env: { A: '1' }, rateHz, timeoutS: 600, scenario: { id: 'py-mp-cpu', params: { tasks: 2, workMs: 400 } } },
      wallMs: 250,
      cpu: { userMs: 400, systemMs: 10, totalMs: 410 },
      parallelism: 1.64,
      peakConcurrency: 2,
      cores: [
        { id: 0, busyPct: 90, userPct: 85, systemPct: 5, iowaitPct: 0 },
        { id: 1, busyPct: 80, userPct: 78, systemPct: 2, iowaitPct: 0 },
      ],
      threads: [{ pid: 100, tid: 100, name: 'python3', role: 'main', cpuMs: 10 }, { pid: 101, tid: 101, name: 'python3', role: 'mp-child', cpuMs: 200 }],
      processes: 2,
      peakRssBytes: 1e7,
      spawnLatencyMs: 3,
      noisePct: 1,
      profilerCpuPct: 2,
      lag: null,
      metrics: { ipcBytes: 5 },
      verdict: { kind: 'parallel', text: 'Spread across 2 cores.' },
      windows: [{ fromMs: 0, toMs: 250, parallelism: 1.6, activeThreads: 2, kind: 'parallel', text: 'busy' }],
      exit: { code: 0, signal: null, reason: 'exited' },
      fidelity: { cores: 'proc-stat', threads: true },
      warnings: [],
    },
    samples: {
      rateHz,
      coreCount: 2,
      t,
      coreUser: [[0, 0.9, 0.9, 0.8, 0.5], [0, 0.7, 0.8, 0.9, 0.1]],
      coreSystem: [[0, 0.05, 0, 0, 0], [0, 0, 0.1, 0, 0]],
      coreIowait: [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
      workloadCores: [0, 1.5, 1.7, 1.6, 0.5],
      threadCpu: [[0.1, 0.05, 0, 0, NaN], [NaN, 0.9, 0.95, 0.9, 0.2]],
      threadCore: [[0, 0, 0, 0, -1], [-1, 1, 1, 1, 1]],
      threads: [
        { pid: 100, tid: 100, name: 'python3', role: 'main', firstSeenMs: 0, exitedMs: 200 },
        { pid: 101, tid: 101, name: 'python3', role: 'mp-child', firstSeenMs: 50 },
      ],
      processes: [{ pid: 100, ppid: 1, name: 'python3', cmdline: 'python3 mp_cpu.py', firstSeenMs: 0 }],
    },
    events: [
      { t: 60, kind: 'task-start', task: 'proc-0', pid: 101, tid: 101 },
      { t: 190, kind: 'task-end', task: 'proc-0', pid: 101, tid: 101 },
      { t: 100, kind: 'lag', lagMs: 3 },
      { t: 200, kind: 'metric', name: 'rps', value: 12.5, unit: '1/s' },
    ],
    stdout: 'done\n',
    stderr: '',
    outputTruncated: false,
  };
}

export function sampleSession(rateHz = 20): SessionFile {
  return makeSession({
    createdAt: '2025-01-02T03:04:05.000Z',
    corescopeVersion: '0.1.0',
    hardware: {
      cpu: { brand: 'EPYC', manufacturer: 'AMD', physicalCores: 2, logicalCores: 2, speedGHz: 2.5, speedMaxGHz: 3.5, cacheKiB: { l1d: 64, l1i: 64, l2: 1024, l3: 32768 } },
      memoryBytes: 8 * 1024 ** 3,
      os: { platform: 'linux', distro: 'Debian GNU/Linux 12', release: '12', kernel: '6.1.0', arch: 'x64' },
      hostname: 'laptop',
    },
    runtimes: [{ kind: 'python', path: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython', gilEnabled: true, freeThreadedBuild: false }],
    runs: [sampleRecord('run-1', rateHz), sampleRecord('run-2', rateHz)],
  });
}

/** Writes a session with one field changed through `edit`, returns the path. */
function edited(name: string, edit: (s: Record<string, any>) => void): string {
  const data = JSON.parse(JSON.stringify(sampleSession()));
  edit(data);
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(data));
  return p;
}

async function loadError(path: string): Promise<string> {
  try {
    await loadSession(path);
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFileError);
    return (err as Error).message;
  }
  throw new Error(`${path} loaded, but should have been rejected`);
}

describe('session files', () => {
  it('round-trips: save, load, equal (NaN thread samples included)', async () => {
    const s = sampleSession();
    const p = join(dir, 'a.session.json');
    await saveSession(p, s);
    const back = await loadSession(p);
    expect(back).toEqual(s);
    expect(back.runs[0].samples.threadCpu[0][4]).toBeNaN();
    expect(readFileSync(p, 'utf8').startsWith('{"format":"corescope.session/1"')).toBe(true);
  });

  it('round-trips gzip when the name ends in .gz, and detects gzip by its bytes whatever the name', async () => {
    const s = sampleSession();
    const p = join(dir, 'a.session.json.gz');
    await saveSession(p, s);
    const raw = readFileSync(p);
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    expect(await loadSession(p)).toEqual(s);
    const misnamed = join(dir, 'misnamed.json');
    writeFileSync(misnamed, raw);
    expect(await loadSession(misnamed)).toEqual(s);
  });

  it('saves atomically: no temp file is left, and a failed save leaves the old file intact', async () => {
    const p = join(dir, 'atomic.session.json');
    await saveSession(p, sampleSession());
    const before = readFileSync(p, 'utf8');
    const broken = sampleSession() as unknown as { runs: unknown[] };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    broken.runs = [cyclic];
    await expect(saveSession(p, broken as unknown as SessionFile)).rejects.toThrow();
    expect(readFileSync(p, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects a truncated JSON file', async () => {
    const p = join(dir, 'trunc.session.json');
    writeFileSync(p, JSON.stringify(sampleSession()).slice(0, 300));
    expect(await loadError(p)).toBe(`${p}: the JSON ends early (truncated?)`);
  });

  it('rejects a truncated gzip file', async () => {
    const p = join(dir, 'trunc.session.json.gz');
    writeFileSync(p, gzipSync(JSON.stringify(sampleSession())).subarray(0, 200));
    expect(await loadError(p)).toBe(`${p}: not a readable gzip file: it ends early (truncated?)`);
  });

  it('rejects a corrupt gzip file', async () => {
    const gz = gzipSync(JSON.stringify(sampleSession()));
    for (let i = 20; i < 60; i++) gz[i] ^= 0xff;
    const p = join(dir, 'corrupt.session.json.gz');
    writeFileSync(p, gz);
    expect(await loadError(p)).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: not a readable gzip file: it is corrupt \\(.+\\)$`));
  });

  it('rejects corrupt JSON, an empty file and a missing file', async () => {
    const p = join(dir, 'garbage.session.json');
    writeFileSync(p, '{"format": "corescope.session/1", oops}');
    expect(await loadError(p)).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: not valid JSON \\(.+\\)$`));
    const empty = join(dir, 'empty.session.json');
    writeFileSync(empty, '');
    expect(await loadError(empty)).toBe(`${empty}: the file is empty`);
    expect(await loadError(join(dir, 'nope.json'))).toBe(`${join(dir, 'nope.json')}: no such file`);
  });

  it('rejects a wrong version, naming the versions this build reads', async () => {
    const p = edited('v2.session.json', (s) => (s.format = 'corescope.session/2'));
    expect(await loadError(p)).toBe(
      `${p}: format: "corescope.session/2" is a session version this build cannot read; it reads corescope.session/1 (a newer CoreScope may have written it)`,
    );
    const other = edited('other.json', (s) => (s.format = 'something-else'));
    expect(await loadError(other)).toBe(`${other}: format: "something-else" is not a CoreScope session format; this build reads corescope.session/1`);
    const none = edited('none.json', (s) => delete s.format);
    expect(await loadError(none)).toBe(`${none}: format: missing: not a CoreScope session (this build reads corescope.session/1)`);
  });

  it('rejects out-of-range fields with the place and the value', async () => {
    const rate = edited('rate.session.json', (s) => (s.runs[1].samples.rateHz = 500));
    expect(await loadError(rate)).toBe(`${rate}: runs[1].samples.rateHz: must be a number from 1 to 100 (got 500)`);
    const frac = edited('frac.session.json', (s) => (s.runs[0].samples.coreUser[1][3] = 1.5));
    expect(await loadError(frac)).toBe(`${frac}: runs[0].samples.coreUser[1][3]: must be a fraction from 0 to 1 (got 1.5)`);
    const wall = edited('wall.session.json', (s) => (s.runs[0].result.wallMs = -1));
    expect(await loadError(wall)).toBe(`${wall}: runs[0].result.wallMs: must be a time in ms from 0 to 1e12 (got -1)`);
    const kind = edited('kind.session.json', (s) => (s.runs[0].result.verdict.kind = 'fast'));
    expect(await loadError(kind)).toBe(`${kind}: runs[0].result.verdict.kind: must be one of interleaved, parallel, waiting, blocked, serial, contended, mixed, failed (got "fast")`);
    const missing = edited('missing.session.json', (s) => delete s.hardware.cpu.logicalCores);
    expect(await loadError(missing)).toBe(`${missing}: hardware.cpu.logicalCores: must be a whole number from 1 to 1e6 (missing)`);
    const cols = edited('cols.session.json', (s) => s.runs[0].samples.workloadCores.pop());
    expect(await loadError(cols)).toBe(`${cols}: runs[0].samples.workloadCores: must have one entry per sample (t has 5, got 4)`);
    const dup = edited('dup.session.json', (s) => (s.runs[1].result.runId = 'run-1'));
    expect(await loadError(dup)).toBe(`${dup}: runs[1].result.runId: must be unique (an earlier run has this id) (got "run-1")`);
  });

  it('limits lengths: huge strings and lists are refused before they are used', async () => {
    const long = edited('long.session.json', (s) => (s.hardware.hostname = 'x'.repeat(5000)));
    expect(await loadError(long)).toMatch(/hardware\.hostname: must be text of at most 4096 characters/);
    const many = edited('many.session.json', (s) => (s.runtimes = Array.from({ length: 1001 }, () => s.runtimes[0])));
    expect(await loadError(many)).toMatch(/runtimes: must have at most 1000 entries/);
  });

  it('loads a plain run record too (corescope run --out x.json)', async () => {
    const p = join(dir, 'run.json');
    writeFileSync(p, JSON.stringify(sampleRecord()));
    const got = await loadSessionOrRun(p);
    expect(got.kind).toBe('run');
  });

  it('random damage to a valid session never crashes the validator: it loads or names a place', () => {
    const base = JSON.parse(JSON.stringify(sampleSession()));
    // Every path to a leaf or a container in the session.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]): void => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(base, []);
    const junk = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.boolean(),
      // Fresh empty containers each time: a shared constant would be mutated by later steps into a cycle.
      fc.array(fc.nat(), { maxLength: 0 }),
      fc.record({}),
      fc.array(fc.double(), { maxLength: 5 }),
      fc.constant('x'.repeat(70_000)),
      fc.constant(Number.MAX_VALUE),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(paths.length - 1), junk), { minLength: 1, maxLength: 4 }), (mutations) => {
        const data = JSON.parse(JSON.stringify(base));
        let root: unknown = data;
        for (const [i, value] of mutations) {
          const path = paths[i];
          if (path.length === 0) {
            root = value;
            continue;
          }
          let parent: any = root;
          for (const k of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? parent[k] : undefined;
          if (parent && typeof parent === 'object') {
            if (value === undefined) delete parent[path[path.length - 1]];
            else parent[path[path.length - 1]] = value;
          }
        }
        const out = parseSession(JSON.parse(JSON.stringify(root) ?? 'null'));
        if (!out.ok) {
          expect(typeof out.issue.message).toBe('string');
          expect(out.issue.message.length).toBeGreaterThan(0);
          // A place is named unless the whole file is wrong.
          if (root !== null && typeof root === 'object' && !Array.isArray(root)) expect(out.issue.place.length).toBeGreaterThan(0);
        } else {
          expect(out.value.format).toBe(SESSION_FORMAT);
        }
      }),
      { numRuns: 400 },
    );
  });
});
