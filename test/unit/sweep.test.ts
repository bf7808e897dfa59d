// Sweep math: speedup and efficiency against the 1-task run, spread across repeats, and an
// Amdahl fit that recovers the serial fraction of synthetic data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateSweep, amdahlSpeedup, buildSweepResult, fitAmdahl, amdahlText, speedupBasisText, suiteTaskCounts, type SweepPoint, type SweepRunRef } from '../../src/shared/sweep';
import { parseTaskCounts } from '../../src/shared/sweepPlan';

const ref = (tasks: number, repeat: number, wallMs: number, parallelism = tasks, ok = true): SweepRunRef => ({
  runId: `r${tasks}-${repeat}`,
  tasks,
  repeat,
  wallMs,
  cpuMs: wallMs * parallelism,
  parallelism,
  ok,
});

describe('aggregateSweep', () => {
  it('speedup(n) = n × wall(1) / wall(n), efficiency = speedup / n, with min/max from the repeats', () => {
    const pts = aggregateSweep([ref(1, 1, 1000, 1), ref(1, 2, 1000, 1), ref(2, 1, 1000, 2), ref(2, 2, 1250, 1.6), ref(4, 1, 2000, 2)], 2);
    expect(pts.map((p) => p.tasks)).toEqual([1, 2, 4]);
    expect(pts[0].speedup).toEqual({ mean: 1, min: 1, max: 1 });
    expect(pts[0].efficiency).toBe(1);
    expect(pts[1].wallMs).toEqual({ mean: 1125, min: 1000, max: 1250 });
    expect(pts[1].speedup!.mean).toBeCloseTo((2 * 1000) / 1125, 10);
    expect(pts[1].speedup!.min).toBeCloseTo(1.6, 10);
    expect(pts[1].speedup!.max).toBeCloseTo(2, 10);
    expect(pts[1].efficiency).toBeCloseTo(pts[1].speedup!.mean / 2, 10);
    expect(pts[1].parallelism.mean).toBeCloseTo(1.8, 10);
    expect(pts[1].coreShare).toBeCloseTo(0.9, 10);
    expect(pts[2].speedup!.mean).toBe(2);
    expect(pts[2].efficiency).toBe(0.5);
  });

  it('leaves failed runs out, and has no speedup without a 1-task run', () => {
    const pts = aggregateSweep([ref(1, 1, 1000, 1, false), ref(2, 1, 1000)], 2);
    expect(pts.map((p) => p.tasks)).toEqual([2]);
    expect(pts[0].speedup).toBeNull();
    expect(pts[0].efficiency).toBeNull();
  });
});

describe('fitAmdahl', () => {
  it('recovers the serial fraction from exact Amdahl data', () => {
    for (const s of [0, 0.05, 0.3, 0.9, 1]) {
      const fit = fitAmdahl([1, 2, 4, 8, 16].map((n) => ({ tasks: n, speedup: amdahlSpeedup(s, n) })))!;
      expect(fit.serialFraction).toBeCloseTo(s, 10);
      if (s < 1) expect(fit.r2).toBeCloseTo(1, 10);
      expect(fit.maxSpeedup).toEqual(s > 0 ? expect.closeTo(1 / s, 8) : null);
      expect(fit.curve).toHaveLength(16);
      expect(fit.curve[7].speedup).toBeCloseTo(amdahlSpeedup(s, 8), 10);
    }
  });

  it('recovers s from noisy data within a few hundredths', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const pts = [];
    for (const n of [1, 2, 3, 4, 6, 8, 12, 16]) for (let k = 0; k < 3; k++) pts.push({ tasks: n, speedup: amdahlSpeedup(0.1, n) * (1 + 0.02 * rand()) });
    const fit = fitAmdahl(pts)!;
    expect(Math.abs(fit.serialFraction - 0.1)).toBeLessThan(0.02);
    expect(fit.r2!).toBeGreaterThan(0.95);
  });

  it('clamps to [0, 1]: super-linear data gives 0, slower-than-serial gives 1', () => {
    expect(fitAmdahl([{ tasks: 1, speedup: 1 }, { tasks: 2, speedup: 2.4 }])!.serialFraction).toBe(0);
    expect(fitAmdahl([{ tasks: 1, speedup: 1 }, { tasks: 2, speedup: 0.7 }])!.serialFraction).toBe(1);
  });

  it('ignores points above the core count, and needs a point with more than 1 task', () => {
    const pts = [1, 2, 4, 8].map((n) => ({ tasks: n, speedup: Math.min(n, 2) }));
    const fit = fitAmdahl(pts, { maxTasks: 2 })!;
    expect(fit.usedTasks).toEqual([1, 2]);
    expect(fit.serialFraction).toBeCloseTo(0, 10);
    expect(fitAmdahl([{ tasks: 1, speedup: 1 }])).toBeNull();
    expect(fitAmdahl([])).toBeNull();
  });

  it('buildSweepResult fits over the aggregated means up to the core count', () => {
    const runs = [1, 2, 4].map((n) => ref(n, 1, 1000 * n * (0.2 + 0.8 / n)));
    const sw = buildSweepResult({ scenario: 'py-mp-cpu', params: { workMs: 400 }, taskCounts: [1, 2, 4], repeat: 1, logicalCores: 4, runs, complete: true });
    expect(sw.amdahl!.serialFraction).toBeCloseTo(0.2, 10);
    expect(sw.points[2].speedup!.mean).toBeCloseTo(amdahlSpeedup(0.2, 4), 10);
  });
});

