// The one judgement of a stretch (activityKind) and the run's verdict read from its phases.
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../src/shared/activity';
import { act } from '../helpers/activity';
import { activityKind, BLOCKED_LAG_MS, PARALLEL_MIN, WAITING_MAX } from '../../src/shared/activityKind';
import type { PhaseOf } from '../../src/shared/phases';
import { CORES_MARGIN, DOMINANT_SHARE, describePhase, failedVerdict, phaseSequence, runVerdict } from '../../src/shared/verdict';


const phase = (kind: PhaseOf['kind'], fromMs: number, toMs: number, over: Partial<Activity> = {}): PhaseOf => ({ kind, activity: act({ fromMs, toMs, ...over }) });

describe('activityKind', () => {
  it('waiting below WAITING_MAX cores wanted, judged on what was wanted, not what was got', () => {
    expect(activityKind(act({ cores: 0.05, demand: 0.05 }))).toBe('waiting');
    expect(activityKind(act({ cores: WAITING_MAX - 0.01, demand: WAITING_MAX - 0.01 }))).toBe('waiting');
    // A busy machine gave it little, but it wanted a core: it computed.
    expect(activityKind(act({ cores: 0.1, demand: 0.9 }))).toBe('serial');
  });

  it('parallel from PARALLEL_MIN cores used, serial just below with one thread', () => {
    expect(activityKind(act({ cores: PARALLEL_MIN, demand: PARALLEL_MIN }))).toBe('parallel');
    expect(activityKind(act({ cores: PARALLEL_MIN - 0.01, demand: PARALLEL_MIN - 0.01 }))).toBe('serial');
  });

  it('one thread busy is serial, not interleaved', () => {
    expect(activityKind(act({ cores: 0.99, topThreadCores: 0.99 }))).toBe('serial');
  });

  it('threads of one process taking turns on ~1 core are interleaved (the GIL)', () => {
    expect(activityKind(act({ cores: 0.98, turnTaking: 0.9, turnTakers: { pid: 5, threads: 2 }, hungryThreads: 0.2 }))).toBe('interleaved');
  });

  it('the GIL on a busy machine stays interleaved: the waiting thread sleeps, only the holder queues', () => {
    // Measured here with another program holding ~1 core: 0.90 cores used, 1.41 wanted.
    expect(activityKind(act({ cores: 0.9, demand: 1.41, otherCores: 1.07, turnTaking: 0.8, turnTakers: { pid: 5, threads: 2 }, hungryThreads: 0.6 }))).toBe('interleaved');
  });

  it('parallel threads on a busy machine are contended: each wanted a core throughout', () => {
    // xz -T2 with another program on one core: 1.01 used, 2.02 wanted, both threads queued.
    expect(activityKind(act({ cores: 1.01, demand: 2.02, otherCores: 0.99, turnTaking: 0.7, turnTakers: { pid: 5, threads: 2 }, hungryThreads: 2 }))).toBe('contended');
    // Processes (make -j2's compilers) are never turn-takers: wanting more than a core is contention.
    expect(activityKind(act({ cores: 0.98, demand: 1.74, otherCores: 0.99, hungryThreads: 1.2 }))).toBe('contended');
  });

  it('several tasks in flight on one busy thread are interleaved (an event loop)', () => {
    expect(activityKind(act({ cores: 1, tasksInFlight: 4, topThreadCores: 0.98 }))).toBe('interleaved');
    expect(activityKind(act({ cores: 1, tasksInFlight: 1, topThreadCores: 0.98 }))).toBe('serial');
  });

  it('blocked: a late heartbeat while the loop thread wanted its core', () => {
    expect(activityKind(act({ cores: 1, lagMaxMs: BLOCKED_LAG_MS, loopThreadDemand: 0.95 }))).toBe('blocked');
    expect(activityKind(act({ cores: 1, lagMaxMs: BLOCKED_LAG_MS - 1, loopThreadDemand: 0.95 }))).toBe('serial');
    // Late heartbeats while the loop thread idled: the machine was busy, the loop was not blocked.
    expect(activityKind(act({ cores: 0.1, demand: 0.1, lagMaxMs: 80, loopThreadDemand: 0.05 }))).toBe('waiting');
  });
});

