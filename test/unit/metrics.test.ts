// Metric math over events: percentile, lag statistics, tasks in flight, reported metrics.
import { describe, expect, it } from 'vitest';
import { MAX_EVENTS } from '../../src/engine/run/eventChannel';
import {
  TasksInFlight, averageOver, taskSpan, effectiveParallelism, lagStats, maxOf, peakConcurrency, percentile, reportedMetrics, round, speedup, tasksInFlightSeries,
} from '../../src/shared/metrics';
import type { WorkloadEvent } from '../../src/shared/types';

const start = (t: number, task: string, pid?: number): WorkloadEvent => ({ t, kind: 'task-start', task, pid });
const end = (t: number, task: string, pid?: number): WorkloadEvent => ({ t, kind: 'task-end', task, pid });
const lag = (t: number, lagMs: number): WorkloadEvent => ({ t, kind: 'lag', lagMs });

describe('percentile (nearest rank)', () => {
  const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];

  it('picks the nearest-rank value of unsorted input', () => {
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 91)).toBe(10);
    expect(percentile(ten, 99)).toBe(10);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile(ten, 10)).toBe(1);
    expect(percentile(ten, 11)).toBe(2);
  });

  it('clamps p at the ends', () => {
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile(ten, -5)).toBe(1);
    expect(percentile(ten, 250)).toBe(10);
  });

  it('is NaN for no values and the value itself for one', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([42], 1)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
  });

  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const v = [100, 9, 20];
    expect(percentile(v, 50)).toBe(20);
    expect(percentile(v, 1)).toBe(9);
    expect(v).toEqual([100, 9, 20]);
  });
});

describe('lagStats', () => {
  it('is null without lag events', () => {
    expect(lagStats([])).toBeNull();
    expect(lagStats([start(0, 'a'), end(1, 'a')])).toBeNull();
  });

  it('gives p50, p99, max and count of the lag events only', () => {
    const events: WorkloadEvent[] = [start(0, 'a')];
    for (let i = 1; i <= 100; i++) events.push(lag(i, i));
    events.push({ t: 200, kind: 'metric', name: 'x', value: 1e9 });
    expect(lagStats(events)).toEqual({ p50Ms: 50, p99Ms: 99, maxMs: 100, count: 100 });
  });

  it('handles a single heartbeat', () => {
    expect(lagStats([lag(0, 3.5)])).toEqual({ p50Ms: 3.5, p99Ms: 3.5, maxMs: 3.5, count: 1 });
  });

  // Regression: maxMs was Math.max(...lags); spreading ~150,000+ arguments overflowed V8's stack
  // (RangeError), yet the event channel stores up to MAX_EVENTS (200,000); fixed in e157598.
  it('copes with as many lag events as the event channel stores', () => {
    const events = Array.from({ length: MAX_EVENTS }, (_, i) => lag(i, i % 1000));
    expect(lagStats(events)).toEqual({ p50Ms: 499, p99Ms: 989, maxMs: 999, count: MAX_EVENTS });
  });
});

