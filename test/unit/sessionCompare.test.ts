// Sessions side by side (issue #20, item 7): runs are matched by what was run — the scenario
// (or command) and its parameters, defaults filled in — not by their place in each file, so the
// same runs recorded in another order, or with one session holding an extra run, still match.
import { describe, expect, it } from 'vitest';
import { compareSessions, matchRuns, paramsText, type LabelledSession } from '../../src/shared/sessionCompare';
import { makeSession, type SessionFile } from '../../src/shared/sessionSchema';
import type { RunRecord } from '../../src/shared/types';

function record(runId: string, scenario: string | null, params: Record<string, number | string>, rateHz = 20): RunRecord {
  const cmd = scenario ? undefined : String(params.cmd);
  return {
    result: {
      runId,
      ...(scenario ? { scenario } : {}),
      params: scenario ? { argv: ['/usr/bin/python3', `${scenario}.py`], rateHz, timeoutS: 600, scenario: { id: scenario, params } } : { cmd, rateHz, timeoutS: 600 },
      wallMs: 1000,
      cpu: { userMs: 900, systemMs: 10, totalMs: 910 },
      parallelism: 0.91,
      peakConcurrency: 1,
      cores: [],
      threads: [],
      processes: 1,
      peakRssBytes: 1e7,
      spawnLatencyMs: 3,
      noisePct: 1,
      profilerCpuPct: 2,
      lag: null,
      metrics: {},
      verdict: { kind: 'serial', text: 'one core' },
      windows: [],
      exit: { code: 0, signal: null, reason: 'exited' },
      fidelity: { cores: 'proc-stat', threads: true },
      warnings: [],
    },
    samples: { rateHz, coreCount: 2, t: [], coreUser: [[], []], coreSystem: [[], []], coreIowait: [[], []], workloadCores: [], threadCpu: [], threadCore: [], threads: [], processes: [] },
    events: [],
    stdout: '',
    stderr: '',
    outputTruncated: false,
  } as RunRecord;
}

function session(hostname: string, runs: RunRecord[]): SessionFile {
  return makeSession({
    createdAt: '2025-01-02T03:04:05.000Z',
    corescopeVersion: '0.1.0',
    hardware: {
      cpu: { brand: 'EPYC', manufacturer: 'AMD', physicalCores: 2, logicalCores: 2, speedGHz: 2.5, speedMaxGHz: 3.5, cacheKiB: { l1d: 64, l1i: 64, l2: 1024, l3: 32768 } },
      memoryBytes: 8 * 1024 ** 3,
      os: { platform: 'linux', distro: 'Debian GNU/Linux 12', release: '12', kernel: '6.1.0', arch: 'x64' },
      hostname,
    },
    runtimes: [{ kind: 'python', path: '/usr/bin/python3', version: '3.11.2', implementation: 'CPython', gilEnabled: true, freeThreadedBuild: false }],
    runs,
  });
}

const threads = (id: string, tasks: number, extra: Record<string, number> = {}) => record(id, 'py-threads-cpu', { tasks, workMs: 300, switchIntervalMs: 0, ...extra });
const custom = (id: string, cmd: string) => record(id, null, { cmd });
const side = (label: string, runs: RunRecord[]): LabelledSession => ({ label, session: session(label, runs) });
const notRecorded = (rows: { flags: string[] }[]) => rows.flatMap((r) => r.flags).filter((f) => /not recorded/.test(f));

describe('compareSessions: matching runs', () => {
  it('the same runs in another order match, each with its twin; no row is half empty', () => {
    const a = side('a', [threads('a1', 1), threads('a2', 2), custom('a3', 'sleep 1'), threads('a4', 4)]);
    const b = side('b', [custom('b1', 'sleep 1'), threads('b2', 4), threads('b3', 2), threads('b4', 1)]);
    const cmp = compareSessions([a, b]);
    expect(cmp.scenarios).toHaveLength(4);
    for (const row of cmp.scenarios) {
      expect(row.cells.every((c) => c !== null), row.key).toBe(true);
      expect(row.flags, row.key).toEqual([]);
      expect(row.cells[0]!.params).toBe(row.cells[1]!.params);
    }
    expect(cmp.scenarios.map((r) => r.key)).toEqual(['py-threads-cpu', 'py-threads-cpu #2', 'command: sleep 1', 'py-threads-cpu #3']);
  });

  it('one session with an extra run: the shared ones still match, only the extra is not recorded on the other', () => {
    // The old matching paired the k-th run of a scenario with the k-th: tasks=1 against tasks=2,
    // and the two identical tasks=2 runs each "not recorded" on the other side.
    const cmp = compareSessions([side('a', [threads('a1', 1), threads('a2', 2)]), side('b', [threads('b1', 2)])]);
    expect(cmp.scenarios).toHaveLength(2);
    const matched = cmp.scenarios.find((r) => r.cells.every((c) => c !== null))!;
    expect(matched.cells.map((c) => c!.params)).toEqual(['switchIntervalMs=0 tasks=2 workMs=300', 'switchIntervalMs=0 tasks=2 workMs=300']);
    expect(matched.flags).toEqual([]);
    expect(notRecorded(cmp.scenarios)).toEqual(['not recorded on b']);
  });

  it('parameters left at their defaults compare equal to the defaults written out, in any key order', () => {
    const written = record('a1', 'py-threads-cpu', { workMs: 300, tasks: 2, switchIntervalMs: 0 });
    const leftOut = record('b1', 'py-threads-cpu', { tasks: 2, workMs: 300 });
    expect(paramsText(leftOut.result.params.scenario!.params, 'py-threads-cpu')).toBe(paramsText(written.result.params.scenario!.params, 'py-threads-cpu'));
    const cmp = compareSessions([side('a', [written]), side('b', [leftOut])]);
    expect(cmp.scenarios).toHaveLength(1);
    expect(cmp.scenarios[0].flags).toEqual([]);
  });

  it('a different sampling rate is flagged on the matched row, not a reason to split it', () => {
    const cmp = compareSessions([side('a', [record('a1', 'py-mp-cpu', { tasks: 2, workMs: 400 }, 20)]), side('b', [record('b1', 'py-mp-cpu', { tasks: 2, workMs: 400 }, 50)])]);
    expect(cmp.scenarios).toHaveLength(1);
    expect(cmp.scenarios[0].flags).toEqual(['different sampling rate: a 20 Hz vs b 50 Hz']);
  });

  it('runs of one scenario left without a twin share one row, their parameters flagged', () => {
    const cmp = compareSessions([side('a', [threads('a1', 2)]), side('b', [threads('b1', 4)])]);
    expect(cmp.scenarios).toHaveLength(1);
    expect(cmp.scenarios[0].flags).toEqual(['different parameters: a switchIntervalMs=0 tasks=2 workMs=300 vs b switchIntervalMs=0 tasks=4 workMs=300']);
  });

  it('repeats match in order; a session that repeated more has its extra repeats alone', () => {
    const rows = matchRuns([side('a', [threads('a1', 2), threads('a2', 2), threads('a3', 2)]), side('b', [threads('b1', 2), threads('b2', 2)])]);
    expect(rows.map((r) => [r.key, r.recs.map((x) => x?.result.runId ?? null)])).toEqual([
      ['py-threads-cpu', ['a1', 'b1']],
      ['py-threads-cpu #2', ['a2', 'b2']],
      ['py-threads-cpu #3', ['a3', null]],
    ]);
  });
});
