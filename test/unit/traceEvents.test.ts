// The Chrome trace-event export checked against the format (the JSON Object Format of the
// Trace Event Format document that chrome://tracing and Perfetto read): required fields per
// phase, ts in microseconds, B/E balanced and nested per thread, counters numeric.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/shared/types';
import { CORES_PID, runToTrace, type TraceEvent } from '../../src/engine/export/traceEvents';
import { samplesToCsv } from '../../src/shared/samplesCsv';
import { nestingProblems, validateTrace } from '../helpers/traceFormat';

function record(): RunRecord {
  const n = 6;
  const t = Array.from({ length: n }, (_, i) => i * 50 + 0.5);
  return {
    result: {
      runId: 'r1', scenario: 'py-asyncio-sleep', params: { rateHz: 20, timeoutS: 60, argv: ['python3'] },
      wallMs: 300, cpu: { userMs: 10, systemMs: 1, totalMs: 11 }, parallelism: 0.04, peakConcurrency: 3,
      cores: [], threads: [], processes: 1, peakRssBytes: 1, spawnLatencyMs: 1, noisePct: 0, profilerCpuPct: 1, lag: null, metrics: {},
      verdict: { kind: 'waiting', text: 'waiting' }, windows: [], exit: { code: 0, signal: null, reason: 'exited' },
      fidelity: { cores: 'proc-stat', threads: true }, warnings: [],
    },
    samples: {
      rateHz: 20, coreCount: 2, t,
      coreUser: [[0, 0.5, 1, 1, 0.2, 0], [0, 0.1, 0.1, 0.9, 0.9, 0]],
      coreSystem: [[0, 0.1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]],
      coreIowait: [[0, 0, 0, 0, 0, 0], [0, 0, 0.3, 0, 0, 0]],
      workloadCores: [0, 0.5, 1, 1.8, 1, 0],
      threadCpu: [[0.1, 0.5, 1, 1, 0.2, NaN], [NaN, NaN, 0, 0.9, 0.9, 0]],
      threadCore: [[0, 0, 0, 1, 0, -1], [-1, -1, 1, 1, 1, 1]],
      threads: [
        { pid: 10, tid: 10, name: 'python3', role: 'main', firstSeenMs: 0, exitedMs: 250 },
        { pid: 10, tid: 11, name: 'worker "x"', role: 'python-thread', firstSeenMs: 100 },
      ],
      processes: [{ pid: 10, ppid: 1, name: 'python3', cmdline: 'python3 x.py', firstSeenMs: 0 }],
    },
    events: [
      // Three overlapping tasks on one thread (asyncio): they must go on lanes.
      { t: 10, kind: 'task-start', task: 'a', pid: 10, tid: 10 },
      { t: 12, kind: 'task-start', task: 'b', pid: 10, tid: 10 },
      { t: 14, kind: 'task-start', task: 'c', pid: 10, tid: 10 },
      { t: 200, kind: 'task-end', task: 'a', pid: 10, tid: 10 },
      { t: 210, kind: 'task-end', task: 'b', pid: 10, tid: 10 },
      // c never ends (run cut short): closed at the end, marked unfinished.
      // Non-overlapping tasks on another thread stay on that thread.
      { t: 100, kind: 'task-start', task: 'w1', pid: 10, tid: 11 },
      { t: 150, kind: 'task-end', task: 'w1', pid: 10, tid: 11 },
      { t: 150, kind: 'task-start', task: 'w2', pid: 10, tid: 11 },
      { t: 150, kind: 'task-end', task: 'w2', pid: 10, tid: 11 },
      { t: 120, kind: 'lag', lagMs: 4.5, pid: 10, tid: 10 },
    ],
    stdout: '', stderr: '', outputTruncated: false,
  };
}

