// Cutting a run into phases: the change-point search on made-up series with known changes, the
// start-up rule, the serial fraction, and real runs recorded on this machine (test/fixtures/phases).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../src/shared/activity';
import { BIN_MS, changePoints, MIN_PHASE_BINS, segmentPhases, serialFraction } from '../../src/shared/phases';
import { runVerdict } from '../../src/shared/verdict';
import type { PhaseKind, VerdictKind } from '../../src/shared/types';
import { act } from '../helpers/activity';

/** A seeded random source, so the noise is the same every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** Bins of `segments` [bins, cores] with ±noise, and `born` processes in the first bin. */
function series(segments: [number, number][], noise = 0.05, over: Partial<Activity> = {}): Activity[] {
  const r = rng(7);
  const out: Activity[] = [];
  for (const [n, cores] of segments) {
    for (let i = 0; i < n; i++) {
      const t = out.length * BIN_MS;
      const c = Math.max(0, cores + (r() - 0.5) * 2 * noise);
      out.push(act({ fromMs: t, toMs: t + BIN_MS, cores: c, demand: c, topThreadCores: Math.min(1, c), ...over }));
    }
  }
  return out;
}

describe('changePoints', () => {
  it('finds each change of level within one bin', () => {
    const starts = changePoints(series([[8, 1], [20, 1.9], [6, 1]]));
    expect(starts).toHaveLength(3);
    expect(starts[0]).toBe(0);
    expect(Math.abs(starts[1] - 8)).toBeLessThanOrEqual(1);
    expect(Math.abs(starts[2] - 28)).toBeLessThanOrEqual(1);
  });

  it('does not cut steady noise', () => {
    expect(changePoints(series([[60, 1.5]], 0.15))).toEqual([0]);
  });

  it('never makes a phase shorter than MIN_PHASE_BINS', () => {
    const starts = changePoints(series([[10, 1], [1, 2], [10, 1], [2, 0], [10, 1]]));
    const lengths = starts.map((s, i) => (starts[i + 1] ?? 33) - s);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(MIN_PHASE_BINS);
  });

  it('handles runs too short to cut, and none at all', () => {
    expect(changePoints(series([[4, 1]]))).toEqual([0]);
    expect(changePoints([])).toEqual([]);
  });
});

describe('segmentPhases', () => {
  it('joins neighbouring stretches judged alike', () => {
    const phases = segmentPhases(series([[10, 1.7], [10, 1.95]]));
    expect(phases.map((p) => p.kind)).toEqual(['parallel']);
  });

  it('start-up: a leading phase on at most one core that started several processes', () => {
    const bins = series([[4, 0.8], [15, 0.01]]);
    bins[1].processesBorn = 4;
    expect(segmentPhases(bins).map((p) => p.kind)).toEqual(['startup', 'waiting']);
  });

  it('a shell and its program (two processes) reading input serially keep their serial phase', () => {
    const bins = series([[8, 0.9], [15, 1.9]]);
    bins[0].processesBorn = 2;
    expect(segmentPhases(bins).map((p) => p.kind)).toEqual(['serial', 'parallel']);
  });

  it('with task events, everything before the first task is start-up', () => {
    const phases = segmentPhases(series([[6, 1], [20, 0.05]]), { firstTaskMs: 640 });
    expect(phases.map((p) => p.kind)).toEqual(['startup', 'waiting']);
    // Start-up ends where the bin holding the first task ends: that bin was still importing.
    expect(phases[0].activity.toMs).toBe(700);
  });

  it('the bin the first task starts in is start-up: its import CPU does not make a short waiting phase serial', () => {
    // py-asyncio-sleep, 20 tasks of 300 ms, as a clean clone measured it: the interpreter busy
    // until 230 ms, then 0.3 s asleep, then exiting.
    const phases = segmentPhases(series([[2, 0.42], [1, 0.8], [3, 0.03], [1, 0.2]]), { firstTaskMs: 230, lastTaskEndMs: 540 });
    expect(phases.map((p) => p.kind)).toEqual(['startup', 'waiting', 'winddown']);
    expect(runVerdict({ phases, coreCount: 2, lag: null }).kind).toBe('waiting');
  });

  it('with task events, everything after the last task ended is wind-down, left out of the headline', () => {
    // 20 tasks asleep for 0.3 s, then the interpreter exits on one core for 0.3 s.
    const phases = segmentPhases(series([[2, 0.8], [3, 0.02], [3, 0.9]]), { firstTaskMs: 200, lastTaskEndMs: 500 });
    expect(phases.map((p) => p.kind)).toEqual(['startup', 'waiting', 'winddown']);
    expect(runVerdict({ phases, coreCount: 2, lag: null }).kind).toBe('waiting');
  });

  it('pools long runs so the cut stays fast, keeping the phases', () => {
    const bins = series([[3000, 1], [3000, 1.9]]);
    const t0 = performance.now();
    const phases = segmentPhases(bins);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(phases.map((p) => p.kind)).toEqual(['serial', 'parallel']);
    expect(Math.abs(phases[1].activity.fromMs - 300_000)).toBeLessThanOrEqual(4 * BIN_MS);
  });
});

describe('serialFraction', () => {
  it('is the share of CPU work done in phases on about one core, with the Amdahl ceiling it implies', () => {
    // 1 s on one core, then 1 s on two: 1000 of 3000 core-ms serial.
    const f = serialFraction(segmentPhases(series([[10, 1], [10, 2]], 0)));
    expect(f).toEqual({ serialWorkMs: 1000, parallelWorkMs: 2000, fraction: 0.333, ceiling: 3 });
  });

  it('leaves waiting out, and is null when the workload never computed', () => {
    expect(serialFraction(segmentPhases(series([[10, 0.01]], 0)))).toBeNull();
    expect(serialFraction(segmentPhases(series([[10, 2], [10, 0.01]], 0)))?.ceiling).toBeNull();
  });

  it('noise of a bin does not count as parallel: two GIL threads stay all serial', () => {
    // Bins alternating 1.3 and 0.7 cores (CPU booked a sample late) are one serial phase.
    const bins = series([[20, 1]], 0).map((b, i) => ({ ...b, cores: i % 2 ? 0.7 : 1.3, demand: i % 2 ? 0.7 : 1.3 }));
    expect(serialFraction(segmentPhases(bins))?.fraction).toBe(1);
  });
});

// Real runs on this machine (2 cores) of test/corpus's programs; each file holds the 100 ms bins
// of one run and, written by hand, what a person who knows the program expects of it.

const fixtureDir = join(__dirname, '../fixtures/phases');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.json'));

describe('phases of recorded runs', () => {
  it('covers start-up, serial, parallel, waiting, turn-taking and a busy machine', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });
  for (const file of fixtures) {
    it(file, () => {
      const rec = JSON.parse(readFileSync(join(fixtureDir, file), 'utf8')) as { bins: Activity[]; expect: { headline: VerdictKind[]; kinds: PhaseKind[] } };
      const phases = segmentPhases(rec.bins);
      const verdict = runVerdict({ phases, coreCount: 2, lag: null });
      expect(rec.expect.headline, verdict.text).toContain(verdict.kind);
      const kinds = phases.map((p) => p.kind);
      for (const k of rec.expect.kinds) expect(kinds, verdict.text).toContain(k);
    });
  }
});
