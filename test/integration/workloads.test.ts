// Runs every scenario program for real, small, with the event channel on fd 3 as the engine
// opens it, and checks what the engine relies on: exit 0 by itself, parseable events, paired
// task spans, promised metrics, no process left behind, the cluster's port free again.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ParamValue } from '../../src/shared/model';
import { buildScenarioCommand, findWorkloadsDir } from '../../src/engine/scenarioCommand';

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const runtimes = { python: PYTHON, node: process.execPath };
const workloads = findWorkloadsDir();

interface Ev {
  ev: string;
  task?: string;
  pid?: number;
  tid?: number;
  threadId?: number;
  lagMs?: number;
  name?: string;
  value?: number;
}

interface Run {
  code: number | null;
  events: Ev[];
  stdout: string;
  stderr: string;
  pid: number;
  leftovers: number[];
}

/** Live processes (not zombies) whose environment carries our marker: anything the run left. */
function processesWithMarker(marker: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!fs.readFileSync(`/proc/${d}/environ`, 'latin1').includes(marker)) continue;
      const state = fs.readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (state !== 'Z') out.push(Number(d));
    } catch {
      /* gone while we looked */
    }
  }
  return out;
}

function collect(stream: Readable | null | undefined): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

interface RunOpts {
  eventFd?: boolean;
  timeoutMs?: number;
  unsetEnv?: string[];
}

async function runArgv(argv: string[], env: Record<string, string>, opts: RunOpts = {}): Promise<Run> {
  const marker = `CORESCOPE_TEST_MARK=${crypto.randomUUID()}`;
  const [k, v] = marker.split('=');
  const withFd = opts.eventFd !== false;
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env, [k]: v, ...(withFd ? { CORESCOPE_EVENT_FD: '3' } : {}) };
  for (const name of opts.unsetEnv ?? []) delete fullEnv[name];
  const child = spawn(argv[0], argv.slice(1), {
    stdio: withFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    env: fullEnv,
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const events = collect(child.stdio[3] as Readable | undefined);
  const eventsClosed = withFd ? new Promise((r) => (child.stdio[3] as Readable).once('close', r)) : Promise.resolve();
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(killer);
  // The channel closes when the last writer (maybe a grandchild) is gone: wait briefly for it.
  await Promise.race([eventsClosed, new Promise((r) => setTimeout(r, 2000))]);
  await new Promise((r) => setTimeout(r, 100));
  const lines = events().split('\n').filter((l) => l.length > 0);
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as Ev;
    } catch {
      throw new Error(`unparseable event line: ${l}`);
    }
  });
  return { code, events: parsed, stdout: stdout(), stderr: stderr(), pid: child.pid!, leftovers: processesWithMarker(marker) };
}

function runScenario(id: string, params: Record<string, ParamValue>, opts?: RunOpts): Promise<Run> {
  const { argv, env } = buildScenarioCommand(id, params, runtimes, workloads);
  return runArgv(argv, env, opts);
}

/** Common checks; returns the task spans as {task, pid, tid|threadId} start/end pairs. */
function expectClean(r: Run, minTasks: number): Ev[] {
  expect(r.stderr, 'stderr').toBe('');
  expect(r.code, `exit code; stderr: ${r.stderr}`).toBe(0);
  expect(r.leftovers, 'processes left behind').toEqual([]);
  for (const e of r.events) {
    expect(['task-start', 'task-end', 'lag', 'metric']).toContain(e.ev);
    if (e.ev === 'lag') expect(typeof e.lagMs).toBe('number');
    if (e.ev === 'metric') expect(typeof e.value).toBe('number');
    if (e.ev.startsWith('task')) expect(typeof e.pid).toBe('number');
  }
  const starts = r.events.filter((e) => e.ev === 'task-start');
  const ends = r.events.filter((e) => e.ev === 'task-end');
  const key = (e: Ev) => `${e.task}/${e.pid}`;
  expect(starts.length).toBeGreaterThanOrEqual(minTasks);
  expect(ends.map(key).sort()).toEqual(starts.map(key).sort());
  expect(new Set(starts.map(key)).size).toBe(starts.length);
  for (const s of starts) {
    // An end never comes before its start on the channel.
    const iStart = r.events.indexOf(s);
    const iEnd = r.events.findIndex((e) => e.ev === 'task-end' && key(e) === key(s));
    expect(iEnd).toBeGreaterThan(iStart);
  }
  return starts;
}