describe('trace-event export', () => {
  const trace = runToTrace(record(), { corescopeVersion: '0.1.0' });
  const events = trace.traceEvents;
  const json = JSON.parse(JSON.stringify(trace));

  it('is valid against the trace-event format (after a JSON round trip)', () => {
    expect(validateTrace(json)).toEqual([]);
    expect(json.displayTimeUnit).toBe('ms');
  });

  it('has one counter track per core with user/system/iowait in %, ts in microseconds', () => {
    const cpu0 = events.filter((e) => e.ph === 'C' && e.name === 'cpu0 busy %');
    expect(cpu0).toHaveLength(6);
    expect(cpu0.every((e) => e.pid === CORES_PID)).toBe(true);
    expect(cpu0.map((e) => e.ts)).toEqual([500, 50_500, 100_500, 150_500, 200_500, 250_500]);
    expect(cpu0[1].args).toEqual({ user: 50, system: 10, iowait: 0 });
    expect(events.filter((e) => e.ph === 'C' && e.name === 'cpu1 busy %')).toHaveLength(6);
    expect(events.find((e) => e.ph === 'M' && e.pid === CORES_PID && e.name === 'process_name')!.args).toEqual({ name: 'CPU cores (whole machine)' });
  });

  it('names every thread, and draws its running stretches per core as complete slices', () => {
    const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]);
    expect(names).toContainEqual([10, 'python3 [main]']);
    expect(names).toContainEqual([11, 'worker "x" [python-thread]']);
    const main = events.filter((e) => e.ph === 'X' && e.tid === 10);
    // cpu0 from the first sample to t[2], then cpu1 at t[3], then cpu0 at t[4].
    expect(main.map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['running on cpu0', 500, 100_000],
      ['running on cpu1', 100_500, 50_000],
      ['running on cpu0', 150_500, 50_000],
    ]);
    const perThread = events.filter((e) => e.ph === 'C' && e.name.startsWith('cpu % tid 11'));
    expect(perThread.map((e) => (e.args as { cpu: number }).cpu)).toEqual([0, 90, 90, 0]);
  });

  it('puts task spans on as few lanes of their process as keep them apart, naming the thread that reported each', () => {
    const be = events.filter((e) => e.ph === 'B' || e.ph === 'E');
    const begins = be.filter((e) => e.ph === 'B');
    expect(begins.map((e) => e.name).sort()).toEqual(['task a', 'task b', 'task c', 'task w1', 'task w2']);
    const lanes = new Set(begins.filter((e) => ['task a', 'task b', 'task c'].includes(e.name)).map((e) => e.tid));
    expect(lanes.size).toBe(3);
    expect([...lanes].every((tid) => tid > 4_000_000)).toBe(true);
    const w = begins.filter((e) => e.name.startsWith('task w'));
    expect(w.every((e) => e.tid > 4_000_000 && (e.args as { reportedBy: string }).reportedBy.endsWith('tid 11'))).toBe(true);
    const c = begins.find((e) => e.name === 'task c') as TraceEvent;
    expect(c.args).toMatchObject({ unfinished: true });
    const cEnd = be.find((e) => e.ph === 'E' && e.name === 'task c')!;
    expect(cEnd.ts).toBe(300_000);
  });

  it('keeps every track\'s slices nested (a trace viewer drops slices that are not)', () => {
    expect(nestingProblems(events)).toEqual([]);
  });

  it('reports loop lag as a numeric counter', () => {
    expect(events.filter((e) => e.name === 'loop lag ms').map((e) => [e.ts, e.args])).toEqual([[120_000, { lag: 4.5 }]]);
  });
});

describe('CSV export', () => {
  it('has a header naming every column and one row per sample', () => {
    const lines = samplesToCsv(record().samples).trim().split('\n');
    expect(lines[0]).toBe('t_ms,cpu0_user,cpu0_system,cpu0_iowait,cpu1_user,cpu1_system,cpu1_iowait,workload_cores');
    expect(lines).toHaveLength(7);
    expect(lines[3]).toBe('100.5,1,0,0,0.1,0,0.3,1');
  });
});
