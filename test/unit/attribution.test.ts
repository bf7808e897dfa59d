// Attribution on synthetic stack samples whose answer is known: the GIL holder and its function,
// the function that blocked a loop (with its caller), the await tasks waited at, the hot code.
import { describe, expect, it } from 'vitest';
import { attribute } from '../../src/shared/attribution';
import { StackSamplesBuilder, type StackFrame } from '../../src/shared/stackSamples';
import type { Phase, RunSamples, WindowVerdict, WorkloadEvent } from '../../src/shared/types';

const HZ = 100;
const f = (name: string, line: number, file = '/app/work.py'): StackFrame => ({ name, file, line });
const MAIN = f('<module>', 30);
const RUN = f('run', 20, '/usr/lib/python3.11/threading.py');
const COUNT = f('count', 12);
const ACQUIRE = f('take', 40);

function runSamples(threads: { pid: number; tid: number; name: string }[], ms: number): RunSamples {
  const t: number[] = [];
  for (let x = 0; x <= ms; x += 10) t.push(x);
  return {
    rateHz: HZ,
    coreCount: 2,
    t,
    coreUser: [t.map(() => 0.5), t.map(() => 0.5)],
    coreSystem: [t.map(() => 0), t.map(() => 0)],
    coreIowait: [t.map(() => 0), t.map(() => 0)],
    workloadCores: t.map(() => 1),
    threadCpu: threads.map(() => t.map(() => 0.5)),
    threadCore: threads.map(() => t.map(() => 0)),
    threads: threads.map((th) => ({ ...th, role: 'python-thread' as const, firstSeenMs: 0 })),
    processes: [{ pid: 100, ppid: 1, name: 'python3', cmdline: 'python3 work.py', firstSeenMs: 0 }],
  };
}

const phase = (kind: Phase['kind'], fromMs: number, toMs: number): Phase => ({ kind, fromMs, toMs, cores: 1, demand: 2, otherCores: 0, threads: 2, tasks: 0, text: `${kind} phase` });

