// What a lost connection keeps of a run on another machine (remote/liveRecord.ts): the batches
// that reached here, in columns that line up however threads came and went, as a record the
// session format accepts, with every figure the batches do not carry stated as not known.
import { describe, expect, it } from 'vitest';
import { LiveRecord, NOT_STREAMED } from '../../src/engine/remote/liveRecord';
import { parseRunRecord } from '../../src/shared/sessionSchema';
import type { LiveBatch, ThreadInfo } from '../../src/shared/types';

const thread = (tid: number, name: string): ThreadInfo => ({ pid: 100, tid, name, role: tid === 100 ? 'main' : 'python-thread', firstSeenMs: 0 });

/** A batch of `n` samples 50 ms apart from sample `from`, every known thread at `share` of a core. */
function batch(from: number, n: number, threads: ThreadInfo[], share: number, extra: Partial<LiveBatch> = {}): LiveBatch {
  const t = Array.from({ length: n }, (_, k) => (from + k) * 50);
  const col = (v: number) => t.map(() => v);
  return {
    runId: 'there-1',
    fromIndex: from,
    t,
    coreUser: [col(share * threads.length), col(0.05)],
    coreSystem: [col(0), col(0)],
    coreIowait: [col(0), col(0)],
    workloadCores: col(share * threads.length),
    threads,
    threadCpu: threads.map(() => col(share)),
    threadCore: threads.map(() => col(0)),
    events: [],
    live: { wallMs: (from + n) * 50, cpuMs: (from + n) * 50 * share * threads.length, parallelism: share * threads.length, tasksInFlight: 0, lastLagMs: null },
    windows: [],
    phases: [],
    ...extra,
  };
}

describe('LiveRecord', () => {
  it('keeps nothing when no sample arrived', () => {
    expect(new LiveRecord('r1', { kind: 'command', cmd: 'true' }).record('lab', 'gone')).toBeNull();
  });

  it('lines up a thread that appeared mid-run, skips a batch that does not follow on, and makes a record the session format accepts', () => {
    const rec = new LiveRecord('r1@lab', { kind: 'scenario', scenario: 'py-threads-cpu', params: { tasks: 2 }, rateHz: 20 });
    const main = thread(100, 'python3');
    const worker = thread(101, 'worker');
    rec.add(batch(0, 4, [main], 1));
    // A repeat of samples already held, and one past a gap: both would misalign the columns.
    rec.add(batch(0, 4, [main], 1));
    rec.add(batch(9, 2, [main], 1));
    rec.add(batch(4, 4, [main, worker], 0.5));
    expect(rec.samples).toBe(8);
    const r = rec.record('lab', 'the connection to lab ended (SIGKILL)')!;
    const parsed = parseRunRecord(JSON.parse(JSON.stringify(r)));
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    // The worker's column: not alive (NaN, core -1) before it was known, then its shares.
    expect(r.samples.threadCpu[1].slice(0, 4).every(Number.isNaN)).toBe(true);
    expect(r.samples.threadCore[1].slice(0, 4)).toEqual([-1, -1, -1, -1]);
    expect(r.samples.threadCpu[1].slice(4)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(r.samples.threadCpu[0]).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5]);
    // CPU by thread from its shares × the intervals: main 3 × 50 ms at 1 + 4 × 50 ms at 0.5.
    expect(r.result.threads.find((t) => t.tid === 100)!.cpuMs).toBeCloseTo(250, 5);
    expect(r.result.wallMs).toBe(400);
    expect(r.result.exit).toEqual({ code: null, signal: null, reason: 'connection-lost' });
    expect(r.result.verdict.kind).toBe('failed');
    expect(r.result.verdict.text).toMatch(/^Not judged: the connection to lab was lost 0\.4 s into the run/);
    // What only the end of a run gives is not known, and said so — never a zero.
    expect(r.result.cpu).toEqual({ userMs: null, systemMs: null, totalMs: r.result.cpu.totalMs });
    expect(r.result.peakRssBytes).toBeNull();
    expect(r.result.spawnLatencyMs).toBeNull();
    expect(r.result.profilerCpuPct).toBeNull();
    expect(r.result.fidelity.unavailable).toEqual(NOT_STREAMED);
    expect(r.result.warnings[0]).toMatch(/^Incomplete: the connection to lab ended \(SIGKILL\)\. .*8 samples over 0\.4 s/);
    expect(r.result.params.scenario).toEqual({ id: 'py-threads-cpu', params: { tasks: 2 } });
    // Other load: core 1's 5 % that the workload did not use, over two cores.
    expect(r.result.noisePct).toBeCloseTo(2.5, 1);
  });

  it('names an attached program from its main thread', () => {
    const rec = new LiveRecord('r2', { kind: 'attach', pid: 100 });
    rec.add(batch(0, 3, [thread(100, 'server')], 1));
    const r = rec.record('lab', 'gone')!;
    expect(r.result.attach).toEqual({ pid: 100, name: 'server', endedBy: 'connection-lost' });
    expect(parseRunRecord(JSON.parse(JSON.stringify(r))).ok).toBe(true);
  });
});
