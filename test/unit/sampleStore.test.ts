// The columnar sample store: 16-bit fixed-point values, absent threads, chunking, memory bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CoreUsage } from '../../src/shared/types';
import { SampleStore, type ThreadPoint } from '../../src/engine/store/sampleStore';

const CHUNK = 4096;
const STEP = 1 / 0xfffe;
const near = (got: number[], want: number[]): void => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(STEP));
};
const usage = (user: number, system: number, iowait: number): CoreUsage => ({ user, system, iowait, idle: Math.max(0, 1 - user - system - iowait) });

describe('SampleStore values', () => {
  it('round-trips times exactly, workload cores as float32, fractions within 1/65534', () => {
    const s = new SampleStore(2);
    s.append(0.5, [usage(0.123456, 0.2, 0.01), usage(1, 0, 0)], 1.1, [{ index: 0, cpu: 0.333333, core: 1 }]);
    s.append(50.25, [usage(0, 0, 0), usage(0.5, 0.25, 0.25)], 0, [{ index: 0, cpu: 0.999999, core: 0 }]);
    expect(s.length).toBe(2);
    expect(s.time(0)).toBe(0.5);
    expect(s.time(1)).toBe(50.25);
    expect(s.workloadCores(0)).toBeCloseTo(1.1, 6);
    const u = s.coreUsage(0, 0);
    expect(Math.abs(u.user - 0.123456)).toBeLessThanOrEqual(STEP);
    expect(Math.abs(u.system - 0.2)).toBeLessThanOrEqual(STEP);
    expect(Math.abs(u.iowait - 0.01)).toBeLessThanOrEqual(STEP);
    expect(s.coreUsage(0, 1)).toEqual({ user: 1, system: 0, iowait: 0 });
    expect(s.coreUsage(1, 0)).toEqual({ user: 0, system: 0, iowait: 0 });
    const u11 = s.coreUsage(1, 1);
    near([u11.user, u11.system, u11.iowait], [0.5, 0.25, 0.25]);
    expect(Math.abs(s.threadCpu(0, 0) - 0.333333)).toBeLessThanOrEqual(STEP);
    expect(Math.abs(s.threadCpu(1, 0) - 0.999999)).toBeLessThanOrEqual(STEP);
    expect(s.threadCore(0, 0)).toBe(1);
    expect(s.threadCore(1, 0)).toBe(0);
  });

  it('keeps 0 and 1 exact and clamps out-of-range fractions into [0, 1]', () => {
    const s = new SampleStore(1);
    s.append(0, [usage(-0.2, 1.7, 0)], 0, [{ index: 0, cpu: 1.05, core: 0 }, { index: 1, cpu: -1, core: 0 }]);
    expect(s.coreUsage(0, 0)).toEqual({ user: 0, system: 1, iowait: 0 });
    expect(s.threadCpu(0, 0)).toBe(1);
    expect(s.threadCpu(0, 1)).toBe(0);
  });

  it('every fraction on a fine grid round-trips within 1/65534', () => {
    const s = new SampleStore(1);
    const xs: number[] = [];
    for (let i = 0; i <= 2000; i++) xs.push(i / 2000 + (i % 7) * 1e-7);
    xs.forEach((x, i) => s.append(i, [usage(Math.min(1, x), 0, 0)], 0, [{ index: 0, cpu: Math.min(1, x), core: 0 }]));
    xs.forEach((x, i) => {
      expect(Math.abs(s.coreUsage(i, 0).user - Math.min(1, x))).toBeLessThanOrEqual(STEP / 2 + 1e-12);
      expect(Math.abs(s.threadCpu(i, 0) - Math.min(1, x))).toBeLessThanOrEqual(STEP / 2 + 1e-12);
    });
  });

  it('reads a core missing from a sample as idle (zeros)', () => {
    const s = new SampleStore(3);
    s.append(0, [usage(0.5, 0, 0)], 0, []);
    expect(s.coreUsage(0, 1)).toEqual({ user: 0, system: 0, iowait: 0 });
    expect(s.coreUsage(0, 2)).toEqual({ user: 0, system: 0, iowait: 0 });
  });

  it('reads a thread as NaN / -1 where it was absent: before it appeared, after it left, and never seen', () => {
    const s = new SampleStore(1);
    const c = [usage(0, 0, 0)];
    s.append(0, c, 0, [{ index: 0, cpu: 0.1, core: 0 }]);
    s.append(1, c, 0, [{ index: 0, cpu: 0.2, core: 0 }, { index: 1, cpu: 0.3, core: 0 }]);
    s.append(2, c, 0, [{ index: 1, cpu: 0.4, core: -1 }]);
    expect(s.threadCpu(0, 1)).toBeNaN();
    expect(s.threadCore(0, 1)).toBe(-1);
    expect(s.threadCpu(2, 0)).toBeNaN();
    expect(s.threadCore(2, 0)).toBe(-1);
    expect(s.threadCpu(1, 7)).toBeNaN();
    expect(s.threadCore(1, 7)).toBe(-1);
    // A negative core (unknown) is stored as absent while the CPU share is kept.
    expect(s.threadCore(2, 1)).toBe(-1);
    expect(Math.abs(s.threadCpu(2, 1) - 0.4)).toBeLessThanOrEqual(STEP);
  });
});

