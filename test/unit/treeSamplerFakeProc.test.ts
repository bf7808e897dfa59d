// The tree sampler driven through a hand-built /proc (files in a temp dir, in the formats of
// test/fixtures/proc): a thread appears, a child process appears, the child is reaped so its CPU
// moves into its parent's cutime, a thread exits — and the tree's CPU stays whole at every pass.
//
// The sampler keeps some files open and re-reads them at offset 0, as on /proc. Rewriting a file
// in place (writeFileSync on the same path) keeps its inode, so those reads see the new text; a
// task that ends has its files emptied (a read of 0 bytes is what an exited task gives) and its
// directory removed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TreeSampler } from '../../src/engine/sampler/treeSampler';

const fixtures = join(__dirname, '..', 'fixtures', 'proc');
/** A real task stat line (test/fixtures/proc): its fields after the name are the template. */
const template = readFileSync(join(fixtures, 'task-python-thread1-stat.txt'), 'utf8').trim();
const templateFields = template.slice(template.lastIndexOf(')') + 2).split(' ');
const loadavgTemplate = readFileSync(join(fixtures, 'loadavg.txt'), 'utf8').trim().split(' ');

interface Task {
  pid: number;
  tid: number;
  comm: string;
  ppid: number;
  /** Ticks (10 ms). */
  utime: number;
  cutime: number;
  numThreads: number;
  /** Nanoseconds on a core (schedstat's first field). */
  runNs: number;
}

/** A stat line with the given figures, field numbers as in proc(5). */
function statLine(t: Task): string {
  const f = [...templateFields];
  const set = (n: number, v: string | number): void => {
    f[n - 3] = String(v);
  };
  set(3, 'S');
  set(4, t.ppid);
  set(14, t.utime);
  set(15, 0);
  set(16, t.cutime);
  set(17, 0);
  set(20, t.numThreads);
  set(22, 5000 + t.pid);
  set(39, 1);
  return `${t.tid} (${t.comm}) ${f.join(' ')}\n`;
}

class FakeProc {
  readonly root = mkdtempSync(join(tmpdir(), 'corescope-fakeproc-'));

  setLastPid(pid: number): void {
    const f = [...loadavgTemplate];
    f[4] = String(pid);
    writeFileSync(join(this.root, 'loadavg'), `${f.join(' ')}\n`);
  }

  /** Writes (or rewrites in place) a process's stat and cmdline. */
  process(p: Task): void {
    mkdirSync(join(this.root, String(p.pid), 'task'), { recursive: true });
    writeFileSync(join(this.root, String(p.pid), 'stat'), statLine(p));
    writeFileSync(join(this.root, String(p.pid), 'cmdline'), `${p.comm}\0-c\0work\0`);
  }

  /** Writes (or rewrites in place) one thread's stat, schedstat and children files. */
  thread(t: Task, children: number[] = []): void {
    const dir = join(this.root, String(t.pid), 'task', String(t.tid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), statLine(t));
    writeFileSync(join(dir, 'schedstat'), `${t.runNs} 1000 ${Math.max(1, Math.round(t.runNs / 1e6))}\n`);
    writeFileSync(join(dir, 'children'), children.map((c) => `${c} `).join(''));
  }

  /** The thread exited: its files read as empty through descriptors kept open, and it is no longer listed. */
  threadGone(pid: number, tid: number): void {
    const dir = join(this.root, String(pid), 'task', String(tid));
    for (const f of ['stat', 'schedstat', 'children']) writeFileSync(join(dir, f), '');
    rmSync(dir, { recursive: true });
  }

