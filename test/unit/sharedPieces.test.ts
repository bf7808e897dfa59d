// The pieces that used to be written once per front door and had drifted apart (issue 19,
// step 4): one CSV writer, one sweep planner, one success test, one CSP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { samplesToCsv } from '../../src/shared/samplesCsv';
import { MAX_SWEEP_REPEAT, checkRepeat, parseTaskCounts, planSweepRuns, plannedRuns } from '../../src/shared/sweepPlan';
import { runSucceeded } from '../../src/shared/runOutcome';
import { contentSecurityPolicy } from '../../src/shared/csp';
import { getScenario } from '../../src/shared/scenarios';
import type { RunResult, RunSamples } from '../../src/shared/types';

const samples = (over: Partial<RunSamples> = {}): RunSamples => ({
  rateHz: 10,
  coreCount: 1,
  t: [0, 100.25],
  coreUser: [[0.1234567, 1]],
  coreSystem: [[0, NaN]],
  coreIowait: [[0]],
  workloadCores: [0.5],
  threadCpu: [],
  threadCore: [],
  threads: [],
  processes: [],
  ...over,
});

describe('samplesToCsv (the one writer behind every Samples CSV)', () => {
  it('writes t, the per-core columns, then workload_cores, to six decimals', () => {
    expect(samplesToCsv(samples()).split('\n')).toEqual(['t_ms,cpu0_user,cpu0_system,cpu0_iowait,workload_cores', '0,0.123457,0,0,0.5', '100.25,1,,,', '']);
  });

  it('leaves a missing or non-finite value empty rather than writing NaN', () => {
    const csv = samplesToCsv(samples({ coreIowait: [] }));
    expect(csv).not.toMatch(/NaN|undefined/);
    expect(csv.split('\n')[2]).toBe('100.25,1,,,');
  });

  it('ends each row with the phase its sample falls in, when the run has phases', () => {
    const phase = (kind: 'startup' | 'parallel', fromMs: number, toMs: number) => ({ kind, fromMs, toMs, cores: 1, demand: 1, otherCores: 0, threads: 1, tasks: 0, text: kind });
    const csv = samplesToCsv(samples({ t: [0, 50, 100.25, 400] , workloadCores: [0.5, 0.5, 0.5, 0.5] }), [phase('startup', 0, 60), phase('parallel', 60, 300)]);
    const lines = csv.split('\n');
    expect(lines[0]).toBe('t_ms,cpu0_user,cpu0_system,cpu0_iowait,workload_cores,phase');
    expect(lines.slice(1, 5).map((l) => l.split(',').at(-1))).toEqual(['startup', 'startup', 'parallel', '']);
  });
});

describe('the sweep planner (CLI and app alike)', () => {
  const mp = getScenario('py-mp-cpu')!;

  it('runs every task count in turn, each repeated before the next, with the baseline 1 added', () => {
    const plan = planSweepRuns(mp, '4,2', '2', 'form');
    expect(plan.taskCounts).toEqual([1, 2, 4]);
    expect(plan.runs).toEqual([
      { tasks: 1, repeat: 1 },
      { tasks: 1, repeat: 2 },
      { tasks: 2, repeat: 1 },
      { tasks: 2, repeat: 2 },
      { tasks: 4, repeat: 1 },
      { tasks: 4, repeat: 2 },
    ]);
    expect(plannedRuns([1, 3], 1)).toEqual([{ tasks: 1, repeat: 1 }, { tasks: 3, repeat: 1 }]);
  });

  it('has one repeat limit, and names the field as each door does', () => {
    expect(checkRepeat(MAX_SWEEP_REPEAT, 'cli')).toBe(MAX_SWEEP_REPEAT);
    expect(checkRepeat(' 3 ', 'form')).toBe(3);
    expect(() => checkRepeat(MAX_SWEEP_REPEAT + 1, 'cli')).toThrow(`--repeat must be a whole number from 1 to ${MAX_SWEEP_REPEAT} (got ${MAX_SWEEP_REPEAT + 1})`);
    expect(() => checkRepeat('1.5', 'form')).toThrow(`repeats must be a whole number from 1 to ${MAX_SWEEP_REPEAT} (got "1.5")`);
    expect(() => checkRepeat(0, 'api')).toThrow(/^repeat must be/);
    expect(() => planSweepRuns(mp, '1,x', 1, 'cli')).toThrow(/^--tasks must be a comma-separated list .* \(got "x"/);
    expect(() => planSweepRuns(mp, '1,x', 1, 'form')).toThrow(/^task counts must be a comma-separated list .* \(got "x"/);
    expect(() => parseTaskCounts('5', 4, 'api')).toThrow(/^taskCounts must be .* from 1 to 4 \(got "5"/);
  });

  it('refuses a scenario without tasks, in each door’s words', () => {
    const noTasks = { ...mp, id: 'x', title: 'X', params: mp.params.filter((p) => p.name !== 'tasks') };
    expect(() => planSweepRuns(noTasks, '1', 1, 'cli')).toThrow('x has no tasks parameter to sweep; sweep a scenario with --tasks (see corescope list)');
    expect(() => planSweepRuns(noTasks, '1', 1, 'form')).toThrow(/^X has no tasks parameter to sweep$/);
  });
});

describe('runSucceeded', () => {
  const exit = (e: RunResult['exit']) => ({ exit: e });
  it('is true only for a workload that exited by itself with code 0', () => {
    expect(runSucceeded(exit({ code: 0, signal: null, reason: 'exited' }))).toBe(true);
    expect(runSucceeded(exit({ code: 1, signal: null, reason: 'exited' }))).toBe(false);
    expect(runSucceeded(exit({ code: null, signal: 'SIGKILL', reason: 'exited' }))).toBe(false);
    for (const reason of ['cancelled', 'timeout', 'engine-error', 'profiler-exit'] as const) expect(runSucceeded(exit({ code: 0, signal: null, reason }))).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  it('lets the Electron window connect nowhere but itself, and serve to its own WebSocket', () => {
    expect(contentSecurityPolicy()).toContain("connect-src 'self'; ");
    expect(contentSecurityPolicy({ connect: ['ws://127.0.0.1:5000'] })).toContain("connect-src 'self' ws://127.0.0.1:5000; ");
    expect(contentSecurityPolicy()).toMatch(/frame-ancestors 'none'$/);
  });

  it('is, in meta-tag form, exactly what src/renderer/index.html carries', () => {
    const html = readFileSync(join(__dirname, '..', '..', 'src', 'renderer', 'index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta?.[1]).toBe(contentSecurityPolicy({ connect: ['ws://127.0.0.1:*'], metaTag: true }));
  });
});
