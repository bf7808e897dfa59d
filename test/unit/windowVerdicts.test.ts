// Per-window verdicts and wait reasons, and the accumulator that builds them from samples.
import { describe, expect, it } from 'vitest';
import { WindowAccumulator, type WindowSampleThread } from '../../src/engine/run/windowAccumulator';
import type { WorkloadEvent } from '../../src/shared/types';
import type { StretchInput, ThreadStretch } from '../../src/shared/activity';
import { WINDOW_MS, windowVerdict } from '../../src/shared/windowVerdicts';

const th = (over: Partial<ThreadStretch>): ThreadStretch => ({ pid: 100, tid: 100, role: 'main', cpu: 0, runnable: 0, asleep: 0, diskWait: 0, switchesPerS: 0, ...over, demand: over.demand ?? over.cpu ?? 0 });
const win = (over: Partial<StretchInput>): StretchInput => ({
  fromMs: 0,
  toMs: 250,
  coreCount: 2,
  cores: 1,
  machineBusy: 1,
  iowaitCores: 0,
  threads: [],
  lagMaxMs: null,
  tasksInFlight: 0,
  processesBorn: 0,
  ...over,
});

describe('windowVerdict', () => {
  it('is 250 ms long by default', () => {
    expect(WINDOW_MS).toBe(250);
  });

  it('gil-or-lock: 2 threads of one pid share ~1 core while a core sits idle', () => {
    const v = windowVerdict(win({
      fromMs: 500,
      toMs: 750,
      cores: 0.98,
      machineBusy: 1.02,
      threads: [
        th({ tid: 100, cpu: 0.01 }),
        th({ tid: 101, role: 'python-thread', cpu: 0.5, runnable: 1, switchesPerS: 40 }),
        th({ tid: 102, role: 'python-thread', cpu: 0.48, runnable: 0.9, switchesPerS: 60.4 }),
      ],
    }));
    expect(v).toEqual({
      fromMs: 500,
      toMs: 750,
      parallelism: 0.98,
      activeThreads: 2,
      kind: 'interleaved',
      text: 'interleaved (took turns): 0.98 cores busy, 2 active thread(s)',
      reason: {
        kind: 'gil-or-lock',
        text: 'GIL or lock contention: 2 threads of pid 100 ready, together 0.98 cores busy, 1.0 core(s) idle, 100 context switches/s',
      },
    });
  });

  it('gil-or-lock omits the switch rate when there were none', () => {
    const v = windowVerdict(win({ threads: [th({ tid: 101, role: 'python-thread', cpu: 0.5 }), th({ tid: 102, role: 'python-thread', cpu: 0.5 })] }));
    expect(v.reason?.text).toBe('GIL or lock contention: 2 threads of pid 100 ready, together 1.00 cores busy, 1.0 core(s) idle');
  });

  it('says "lock or I/O contention" outside Python: a GIL exists only in Python processes', () => {
    const v = windowVerdict(win({ threads: [th({ tid: 101, role: 'other', cpu: 0.5 }), th({ tid: 102, role: 'other', cpu: 0.5 })] }));
    expect(v.reason?.text).toBe('Lock or I/O contention: 2 threads of pid 100 ready, together 1.00 cores busy, 1.0 core(s) idle');
  });

  it('no gil-or-lock when the threads are in different processes, use > 1.25 cores, or no core is idle', () => {
    const twoPids = [th({ pid: 100, tid: 100, cpu: 0.5 }), th({ pid: 200, tid: 200, cpu: 0.5 })];
    expect(windowVerdict(win({ threads: twoPids })).reason).toBeUndefined();
    const parallel = [th({ tid: 101, cpu: 0.7 }), th({ tid: 102, cpu: 0.6 })];
    expect(windowVerdict(win({ cores: 1.3, machineBusy: 1.3, threads: parallel })).reason).toBeUndefined();
    const shared = [th({ tid: 101, cpu: 0.5 }), th({ tid: 102, cpu: 0.5 })];
    expect(windowVerdict(win({ machineBusy: 1.6, threads: shared })).reason).toBeUndefined();
    // Threads under 0.1 of a core do not count as contending.
    expect(windowVerdict(win({ cores: 0.3, threads: [th({ tid: 101, cpu: 0.09 }), th({ tid: 102, cpu: 0.09 }), th({ tid: 103, cpu: 0.12 })] })).reason).toBeUndefined();
  });

  it('event-loop-blocked: a late heartbeat while the main thread computes', () => {
    const v = windowVerdict(win({ cores: 0.97, lagMaxMs: 120.4, threads: [th({ cpu: 0.95, runnable: 1 })] }));
    expect(v.kind).toBe('blocked');
    expect(v.reason).toEqual({ kind: 'event-loop-blocked', text: 'Event loop blocked: main thread 95% busy, heartbeat 120 ms late' });
  });

  it('no event-loop-blocked under BLOCKED_LAG_MS, or when the main thread was not busy', () => {
    expect(windowVerdict(win({ lagMaxMs: 49, threads: [th({ cpu: 0.95 })] })).reason).toBeUndefined();
    expect(windowVerdict(win({ lagMaxMs: 50, threads: [th({ cpu: 0.95 })] })).reason?.kind).toBe('event-loop-blocked');
    expect(windowVerdict(win({ lagMaxMs: 200, threads: [th({ cpu: 0.4 })] })).reason).toBeUndefined();
    expect(windowVerdict(win({ lagMaxMs: 200, threads: [th({ role: 'libuv-pool', cpu: 0.95 })] })).reason).toBeUndefined();
  });

  it('event-loop-blocked wins over gil-or-lock in the same window', () => {
    const v = windowVerdict(win({ lagMaxMs: 90, threads: [th({ tid: 100, cpu: 0.6 }), th({ tid: 101, role: 'libuv-pool', cpu: 0.4 })] }));
    expect(v.reason?.kind).toBe('event-loop-blocked');
  });

  it('oversubscribed: more threads runnable than cores, no core idle', () => {
    const threads = [101, 102, 103, 104].map((tid) => th({ tid, role: 'python-thread', cpu: 0.48, runnable: 0.8 }));
    const v = windowVerdict(win({ cores: 1.92, machineBusy: 1.95, threads }));
    expect(v.kind).toBe('parallel');
    expect(v.activeThreads).toBe(4);
    expect(v.reason).toEqual({ kind: 'oversubscribed', text: 'Oversubscribed: 3.2 threads runnable on average for 2 cores' });
  });

  it('not oversubscribed at exactly cores + 0.5 runnable, or with a core idle', () => {
    const at = [101, 102, 103, 104, 105].map((tid) => th({ tid, pid: tid, cpu: 0.4, runnable: 0.5 }));
    expect(windowVerdict(win({ cores: 2, machineBusy: 2, threads: at })).reason).toBeUndefined();
    const many = [101, 102, 103, 104].map((tid) => th({ tid, pid: tid, cpu: 0.4, runnable: 0.9 }));
    expect(windowVerdict(win({ cores: 1.6, machineBusy: 1.6, threads: many })).reason).toBeUndefined();
  });

  it('io-wait: all threads asleep', () => {
    const threads = [th({ tid: 100, cpu: 0.01 }), th({ tid: 101, cpu: 0.002 }), th({ tid: 102, cpu: 0 })];
    const v = windowVerdict(win({ cores: 0.013, machineBusy: 0.05, threads }));
    expect(v.kind).toBe('waiting');
    expect(v.activeThreads).toBe(0);
    expect(v.text).toBe('waiting: 0.01 cores busy, 0 active thread(s)');
    expect(v.reason).toEqual({ kind: 'io-wait', text: 'Waiting: all 3 threads asleep (I/O or timers), 0.01 cores busy' });
  });

  it('no io-wait without threads, or when a thread is runnable', () => {
    expect(windowVerdict(win({ cores: 0, machineBusy: 0, threads: [] })).reason).toBeUndefined();
    expect(windowVerdict(win({ cores: 0.02, machineBusy: 0.1, threads: [th({ cpu: 0.02, runnable: 0.5 })] })).reason).toBeUndefined();
  });

  it('one busy thread on an idle machine has no wait reason', () => {
    const v = windowVerdict(win({ cores: 1, machineBusy: 1, threads: [th({ cpu: 1, runnable: 1 })] }));
    expect(v).toEqual({ fromMs: 0, toMs: 250, parallelism: 1, activeThreads: 1, kind: 'serial', text: 'serial (one thread): 1.00 cores busy, 1 active thread(s)' });
    expect('reason' in v).toBe(false);
  });
});