describe('SampleStore chunks', () => {
  it('keeps samples across chunk boundaries (> 4096 samples) in order', () => {
    const s = new SampleStore(2);
    const n = 2 * CHUNK + 10;
    for (let i = 0; i < n; i++) {
      const threads: ThreadPoint[] = [{ index: 0, cpu: (i % 100) / 100, core: i % 2 }];
      // Thread 1 lives only in the second chunk.
      if (i >= CHUNK && i < 2 * CHUNK) threads.push({ index: 1, cpu: 0.5, core: 1 });
      s.append(i * 10, [usage((i % 10) / 10, 0, 0), usage(0, (i % 4) / 4, 0)], i % 3, threads);
    }
    expect(s.length).toBe(n);
    for (const i of [0, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, n - 1]) {
      expect(s.time(i)).toBe(i * 10);
      expect(s.workloadCores(i)).toBe(i % 3);
      expect(Math.abs(s.coreUsage(i, 0).user - (i % 10) / 10)).toBeLessThanOrEqual(STEP);
      expect(s.coreUsage(i, 1).system).toBeCloseTo((i % 4) / 4, 4);
      expect(Math.abs(s.threadCpu(i, 0) - (i % 100) / 100)).toBeLessThanOrEqual(STEP);
      expect(s.threadCore(i, 0)).toBe(i % 2);
    }
    expect(s.threadCpu(CHUNK - 1, 1)).toBeNaN();
    expect(s.threadCpu(CHUNK, 1)).toBe(0.5);
    expect(s.threadCpu(2 * CHUNK - 1, 1)).toBe(0.5);
    expect(s.threadCpu(2 * CHUNK, 1)).toBeNaN();
    expect(s.threadCore(2 * CHUNK, 1)).toBe(-1);
  });

  it('toColumns slices [from, to) across a chunk boundary and clamps to the length', () => {
    const s = new SampleStore(1);
    for (let i = 0; i < CHUNK + 3; i++) s.append(i, [usage(0.25, 0.5, 0.125)], 1, i === CHUNK + 1 ? [{ index: 1, cpu: 0.75, core: 0 }] : []);
    const cols = s.toColumns(CHUNK - 1, CHUNK + 100, 2);
    expect(cols.t).toEqual([CHUNK - 1, CHUNK, CHUNK + 1, CHUNK + 2]);
    expect(cols.workloadCores).toEqual([1, 1, 1, 1]);
    near(cols.coreUser[0], [0.25, 0.25, 0.25, 0.25]);
    near(cols.coreSystem[0], [0.5, 0.5, 0.5, 0.5]);
    near(cols.coreIowait[0], [0.125, 0.125, 0.125, 0.125]);
    expect(cols.threadCpu[0].every(Number.isNaN)).toBe(true);
    expect(cols.threadCore[0]).toEqual([-1, -1, -1, -1]);
    expect(cols.threadCpu[1][0]).toBeNaN();
    near([cols.threadCpu[1][2]], [0.75]);
    expect(cols.threadCore[1]).toEqual([-1, -1, 0, -1]);
    expect(s.toColumns(CHUNK + 10, CHUNK + 20, 0).t).toEqual([]);
  });

  it('toColumns of any range reads as the per-sample accessors, threads coming and going across chunks', () => {
    // Threads 0..5 alive over stretches that cross the chunk boundary; thread 6 never alive.
    const s = new SampleStore(1);
    const samples = CHUNK + 700;
    const alive = (th: number, i: number): boolean => Math.floor((i + th * 911) / (300 + th * 170)) % 3 !== 1;
    for (let i = 0; i < samples; i++) {
      const points: ThreadPoint[] = [];
      for (let th = 0; th < 6; th++) if (alive(th, i)) points.push({ index: th, cpu: ((i * 7 + th * 13) % 101) / 100, core: (i + th) % 3 === 0 ? -1 : (i + th) % 2 });
      s.append(i, [usage(0, 0, 0)], 0, points);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: samples + 20 }), fc.integer({ min: 0, max: 900 }), (from, width) => {
        const cols = s.toColumns(from, from + width, 7);
        const n = Math.max(0, Math.min(from + width, samples) - from);
        for (let th = 0; th < 7; th++) {
          expect(cols.threadCpu[th]).toHaveLength(n);
          for (let j = 0; j < n; j++) {
            expect(Object.is(cols.threadCpu[th][j], s.threadCpu(from + j, th))).toBe(true);
            expect(cols.threadCore[th][j]).toBe(s.threadCore(from + j, th));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('toRunSamples carries rate, core count, threads and processes', () => {
    const s = new SampleStore(1);
    s.append(0, [usage(1, 0, 0)], 1, [{ index: 0, cpu: 1, core: 0 }]);
    const threads = [{ pid: 1, tid: 1, name: 'x', role: 'main' as const, firstSeenMs: 0 }];
    const processes = [{ pid: 1, ppid: 0, name: 'x', cmdline: 'x', firstSeenMs: 0 }];
    const r = s.toRunSamples(50, threads, processes);
    expect(r).toMatchObject({ rateHz: 50, coreCount: 1, t: [0], threadCpu: [[1]], threadCore: [[0]], threads, processes });
  });

  it('byteLength counts whole chunks, and thread columns as long as what they hold', () => {
    const s = new SampleStore(4);
    expect(s.byteLength()).toBe(0);
    s.append(0, [], 0, [{ index: 0, cpu: 0, core: 0 }]);
    // t (8) + cores (4*3*2) + workload (4) per slot, plus 2 bytes * 2 columns of 256 for one thread.
    const chunkBytes = CHUNK * (8 + 24 + 4);
    expect(s.byteLength()).toBe(chunkBytes + 256 * 4);
    // A column doubles as it fills; a thread first seen late in the chunk gets one that reaches it.
    for (let i = 1; i < 300; i++) s.append(i, [], 0, [{ index: 0, cpu: 0.5, core: 1 }]);
    expect(s.byteLength()).toBe(chunkBytes + 512 * 4);
    for (let i = 300; i < 3000; i++) s.append(i, [], 0, i === 2999 ? [{ index: 1, cpu: 0.25, core: 0 }] : []);
    expect(s.byteLength()).toBe(chunkBytes + 512 * 4 + 4096 * 4);
    // What a column does not reach reads as not alive; what it holds survived each growth.
    expect(s.threadCpu(2999, 0)).toBeNaN();
    expect(s.threadCore(2999, 0)).toBe(-1);
    expect(s.threadCpu(299, 0)).toBe(0.5);
    expect(s.threadCore(0, 0)).toBe(0);
    expect(s.toColumns(298, 302, 2).threadCore).toEqual([[1, 1, -1, -1], [-1, -1, -1, -1]]);
  });
});

describe('SampleStore memory bound', () => {
  it('a 10-minute run at 100 Hz on 128 cores with 200 threads (60,000 samples) stays under 100 MB', () => {
    const cores = 128;
    const threadCount = 200;
    const samples = 10 * 60 * 100;
    const s = new SampleStore(cores);
    const coreRow = Array.from({ length: cores }, (_, k) => usage((k % 10) / 10, 0.05, 0));
    const threads: ThreadPoint[] = Array.from({ length: threadCount }, (_, k) => ({ index: k, cpu: 0.5, core: k % cores }));
    const started = performance.now();
    for (let i = 0; i < samples; i++) s.append(i * 10, coreRow, 64, threads);
    const seconds = (performance.now() - started) / 1000;
    expect(s.length).toBe(samples);
    const bytes = s.byteLength();
    // 15 chunks of 4096 slots × (8 + 128·3·2 + 4 + 200·2·2) bytes.
    expect(bytes).toBe(Math.ceil(samples / CHUNK) * CHUNK * (8 + cores * 6 + 4 + threadCount * 4));
    expect(bytes).toBeLessThan(100 * 1000 * 1000);
    expect(seconds).toBeLessThan(20);
    // Spot-check the last sample survived.
    expect(s.time(samples - 1)).toBe((samples - 1) * 10);
    expect(s.threadCore(samples - 1, 199)).toBe(199 % cores);
  });
});