  /** The process was reaped: everything of it reads as empty, and it is no longer listed. */
  processGone(pid: number): void {
    const dir = join(this.root, String(pid));
    for (const tid of readdirSync(join(dir, 'task'))) this.threadGone(pid, Number(tid));
    writeFileSync(join(dir, 'stat'), '');
    writeFileSync(join(dir, 'cmdline'), '');
    rmSync(dir, { recursive: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

let fake: FakeProc | null = null;
afterEach(() => {
  fake?.remove();
  fake = null;
});

describe('TreeSampler on a fake /proc', () => {
  it('rewriting a file in place keeps its inode (what the sampler\'s kept-open reads rely on)', () => {
    fake = new FakeProc();
    fake.setLastPid(1);
    const path = join(fake.root, 'loadavg');
    const ino = statSync(path).ino;
    fake.setLastPid(2);
    expect(statSync(path).ino).toBe(ino);
  });

  for (const scanByPpid of [false, true]) {
    it(`follows threads and children and keeps the tree's CPU whole (${scanByPpid ? 'scanning by ppid' : 'children files'})`, () => {
      fake = new FakeProc();
      // A process (pid 100) of one thread that has run 100 ms (10 ticks).
      const main: Task = { pid: 100, tid: 100, comm: 'python3', ppid: 1, utime: 10, cutime: 0, numThreads: 1, runNs: 100e6 };
      const proc: Task = { ...main };
      fake.setLastPid(100);
      fake.process(proc);
      fake.thread(main);
      // Slow passes only at the first; stat refresh every 5th pass (passes 1 and 6).
      const sampler = new TreeSampler(100, false, { procRoot: fake.root, slowEvery: 1000, statEvery: 5, scanByPpid });
      const tids = (): number[] => sampler.threads.map((th) => th.info.tid);
      try {
        let s = sampler.sample(0);
        expect(s.treeCpuMs).toBeCloseTo(100, 6);
        expect(tids()).toEqual([100]);
        expect(sampler.processes.get(100)?.info).toMatchObject({ name: 'python3', cmdline: 'python3 -c work' });

        // Pass 2: a thread (tid 101) starts and runs 50 ms while the main thread runs 50 ms more.
        const worker: Task = { ...main, tid: 101, utime: 5, runNs: 50e6 };
        Object.assign(main, { utime: 15, runNs: 150e6 });
        Object.assign(proc, { utime: 20, numThreads: 2 });
        fake.setLastPid(101);
        fake.thread(main);
        fake.thread(worker);
        fake.process(proc);
        s = sampler.sample(50);
        expect(tids()).toEqual([100, 101]);
        expect(s.liveThreads).toBe(2);
        expect(s.treeCpuMs).toBeCloseTo(200, 6);

        // Pass 3: the main thread forks a child (pid 200), which runs 30 ms; the main thread 10 ms.
        const childMain: Task = { pid: 200, tid: 200, comm: 'sleep', ppid: 100, utime: 3, cutime: 0, numThreads: 1, runNs: 30e6 };
        const child: Task = { ...childMain };
        Object.assign(main, { utime: 16, runNs: 160e6 });
        Object.assign(proc, { utime: 21 });
        fake.setLastPid(200);
        fake.process(child);
        fake.thread(childMain);
        const childrenFile = join(fake.root, '100', 'task', '100', 'children');
        const ino = statSync(childrenFile).ino;
        fake.thread(main, [200]);
        expect(statSync(childrenFile).ino).toBe(ino);
        fake.process(proc);
        s = sampler.sample(100);
        expect([...sampler.processes.keys()]).toEqual([100, 200]);
        expect(sampler.processes.get(200)?.info).toMatchObject({ ppid: 100, name: 'sleep' });
        expect(tids()).toEqual([100, 101, 200]);
        expect(s.liveProcesses).toBe(2);
        expect(s.treeCpuMs).toBeCloseTo(240, 6);

        // Pass 4: the child exits and the parent reaps it (its 3 ticks move into the parent's
        // cutime); no pid is taken, so only the child's vanishing tells the sampler to look.
        Object.assign(main, { utime: 17, runNs: 170e6 });
        Object.assign(proc, { utime: 22, cutime: 3 });
        fake.processGone(200);
        fake.thread(main, []);
        fake.process(proc);
        s = sampler.sample(150);
        expect(sampler.processes.get(200)?.alive).toBe(false);
        expect(sampler.processes.get(200)?.info.exitedMs).toBe(150);
        expect(s.liveProcesses).toBe(1);
        // 240 + the main thread's 10 ms: the child's 30 ms counted once, now through the parent's cutime.
        expect(s.treeCpuMs).toBeCloseTo(250, 6);

        // Pass 5: the worker thread exits; its 5 ticks stay in the process's own utime.
        Object.assign(proc, { numThreads: 1 });
        fake.threadGone(100, 101);
        fake.process(proc);
        s = sampler.sample(200);
        expect(sampler.threads.find((th) => th.info.tid === 101)?.alive).toBe(false);
        expect(sampler.threads.find((th) => th.info.tid === 101)?.info.exitedMs).toBe(200);
        expect(s.liveThreads).toBe(1);
        expect(s.treeCpuMs).toBeCloseTo(250, 6);

        // Pass 6, a refresh: the exited thread's CPU is folded into the process's figure, still whole.
        s = sampler.sample(250);
        expect(sampler.processes.get(100)?.exitedThreadsMs).toBeCloseTo(50, 6);
        expect(sampler.processes.get(100)?.pendingExitedMs).toBe(0);
        expect(s.treeCpuMs).toBeCloseTo(250, 6);
        expect(s.treeUserTicks).toBe(22 + 3);

        expect(sampler.livePidsVerified()).toEqual([100]);
      } finally {
        sampler.close();
      }
    });
  }

  it('under the keeper: the workload process it reaps moves into the keeper\'s cutime, not lost', () => {
    fake = new FakeProc();
    // The keeper (pid 50) is infrastructure: only what it reaps counts, never its own threads.
    const keeper: Task = { pid: 50, tid: 50, comm: 'python3', ppid: 1, utime: 7, cutime: 0, numThreads: 1, runNs: 70e6 };
    const work: Task = { pid: 60, tid: 60, comm: 'node', ppid: 50, utime: 20, cutime: 0, numThreads: 1, runNs: 200e6 };
    fake.setLastPid(60);
    fake.process(keeper);
    fake.thread(keeper, [60]);
    fake.process(work);
    fake.thread(work);
    const sampler = new TreeSampler(50, true, { procRoot: fake.root, slowEvery: 1000, statEvery: 5 });
    try {
      let s = sampler.sample(0);
      expect([...sampler.processes.keys()]).toEqual([50, 60]);
      expect(sampler.threads.map((th) => th.info.tid)).toEqual([60]);
      expect(s.treeCpuMs).toBeCloseTo(200, 6);

      Object.assign(keeper, { cutime: 20 });
      fake.processGone(60);
      fake.thread(keeper, []);
      fake.process(keeper);
      s = sampler.sample(50);
      expect(sampler.processes.get(60)?.alive).toBe(false);
      expect(s.treeCpuMs).toBeCloseTo(200, 6);
      expect(s.treeUserTicks).toBe(20);
    } finally {
      sampler.close();
    }
  });
});
