// Attaching to programs that are already running (issue 17): the same physics as a launched run,
// children born while attached followed and counted, clear refusals, and — whatever ends the
// watching (stop, --duration, the program's exit, the app closing, CoreScope killed) — the
// program is never signalled: each target records every catchable signal it gets, and must
// record none, and still run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { findKeeperPython } from '../../src/engine/run/keeperPython';
import type { RunRecord } from '../../src/shared/types';

const PY = findKeeperPython() ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'corescope-attach-'));
const engine = createEngine({ stateDir: join(dir, 'state') });
const targets: ChildProcess[] = [];

// Every catchable signal a launcher or profiler might send is written down, with the pid that got it.
const RECORDER = `
import os, signal, sys
LOG = sys.argv[1]
def record(sig, frame):
    with open(LOG, "a") as f:
        f.write(f"{os.getpid()} {sig}\\n")
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGCONT, signal.SIGPIPE, signal.SIGALRM):
    signal.signal(s, record)
`;

const PROGRAMS: Record<string, string> = {
  'processes.py': `${RECORDER}
import multiprocessing as mp, time
def spin(until):
    x = 0
    while time.time() < until:
        for i in range(10000): x += i
if __name__ == "__main__":
    mp.set_start_method("fork")
    until = time.time() + float(sys.argv[2])
    ps = [mp.Process(target=spin, args=(until,)) for _ in range(2)]
    [p.start() for p in ps]; [p.join() for p in ps]
`,
  'threads.py': `${RECORDER}
import threading, time
def spin(until):
    x = 0
    while time.time() < until:
        for i in range(10000): x += i
until = time.time() + float(sys.argv[2])
ts = [threading.Thread(target=spin, args=(until,)) for _ in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]
`,
  'forks_later.py': `${RECORDER}
import time, multiprocessing as mp
def burn(seconds):
    x = 0; end = time.time() + seconds
    while time.time() < end:
        for i in range(10000): x += i
if __name__ == "__main__":
    mp.set_start_method("fork")
    time.sleep(float(sys.argv[2]))
    p = mp.Process(target=burn, args=(1.5,)); p.start(); p.join()
    time.sleep(30)
`,
  'sleeper.py': `${RECORDER}
import time
time.sleep(float(sys.argv[2]))
`,
  'workers.mjs': `
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { appendFileSync } from 'node:fs';
const [log, seconds] = process.argv.slice(2);
if (isMainThread) {
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGCONT']) process.on(s, () => appendFileSync(log, process.pid + ' ' + s + '\\n'));
  const until = Date.now() + Number(seconds) * 1000;
  const ws = [0, 1].map(() => new Worker(new URL(import.meta.url), { workerData: until }));
  await Promise.all(ws.map((w) => new Promise((r) => w.on('exit', r))));
} else {
  let x = 0;
  while (Date.now() < workerData) for (let i = 0; i < 1e5; i++) x += i;
}
`,
};
for (const [name, src] of Object.entries(PROGRAMS)) writeFileSync(join(dir, name), src);

interface Target {
  child: ChildProcess;
  pid: number;
  log: string;
  starttime: string;
}

/** Starts a program outside CoreScope (its own process group, as any program the user runs). */
async function startTarget(program: string, seconds: number): Promise<Target> {
  const log = join(dir, `${program}-${Date.now()}.signals`);
  writeFileSync(log, '');
  const cmd = program.endsWith('.mjs') ? process.execPath : PY;
  const child = spawn(cmd, [join(dir, program), log, String(seconds)], { stdio: 'ignore', detached: true });
  targets.push(child);
  const pid = child.pid!;
  // Let it get going (the interpreter up, its workers started).
  await new Promise((r) => setTimeout(r, program.endsWith('.mjs') ? 600 : 400));
  return { child, pid, log, starttime: starttimeOf(pid) };
}

function starttimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The target runs on, the same process, not stopped, and got no signal. */
function expectUntouched(t: Target): void {
  const state = stateOf(t.pid);
  expect(state, `pid ${t.pid} is gone`).not.toBeNull();
  expect(['R', 'S', 'D']).toContain(state);
  expect(starttimeOf(t.pid)).toBe(t.starttime);
  expect(readFileSync(t.log, 'utf8'), 'signals the target received').toBe('');
}

