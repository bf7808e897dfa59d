// Both samplers on the same real tree at the same time: a Python process with two busy threads
// and a sleeping one, and a `sleep` child. The native sampler (its own thread, replayed) and the
// JavaScript one (a Node timer) must find the same members and give the same CPU, per thread
// and for the tree, within a tick. Then whole runs: the fidelity says which sampler measured,
// the fallback runs when the addon is absent, and profilerCpuPct counts the native thread.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine';
import { CoreSampler } from '../../src/engine/sampler/coreSampler';
import { loadNativeAddon } from '../../src/engine/sampler/nativeAddon';
import type { NativeSampleSource } from '../../src/engine/sampler/nativeSampler';
import { openSampleSource } from '../../src/engine/sampler/sampleSource';
import { TreeSampler, type TreeSample } from '../../src/engine/sampler/treeSampler';

// The native sampler is the default where built; this file asks for it by name all the same.
process.env.CORESCOPE_SAMPLER = 'native';
const loaded = loadNativeAddon();
// Fail loudly, never skip: npm install builds the addon on Linux (python3, make, g++).
if (!loaded.addon) throw new Error(`the native sampler is not built or does not load (${loaded.reason ?? 'unknown'}): run npm run build:native`);
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TICK_MS = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let root: ChildProcess | null = null;
afterEach(() => {
  if (root?.pid) {
    try {
      process.kill(-root.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  root = null;
});

function startTree(seconds: number): ChildProcess {
  const py = `import threading,time
def spin():
    end = time.time() + ${seconds}
    while time.time() < end: pass
def nap(): time.sleep(${seconds})
ts=[threading.Thread(target=spin) for _ in range(2)] + [threading.Thread(target=nap)]
[t.start() for t in ts]; [t.join() for t in ts]`;
  root = spawn('sh', ['-c', `${PYTHON} -c '${py}' & sleep ${seconds} & wait`], { detached: true, stdio: 'ignore' });
  return root;
}

interface Series {
  t: number[];
  cpu: number[];
}

const coresOver = (s: Series): number => (s.cpu[s.cpu.length - 1] - s.cpu[0]) / (s.t[s.t.length - 1] - s.t[0]);

describe('the native sampler against the JavaScript one', () => {
  it('sees the same tree and the same CPU on the same workload', async () => {
    const tree = startTree(4);
    await sleep(400);
    const t0 = process.hrtime.bigint();
    const now = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
    const options = { slowEvery: 20, statEvery: 5 };

    const jsTree = new TreeSampler(tree.pid!, false, options);
    const jsCores = new CoreSampler();
    const src = openSampleSource() as NativeSampleSource;
    expect(src.kind).toBe('native');
    const nTree = new TreeSampler(tree.pid!, false, { ...options, source: src });
    const nCores = new CoreSampler(src.open('/proc/stat', 'cpu-stat'));

    const js: Series = { t: [], cpu: [] };
    const nat: Series = { t: [], cpu: [] };
    const note = (s: Series, t: number, ts: TreeSample): void => {
      s.t.push(t);
      s.cpu.push(ts.treeCpuMs);
    };
    jsCores.sample();
    nCores.sample();
    note(js, now(), jsTree.sample(now()));
    note(nat, now(), nTree.sample(now()));
    expect(src.start({ rateHz: 20, ...options, firstPass: nTree.passes + 1 })).toBe(true);
    const jsTimer = setInterval(() => {
      jsCores.sample();
      note(js, now(), jsTree.sample(now()));
    }, 50);
    const replay = (): void => {
      src.replay(t0, (tMs, pass) => {
        nCores.sample();
        note(nat, tMs, nTree.sample(tMs, pass));
      });
    };
    const drainTimer = setInterval(replay, 100);
    await sleep(1800);
    clearInterval(jsTimer);
    clearInterval(drainTimer);
    src.stop();
    replay();
    // One last live sample of each, back to back, while the workload still runs.
    const tEnd = now();
    note(js, tEnd, jsTree.sample(tEnd));
    note(nat, tEnd, nTree.sample(tEnd));

    try {
      // The native samples: on schedule (20 Hz), each with its own measured time, in order.
      const gaps = nat.t.slice(2, -1).map((t, i) => t - nat.t[i + 1]);
      expect(gaps.length).toBeGreaterThan(25);
      expect(gaps.every((g) => g > 0)).toBe(true);
      expect([...gaps].sort((a, b) => a - b)[gaps.length >> 1]).toBeGreaterThan(45);
      expect([...gaps].sort((a, b) => a - b)[gaps.length >> 1]).toBeLessThan(55);
      expect(src.jitter.summary()!.samples).toBe(nat.t.length - 2);

      // The same members, by tid, with the same CPU.
      const tids = (s: TreeSampler): number[] => s.threads.map((th) => th.info.tid).sort((a, b) => a - b);
      expect(tids(nTree)).toEqual(tids(jsTree));
      expect([...nTree.processes.keys()].sort()).toEqual([...jsTree.processes.keys()].sort());
      expect(jsTree.threads.length).toBeGreaterThanOrEqual(5); // sh, python ×4, sleep
      for (const th of jsTree.threads) {
        const other = nTree.threads.find((x) => x.info.tid === th.info.tid)!;
        expect(Math.abs(other.cpuMs - th.cpuMs), `thread ${th.info.name} ${th.info.tid}`).toBeLessThanOrEqual(TICK_MS);
        expect(other.info.name).toBe(th.info.name);
      }
      const busy = jsTree.threads.filter((th) => th.cpuMs > 300);
      expect(busy.length).toBe(2);
      expect(Math.abs(nat.cpu[nat.cpu.length - 1] - js.cpu[js.cpu.length - 1])).toBeLessThanOrEqual(2 * TICK_MS);
      // The workload's cores over the sampled span (one core: two GIL-bound spinners).
      expect(Math.abs(coresOver(nat) - coresOver(js))).toBeLessThan(0.05);
      expect(coresOver(nat)).toBeGreaterThan(0.5);
    } finally {
      jsTree.close();
      jsCores.close();
      nTree.close();
      nCores.close();
      src.close();
    }
  });

  it('counts its own thread in the process CPU that profilerCpuPct is built from', async () => {
    const src = openSampleSource() as NativeSampleSource;
    // Enough files to make the thread's work measurable: every thread of this process, many times.
    const tids = readdirSync('/proc/self/task');
    for (let k = 0; k < 40; k++) for (const tid of tids) src.open(`/proc/self/task/${tid}/schedstat`, 'task-schedstat', process.pid, 100_000 + k * 1000 + Number(tid));
    const before = process.cpuUsage();
    expect(src.start({ rateHz: 100, slowEvery: 100, statEvery: 25, firstPass: 1 })).toBe(true);
    await sleep(50);
    const tid = src.threadTid();
    const runNs = (): number => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    const thread0 = runNs();
    await sleep(600);
    const threadMs = (runNs() - thread0) / 1e6;
    const used = process.cpuUsage(before);
    src.stop();
    src.replay(0n, () => undefined);
    src.close();
    expect(threadMs).toBeGreaterThan(1);
    expect((used.user + used.system) / 1000).toBeGreaterThanOrEqual(threadMs);
  });
});

describe('runs say which sampler measured them', () => {
  const cmd = `${PYTHON} -c 'import time; time.sleep(0.3)'`;

  async function runWith(env: Record<string, string | undefined>): Promise<{ note: string; sampler?: string; jitterSamples?: number; threads: number; profilerCpuPct: number }> {
    const saved = { CORESCOPE_SAMPLER: process.env.CORESCOPE_SAMPLER, CORESCOPE_SAMPLER_ADDON: process.env.CORESCOPE_SAMPLER_ADDON };
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    const engine = createEngine();
    try {
      const { runId } = await engine.startRun({ kind: 'command', cmd, rateHz: 50, timeoutS: 30 });
      const r = (await engine.getRun(runId)).result;
      return { note: r.fidelity.note ?? '', sampler: r.fidelity.sampler, jitterSamples: r.fidelity.jitterMs?.samples, threads: r.threads.length, profilerCpuPct: r.profilerCpuPct ?? NaN };
    } finally {
      await engine.dispose();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('native when asked, with its jitter, also in the fidelity fields', async () => {
    const r = await runWith({ CORESCOPE_SAMPLER: 'native', CORESCOPE_SAMPLER_ADDON: undefined });
    expect(r.note).toMatch(/Sampled by the native sampler/);
    expect(r.note).toMatch(/jitter .*p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms over \d+ samples/);
    expect(r.sampler).toBe('native');
    expect(r.jitterSamples).toBeGreaterThan(5);
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.profilerCpuPct).toBeGreaterThan(0);
  });

  // Nobody watching: the records are replayed about once a second (each wake-up of Node costs CPU).
  // A listener that joins then must not wait for that second: its batches start at once.
  it('replays at once for a listener that joins a run nobody watched', async () => {
    const engine = createEngine();
    try {
      const { runId } = await engine.startRun({ kind: 'command', cmd: `${PYTHON} -c 'import time; time.sleep(6)'`, rateHz: 20, timeoutS: 30 });
      const latencies: number[] = [];
      for (let k = 0; k < 3; k++) {
        await sleep(1200);
        const joined = performance.now();
        const first = new Promise<number>((resolve) => {
          const off = engine.onEvent((e) => {
            if (e.type !== 'live' || e.batch.runId !== runId) return;
            off();
            resolve(performance.now() - joined);
          });
        });
        latencies.push(await first);
      }
      // Without the wake-up a join waits up to the unwatched period (1 s): three joins under 250 ms by chance is ~2 %.
      expect(latencies.every((ms) => ms < 250), `first batch after joining: ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms`).toBe(true);
      await engine.cancelRun(runId);
      const r = (await engine.getRun(runId)).result;
      expect(r.fidelity.sampler).toBe('native');
    } finally {
      await engine.dispose();
    }
  });

  // The run's end closes every file the native thread followed in one call (closeAll), and the
  // tree's own close() then drops nothing: no /proc descriptor may outlive the run either way.
  it('leaves no /proc descriptor open after a run', async () => {
    const procFds = (): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return /^\/proc\/\d+\/(task\/|stat|schedstat|loadavg)|^\/proc\/(stat|loadavg)$/.test(target) ? [target] : [];
        } catch {
          return [];
        }
      });
    const before = procFds();
    const engine = createEngine();
    try {
      const cmd = `${PYTHON} -c 'import threading,time; ts=[threading.Thread(target=time.sleep, args=(0.6,)) for _ in range(6)]; [t.start() for t in ts]; [t.join() for t in ts]'`;
      const { runId } = await engine.startRun({ kind: 'command', cmd, rateHz: 50, timeoutS: 30 });
      const r = (await engine.getRun(runId)).result;
      expect(r.fidelity.sampler).toBe('native');
      expect(r.threads.length).toBeGreaterThanOrEqual(7);
    } finally {
      await engine.dispose();
    }
    expect(procFds()).toEqual(before);
  });

  it('the JavaScript sampler when the addon is absent', async () => {
    const r = await runWith({ CORESCOPE_SAMPLER: 'native', CORESCOPE_SAMPLER_ADDON: '/nonexistent/corescope_sampler.node' });
    expect(r.note).toMatch(/Sampled by the JavaScript sampler .*not found/);
    expect(r.sampler).toBe('js');
    expect(r.threads).toBeGreaterThanOrEqual(1);
  });
});