describe('task counts', () => {
  it('parses --tasks, adds the 1-task baseline, sorts and dedups, and names a bad entry', () => {
    expect(parseTaskCounts('4,2, 8,2')).toEqual([1, 2, 4, 8]);
    expect(() => parseTaskCounts('1,two')).toThrow(/--tasks must be a comma-separated list of whole numbers from 1 to 4096 \(got "two"/);
    expect(() => parseTaskCounts('0')).toThrow(/got "0"/);
    expect(() => parseTaskCounts('1,,2')).toThrow(/got ""/);
  });

  it('suite sweeps every count up to 8 cores, then doubles up to the core count', () => {
    expect(suiteTaskCounts(2)).toEqual([1, 2]);
    expect(suiteTaskCounts(6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(suiteTaskCounts(24)).toEqual([1, 2, 4, 8, 16, 24]);
  });
});

describe('speedup basis', () => {
  it('uses the task phase when every run reported one, so the same start-up on both sides does not shrink the speedup', () => {
    // 300 ms of start-up, then 1 s of work per task on 2 cores: walls 1.3 s and 1.3 s for 2 tasks in parallel.
    const runs = [
      { ...ref(1, 1, 1300), taskMs: 1000 },
      { ...ref(2, 1, 1300), taskMs: 1000 },
    ];
    const sw = buildSweepResult({ scenario: 'x', params: {}, taskCounts: [1, 2], repeat: 1, logicalCores: 2, runs, complete: true });
    expect(sw.speedupBasis).toBe('task-phase');
    expect(sw.points[1].speedup?.mean).toBeCloseTo(2, 5);
    expect(sw.points[1].taskMs?.mean).toBe(1000);
    expect(speedupBasisText(sw)).toMatch(/task phase/);
  });
  it('falls back to wall time when any successful run reported no tasks', () => {
    const runs = [{ ...ref(1, 1, 1000), taskMs: 800 }, { ...ref(2, 1, 1000), taskMs: null }];
    const sw = buildSweepResult({ scenario: 'x', params: {}, taskCounts: [1, 2], repeat: 1, logicalCores: 2, runs, complete: true });
    expect(sw.speedupBasis).toBe('wall');
    expect(sw.points[1].speedup?.mean).toBeCloseTo(2, 5);
    expect(speedupBasisText(sw)).toMatch(/wall time/);
  });
});

describe('the Amdahl sentence agrees with the measured speedups', () => {
  // The case from issue 20: pure-Python threads swept 1,2,4 on 2 cores. The fit (tasks up to the
  // core count) found s = 1, i.e. "never past 1.0×", while the 4-task runs measured 1.47×.
  it('does not promise a ceiling that a measured point beat; names the point instead', () => {
    const runs = [ref(1, 1, 1000), ref(2, 1, 2050), ref(4, 1, 4000 / 1.47)];
    const sw = buildSweepResult({ scenario: 'py-threads-cpu', params: {}, taskCounts: [1, 2, 4], repeat: 1, logicalCores: 2, runs, complete: true });
    expect(sw.amdahl!.serialFraction).toBe(1);
    const text = amdahlText(sw);
    expect(text).not.toMatch(/never pass/);
    expect(text).toMatch(/ceiling would be 1\.0×, but this sweep measured 1\.47× at 4 tasks, beyond it/);
    expect(text).toMatch(/Serial fraction s = 1\.000/);
  });

  it('states the ceiling when every measured point is within it', () => {
    const runs = [1, 2, 4].map((n) => ref(n, 1, 1000 * n * (0.2 + 0.8 / n)));
    const sw = buildSweepResult({ scenario: 'py-mp-cpu', params: {}, taskCounts: [1, 2, 4], repeat: 1, logicalCores: 4, runs, complete: true });
    expect(amdahlText(sw)).toMatch(/Serial fraction s = 0\.200 .* the fit's ceiling is 5\.0× however many cores\.$/);
  });

  it('a threads sweep over 1,2 tasks measuring more than 1.0× gets a ceiling at or above what it measured', () => {
    // One point past 1 task: the one-parameter fit goes through it, so its ceiling is above it.
    for (const s2 of [1.02, 1.1, 1.3]) {
      const sw = buildSweepResult({ scenario: 'py-threads-cpu', params: {}, taskCounts: [1, 2], repeat: 1, logicalCores: 2, runs: [ref(1, 1, 1000), ref(2, 1, 2000 / s2)], complete: true });
      const text = amdahlText(sw);
      expect(disagreement(text, sw.points), text).toBeNull();
      expect(text).toMatch(/the fit's ceiling is \d+\.\d× however many cores\.$/);
    }
  });

  it('judges a point by its mean, the number the tables show, not by its slowest repeat', () => {
    // 4 tasks: repeats at 1.02× and 1.40× (mean 1.21×) over a fit (tasks 1, 2) with ceiling 1.0×.
    const runs = [ref(1, 1, 1000), ref(2, 1, 2100), ref(4, 1, 4000 / 1.02), ref(4, 2, 4000 / 1.4)];
    const sw = buildSweepResult({ scenario: 'py-threads-cpu', params: {}, taskCounts: [1, 2, 4], repeat: 2, logicalCores: 2, runs, complete: true });
    expect(sw.amdahl!.maxSpeedup).toBe(1);
    const text = amdahlText(sw);
    expect(text).toMatch(/ceiling would be 1\.0×, but this sweep measured 1\.\d\d× at 4 tasks, beyond it/);
    expect(disagreement(text, sw.points), text).toBeNull();
  });

  it('never states a ceiling that a measured mean speedup beat (any sweep)', () => {
    const point = fc.record({ tasks: fc.integer({ min: 2, max: 16 }), walls: fc.array(fc.integer({ min: 200, max: 40_000 }), { minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 5000 }), fc.array(point, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 16 }), (base, pts, cores) => {
        const runs = [ref(1, 1, base), ...pts.flatMap((p) => p.walls.map((w, k) => ref(p.tasks, k + 1, w)))];
        const sw = buildSweepResult({ scenario: 'py-threads-cpu', params: {}, taskCounts: [1, ...pts.map((p) => p.tasks)], repeat: 1, logicalCores: cores, runs, complete: true });
        const text = amdahlText(sw);
        expect(disagreement(text, sw.points), text).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('says when there is no ceiling, and when there is no fit', () => {
    const runs = [1, 2].map((n) => ref(n, 1, 1000));
    const sw = buildSweepResult({ scenario: 'py-mp-cpu', params: {}, taskCounts: [1, 2], repeat: 1, logicalCores: 2, runs, complete: true });
    expect(amdahlText(sw)).toMatch(/no ceiling/);
    expect(amdahlText({ amdahl: null, points: [] })).toMatch(/Not enough points/);
  });
});

/**
 * What a reader would catch, comparing the sentence with the table beside it (means to 2
 * decimals): a ceiling stated as holding that a shown speedup passed (beyond the 5 % the
 * sentence allows, and the ceiling's own rounding to 1 decimal), or points named as beyond it
 * that the table does not show so. Null when they agree. The e2e test reads the page the same way.
 */
function disagreement(text: string, points: SweepPoint[]): string | null {
  if (/never pass|can never/i.test(text)) return 'says "never"';
  const shown = points.filter((p) => p.speedup).map((p) => ({ tasks: p.tasks, speedup: Number(p.speedup!.mean.toFixed(2)) }));
  const holds = /the fit's ceiling is (\d+\.\d)× however many cores/.exec(text);
  const beaten = /the fit's ceiling would be (\d+\.\d)×, but this sweep measured (.*), beyond it/.exec(text);
  const ceiling = Number((holds ?? beaten)?.[1] ?? Infinity);
  const over = shown.filter((p) => p.speedup > (ceiling + 0.05) * 1.05 + 0.005);
  if (holds && over.length) return `ceiling ${ceiling}× stated, table shows ${over.map((p) => `${p.speedup}× at ${p.tasks}`).join(', ')}`;
  if (beaten) {
    const named = [...beaten[2].matchAll(/(\d+\.\d\d)× at (\d+) tasks/g)].map((m) => ({ tasks: Number(m[2]), speedup: Number(m[1]) }));
    for (const n of named) if (!shown.some((p) => p.tasks === n.tasks && p.speedup === n.speedup && p.speedup > ceiling)) return `names ${n.speedup}× at ${n.tasks}, not in the table as beyond ${ceiling}×`;
    for (const p of over) if (!named.some((n) => n.tasks === p.tasks)) return `${p.speedup}× at ${p.tasks} is beyond ${ceiling}× but not named`;
  }
  return null;
}