afterEach(() => {
  for (const c of targets.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

afterAll(() => {
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const attach = (pid: number, seconds: number, rateHz = 20): Promise<RunRecord> => engine.runToEnd({ kind: 'attach', pid, rateHz, timeoutS: seconds });

describe('attach: the same physics as a launched run', { retry: 2 }, () => {
  it('two Python processes: parallel (> 1.6 cores), the target untouched after --duration', async () => {
    const t = await startTarget('processes.py', 20);
    const r = await attach(t.pid, 3);
    const res = r.result;
    expect(res.attach).toEqual({ pid: t.pid, name: expect.any(String), endedBy: 'duration' });
    expect(res.parallelism, res.verdict.text).toBeGreaterThan(1.6);
    expect(res.verdict.kind, res.verdict.text).toBe('parallel');
    expect(res.processes).toBeGreaterThanOrEqual(3);
    expect(res.fidelity.unavailable?.join(' ')).toMatch(/task events/);
    expect(res.warnings.join(' ')).toMatch(/never signalled/);
    expectUntouched(t);
  }, 60_000);

  it('a program that worked for seconds before the attach: only what it did while watched is the run\'s', async () => {
    const t = await startTarget('processes.py', 20);
    // Two cores for 3 s before anyone watches: ~6 s of CPU that is not the run's.
    await new Promise((r) => setTimeout(r, 3000));
    const r = await attach(t.pid, 2);
    const res = r.result;
    const cores = r.samples.coreCount;
    // /proc's counters run from each thread's birth: counted from there, the first sample read thousands of cores, the run 5 cores on 2.
    expect(Math.max(...r.samples.workloadCores), 'the busiest sample, in cores').toBeLessThanOrEqual(cores + 0.5);
    expect(res.parallelism, res.verdict.text).toBeGreaterThan(1.6);
    expect(res.parallelism, res.verdict.text).toBeLessThanOrEqual(cores + 0.1);
    expect(res.cpu.totalMs).toBeLessThanOrEqual(res.wallMs * cores * 1.05);
    for (const th of res.threads) expect(th.cpuMs, `thread ${th.tid} (${th.name})`).toBeLessThanOrEqual(res.wallMs * 1.05);
    expectUntouched(t);
  }, 60_000);

  it('two Python threads under the GIL: interleaved (< 1.3 cores), untouched after a stop', async () => {
    const t = await startTarget('threads.py', 20);
    const { runId } = await engine.startRun({ kind: 'attach', pid: t.pid, rateHz: 20, timeoutS: 60 });
    await new Promise((r) => setTimeout(r, 2500));
    await engine.cancelRun(runId);
    const res = (await engine.getRun(runId)).result;
    expect(res.attach?.endedBy).toBe('stopped');
    expect(res.parallelism, res.verdict.text).toBeLessThan(1.3);
    expect(res.verdict.kind, res.verdict.text).toBe('interleaved');
    expectUntouched(t);
  }, 60_000);

  it('a Node worker_threads job: parallel (> 1.6 cores)', async () => {
    const t = await startTarget('workers.mjs', 20);
    const res = (await attach(t.pid, 3)).result;
    expect(res.parallelism, res.verdict.text).toBeGreaterThan(1.6);
    expect(res.threads.filter((th) => th.cpuMs > 1000).length).toBeGreaterThanOrEqual(2);
    expectUntouched(t);
  }, 60_000);

  it('follows a child the target forks while attached, and counts its CPU', async () => {
    const t = await startTarget('forks_later.py', 1);
    const res = (await attach(t.pid, 4)).result;
    const childThreads = res.threads.filter((th) => th.pid !== t.pid);
    expect(childThreads.length, 'the forked child was followed').toBeGreaterThanOrEqual(1);
    expect(childThreads.reduce((s, th) => s + th.cpuMs, 0)).toBeGreaterThan(1000);
    expect(res.cpu.totalMs).toBeGreaterThan(1000);
    expectUntouched(t);
  }, 60_000);
});

describe('attach: what ends the watching never touches the target', () => {
  it('the target exiting ends the run, said as such', async () => {
    const t = await startTarget('sleeper.py', 1.5);
    const res = (await attach(t.pid, 60)).result;
    expect(res.attach?.endedBy).toBe('target-exited');
    expect(res.wallMs).toBeLessThan(5000);
    expect(readFileSync(t.log, 'utf8')).toBe('');
  }, 30_000);

  it('the app closing (the engine disposed mid-run) leaves the target running', async () => {
    // A sleeping target: proving it untouched needs no CPU, and the 2 cores stay free for the next test's physics.
    const t = await startTarget('sleeper.py', 20);
    const other = createEngine({ stateDir: join(dir, 'state2') });
    const { runId } = await other.startRun({ kind: 'attach', pid: t.pid, rateHz: 20, timeoutS: 60 });
    await new Promise((r) => setTimeout(r, 800));
    await other.dispose();
    const rec = await other.getRun(runId).catch(() => null);
    if (rec) expect(rec.result.attach?.endedBy).toMatch(/profiler-exit|stopped/);
    expectUntouched(t);
  }, 30_000);

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`corescope attach ended by ${signal} (Ctrl-C, a kill, a crash) leaves the target running`, async () => {
      const cli = join(process.cwd(), 'out', 'cli', 'index.js');
      if (!existsSync(cli)) throw new Error('the CLI is not built: run `npm run build` (npm test does this first)');
      // A sleeping target: proving it untouched needs no CPU, and the 2 cores stay free for the next test's physics.
    const t = await startTarget('sleeper.py', 20);
      const corescope = spawn(process.execPath, [cli, 'attach', String(t.pid), '--duration', '60', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      corescope.stdout!.on('data', (b) => (out += b));
      await new Promise((r) => setTimeout(r, 1500));
      const exited = new Promise<number | null>((r) => corescope.once('exit', (code) => r(code)));
      corescope.kill(signal);
      const code = await exited;
      if (signal !== 'SIGKILL') {
        expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
        // It still prints what it recorded.
        expect(JSON.parse(out).attach.pid).toBe(t.pid);
      }
      await new Promise((r) => setTimeout(r, 300));
      expectUntouched(t);
    }, 30_000);
  }
});

describe('attach: refusals name the pid and exit 2', () => {
  const cli = (args: string[]): { code: number; stderr: string } => {
    try {
      execFileSync(process.execPath, [join(process.cwd(), 'out', 'cli', 'index.js'), ...args], { stdio: 'pipe' });
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      return { code: e.status, stderr: e.stderr.toString() };
    }
  };

  it('no such process, a kernel thread, not a number', () => {
    // pid_max is at most 4194304: a pid above every live one is free.
    const free = cli(['attach', '4194000']);
    expect(free).toEqual({ code: 2, stderr: expect.stringMatching(/^corescope: pid: no such process: 4194000\n$/) });
    const kthreadd = cli(['attach', '2']);
    expect(kthreadd.code).toBe(2);
    expect(kthreadd.stderr).toMatch(/pid: 2 \(kthreadd\) is a kernel thread/);
    const word = cli(['attach', '12abc']);
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/<pid> must be a process id, a whole number from 1 to 4194304 \(got "12abc"\)/);
    const duration = cli(['attach', '1', '--duration', '0']);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toMatch(/--duration must be a number of seconds/);
  });

  it("CoreScope's own pid", async () => {
    await expect(engine.startRun({ kind: 'attach', pid: process.pid, rateHz: 20, timeoutS: 5 })).rejects.toThrow(/is CoreScope itself/);
  });

  it('lists running programs for the picker, with CPU since the last listing, marking likely ones', async () => {
    const t = await startTarget('threads.py', 20);
    await engine.listProcesses();
    await new Promise((r) => setTimeout(r, 500));
    const list = await engine.listProcesses();
    const row = list.find((p) => p.pid === t.pid);
    expect(row).toMatchObject({ pid: t.pid, likely: true, threads: expect.any(Number) });
    expect(row!.cpuPct!).toBeGreaterThan(50);
    expect(list.some((p) => p.pid === process.pid)).toBe(false);
    expect(list.some((p) => p.pid === 2)).toBe(false);
  });
});