describe('tasks in flight', () => {
  it('counts overlapping tasks and reports the peak', () => {
    const events = [start(0, 'a'), start(1, 'b'), start(2, 'c'), end(3, 'b'), start(4, 'd'), end(5, 'a'), end(6, 'c'), end(7, 'd')];
    expect(tasksInFlightSeries(events).map((s) => s.inFlight)).toEqual([1, 2, 3, 2, 3, 2, 1, 0]);
    expect(tasksInFlightSeries(events).map((s) => s.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peakConcurrency(events)).toBe(3);
  });

  it('counted batch by batch (a live run) gives the same count as recounting the whole run', () => {
    const events = [start(0, 'a'), lag(0.5, 2), start(1, 'b'), start(2, 'c'), end(3, 'b'), start(4, 'd'), end(5, 'a'), end(6, 'x'), end(7, 'c'), start(8, '1', 100)];
    const live = new TasksInFlight();
    for (let i = 0; i < events.length; i += 3) {
      for (const e of events.slice(i, i + 3)) live.add(e);
      expect(live.size).toBe(tasksInFlightSeries(events.slice(0, i + 3)).at(-1)?.inFlight ?? 0);
    }
    expect(live.add(lag(9, 1))).toBe(false);
  });

  it('sequential tasks never overlap: peak 1', () => {
    expect(peakConcurrency([start(0, 'a'), end(1, 'a'), start(2, 'b'), end(3, 'b')])).toBe(1);
  });

  it('keeps the same task id in two processes apart', () => {
    const events = [start(0, '1', 100), start(0, '1', 200), start(1, '1'), end(2, '1', 100)];
    expect(peakConcurrency(events)).toBe(3);
    expect(tasksInFlightSeries(events).at(-1)!.inFlight).toBe(2);
  });

  it('does not confuse a pid-less task "1:2" with task "2" of pid 1', () => {
    expect(peakConcurrency([start(0, '1:2'), start(0, '2', 1)])).toBe(2);
  });

  it('ignores an end without a start and a repeated start', () => {
    expect(peakConcurrency([end(0, 'x'), start(1, 'a'), start(2, 'a'), end(3, 'a')])).toBe(1);
    expect(tasksInFlightSeries([end(0, 'x')])).toEqual([{ t: 0, inFlight: 0 }]);
  });

  it('is null when the workload reported no tasks, whatever else it reported', () => {
    expect(peakConcurrency([])).toBeNull();
    expect(peakConcurrency([lag(0, 5), { t: 1, kind: 'metric', name: 'm', value: 1 }])).toBeNull();
  });

  // Regression: peakConcurrency spread ~200,000 values into Math.max and threw a RangeError; fixed in e157598.
  it('copes with as many task events as the event channel stores', () => {
    const events: WorkloadEvent[] = [];
    for (let i = 0; i < MAX_EVENTS / 2; i++) events.push(start(i, `t${i}`), end(i + 0.5, `t${i}`));
    expect(peakConcurrency(events)).toBe(1);
  });
});

describe('other metrics', () => {
  it('maxOf: largest value, the given floor for none, no argument spreading', () => {
    expect(maxOf([3, -1, 7, 2])).toBe(7);
    expect(maxOf([])).toBe(-Infinity);
    expect(maxOf([], 0)).toBe(0);
    expect(maxOf([-5, -2], 0)).toBe(0);
    expect(maxOf(Array.from({ length: 500_000 }, (_, i) => i))).toBe(499_999);
  });

  it('reportedMetrics keeps the last value of each name', () => {
    const m = (t: number, name: string, value: number): WorkloadEvent => ({ t, kind: 'metric', name, value });
    expect(reportedMetrics([m(0, 'rps', 10), lag(1, 2), m(2, 'rps', 12), m(3, 'bytes', 4096)])).toEqual({ rps: 12, bytes: 4096 });
    expect(reportedMetrics([])).toEqual({});
  });

  it('effectiveParallelism is CPU over wall, 0 for no wall time', () => {
    expect(effectiveParallelism(3000, 1000)).toBe(3);
    expect(effectiveParallelism(500, 1000)).toBe(0.5);
    expect(effectiveParallelism(500, 0)).toBe(0);
  });

  it('speedup and efficiency against a 1-task baseline', () => {
    expect(speedup(1000, 1000, 4)).toEqual({ speedup: 4, efficiency: 1 });
    expect(speedup(1000, 2000, 4)).toEqual({ speedup: 2, efficiency: 0.5 });
    expect(speedup(1000, 0, 4)).toEqual({ speedup: 0, efficiency: 0 });
    expect(speedup(1000, 1000, 0)).toEqual({ speedup: 0, efficiency: 0 });
  });

  it('round to digits', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(-2.5, 0)).toBe(-2);
    expect(round(7)).toBe(7);
  });
});

describe('task phase', () => {
  it('spans first task start to last task end', () => {
    expect(taskSpan([start(100, 'a'), start(150, 'b'), end(400, 'a'), end(380, 'b')])).toEqual({ fromMs: 100, toMs: 400 });
    expect(taskSpan([start(100, 'a')])).toBeNull();
    expect(taskSpan([])).toBeNull();
  });
  it('averages a sampled series over a span, weighting partial intervals', () => {
    const t = [0, 100, 200, 300];
    const cores = [0, 2, 1, 0];
    expect(averageOver(t, cores, 0, 300)).toBeCloseTo((2 * 100 + 1 * 100) / 300);
    expect(averageOver(t, cores, 50, 150)).toBeCloseTo((2 * 50 + 1 * 50) / 100);
    expect(averageOver(t, cores, 100, 100)).toBe(0);
  });
});