describe('runVerdict from phases', () => {
  it('the headline is the kind that held the run after start-up, and the phases are named in order', () => {
    const v = runVerdict({
      coreCount: 2,
      lag: null,
      phases: [phase('startup', 0, 420, { cores: 1, processesBorn: 9 }), phase('waiting', 420, 1920, { cores: 0.01, demand: 0.01, asleep: 0.97 })],
    });
    expect(v.kind).toBe('waiting');
    expect(v.text).toMatch(/^Mostly waiting: 0\.01 cores busy — /);
    expect(v.text).toContain('Phases: 0.42 s start-up on 1.00 cores (9 processes started) → 1.50 s mostly waiting (0.01 cores; threads asleep 97% of the time).');
    expect(v.borderline).toBeUndefined();
  });

  it('start-up does not count: a parallel program with a long start-up is parallel', () => {
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('startup', 0, 500, { cores: 0.95, processesBorn: 5 }), phase('parallel', 500, 1500, { cores: 1.93 })] });
    expect(v.kind).toBe('parallel');
    expect(v.text).toMatch(/^Parallel: ~1\.9 of 2 cores busy at once — /);
  });

  it('serial for part of a run says nothing ran in parallel then, not at all, when a parallel phase came before', () => {
    // zstd -T2 -12 on 23 MB here: 0.70 s on ~1.9 cores, then 0.88 s on one thread.
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('parallel', 0, 700, { cores: 1.9 }), phase('serial', 700, 1580, { cores: 0.98, topThreadCores: 0.93 })] });
    expect(v.kind).toBe('serial');
    expect(v.text).toMatch(/^Serial on one thread: 0\.98 cores busy for 56% of the run after start-up, the busiest thread at 0\.93 — nothing ran in parallel then\./);
    const whole = runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 1000, { cores: 0.98, topThreadCores: 0.97 })] });
    expect(whole.text).toMatch(/^Serial on one thread: 0\.98 cores busy, the busiest thread at 0\.97 — nothing ran in parallel\./);
  });

  it('serial work handed from one short-lived process to the next is not called one thread', () => {
    // make -j2 on tiny files, short enough to read below PARALLEL_MIN: no process lived a sample.
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 250, { cores: 1.21, topThreadCores: 0.01 })] });
    expect(v.kind).toBe('serial');
    expect(v.text).toMatch(/^Serial, one core at a time: 1\.21 cores busy, handed from thread to thread \(the busiest at 0\.01\) — little ran in parallel\./);
  });

  it('mixed, with the split, when no kind holds a majority (DOMINANT_SHARE) of the run', () => {
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 900), phase('parallel', 900, 1700, { cores: 1.9 }), phase('waiting', 1700, 2000, { cores: 0.01, demand: 0.01 })] });
    expect(DOMINANT_SHARE).toBe(0.5);
    expect(v.kind).toBe('mixed');
    expect(v.text).toMatch(/^Mixed: 45% serial, 40% parallel, 15% waiting\./);
  });

  it('borderline when the dominant share is within SHARE_MARGIN of its line, with both readings', () => {
    const share = 0.6; // within SHARE_MARGIN of DOMINANT_SHARE
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('parallel', 0, share * 1000, { cores: 1.9 }), phase('serial', share * 1000, 1000)] });
    expect(v.kind).toBe('parallel');
    expect(v.borderline).toMatchObject({ line: DOMINANT_SHARE, other: 'mixed', what: 'the parallel share' });
    expect(v.text).toContain('Borderline: the parallel share 0.60 is within 0.15 of the 0.50 line; another run could read mixed.');
    // Well clear of the line: no borderline.
    expect(runVerdict({ coreCount: 2, lag: null, phases: [phase('parallel', 0, 900, { cores: 1.9 }), phase('serial', 900, 1000)] }).borderline).toBeUndefined();
  });

  it('borderline when the deciding cores lie within CORES_MARGIN of PARALLEL_MIN, never otherwise', () => {
    const near = runVerdict({ coreCount: 2, lag: null, phases: [phase('parallel', 0, 1000, { cores: PARALLEL_MIN + CORES_MARGIN / 2 })] });
    expect(near.kind).toBe('parallel');
    expect(near.borderline).toMatchObject({ line: PARALLEL_MIN, other: 'serial', what: 'cores used' });
    const below = runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 1000, { cores: PARALLEL_MIN - CORES_MARGIN / 2 })] });
    expect(below.borderline).toMatchObject({ line: PARALLEL_MIN, other: 'parallel' });
    expect(runVerdict({ coreCount: 2, lag: null, phases: [phase('parallel', 0, 1000, { cores: 1.9 })] }).borderline).toBeUndefined();
    expect(runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 1000, { cores: 1 })] }).borderline).toBeUndefined();
  });

  it('a busy machine is named: serial with too little free to show parallelism', () => {
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('serial', 0, 1000, { cores: 0.9, otherCores: 1.6 })] });
    expect(v.kind).toBe('serial');
    expect(v.text).toContain('Other programs held 1.60 of 2 cores: parallelism could not have shown.');
  });

  it('contended on a busy machine says the machine was too busy', () => {
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('contended', 0, 1000, { cores: 1.01, demand: 2.02, otherCores: 0.99 })] });
    expect(v.kind).toBe('contended');
    expect(v.text).toMatch(/^Contended — the machine was too busy for its parallelism to show: the threads wanted 2\.02 cores at once but got 1\.01, while other programs held 0\.99 of 2 cores\./);
  });

  it('interleaved names the process whose threads took turns', () => {
    const v = runVerdict({ coreCount: 2, lag: null, phases: [phase('interleaved', 0, 1000, { cores: 0.97, turnTaking: 0.95, turnTakers: { pid: 4242, threads: 2 } })] });
    expect(v.text).toMatch(/^Interleaved \(took turns\): 2 threads of pid 4242 ran in turns on ~1 core \(0\.97 cores busy\)/);
  });

  it('a run with no samples says it is too short to judge', () => {
    expect(runVerdict({ coreCount: 2, lag: null, phases: [] }).text).toMatch(/^Too short to judge/);
  });
});

describe('failedVerdict', () => {
  it('a program that exited with an error or a signal is failed, with what it did', () => {
    const phases = [describePhase(phase('serial', 0, 50, { cores: 0.9 }))];
    const v = failedVerdict({ code: 3, signal: null, reason: 'exited' }, 50, phases);
    expect(v?.kind).toBe('failed');
    expect(v?.text).toMatch(/^Failed \(exit code 3\) after 0\.05 s — not judged/);
    expect(v?.text).toContain(`What it did before: ${phaseSequence(phases)}.`);
    expect(failedVerdict({ code: null, signal: 'SIGSEGV', reason: 'exited' }, 50, [])?.text).toMatch(/^Failed \(killed by SIGSEGV\)/);
  });

  it('success, a timeout and a cancel are judged as usual', () => {
    expect(failedVerdict({ code: 0, signal: null, reason: 'exited' }, 50, [])).toBeNull();
    expect(failedVerdict({ code: null, signal: 'SIGTERM', reason: 'timeout' }, 50, [])).toBeNull();
    expect(failedVerdict({ code: null, signal: 'SIGTERM', reason: 'cancelled' }, 50, [])).toBeNull();
  });
});
