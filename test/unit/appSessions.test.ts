// The app's session plumbing without a browser: upload parts, the current session as a valid
// session file, sweep plans from the form, and the engine's uploads, loadSession, exportSession
// of the session it owns and atomic autosave/restore (errors name the place; nothing half-written).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioInfo } from '../../src/shared/model';
import { dispatchApiCall } from '../../src/shared/schemas';
import { parseSession, type SessionFile } from '../../src/shared/sessionSchema';
import type { HardwareProfile, RunRecord, SystemInfo } from '../../src/shared/types';
import { AppSessions, defaultStateDir } from '../../src/engine/session/appSessions';
import { buildSession } from '../../src/engine/session/buildSession';
import { planSweep, runTitle, splitParts, sweepFromRuns } from '../../src/renderer/session/sessionData';
import { buildCurrentSession, mergeRuns } from '../../src/engine/session/currentSession';
import { SCENARIOS } from '../../src/shared/scenarios';

const dir = mkdtempSync(join(tmpdir(), 'corescope-appsessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hardware: HardwareProfile = {
  cpu: { brand: 'Test CPU', manufacturer: 'ACME', physicalCores: 2, logicalCores: 2, speedGHz: 2, speedMaxGHz: 3, cacheKiB: { l1d: 32, l1i: 32, l2: 512, l3: 8192 } },
  memoryBytes: 8 * 1024 ** 3,
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
  hostname: 'testhost',
};
const info: SystemInfo = {
  hardware,
  runtimes: [
    { kind: 'python', path: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython', gilEnabled: true },
    { kind: 'node', path: '/usr/bin/node', version: '20.0.0', implementation: 'node' },
  ],
  corescopeVersion: '0.1.0',
  nodeVersion: '20.0.0',
} as SystemInfo;

function record(runId: string, tasks: number, wallMs: number, reason: 'exited' | 'cancelled' = 'exited'): RunRecord {
  return {
    result: {
      runId,
      scenario: 'py-threads-cpu',
      params: { argv: ['/usr/bin/python3', 'x.py'], rateHz: 20, timeoutS: 60, scenario: { id: 'py-threads-cpu', params: { tasks, workMs: 300 } } },
      wallMs,
      cpu: { userMs: wallMs, systemMs: 0, totalMs: wallMs },
      parallelism: 1,
      peakConcurrency: tasks,
      cores: [],
      threads: [],
      processes: 1,
      peakRssBytes: 1000,
      spawnLatencyMs: 1,
      noisePct: 0,
      profilerCpuPct: 1,
      lag: null,
      metrics: {},
      verdict: { kind: 'interleaved', text: 'interleaved' },
      windows: [],
      exit: { code: reason === 'exited' ? 0 : null, signal: null, reason },
      fidelity: { cores: 'proc-stat', threads: true },
      warnings: [],
    },
    samples: { rateHz: 20, coreCount: 1, t: [0, 50], coreUser: [[0.5, 0.6]], coreSystem: [[0, 0]], coreIowait: [[0, 0]], workloadCores: [1, 1], threadCpu: [[NaN, 0.5]], threadCore: [[-1, 0]], threads: [{ pid: 1, tid: 1, name: 'python3', role: 'main', firstSeenMs: 0 }], processes: [{ pid: 1, ppid: 0, name: 'python3', cmdline: 'python3 x.py', firstSeenMs: 0 }] },
    events: [],
    stdout: '',
    stderr: '',
    outputTruncated: false,
  } as RunRecord;
}

const scenario = SCENARIOS.find((s) => s.id === 'py-threads-cpu') as ScenarioInfo;

describe('renderer session data (pure)', () => {
  it('splits bytes into upload parts, at least one', () => {
    expect(splitParts(new Uint8Array(0), 4)).toHaveLength(1);
    expect(splitParts(new Uint8Array(10), 4).map((p) => p.length)).toEqual([4, 4, 2]);
  });

  it('the current session validates, holds the runtimes the runs used, and drops sweeps over missing runs', () => {
    const runs = [record('a', 1, 1000), record('b', 2, 2000)];
    const sw = sweepFromRuns('py-threads-cpu', { workMs: 300, tasks: 2 }, [], [], 2);
    const keep = { ...sw, runs: [{ runId: 'a', tasks: 1, repeat: 1, wallMs: 1000, cpuMs: 1000, parallelism: 1, ok: true }] };
    const drop = { ...sw, runs: [{ runId: 'gone', tasks: 1, repeat: 1, wallMs: 1000, cpuMs: 1000, parallelism: 1, ok: true }] };
    const s = buildCurrentSession(runs, [keep, drop], info);
    expect(s.runtimes.map((r) => r.path)).toEqual(['/usr/bin/python3']);
    expect(s.sweeps).toHaveLength(1);
    const parsed = parseSession(JSON.parse(JSON.stringify(s)));
    expect(parsed.ok ? 'ok' : parsed.issue).toBe('ok');
    expect(mergeRuns([runs[0]], runs).map((r) => r.result.runId)).toEqual(['a', 'b']);
  });

  it('plans a sweep from the form and reports bad input in words', () => {
    const base = { kind: 'scenario' as const, scenario: 'py-threads-cpu', params: { tasks: 4, workMs: 300 } };
    const steps = planSweep(base, scenario, '2, 4', '2');
    expect(steps.map((s) => [s.tasks, s.repeat])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2], [4, 1], [4, 2]]);
    expect(steps[2].request).toMatchObject({ params: { tasks: 2, workMs: 300 } });
    expect(() => planSweep(base, scenario, '1,x', '1')).toThrow(/task counts must be .* \(got "x"/);
    expect(() => planSweep(base, scenario, '1,2', '0')).toThrow(/repeats must be a whole number from 1 to 20/);
    const noTasks = { ...scenario, params: scenario.params.filter((p) => p.name !== 'tasks') };
    expect(() => planSweep(base, noTasks, '1,2', '1')).toThrow(/no tasks parameter/);
  });

  it('a stopped sweep keeps its finished runs, leaves the cancelled one out and is marked incomplete', () => {
    const base = { kind: 'scenario' as const, scenario: 'py-threads-cpu', params: { tasks: 2, workMs: 300 } };
    const steps = planSweep(base, scenario, '1,2,4', '1');
    const sw = sweepFromRuns('py-threads-cpu', base.params, steps, [
      { step: steps[0], record: record('r1', 1, 1000) },
      { step: steps[1], record: record('r2', 2, 1000) },
      { step: steps[2], record: record('r3', 4, 500, 'cancelled') },
    ], 2);
    expect(sw.complete).toBe(false);
    expect(sw.params).toEqual({ workMs: 300 });
    expect(sw.taskCounts).toEqual([1, 2, 4]);
    expect(sw.runs.map((r) => r.runId)).toEqual(['r1', 'r2']);
    expect(sw.points.find((p) => p.tasks === 2)?.speedup?.mean).toBeCloseTo(2, 5);
    expect(sw.amdahl?.serialFraction).toBeCloseTo(0, 5);
  });

  it('titles runs like the results table', () => {
    expect(runTitle(record('a', 2, 1), SCENARIOS)).toMatch(/×2$/);
  });
});

describe('engine: app sessions', () => {
  const sessions = new AppSessions(join(dir, 'state'), async () => info);
  const session = buildCurrentSession([record('a', 1, 1000), record('b', 2, 2100)], [], info);
  // The engine's current session holds these runs (as if it had run them).
  for (const r of session.runs) sessions.current.addRun(r);
  let n = 0;
  const upload = async (bytes: Buffer, partSize = 100): Promise<string> => {
    const id = `t${n++}`;
    for (let i = 0, k = 0; i < Math.max(1, bytes.length); i += partSize, k++) await sessions.uploadPart(id, k, bytes.subarray(i, i + partSize));
    return id;
  };

  it('loads an uploaded session (plain or gzip) in parts', async () => {
    const json = Buffer.from(JSON.stringify(session));
    expect((await sessions.loadSession(await upload(json), 'a.session.json')).runs).toHaveLength(2);
    const gz = await sessions.loadSession(await upload(gzipSync(json)), 'a.session.json.gz');
    expect(gz.runs[0].samples.threadCpu[0][0]).toBeNaN();
  });

  it('refuses a bad file with the place, and parts out of order', async () => {
    const bad = JSON.parse(JSON.stringify(session));
    bad.runs[1].samples.rateHz = 500;
    await expect(sessions.loadSession(await upload(Buffer.from(JSON.stringify(bad))), 'bad.session.json')).rejects.toMatchObject({
      field: 'runs[1].samples.rateHz',
      message: 'bad.session.json: runs[1].samples.rateHz: must be a number from 1 to 100 (got 500)',
    });
    const gz = gzipSync(Buffer.from(JSON.stringify(session)));
    await expect(sessions.loadSession(await upload(gz.subarray(0, gz.length - 20)), 't.gz')).rejects.toThrow(/t\.gz: not a readable gzip file: it ends early/);
    await expect(sessions.loadSession(await upload(Buffer.from('{"format":"corescope.session/1",')), 't.json')).rejects.toThrow(/the JSON ends early/);
    await expect(sessions.uploadPart('x1', 1, new Uint8Array(3))).rejects.toThrow(/send its part 0 first/);
    await sessions.uploadPart('x2', 0, new Uint8Array(3));
    await expect(sessions.uploadPart('x2', 2, new Uint8Array(3))).rejects.toThrow(/expects part 1 next/);
    await expect(sessions.loadSession('never', 'x')).rejects.toMatchObject({ field: 'uploadId' });
  });

  it('exports the session stamped by the engine, as .gz, HTML, CSV and trace', async () => {
    const foreign = { ...session, hardware: { ...hardware, hostname: 'elsewhere' } };
    const gz = await sessions.exportSession('session-gz');
    expect(gz.name).toMatch(/^corescope-testhost-.*\.session\.json\.gz$/);
    const back = parseSession(JSON.parse(gunzipSync(gz.data).toString('utf8')));
    expect(back.ok && back.value.hardware.hostname).toBe('testhost');
    const html = await sessions.exportSession('html');
    expect(html.data).toMatch(/^<!doctype html>/i);
    const csv = await sessions.exportSession('csv', 'a');
    expect(csv.data.split('\n')[0]).toBe('t_ms,cpu0_user,cpu0_system,cpu0_iowait,workload_cores');
    const trace = await sessions.exportSession('trace');
    expect(trace.name).toMatch(/-b\.trace\.json$/);
    expect(JSON.parse(trace.data).traceEvents.length).toBeGreaterThan(0);
    await expect(sessions.exportSession('csv', 'zz')).rejects.toMatchObject({ field: 'runId' });
    const cmp = await sessions.exportComparison([
      { uploadId: await upload(Buffer.from(JSON.stringify(session))), label: 'one' },
      { uploadId: await upload(Buffer.from(JSON.stringify(foreign))), label: 'two' },
    ]);
    expect(cmp.data).toMatch(/one vs two/);
  });

  it('autosaves atomically and restores; a bad upload never replaces a good autosave; an unreadable one is moved aside', async () => {
    const fresh = new AppSessions(join(dir, 'fresh'), async () => info);
    expect(await fresh.restoreAutosave()).toBeNull();
    const res = await sessions.autosave();
    expect(res).toEqual({ path: join(dir, 'state', 'autosave.session.json.gz'), runs: 2 });
    const bad = { scenario: 'py-threads-cpu', params: {}, taskCounts: [1, 2], repeat: 1, runs: 'oops', complete: true } as never;
    await expect(sessions.autosave(bad)).rejects.toMatchObject({ field: 'runs' });
    const restored = (await sessions.restoreAutosave()) as { session: SessionFile };
    expect(restored.session.runs.map((r) => r.result.runId)).toEqual(['a', 'b']);
    expect(readdirSync(join(dir, 'state')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    writeFileSync(res.path, gzipSync('{"format":"corescope.session/1","runs":[]'));
    await expect(sessions.restoreAutosave()).rejects.toThrow(/JSON ends early .*moved aside/);
    expect(await sessions.restoreAutosave()).toBeNull();
    expect(readdirSync(join(dir, 'state')).some((f) => f.includes('.unreadable-'))).toBe(true);
  });

  it('state dir: CORESCOPE_STATE_DIR (the test configuration sets a private one), else ~/.config/corescope', () => {
    expect(defaultStateDir({ CORESCOPE_STATE_DIR: '/x/y' })).toBe('/x/y');
    expect(process.env.CORESCOPE_STATE_DIR, 'the test configuration points autosave at a private folder').toMatch(/corescope-test-state-\d+$/);
    expect(defaultStateDir({ HOME: '/h', XDG_CONFIG_HOME: '/h/.cfg' })).toBe('/h/.cfg/corescope');
  });

  it('the shared dispatch validates the new calls before the engine sees them', async () => {
    const api = { uploadPart: async () => ({ bytes: 0 }) } as never;
    expect(await dispatchApiCall(api, 'uploadPart', ['bad id!', 0, 'AAAA'])).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/must be 1 to 64 letters/) } });
    expect(await dispatchApiCall(api, 'uploadPart', ['ok', 0, 'not base64!'])).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await dispatchApiCall(api, 'exportSession', ['ok', 'pdf'])).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await dispatchApiCall(api, 'restoreAutosave', [])).toMatchObject({ ok: false, error: { message: 'restoreAutosave is not supported by this engine' } });
    expect(await dispatchApiCall(api, 'uploadPart', ['ok', 0, new Uint8Array(3)])).toEqual({ ok: true, result: { bytes: 0 } });
  });
});

describe('buildSession for runs on another machine (issue #18)', () => {
  it('stamps that machine\'s hardware and interpreters, and never probes one of this machine in their place', async () => {
    const remote: SystemInfo = { ...info, hardware: { ...hardware, hostname: 'lab' }, runtimes: [{ kind: 'python', path: '/usr/bin/python3', version: '3.99.0', implementation: 'CPython', gilEnabled: true }] };
    const asked = { info: 0 };
    const session = await buildSession(async () => (asked.info++, info), [record('r1', 1, 100)], { remote });
    expect(session.hardware.hostname).toBe('lab');
    expect(session.runtimes).toEqual(remote.runtimes);
    expect(asked.info).toBe(0);
    // An interpreter that machine did not list is "unknown", not this machine's probe of the same path.
    const other = record('r2', 1, 100);
    other.result.params.argv = [process.execPath, 'x.js'];
    other.result.scenario = 'node-worker-threads';
    const unknown = await buildSession(async () => info, [other], { remote });
    expect(unknown.runtimes).toEqual([{ kind: 'node', path: process.execPath, version: 'unknown', implementation: 'unknown' }]);
  });
});