describe('attribution', () => {
  it('names the thread that held the GIL, its function, and the one waiting', () => {
    const b = new StackSamplesBuilder(HZ);
    // Two threads take turns: A runs 70 % of the ticks, B 30 %; the one not running used no CPU.
    for (let k = 0; k < 100; k++) {
      const aRuns = k % 10 < 7;
      b.add({ t: k * 10, pid: 100, tid: 101, frames: [RUN, COUNT], cpuMs: aRuns ? 10 : 0, threadName: 'worker-1' });
      b.add({ t: k * 10, pid: 100, tid: 102, frames: [RUN, COUNT], cpuMs: aRuns ? 0 : 10, threadName: 'worker-2' });
    }
    b.source({ pid: 100, runtime: 'python', samples: 200 });
    const stacks = b.build();
    const a = attribute(stacks, runSamples([{ pid: 100, tid: 101, name: 'python3' }, { pid: 100, tid: 102, name: 'python3' }], 1000), [phase('interleaved', 0, 1000)], [], []);
    const gil = a.findings.find((x) => x.kind === 'gil')!;
    expect(gil).toBeDefined();
    expect(gil.thread).toBe('worker-1');
    expect(gil.frame.name).toBe('count');
    expect(gil.share).toBeCloseTo(0.7, 1);
    expect(gil.waiting).toBe(1);
    expect(a.phases[0].code).toBe('thread worker-1 (pid 100) ran count() at app/work.py:12 in 70 % of the time (worker-2 30 % ran it too), 1 thread waiting for the GIL meanwhile');
  });

  it('a lock: the waiting thread is named where it waits', () => {
    const b = new StackSamplesBuilder(HZ);
    for (let k = 0; k < 50; k++) {
      b.add({ t: k * 10, pid: 100, tid: 101, frames: [RUN, COUNT], cpuMs: 10, threadName: 'holder' });
      b.add({ t: k * 10, pid: 100, tid: 102, frames: [RUN, ACQUIRE], cpuMs: 0, threadName: 'waiter' });
    }
    b.source({ pid: 100, runtime: 'python', samples: 100 });
    const a = attribute(b.build(), runSamples([], 500), [phase('interleaved', 0, 500)], [], []);
    expect(a.phases[0].code).toBe('thread holder (pid 100) ran count() at app/work.py:12 in 100 % of the time; thread waiter sat in take() at app/work.py:40');
  });

  it('a late heartbeat: the function that kept the loop busy, with its caller', () => {
    const b = new StackSamplesBuilder(HZ);
    const handler = f('handler', 77, '/srv/server.js');
    const fib = f('fib', 40, '/srv/server.js');
    for (let k = 0; k < 100; k++) {
      const busy = k >= 20 && k < 80;
      b.add({ t: k * 10, pid: 200, tid: 200, frames: busy ? [f('(root)', 0, ''), handler, fib] : [f('(root)', 0, ''), f('(program)', 0, '')], cpuMs: 10 });
    }
    b.source({ pid: 200, runtime: 'node', samples: 100 });
    const events: WorkloadEvent[] = [{ t: 800, kind: 'lag', lagMs: 600, pid: 200, tid: 200 }];
    const windows: WindowVerdict[] = [{ kind: 'blocked', text: 'blocked', fromMs: 500, toMs: 750, parallelism: 1, activeThreads: 1, reason: { kind: 'event-loop-blocked', text: 'loop blocked' } }];
    const a = attribute(b.build(), runSamples([], 1000), [phase('blocked', 200, 800)], windows, events);
    const blocked = a.findings.find((x) => x.kind === 'blocked')!;
    expect(blocked.frame.name).toBe('fib');
    expect(blocked.callers[0].name).toBe('handler');
    expect(blocked.text).toBe('the event loop (pid 200) was blocked 600 ms in fib() at srv/server.js:40 (called from handler() at srv/server.js:77)');
    expect(a.phases[0].code).toBe(blocked.text);
    expect(a.windows[0].code).toBe(blocked.text);
  });

  it('waiting: the await suspended tasks wait at', () => {
    const b = new StackSamplesBuilder(HZ);
    const sleepAwait = f('fetch', 9, '/app/app.py');
    for (let k = 0; k < 100; k++) {
      b.add({ t: k * 10, pid: 100, tid: 100, frames: [MAIN, f('select', 468, '/usr/lib/python3.11/selectors.py')], cpuMs: 0 });
      for (let task = 0; task < 10; task++) b.add({ t: k * 10, pid: 100, tid: 100, frames: [sleepAwait], kind: 'task', threadName: `Task-${task}` });
    }
    b.source({ pid: 100, runtime: 'python', samples: 1100 });
    const a = attribute(b.build(), runSamples([], 1000), [phase('waiting', 0, 1000)], [], []);
    expect(a.phases[0].code).toBe('10 tasks waited in fetch() at app/app.py:9 (the await it is suspended at)');
  });

  it('hot code of a parallel stretch across processes', () => {
    const b = new StackSamplesBuilder(HZ);
    for (let k = 0; k < 100; k++) {
      b.add({ t: k * 10, pid: 301, tid: 301, frames: [MAIN, f('work', 10, '/app/mp.py')], cpuMs: 10 });
      b.add({ t: k * 10, pid: 302, tid: 302, frames: [MAIN, f('work', 10, '/app/mp.py')], cpuMs: 9 });
      if (k % 10 === 0) b.add({ t: k * 10 + 1, pid: 100, tid: 100, frames: [MAIN, f('join', 5, '/usr/lib/python3.11/multiprocessing/process.py')], cpuMs: 0 });
    }
    for (const pid of [100, 301, 302]) b.source({ pid, runtime: 'python', samples: 100 });
    const a = attribute(b.build(), runSamples([], 1000), [phase('parallel', 0, 1000)], [], []);
    expect(a.findings[0].kind).toBe('hot');
    expect(a.phases[0].code).toBe('work() at app/mp.py:10 used 100 % of the CPU (2 processes)');
  });

  it('start-up keeps its code line but is not a finding', () => {
    const b = new StackSamplesBuilder(HZ);
    for (let k = 0; k < 30; k++) b.add({ t: k * 10, pid: 100, tid: 100, frames: [MAIN, f('_path_stat', 147, '<frozen importlib._bootstrap_external>')], cpuMs: 10 });
    b.source({ pid: 100, runtime: 'python', samples: 30 });
    const a = attribute(b.build(), runSamples([], 300), [phase('startup', 0, 300)], [], []);
    expect(a.phases[0].code).toMatch(/^_path_stat\(\) at <frozen importlib\._bootstrap_external>:147 used 100 % of the CPU/);
    expect(a.findings).toEqual([]);
  });

  it('nothing sampled in a stretch: no line, phases unchanged', () => {
    const b = new StackSamplesBuilder(HZ);
    b.add({ t: 5000, pid: 100, tid: 100, frames: [MAIN], cpuMs: 10 });
    const phases = [phase('serial', 0, 1000)];
    const a = attribute(b.build(), runSamples([], 1000), phases, [], []);
    expect(a.phases[0].code).toBeUndefined();
    expect(a.findings).toEqual([]);
  });
});
