// The Node.js stack probe on real Node programs: NODE_OPTIONS from nodeProbeOptions, the program
// run by the Node running the tests, its profiles read back. What the engine relies on: the
// code named on the thread that ran it, at times on the run's clock; one profile per thread and
// per process (fork, cluster); the user's own NODE_OPTIONS still in force and the program's
// output unchanged; a killed process said to have left no profile.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StackSamplesBuilder, leafFrame, type StackSamples } from '../../src/shared/stackSamples';
import { nodeProbeOptions, readNodeProfiles, type NodeProfilesSummary, type NodeThreadSeries } from '../../src/engine/stacks/nodeProfiles';

let root: string;
let seq = 0;
beforeAll(() => {
  // A space in every path the probe is given: NODE_OPTIONS must carry it quoted.
  root = mkdtempSync(join(tmpdir(), 'corescope node probe '));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Each program leads its own process group: whatever a failed test left running goes with it.
const groups = new Set<number>();
afterEach(() => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // all gone
    }
  }
  groups.clear();
});

/** A fresh folder for one test: the program's files and, under "probe dir", the probe's. */
function caseDir(files: Record<string, string>): { dir: string; probe: string } {
  const dir = join(root, `case ${++seq}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, probe: join(dir, 'probe dir') };
}

const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** Per-thread CPU as the engine's sampler gives it: share of a core per interval, from schedstat at ~20 Hz. */
class ThreadWatch {
  readonly series = new Map<number, NodeThreadSeries & { cpu: number[]; t: number[]; lastNs: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pid: number,
    private readonly t0: bigint,
  ) {
    this.read();
    this.timer = setInterval(() => this.read(), 50);
  }

  private read(): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.pid}/task`);
    } catch {
      return;
    }
    const t = nsToMs(process.hrtime.bigint() - this.t0);
    for (const name of tids) {
      const tid = Number(name);
      let runNs: number;
      try {
        runNs = Number(readFileSync(`/proc/${this.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        continue;
      }
      let s = this.series.get(tid);
      if (!s) {
        this.series.set(tid, (s = { tid, name: '', role: tid === this.pid ? 'main' : 'libuv-pool', cpu: [NaN], t: [t], lastNs: runNs }));
        continue;
      }
      const dt = t - s.t[s.t.length - 1];
      s.cpu.push(dt > 0 ? Math.min(1, (runNs - s.lastNs) / 1e6 / dt) : 0);
      s.t.push(t);
      s.lastNs = runNs;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

interface Ran {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  t0: bigint;
  /** ms since t0 when the process was seen to exit. */
  endMs: number;
  threads: ThreadWatch | null;
}

interface RunOpts {
  /** NODE_OPTIONS of the run; undefined leaves it out. */
  nodeOptions?: string;
  args?: string[];
  watchThreads?: boolean;
  /** Sends this signal once the program has printed "ready". */
  kill?: NodeJS.Signals;
}

function runNode(dir: string, script: string, opts: RunOpts = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  if (opts.nodeOptions !== undefined) env.NODE_OPTIONS = opts.nodeOptions;
  env.MARKER_DIR = dir;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(opts.args ?? []), join(dir, script)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child.pid!);
  const threads = opts.watchThreads ? new ThreadWatch(child.pid!, t0) : null;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (opts.kill && stdout.includes('ready')) child.kill(opts.kill);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      threads?.stop();
      done({ pid: child.pid!, code, signal, stdout, stderr, t0, endMs: nsToMs(process.hrtime.bigint() - t0), threads });
    });
  });
}

function read(probe: string, ran: Ran, nodePids: number[] = [ran.pid], series?: Map<number, NodeThreadSeries>): { s: StackSamples; summary: NodeProfilesSummary } {
  const b = new StackSamplesBuilder(100);
  const summary = readNodeProfiles(probe, ran.t0, b, { nodePids, threadsOf: (pid) => (pid === ran.pid && series ? [...series.values()] : []) });
  return { s: b.build(), summary };
}

const indices = (s: StackSamples, keep: (i: number) => boolean): number[] => s.t.map((_, i) => i).filter(keep);
const stackNames = (s: StackSamples, i: number): string[] => s.stacks[s.stack[i]].map((f) => s.frames[f].name);

describe('the Node.js stack probe on real programs', () => {
  it('names the function that blocked the main thread, on the run clock', async () => {
    const { dir, probe } = caseDir({
      'main.js': `function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
let beats = 0;
const heartbeat = setInterval(() => beats++, 10);
setTimeout(() => {
  const from = process.hrtime.bigint();
  let x = 0;
  const end = Date.now() + 600;
  while (Date.now() < end) x += fib(24);
  const to = process.hrtime.bigint();
  clearInterval(heartbeat);
  console.log(JSON.stringify({ from: String(from), to: String(to), x: x > 0, beats }));
}, 150);
`,
    });
    const ran = await runNode(dir, 'main.js', { nodeOptions: nodeProbeOptions(probe, 100, undefined) });
    expect(ran.code, ran.stderr).toBe(0);
    const loop = JSON.parse(ran.stdout) as { from: string; to: string };
    const from = nsToMs(BigInt(loop.from) - ran.t0);
    const to = nsToMs(BigInt(loop.to) - ran.t0);

    // V8's clock is hrtime's: the probe's record of hrtime around Profiler.start brackets V8's startTime.
    const file = readdirSync(probe).find((n) => n.endsWith('.cpuprofile'))!;
    const raw = JSON.parse(readFileSync(join(probe, file), 'utf8')) as { startTime: number; corescope: { hrStartNs: string[] } };
    const [before, after] = raw.corescope.hrStartNs.map((x) => Number(BigInt(x) / 1000n));
    expect(raw.startTime).toBeGreaterThanOrEqual(before - 1);
    expect(raw.startTime).toBeLessThanOrEqual(after + 1);

    const { s, summary } = read(probe, ran);
    expect(s.sources).toEqual([{ pid: ran.pid, runtime: 'node', samples: s.t.length }]);
    expect(summary.idle).toBeGreaterThan(0); // the 150 ms before the loop: the event loop asleep
    for (let i = 0; i < s.t.length; i++) {
      expect(s.t[i]).toBeGreaterThan(0);
      expect(s.t[i]).toBeLessThan(ran.endMs);
      expect(s.tid[i]).toBe(ran.pid);
      expect(s.threadName[i]).toBe('main');
    }
    const during = indices(s, (i) => s.t[i] >= from && s.t[i] <= to);
    // 600 ms at 100 Hz: ~60 samples (fewer if this machine is busy).
    expect(during.length).toBeGreaterThan(25);
    const inFib = during.filter((i) =>
      s.stacks[s.stack[i]].some((f) => {
        const fr = s.frames[f];
        return fr.name === 'fib' && fr.file === join(dir, 'main.js') && fr.line >= 1 && fr.line <= 3;
      }),
    );
    expect(inFib.length / during.length).toBeGreaterThanOrEqual(0.7);
    expect(leafFrame(s, inFib[0])?.name).toBe('fib');
    for (const i of during) expect(s.cpuMs[i]).toBeGreaterThan(0);
  });

  it("names a worker_thread's code on the kernel thread that ran it, recorded or found by correlation", async () => {
    const { dir, probe } = caseDir({
      'worker.js': `const { Worker, isMainThread, parentPort, threadId } = require('worker_threads');
const fs = require('fs');
if (isMainThread) {
  const w = new Worker(__filename);
  w.on('message', (m) => console.log(JSON.stringify(m)));
} else {
  function hot() {
    let s = 0;
    const end = Date.now() + 500;
    while (Date.now() < end) for (let i = 0; i < 1e5; i++) s += i % 7;
    return s;
  }
  const tid = Number(/(\\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))[1]);
  parentPort.postMessage({ tid, threadId });
  hot();
}
`,
    });
    const check = (ran: Ran, s: StackSamples): void => {
      expect(ran.code, ran.stderr).toBe(0);
      const me = JSON.parse(ran.stdout) as { tid: number; threadId: number };
      expect(me.tid).not.toBe(ran.pid);
      expect(ran.threads!.series.has(me.tid)).toBe(true); // a real thread of that pid, seen in /proc
      const worker = indices(s, (i) => s.threadName[i] === `worker ${me.threadId}`);
      expect(worker.length).toBeGreaterThan(25);
      const hot = worker.filter((i) => stackNames(s, i).includes('hot'));
      expect(hot.length / worker.length).toBeGreaterThanOrEqual(0.7);
      for (const i of worker) expect(s.tid[i]).toBe(me.tid);
      expect(indices(s, (i) => s.threadName[i] === 'main').every((i) => s.tid[i] === ran.pid)).toBe(true);
    };

    // Through the probe: the preload records the kernel's tid from the thread itself.
    const ran = await runNode(dir, 'worker.js', { nodeOptions: nodeProbeOptions(probe, 100, undefined), watchThreads: true });
    const probed = read(probe, ran, [ran.pid], ran.threads!.series);
    check(ran, probed.s);
    expect(probed.summary.correlated.workers).toBe(0);

    // V8's own --cpu-prof (accepted on the command line by every Node): no tid in the file, so
    // the worker's thread is found from the CPU the sampler measured per thread.
    const native = join(dir, 'native dir');
    const ran2 = await runNode(dir, 'worker.js', { args: ['--cpu-prof', `--cpu-prof-dir=${native}`, '--cpu-prof-interval', '10000'], watchThreads: true });
    expect(readdirSync(native).filter((n) => n.endsWith('.cpuprofile'))).toHaveLength(2);
    const viaCpu = read(native, ran2, [ran2.pid], ran2.threads!.series);
    check(ran2, viaCpu.s);
    expect(viaCpu.summary.correlated).toEqual({ workers: 1, matched: 1 });
  });

  it('profiles a forked child and a cluster worker, each in its own file', async () => {
    const spin = (name: string, end = ''): string => `function ${name}() {
  let s = 0;
  const end = Date.now() + 250;
  while (Date.now() < end) for (let i = 0; i < 1e5; i++) s += i % 7;
  return s;
}
${name}();
console.log('${name} ' + process.pid);
${end}`;
    const { dir, probe } = caseDir({
      'child.js': spin('childWork'),
      // A cluster worker's channel to its primary keeps it alive until it lets go.
      'clustered.js': spin('clusterWork', "require('cluster').worker.disconnect();\n"),
      'parent.js': `const { fork } = require('child_process');
const cluster = require('cluster');
cluster.setupPrimary({ exec: __dirname + '/clustered.js', silent: false });
const c = fork(__dirname + '/child.js');
c.on('exit', () => cluster.fork().on('exit', () => console.log('parent ' + process.pid)));
`,
    });
    const ran = await runNode(dir, 'parent.js', { nodeOptions: nodeProbeOptions(probe, 100, undefined) });
    expect(ran.code, ran.stderr).toBe(0);
    const pidOf = (what: string): number => Number(new RegExp(`${what} (\\d+)`).exec(ran.stdout)?.[1]);
    const child = pidOf('childWork');
    const clustered = pidOf('clusterWork');
    expect(pidOf('parent')).toBe(ran.pid);
    const files = readdirSync(probe).filter((n) => n.endsWith('.cpuprofile'));
    expect(files.map((n) => Number(n.split('.')[3])).sort()).toEqual([ran.pid, child, clustered].sort());

    const { s } = read(probe, ran, [ran.pid, child, clustered]);
    expect(s.sources.map((x) => x.pid).sort()).toEqual([ran.pid, child, clustered].sort());
    for (const src of s.sources) expect(src.note).toBeUndefined();
    for (const [pid, fn] of [[child, 'childWork'], [clustered, 'clusterWork']] as const) {
      const mine = indices(s, (i) => s.pid[i] === pid);
      expect(mine.length).toBeGreaterThan(10);
      expect(mine.filter((i) => stackNames(s, i).includes(fn)).length / mine.length).toBeGreaterThanOrEqual(0.7);
      expect(mine.every((i) => s.tid[i] === pid && s.threadName[i] === 'main')).toBe(true);
    }
  });

  it("keeps the user's own NODE_OPTIONS in force and the program's output unchanged", async () => {
    const { dir, probe } = caseDir({
      'their preload.cjs': `require('fs').appendFileSync(process.env.MARKER_DIR + '/marker', 'loaded ' + process.pid + '\\n');\n`,
      'prog.js': `const v8 = require('v8');
for (let i = 0; i < 10; i++) process.on('exit', () => {}); // the probe's listener makes no warning
console.log('heap limit MB', Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024));
console.error('to stderr');
process.exitCode = 3;
`,
    });
    const theirs = `--require "${join(dir, 'their preload.cjs')}" --max-old-space-size=123`;
    const off = await runNode(dir, 'prog.js', { nodeOptions: theirs });
    const on = await runNode(dir, 'prog.js', { nodeOptions: nodeProbeOptions(probe, 100, theirs) });
    for (const r of [off, on]) {
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('to stderr\n');
      const mb = Number(/heap limit MB (\d+)/.exec(r.stdout)?.[1]);
      expect(mb).toBeGreaterThan(100);
      expect(mb).toBeLessThan(200);
    }
    expect(on.stdout).toBe(off.stdout);
    expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe(`loaded ${off.pid}\nloaded ${on.pid}\n`);
    expect(readdirSync(probe).some((n) => n.endsWith(`.${on.pid}.0.001.cpuprofile`))).toBe(true);
  });

  it('still writes the profile at process.exit() and at an uncaught exception', async () => {
    const { dir, probe } = caseDir({
      'exits.js': 'setTimeout(() => process.exit(4), 50);\n',
      'throws.js': "setTimeout(() => { throw new Error('boom'); }, 50);\n",
    });
    const opts = { nodeOptions: nodeProbeOptions(probe, 100, undefined) };
    const exits = await runNode(dir, 'exits.js', opts);
    const throws = await runNode(dir, 'throws.js', opts);
    expect(exits.code).toBe(4);
    expect(throws.code).toBe(1);
    expect(throws.stderr).toContain('boom');
    const { s } = read(probe, exits, [exits.pid, throws.pid]);
    expect(s.sources.map((x) => x.note)).toEqual([undefined, undefined]);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`says a process ended by ${signal} left no profile`, async () => {
      const { dir, probe } = caseDir({ 'waits.js': "setInterval(() => {}, 1000);\nconsole.log('ready');\n" });
      const ran = await runNode(dir, 'waits.js', { nodeOptions: nodeProbeOptions(probe, 100, undefined), kill: signal });
      expect(ran.signal).toBe(signal);
      expect(readdirSync(probe).filter((n) => n.includes('.cpuprofile'))).toEqual([]);
      const { s } = read(probe, ran);
      expect(s.t).toEqual([]);
      expect(s.sources).toEqual([
        { pid: ran.pid, runtime: 'node', samples: 0, note: `pid ${ran.pid} ended before Node could write its CPU profile (V8 writes it at a normal exit; the run was cancelled, timed out or the process was killed)` },
      ]);
      expect(existsSync(join(probe, 'corescope-node-probe.cjs'))).toBe(true);
    });
  }
});