/** Per-core usage of a 2-core machine with `busy` cores' worth busy. */
const usage = (busy: number) => [0, 1].map((k) => { const user = Math.min(1, Math.max(0, busy - k)); return { user, system: 0, iowait: 0, idle: 1 - user }; });
const busyOneCore = usage(1);

describe('WindowAccumulator', () => {
  const sampleThreads = (t: number): WindowSampleThread[] => [
    { index: 0, pid: 100, tid: 100, role: 'main', cpu: 0, queued: 0, runnable: false, state: 'S', switches: 5 },
    { index: 1, pid: 100, tid: 101, role: 'python-thread', cpu: 0.5, queued: 0, runnable: true, state: 'R', switches: t / 10 },
    { index: 2, pid: 100, tid: 102, role: 'python-thread', cpu: 0.5, queued: 0, runnable: t % 20 === 0, state: t % 20 === 0 ? 'R' : 'S', switches: t / 5 },
  ];

  it('closes a window per 250 ms of samples, with per-thread shares and a gil-or-lock reason', () => {
    const acc = new WindowAccumulator(2, []);
    for (let t = 10; t <= 500; t += 10) acc.add(t, 10, 1, busyOneCore, sampleThreads(t));
    acc.close(500);
    expect(acc.windows.map((w) => [w.fromMs, w.toMs])).toEqual([[0, 250], [250, 500]]);
    const w = acc.windows[0];
    expect(w.parallelism).toBeCloseTo(1, 12);
    expect(w.activeThreads).toBe(2);
    expect(w.kind).toBe('interleaved');
    expect(w.reason?.kind).toBe('gil-or-lock');
    expect(w.reason?.text).toMatch(/^GIL or lock contention: 2 threads of pid 100 ready, together 1\.00 cores busy, 1\.0 core\(s\) idle, \d+ context switches\/s$/);
  });

  // Regression: a window's switch count started at its own first sample, losing the switches since
  // the previous window's last one (288/s reported instead of 300/s); fixed in e157598.
  it('counts context switches over the whole window, from the previous window\'s last reading', () => {
    const acc = new WindowAccumulator(2, []);
    for (let t = 10; t <= 500; t += 10) acc.add(t, 10, 1, busyOneCore, sampleThreads(t));
    acc.close(500);
    expect(acc.windows[1].reason?.text).toContain(', 300 context switches/s');
  });

  it('skips empty windows across a gap and closes a partial last window', () => {
    const acc = new WindowAccumulator(2, []);
    acc.add(100, 100, 1, usage(1), sampleThreads(100));
    acc.add(900, 800, 0.5, usage(0.5), sampleThreads(900));
    acc.close(960);
    expect(acc.windows.map((w) => [w.fromMs, w.toMs])).toEqual([[0, 250], [750, 960]]);
    expect(acc.windows[1].parallelism).toBeCloseTo(0.5, 12);
  });

  it('takes the worst heartbeat lag of each window from events, including events added after construction', () => {
    const events: WorkloadEvent[] = [];
    const acc = new WindowAccumulator(2, events);
    const busyMain = (): WindowSampleThread[] => [{ index: 0, pid: 1, tid: 1, role: 'main', cpu: 0.96, queued: 0, runnable: true, state: 'R', switches: 0 }];
    events.push({ t: 40, kind: 'lag', lagMs: 20 }, { t: 120, kind: 'lag', lagMs: 180 }, { t: 200, kind: 'task-start', task: 'a' });
    for (let t = 10; t <= 250; t += 10) acc.add(t, 10, 0.96, usage(0.96), busyMain());
    events.push({ t: 300, kind: 'lag', lagMs: 10 });
    for (let t = 260; t <= 500; t += 10) acc.add(t, 10, 0.96, usage(0.96), busyMain());
    acc.close(500);
    expect(acc.windows).toHaveLength(2);
    expect(acc.windows[0].kind).toBe('blocked');
    expect(acc.windows[0].reason).toEqual({ kind: 'event-loop-blocked', text: 'Event loop blocked: main thread 96% busy, heartbeat 180 ms late' });
    expect(acc.windows[1].kind).toBe('serial');
    expect(acc.windows[1].reason).toBeUndefined();
  });

  it('io-wait for a window where every thread slept', () => {
    const acc = new WindowAccumulator(4, [], 100);
    const sleepy: WindowSampleThread[] = [
      { index: 0, pid: 7, tid: 7, role: 'main', cpu: 0.001, queued: 0, runnable: false, state: 'S', switches: 1 },
      { index: 1, pid: 7, tid: 8, role: 'python-thread', cpu: 0, queued: 0, runnable: false, state: 'S', switches: 1 },
    ];
    for (let t = 10; t <= 100; t += 10) acc.add(t, 10, 0.001, usage(0.2), sleepy);
    acc.close(100);
    expect(acc.windows).toHaveLength(1);
    expect(acc.windows[0]).toMatchObject({ fromMs: 0, toMs: 100, kind: 'waiting', activeThreads: 0, reason: { kind: 'io-wait' } });
  });
});

