// Run verdicts: the kind at each threshold, and texts that carry the numbers behind them.
import { describe, expect, it } from 'vitest';
import { BLOCKED_LAG_MS, MORE_THAN_ONE_CORE, NOTABLE_OTHER_LOAD, PARALLEL_MIN, WAITING_MAX, classify, runVerdict, type VerdictInput } from '../../src/shared/verdict';

const input = (over: Partial<VerdictInput>): VerdictInput => ({
  parallelism: 1,
  wallMs: 2500,
  coreCount: 8,
  lag: null,
  busyThreads: 1,
  peakConcurrency: null,
  ...over,
});
const lag = (maxMs: number, p99Ms = maxMs, p50Ms = 1) => ({ p50Ms, p99Ms, maxMs, count: 10 });

describe('thresholds', () => {
  it('are the documented values', () => {
    expect(PARALLEL_MIN).toBe(1.4);
    expect(WAITING_MAX).toBe(0.2);
    expect(BLOCKED_LAG_MS).toBe(50);
    expect(NOTABLE_OTHER_LOAD).toBe(0.3);
  });
});

describe('classify', () => {
  it('parallel from PARALLEL_MIN up, interleaved just below', () => {
    expect(classify(PARALLEL_MIN, null)).toBe('parallel');
    expect(classify(PARALLEL_MIN - 1e-9, null)).toBe('interleaved');
    expect(classify(7.9, null)).toBe('parallel');
  });

  it('waiting below WAITING_MAX, interleaved from it', () => {
    expect(classify(WAITING_MAX - 1e-9, null)).toBe('waiting');
    expect(classify(WAITING_MAX, null)).toBe('interleaved');
    expect(classify(0, null)).toBe('waiting');
  });

  it('blocked from BLOCKED_LAG_MS of lag when not parallel, whatever the CPU', () => {
    expect(classify(1, BLOCKED_LAG_MS)).toBe('blocked');
    expect(classify(1, BLOCKED_LAG_MS - 0.001)).toBe('interleaved');
    expect(classify(0.05, BLOCKED_LAG_MS)).toBe('blocked');
    expect(classify(PARALLEL_MIN - 1e-9, 5000)).toBe('blocked');
  });

  it('a parallel run with a late heartbeat is still parallel', () => {
    expect(classify(PARALLEL_MIN, 5000)).toBe('parallel');
  });

  it('no lag reported is not blocked', () => {
    expect(classify(1, null)).toBe('interleaved');
    expect(classify(1, 0)).toBe('interleaved');
  });
});