const metric = (r: Run, name: string) => r.events.find((e) => e.ev === 'metric' && e.name === name)?.value;
const maxLag = (r: Run) => Math.max(0, ...r.events.filter((e) => e.ev === 'lag').map((e) => e.lagMs!));

describe('the harness itself', () => {
  it('notices a process left behind', async () => {
    const r = await runArgv(['/bin/sh', '-c', 'sleep 5 >/dev/null 2>&1 & exit 0'], {}, { eventFd: false });
    expect(r.code).toBe(0);
    expect(r.leftovers.length).toBe(1);
    for (const pid of r.leftovers) process.kill(pid, 'SIGKILL');
  });
});

describe('Python workloads', () => {
  it('py-asyncio-sleep: tasks on one thread, loop on time', async () => {
    const r = await runScenario('py-asyncio-sleep', { tasks: 3, sleepMs: 300 });
    const starts = expectClean(r, 3);
    expect(new Set(starts.map((s) => s.tid)).size).toBe(1);
    expect(r.events.some((e) => e.ev === 'lag')).toBe(true);
    expect(maxLag(r)).toBeLessThan(100);
  });

  it('py-asyncio-blocked: the CPU coroutine makes the heartbeat late', async () => {
    const r = await runScenario('py-asyncio-blocked', { tasks: 2, blockMs: 400 });
    expectClean(r, 3);
    expect(maxLag(r)).toBeGreaterThan(300);
  });

  it('py-threads-sleep: one thread per task', async () => {
    const r = await runScenario('py-threads-sleep', { tasks: 3, sleepMs: 300 });
    const starts = expectClean(r, 3);
    expect(new Set(starts.map((s) => s.tid)).size).toBe(3);
    expect(new Set(starts.map((s) => s.pid))).toEqual(new Set([r.pid]));
  });

  it('py-threads-cpu', async () => {
    const r = await runScenario('py-threads-cpu', { tasks: 2, workMs: 300 });
    expect(new Set(expectClean(r, 2).map((s) => s.tid)).size).toBe(2);
  });

  it('py-threads-native (sha256 and zlib)', async () => {
    for (const op of ['sha256', 'zlib']) {
      const r = await runScenario('py-threads-native', { tasks: 2, workMs: 300, bufferMib: 2, op });
      expect(new Set(expectClean(r, 2).map((s) => s.tid)).size).toBe(2);
    }
  });

  it('py-mp-cpu: children report from their own pids and are all reaped', async () => {
    const r = await runScenario('py-mp-cpu', { tasks: 2, workMs: 300 });
    const pids = new Set(expectClean(r, 2).map((s) => s.pid));
    expect(pids.size).toBe(2);
    expect(pids.has(r.pid)).toBe(false);
  });

  it('py-mp-payload: reports IPC bytes and time, over a pipe and a queue', async () => {
    for (const transport of ['pipe', 'queue']) {
      const r = await runScenario('py-mp-payload', { tasks: 2, payloadMib: 2, rounds: 2, transport });
      expectClean(r, 4);
      expect(metric(r, 'ipcBytes')).toBeGreaterThan(2 * 2 * 2 * 2 * 1024 * 1024 - 1);
      expect(metric(r, 'ipcMs')).toBeGreaterThan(0);
      expect(metric(r, 'pickleMs')).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('Node workloads', () => {
  it('node-async-io: reads overlap on one thread and the temp file is removed', async () => {
    const before = new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('corescope-async-io-')));
    const r = await runScenario('node-async-io', { tasks: 3, reads: 3, delayMs: 20, fileKib: 64 });
    expectClean(r, 3);
    expect(metric(r, 'bytesRead')).toBeGreaterThan(0);
    expect(maxLag(r)).toBeLessThan(100);
    const after = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('corescope-async-io-') && !before.has(n));
    expect(after).toEqual([]);
  });

  it('node-libuv-pool: pbkdf2 and zlib on the pool', async () => {
    for (const op of ['pbkdf2', 'zlib']) {
      const r = await runScenario('node-libuv-pool', { tasks: 2, workMs: 300, poolSize: 2, op });
      expectClean(r, 2);
      expect(r.stdout).toContain('on a pool of 2');
    }
  });

  it('node-libuv-pool run by hand re-execs itself with the pool size, keeping the event fd', async () => {
    const file = `${workloads}/node/libuv_pool.mjs`;
    const r = await runArgv([process.execPath, file, '--tasks', '2', '--work-ms', '200', '--pool-size', '3'], {}, {
      unsetEnv: ['UV_THREADPOOL_SIZE'],
    });
    const starts = expectClean(r, 2);
    expect(starts[0].pid).not.toBe(r.pid);
    expect(r.stdout).toContain('on a pool of 3');
  });

  it('node-main-cpu: heartbeat lag of about a chunk', async () => {
    const r = await runScenario('node-main-cpu', { tasks: 1, workMs: 400, chunkMs: 100 });
    expectClean(r, 1);
    expect(maxLag(r)).toBeGreaterThan(80);
  });

  it('node-worker-threads: tasks in distinct worker threads of one process', async () => {
    const r = await runScenario('node-worker-threads', { tasks: 2, workMs: 300 });
    const starts = expectClean(r, 2);
    expect(new Set(starts.map((s) => s.threadId)).size).toBe(2);
    // Real OS thread ids, so spans land on the workers' own thread lanes.
    const tids = new Set(starts.map((s) => s.tid));
    expect(tids.size).toBe(2);
    expect(tids.has(r.pid)).toBe(false);
    expect(new Set(starts.map((s) => s.pid))).toEqual(new Set([r.pid]));
    expect(maxLag(r)).toBeLessThan(100);
  });

  it('node-fork: children write events on the inherited fd', async () => {
    const r = await runScenario('node-fork', { tasks: 2, workMs: 300 });
    const pids = new Set(expectClean(r, 2).map((s) => s.pid));
    expect(pids.size).toBe(2);
    expect(pids.has(r.pid)).toBe(false);
  });

  it('node-cluster-http: per-worker counts, requests/s, and the port is free afterwards', async () => {
    const r = await runScenario('node-cluster-http', { workers: 2, durationMs: 600, connections: 4, requestWorkMs: 1 });
    const starts = expectClean(r, 3);
    const workerPids = new Set(starts.filter((s) => s.task!.startsWith('worker-')).map((s) => s.pid));
    expect(workerPids.size).toBe(2);
    expect(metric(r, 'requestsPerSec')).toBeGreaterThan(50);
    const perWorker = r.events.filter((e) => e.ev === 'metric' && e.name!.startsWith('requests.worker.'));
    expect(new Set(perWorker.map((e) => Number(e.name!.split('.').pop())))).toEqual(workerPids);
    expect(perWorker.reduce((a, e) => a + e.value!, 0)).toBe(metric(r, 'requests'));
    const port = Number(/port (\d+) closed/.exec(r.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });

  it('fork and cluster also run without the event channel', async () => {
    const a = await runScenario('node-fork', { tasks: 2, workMs: 100 }, { eventFd: false });
    const b = await runScenario('node-cluster-http', { workers: 1, durationMs: 200, connections: 2 }, { eventFd: false });
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.leftovers).toEqual([]);
    }
  });
});