describe("the workload's life", () => {
  // Two threads on ~0.8 core each from 45 ms (the keeper started it) to 235 ms (it exited), sampled
  // every 50 ms from the run's start: 1.6 cores over its life, whatever the timeline around it.
  const life = { fromMs: 45, toMs: 235 };
  const cpuMsIn = (from: number, to: number): number => 1.6 * Math.max(0, Math.min(to, life.toMs) - Math.max(from, life.fromMs));
  const feed = (acc: WindowAccumulator): void => {
    for (let t = 50; t <= 400; t += 50) {
      // Its last moments' CPU (200–235 ms) is read only at 300 ms, once a parent reaped it.
      const cpuMs = t === 250 ? 0 : t === 300 ? cpuMsIn(200, 250) : cpuMsIn(t - 50, t);
      const cores = cpuMs / 50;
      const threads: WindowSampleThread[] = [0, 1].map((k) => ({ index: k, pid: 9, tid: 9 + k, role: 'other', cpu: cores / 2, queued: 0, runnable: cores > 0, state: cores > 0 ? 'R' : 'S', switches: t }));
      // Another program held 0.2 of a core throughout: it stays 0.2 over the workload's life.
      acc.add(t, 50, cores, usage(cores + 0.2), threads);
    }
    acc.close(400);
  };

  it('the time before it started and after it exited is not counted as its own; CPU read after the exit joins the stretch it exited in', () => {
    const acc = new WindowAccumulator(2, [], 250, 100, () => life);
    feed(acc);
    // Bins wholly outside its life are not emitted; the others span only its life and read 1.6
    // cores, 0.8 per thread, so that cores × length is the CPU each holds (304 ms in all).
    expect(acc.bins.map((b) => [b.fromMs, b.toMs])).toEqual([[45, 100], [100, 200], [200, 235]]);
    expect(acc.bins.reduce((sum, b) => sum + b.cores * (b.toMs - b.fromMs), 0)).toBeCloseTo(1.6 * 190, 6);
    for (const b of acc.bins) {
      expect(b.cores).toBeCloseTo(1.6, 9);
      expect(b.topThreadCores).toBeCloseTo(0.8, 9);
      expect(b.otherCores).toBeCloseTo(0.2, 9);
    }
    expect(acc.windows.map((w) => [w.fromMs, w.toMs])).toEqual([[45, 235]]);
    expect(acc.windows[0].parallelism).toBeCloseTo(1.6, 9);
  });

  it('without it (an attached program), the whole timeline counts, as before', () => {
    const acc = new WindowAccumulator(2, [], 250, 100);
    feed(acc);
    expect(acc.bins[0].cores).toBeCloseTo(0.88, 9);
    expect(acc.bins[2].cores).toBeCloseTo(0.56, 9);
  });
});