describe('runVerdict texts', () => {
  it('blocked: names the max and p99 lag, the cores and the seconds', () => {
    const v = runVerdict(input({ parallelism: 0.98, lag: lag(212.4, 180.6) }));
    expect(v.kind).toBe('blocked');
    expect(v.text).toBe('Event loop blocked: heartbeats fired up to 212 ms late (p99 181 ms) while the workload used 0.98 cores over 2.50 s — one thread computed and everything else waited its turn.');
  });

  it('waiting: plain, or I/O concurrency when tasks overlapped', () => {
    const plain = runVerdict(input({ parallelism: 0.03, wallMs: 1000 }));
    expect(plain.kind).toBe('waiting');
    expect(plain.text).toBe('Mostly waiting: 0.03 cores busy on average over 1.00 s — the workload spent its time waiting (sleep, I/O or timers), not computing.');
    const io = runVerdict(input({ parallelism: 0.1, wallMs: 1000, peakConcurrency: 50 }));
    expect(io.text).toBe('Mostly waiting (I/O concurrency): 0.10 cores busy on average over 1.00 s with 50 task(s) in flight at peak — the tasks overlapped while waiting, not while computing.');
    // One task in flight is not concurrency.
    expect(runVerdict(input({ parallelism: 0.1, peakConcurrency: 1 })).text).toMatch(/^Mostly waiting: /);
  });

  it('parallel: rounded cores of the machine, CPU/wall, tasks or threads', () => {
    const v = runVerdict(input({ parallelism: 3.64, coreCount: 4, busyThreads: 4 }));
    expect(v.kind).toBe('parallel');
    expect(v.text).toBe('Parallel: spread across ~3.6 of 4 cores (CPU/wall = 3.64) with 4 busy thread(s) — the work really ran at the same time.');
    expect(runVerdict(input({ parallelism: 1.4, coreCount: 2, peakConcurrency: 2 })).text).toContain('~1.4 of 2 cores (CPU/wall = 1.40) with 2 task(s) in flight at peak');
  });

  // Regression: the core count was Math.round(parallelism), so at PARALLEL_MIN (1.4) a "Parallel"
  // verdict read "spread across ~1 of 2 cores"; fixed in e157598.
  it('a parallel verdict never claims ~1 core', () => {
    const text = runVerdict(input({ parallelism: PARALLEL_MIN, coreCount: 2 })).text;
    expect(text).toMatch(/^Parallel: /);
    expect(text).not.toContain('~1 of');
  });

  it('interleaved: several threads taking turns, or one thread', () => {
    const many = runVerdict(input({ parallelism: 1.02, busyThreads: 4, wallMs: 3210 }));
    expect(many.kind).toBe('interleaved');
    expect(many.text).toBe('Interleaved on ~1 core (concurrency): CPU/wall = 1.02 over 3.21 s although 4 threads were busy — they took turns rather than running at once.');
    const one = runVerdict(input({ parallelism: 0.99, busyThreads: 1, wallMs: 500 }));
    expect(one.text).toBe('Interleaved on ~1 core: CPU/wall = 0.99 over 0.50 s — one thread did the work; nothing ran in parallel.');
  });

  it('every kind at its threshold carries the threshold-side number', () => {
    expect(runVerdict(input({ parallelism: PARALLEL_MIN })).text).toContain('CPU/wall = 1.40');
    expect(runVerdict(input({ parallelism: WAITING_MAX })).text).toContain('CPU/wall = 0.20');
    expect(runVerdict(input({ parallelism: 0.19 })).text).toContain('0.19 cores busy');
    expect(runVerdict(input({ parallelism: 1, lag: lag(BLOCKED_LAG_MS) })).text).toContain('up to 50 ms late');
  });

  it('says when other programs competed for the cores, from NOTABLE_OTHER_LOAD up', () => {
    const base = runVerdict(input({ parallelism: 1.02, busyThreads: 4, wallMs: 3210 })).text;
    expect(runVerdict(input({ parallelism: 1.02, busyThreads: 4, wallMs: 3210, otherLoadCores: NOTABLE_OTHER_LOAD - 0.01 })).text).toBe(base);
    const v = runVerdict(input({ parallelism: 1.02, busyThreads: 4, wallMs: 3210, coreCount: 2, otherLoadCores: 0.8 }));
    expect(v.kind).toBe('interleaved');
    expect(v.text).toBe(`${runVerdict(input({ parallelism: 1.02, busyThreads: 4, wallMs: 3210, coreCount: 2 })).text} Other programs used 0.80 cores meanwhile, so the workload competed for the 2 cores.`);
    expect(runVerdict(input({ parallelism: 2, otherLoadCores: NOTABLE_OTHER_LOAD })).text).toContain('Other programs used 0.30 cores meanwhile');
  });
});

describe('parallel judged against the cores other programs left free', () => {
  it('two processes on what was left of 2 cores are parallel; threads taking turns stay interleaved', () => {
    // 0.5 core taken by others: 1.5 free; 1.37 cores' worth is more than one core at once.
    const mp = runVerdict(input({ parallelism: 1.37, busyThreads: 2, coreCount: 2, otherLoadCores: 0.5 }));
    expect(mp.kind).toBe('parallel');
    expect(mp.text).toContain('of the ~1.5 cores other programs left free');
    expect(mp.text).toContain('Other programs used 0.50 cores meanwhile');
    // The GIL: never more than one core, however busy the machine.
    expect(runVerdict(input({ parallelism: 0.98, busyThreads: 2, coreCount: 2, otherLoadCores: 0.9 })).kind).toBe('interleaved');
    // Just above one core with most of the machine free (0.7 × 1.7 = 1.19 needed) is not parallel.
    expect(runVerdict(input({ parallelism: 1.16, busyThreads: 2, coreCount: 2, otherLoadCores: 0.3 })).kind).toBe('interleaved');
    // Below the notable load the plain threshold applies.
    expect(runVerdict(input({ parallelism: 1.37, busyThreads: 2, coreCount: 2, otherLoadCores: NOTABLE_OTHER_LOAD - 0.01 })).kind).toBe('interleaved');
    expect(runVerdict(input({ parallelism: MORE_THAN_ONE_CORE - 0.01, busyThreads: 2, coreCount: 2, otherLoadCores: 0.9 })).kind).toBe('interleaved');
    expect(runVerdict(input({ parallelism: MORE_THAN_ONE_CORE, busyThreads: 2, coreCount: 2, otherLoadCores: 0.9 })).kind).toBe('parallel');
  });
});

describe('blocked needs a busy loop thread', () => {
  it('late heartbeats while the loop thread idles (a busy machine) are not a blocked loop', () => {
    expect(classify(0.4, 80, 0.1)).toBe('interleaved');
    expect(classify(0.1, 80, 0.05)).toBe('waiting');
  });
  it('late heartbeats while the loop thread computes are', () => {
    expect(classify(0.95, 80, 0.9)).toBe('blocked');
  });
});
