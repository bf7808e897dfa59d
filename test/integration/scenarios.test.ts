// Every scenario of the catalog run for real through the engine with small parameters, asserting
// its physics on this 2-core machine and the verdict the catalog promises. After each run no
// process of it is left, and the cluster's port is free again.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { SCENARIOS } from '../../src/shared/scenarios';
import type { ParamValue } from '../../src/shared/model';
import type { RunRecord, RunResult } from '../../src/shared/types';
import { survivorsAfter } from './survivors';
import { sustainedCores } from '../helpers/sustainedCores';

const engine = createEngine();
afterAll(() => engine.dispose());

async function scenario(id: string, params: Record<string, ParamValue>): Promise<RunRecord> {
  const record = await engine.runToEnd({ kind: 'scenario', scenario: id, params, rateHz: 20, timeoutS: 60 });
  expect(await survivorsAfter(record), `processes of ${id} still alive`).toEqual([]);
  expect(record.result.exit, `${id} stderr: ${record.stderr.slice(-500)}`).toMatchObject({ code: 0, reason: 'exited' });
  const expected = SCENARIOS.find((s) => s.id === id)!.expectedVerdict;
  if (expected !== 'any') expect(record.result.verdict.kind, record.result.verdict.text).toBe(expected);
  return record;
}

const cpuOfRole = (r: RunResult, role: string): number => r.threads.filter((t) => t.role === role).reduce((s, t) => s + t.cpuMs, 0);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// Physics on a shared VM: this machine's speed was measured changing by up to 1.75x from one
// second to the next (the same pure-Python loop at 18k or 32k iterations/ms), which can sink one
// measurement. Each test may run again, up to twice; it passes only on a measurement that
// really shows the physics, and a failing machine still fails.
describe('Python scenarios', { retry: 2 }, () => {
  it('py-threads-cpu: 2 GIL-bound threads stay near one core', async () => {
    const { result } = await scenario('py-threads-cpu', { tasks: 2, workMs: 700 });
    expect(result.parallelism).toBeLessThan(1.3);
    expect(result.peakConcurrency).toBe(2);
  });

  it('py-mp-cpu: 2 processes approach two cores', async () => {
    const { result } = await scenario('py-mp-cpu', { tasks: 2, workMs: 1500 });
    expect(sustainedCores(result), JSON.stringify(result.phases?.map((p) => [p.kind, p.cores, p.toMs - p.fromMs]))).toBeGreaterThan(1.6);
  });

  it('py-threads-native: hashing releases the GIL, threads run in parallel', async () => {
    const { result } = await scenario('py-threads-native', { tasks: 2, workMs: 1500 });
    expect(result.parallelism).toBeGreaterThan(1.5);
  });

  it('py-asyncio-sleep: 20 tasks of 300 ms overlap on one thread at almost no CPU', async () => {
    const { result } = await scenario('py-asyncio-sleep', { tasks: 20, sleepMs: 300 });
    expect(result.wallMs).toBeLessThan(1000);
    expect(result.peakConcurrency).toBe(20);
    // While the 20 tasks were in flight. Over the whole 0.4 s run, importing asyncio (~90 ms of
    // CPU on this machine) weighs in too; the task phase is what the scenario is about.
    expect(result.taskPhase).not.toBeNull();
    expect(result.taskPhase!.parallelism).toBeLessThan(0.2);
    expect(result.parallelism).toBeLessThan(0.5);
  });

  it('py-asyncio-blocked: a CPU-bound coroutine makes timers fire late', async () => {
    const { result } = await scenario('py-asyncio-blocked', { tasks: 2, blockMs: 600 });
    expect(result.lag).not.toBeNull();
    expect(result.lag!.maxMs).toBeGreaterThan(300);
  });

  it('py-threads-sleep: sleeping threads overlap', async () => {
    const { result } = await scenario('py-threads-sleep', { tasks: 4, sleepMs: 400 });
    expect(result.wallMs).toBeLessThan(1200);
    expect(result.peakConcurrency).toBe(4);
  });

  it('py-mp-payload: the cost of moving data between processes is reported', async () => {
    const { result } = await scenario('py-mp-payload', { tasks: 2, payloadMib: 4, rounds: 2 });
    expect(result.metrics.ipcBytes).toBeGreaterThan(0);
    expect(result.metrics.ipcMs).toBeGreaterThan(0);
  });
});

describe('Node.js scenarios', { retry: 2 }, () => {
  it('node-async-io: non-blocking reads on one JS thread, mostly waiting', async () => {
    const { result } = await scenario('node-async-io', { tasks: 4 });
    expect(result.parallelism).toBeLessThan(0.5);
    expect(result.peakConcurrency).toBeGreaterThanOrEqual(4);
  });

  it('node-libuv-pool: 2 pbkdf2 calls on a pool of 2 fill two cores while the JS thread idles', async () => {
    const { result } = await scenario('node-libuv-pool', { tasks: 2, poolSize: 2, workMs: 1500, op: 'pbkdf2' });
    expect(result.parallelism).toBeGreaterThan(1.5);
    const pool = cpuOfRole(result, 'libuv-pool');
    const main = cpuOfRole(result, 'main');
    expect(pool).toBeGreaterThan(main * 5);
  });

  it('node-main-cpu: the event loop is blocked for at least one chunk', async () => {
    const { result } = await scenario('node-main-cpu', { tasks: 2, workMs: 500, chunkMs: 200 });
    expect(result.lag).not.toBeNull();
    expect(result.lag!.maxMs).toBeGreaterThanOrEqual(200 * 0.9);
  });

  it('node-worker-threads: 2 workers run in parallel in one process', async () => {
    const { result } = await scenario('node-worker-threads', { tasks: 2, workMs: 1500 });
    expect(result.parallelism).toBeGreaterThan(1.6);
    expect(result.processes).toBe(1);
    expect(cpuOfRole(result, 'worker-thread')).toBeGreaterThan(result.cpu.totalMs * 0.7);
  });

  it('node-fork: 2 forked processes run in parallel', async () => {
    const { result } = await scenario('node-fork', { tasks: 2, workMs: 1500 });
    expect(result.parallelism).toBeGreaterThan(1.6);
    expect(result.processes).toBeGreaterThanOrEqual(3);
  });

  it('node-cluster-http: both workers serve requests and together use more than 1.3 cores', async () => {
    const rec = await scenario('node-cluster-http', { workers: 2, durationMs: 1500 });
    const { result } = rec;
    const perWorker = Object.entries(result.metrics).filter(([k]) => k.startsWith('requests.worker.'));
    expect(perWorker.length).toBe(2);
    for (const [, n] of perWorker) expect(n).toBeGreaterThan(0);
    expect(result.metrics.requestsPerSec).toBeGreaterThan(0);
    const workerPids = new Set(result.threads.filter((t) => t.role === 'cluster-worker').map((t) => t.pid));
    expect(workerPids.size).toBe(2);
    const workerCpuMs = result.threads.filter((t) => workerPids.has(t.pid)).reduce((s, t) => s + t.cpuMs, 0);
    expect(workerCpuMs / result.wallMs).toBeGreaterThan(0.5);
    expect(result.parallelism).toBeGreaterThan(1.3);
    const port = Number(/port (\d+) closed/.exec(rec.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portIsFree(port)).toBe(true);
  });
});