describe('a loop thread starved by other programs', () => {
  it('still counts as blocking its loop: it wanted the core (ran + queued), it did not sleep', () => {
    const acc = new WindowAccumulator(2, [{ t: 50, kind: 'lag', lagMs: 200 }]);
    // Half a core of CPU and half a core queued: a busy loop on a machine loaded by others.
    const starved: WindowSampleThread[] = [{ index: 0, pid: 1, tid: 1, role: 'main', cpu: 0.5, queued: 0.45, runnable: true, state: 'R', switches: 0 }];
    for (let t = 10; t <= 250; t += 10) acc.add(t, 10, 0.5, usage(2), starved);
    acc.close(250);
    expect(acc.windows[0].kind).toBe('blocked');
  });
  it('an idle loop thread with late heartbeats (the machine was busy) is not', () => {
    const acc = new WindowAccumulator(2, [{ t: 50, kind: 'lag', lagMs: 200 }]);
    const idle: WindowSampleThread[] = [{ index: 0, pid: 1, tid: 1, role: 'main', cpu: 0.02, queued: 0.03, runnable: false, state: 'S', switches: 0 }];
    for (let t = 10; t <= 250; t += 10) acc.add(t, 10, 0.02, usage(2), idle);
    acc.close(250);
    expect(acc.windows[0].kind).not.toBe('blocked');
  });
});

