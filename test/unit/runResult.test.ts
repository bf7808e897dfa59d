// A run's results from a made-up recording: no process, no /proc.
import { describe, expect, it } from 'vitest';
import { buildRunResult, type RecordedRun } from '../../src/engine/run/runResult';
import type { CpuTicks } from '../../src/engine/proc/parseCpuStat';

const ticks = (user: number, system: number, idle: number): CpuTicks => ({ user, nice: 0, system, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 });

function recording(over: Partial<RecordedRun> = {}): RecordedRun {
  const thread = (tid: number, cpuMs: number) => ({ info: { pid: 10, tid, name: 'python3', role: 'main' as const, firstSeenMs: 0 }, cpuMs, waitNs: 0 });
  return {
    runId: 'r1',
    params: { cmd: 'python3 work.py', rateHz: 10, timeoutS: 60 },
    rateHz: 10,
    viaKeeper: true,
    spawnedMs: 5,
    endMs: 1010,
    keeper: { startedMs: 10, exitedMs: 1010, code: 0, signal: null, rusage: { userMs: 1500, systemMs: 100 }, leftovers: 0, warnings: [] },
    exit: { code: 0, signal: null },
    endReason: null,
    threads: [thread(10, 800), thread(11, 790)],
    trackedProcesses: 2,
    treeUserTicks: 150,
    treeSystemTicks: 10,
    peakTreeCpuMs: 1600,
    peakRssBytes: 1 << 20,
    treeWarnings: [],
    // Two cores over the run: core 0 busy 80 of 100 ticks, core 1 busy 90 of 100.
    coresAtStart: { cores: [ticks(0, 0, 0), ticks(0, 0, 0)] },
    coresAtEnd: { cores: [ticks(70, 10, 20), ticks(85, 5, 10)] },
    coreCount: 2,
    coreFidelity: 'proc-stat',
    profilerMs: 20,
    events: [],
    eventWarnings: [],
    samples: { rateHz: 10, coreCount: 2, t: [], coreUser: [[], []], coreSystem: [[], []], coreIowait: [[], []], workloadCores: [], threadCpu: [], threadCore: [], threads: [], processes: [] },
    windows: [],
    bins: [],
    engineErrors: [],
    fdFailures: 0,
    stdoutDroppedBytes: 0,
    stderrDroppedBytes: 0,
    ...over,
  };
}

describe('buildRunResult', () => {
  it('takes CPU from the keeper\'s rusage and wall time from its started/exited report', () => {
    const r = buildRunResult(recording());
    expect(r.wallMs).toBe(1000);
    expect(r.cpu).toEqual({ userMs: 1500, systemMs: 100, totalMs: 1600 });
    expect(r.parallelism).toBe(1.6);
    expect(r.spawnLatencyMs).toBe(10);
    // The keeper is tracked but is not one of the workload's processes.
    expect(r.processes).toBe(1);
    expect(r.cores.map((c) => c.busyPct)).toEqual([80, 90]);
    // Machine busy 170 ticks = 1700 ms, less the workload's 1600 and the profiler's 20: 80 ms over 1010 ms × 2 cores.
    expect(r.noisePct).toBe(4);
    expect(r.profilerCpuPct).toBe(2);
    expect(r.exit).toEqual({ code: 0, signal: null, reason: 'exited' });
    expect(r.threads.map((t) => t.cpuMs)).toEqual([800, 790]);
    expect(r.warnings).toEqual([]);
  });

  it('without the keeper\'s report, counts CPU from the sampled ticks, wall time from spawn to end, and says so', () => {
    const r = buildRunResult(recording({ viaKeeper: false, keeper: { warnings: [] }, exit: { code: null, signal: 'SIGTERM' }, endReason: 'cancelled', trackedProcesses: 1 }));
    expect(r.wallMs).toBe(1005);
    expect(r.cpu).toEqual({ userMs: 1500, systemMs: 100, totalMs: 1600 });
    expect(r.processes).toBe(1);
    expect(r.exit).toEqual({ code: null, signal: 'SIGTERM', reason: 'cancelled' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^No Python interpreter for the keeper/);
  });

  it('other load is at most 100 % of the cores, however the 10 ms ticks fall over a very short run', () => {
    // A program that failed at once: 30 ms, the machine read busy for 8 ticks (80 ms) on 2 cores.
    const r = buildRunResult(
      recording({ endMs: 30, keeper: { startedMs: 1, exitedMs: 30, code: 3, signal: null, rusage: { userMs: 0, systemMs: 0 }, leftovers: 0, warnings: [] }, coresAtEnd: { cores: [ticks(4, 0, 0), ticks(4, 0, 0)] }, profilerMs: 0 }),
    );
    expect(r.noisePct).toBe(100);
  });

  it('never counts less CPU than the samples saw, when the ticks lag behind', () => {
    const r = buildRunResult(recording({ keeper: { warnings: [] }, treeUserTicks: 100, treeSystemTicks: 0, peakTreeCpuMs: 1234 }));
    expect(r.cpu).toEqual({ userMs: 1000, systemMs: 0, totalMs: 1234 });
  });

  it('lists warnings in a fixed order: engine, keeper, events, tree, descriptors, leftovers, output', () => {
    const r = buildRunResult(recording({
      engineErrors: ['sampling failed: x'],
      keeper: { startedMs: 10, exitedMs: 1010, rusage: { userMs: 1, systemMs: 1 }, leftovers: 3, warnings: ['keeper says'] },
      eventWarnings: ['2 malformed event line(s) ignored'],
      treeWarnings: ['Thread tracking capped'],
      fdFailures: 4,
      stdoutDroppedBytes: 100,
      stderrDroppedBytes: 7,
    }));
    expect(r.warnings.map((w) => w.slice(0, 24))).toEqual([
      'sampling failed: x',
      'keeper says',
      '2 malformed event line(s',
      'Thread tracking capped',
      'The profiler ran out of ',
      '3 process(es) of the wor',
      'stdout truncated: 100 by',
      'stderr truncated: 7 byte',
    ]);
  });
});