describe('WindowAccumulator activity bins (what phases are cut from)', () => {
  it('closes a 100 ms bin per 100 ms with births, tasks in flight, thread states and run-queue demand', () => {
    const events: WorkloadEvent[] = [
      { t: 20, kind: 'task-start', task: 'a' },
      { t: 30, kind: 'task-start', task: 'b' },
      { t: 150, kind: 'task-end', task: 'a' },
    ];
    const acc = new WindowAccumulator(2, events);
    const threads = (t: number): WindowSampleThread[] => [
      { index: 0, pid: 10, tid: 10, role: 'main', cpu: 0.5, queued: 0.5, runnable: true, state: 'R', switches: t },
      // A second process appears at 150 ms, asleep in disk wait.
      ...(t > 150 ? [{ index: 1, pid: 11, tid: 11, role: 'child-process' as const, cpu: 0, queued: 0, runnable: false, state: 'D' as const, switches: 0 }] : []),
    ];
    for (let t = 10; t <= 300; t += 10) acc.add(t, 10, 0.5, usage(1.5), threads(t));
    acc.close(300);
    expect(acc.bins.map((b) => [b.fromMs, b.toMs])).toEqual([[0, 100], [100, 200], [200, 300]]);
    const [first, second, third] = acc.bins;
    expect(first.processesBorn).toBe(1);
    expect(second.processesBorn).toBe(1);
    expect(third.processesBorn).toBe(0);
    expect(first.tasksInFlight).toBe(2);
    // b is still open: the next bins start with it.
    expect(third.tasksInFlight).toBe(1);
    expect(first.cores).toBeCloseTo(0.5, 9);
    expect(first.demand).toBeCloseTo(1, 9);
    expect(first.otherCores).toBeCloseTo(1, 9);
    expect(first.hungryThreads).toBe(1);
    expect(third.diskWait).toBeCloseTo(0.5, 9);
    expect(third.queued).toBeCloseTo(0.25, 9);
  });
});

describe('a blocked loop is seen where it was blocked', () => {
  it('a heartbeat reported late marks every bin of the block, not only the one it arrived in', () => {
    const events: WorkloadEvent[] = [];
    const acc = new WindowAccumulator(2, events);
    const busyMain: WindowSampleThread[] = [{ index: 0, pid: 1, tid: 1, role: 'main', cpu: 1, queued: 0, runnable: true, state: 'R', switches: 0 }];
    // The loop computes from 100 ms to 900 ms; the heartbeat due at 100 ms fires at 900 ms, 800 ms late.
    for (let t = 10; t <= 900; t += 10) acc.add(t, 10, 1, usage(1), busyMain);
    events.push({ t: 905, kind: 'lag', lagMs: 800 });
    for (let t = 910; t <= 1200; t += 10) acc.add(t, 10, 0.05, usage(0.05), busyMain);
    acc.close(1200);
    const lagged = acc.bins.filter((b) => (b.lagMaxMs ?? 0) >= 800).map((b) => b.fromMs);
    expect(lagged).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(acc.bins[0].lagMaxMs).toBeNull();
  });
});
