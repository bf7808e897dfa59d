// The data model every layer shares: engine, CLI, preload, renderer. Pure types, no runtime code.
// What a run records (and a session file stores) is defined once, by the session schema: those
// types are inferred from it here under their usual names, so the schema cannot drift from the
// model it checks. The live-only shapes (LiveBatch, CoreUsage, SystemInfo…) are written out.
import type { z } from 'zod';
import type {
  CORE_FIDELITIES,
  RUN_END_REASONS,
  THREAD_ROLES,
  VERDICT_KINDS,
  WAIT_REASONS,
  coreResultSchema,
  hardwareSchema,
  lagStatsSchema,
  PHASE_KINDS,
  phaseSchema,
  serialFractionSchema,
  processInfoSchema,
  runParamsSchema,
  runRecordSchema,
  findingSchema,
  stackSamplesSchema,
  runResultSchema,
  runtimeInfoSchema,
  samplesSchema,
  threadInfoSchema,
  threadResultSchema,
  verdictSchema,
  windowVerdictSchema,
  workloadEventSchema,
} from './sessionSchema';

/** Time in milliseconds since the run started (monotonic clock). */
export type RunMs = number;

/** What fraction of one sampling interval a core spent in each state (0..1, sums to ~1). */
export interface CoreUsage {
  user: number;
  system: number;
  iowait: number;
  idle: number;
}

/** Where the per-core numbers came from: /proc/stat at full rate, or a portable fallback. */
export type CoreFidelity = (typeof CORE_FIDELITIES)[number];

export type ThreadState = 'R' | 'S' | 'D' | 'Z' | 'T' | 't' | 'X' | 'I' | 'P' | 'W' | '?';

export type ThreadRole = (typeof THREAD_ROLES)[number];

export type ProcessInfo = z.output<typeof processInfoSchema>;

export type ThreadInfo = z.output<typeof threadInfoSchema>;

/** An event a workload reported on its event channel (fd 3, JSON lines), on the run's time axis. */
export type WorkloadEvent = z.output<typeof workloadEventSchema>;

export type VerdictKind = (typeof VERDICT_KINDS)[number];

export type WaitReason = (typeof WAIT_REASONS)[number];

export type Verdict = z.output<typeof verdictSchema>;

export type WindowVerdict = z.output<typeof windowVerdictSchema>;

export type PhaseKind = (typeof PHASE_KINDS)[number];

/** One contiguous stretch of a run that behaved one way, with its evidence. */
export type Phase = z.output<typeof phaseSchema>;

export type SerialFraction = z.output<typeof serialFractionSchema>;

export type RunParams = z.output<typeof runParamsSchema>;

export type RunEndReason = (typeof RUN_END_REASONS)[number];

export type CoreResult = z.output<typeof coreResultSchema>;

export type ThreadResult = z.output<typeof threadResultSchema>;

export type LagStats = z.output<typeof lagStatsSchema>;

/** The per-run figures; `corescope run --json` prints exactly this object. */
export type RunResult = z.output<typeof runResultSchema>;

/** Samples of one run in columnar form (what sessions store and exporters read). */
export type RunSamples = z.output<typeof samplesSchema>;

export type RunRecord = z.output<typeof runRecordSchema>;

/** Which code was behind a stretch of a run (attribution.ts). */
export type Finding = z.output<typeof findingSchema>;
export type FindingKind = Finding['kind'];

/** A batch of live data, sent to front ends a few times a second (never one message per sample). */
export interface LiveBatch {
  runId: string;
  /** Index of the first sample in this batch within the run. */
  fromIndex: number;
  t: number[];
  coreUser: number[][];
  coreSystem: number[][];
  coreIowait: number[][];
  workloadCores: number[];
  /** Threads known so far (full list, cheap: grows rarely). */
  threads: ThreadInfo[];
  /** Per thread in `threads`, per sample of this batch. */
  threadCpu: number[][];
  threadCore: number[][];
  events: WorkloadEvent[];
  /** Running figures for the live cards. */
  live: { wallMs: number; cpuMs: number; parallelism: number; tasksInFlight: number; lastLagMs: number | null };
  windows: WindowVerdict[];
  /** The run's phases so far (recomputed each batch: a handful of entries). */
  phases: Phase[];
}

export type RuntimeInfo = z.output<typeof runtimeInfoSchema>;

export type HardwareProfile = z.output<typeof hardwareSchema>;

export interface SystemInfo {
  hardware: HardwareProfile;
  runtimes: RuntimeInfo[];
  corescopeVersion: string;
  nodeVersion: string;
}

/** Stack samples as a session stores them; the same shape as stackSamples.ts's StackSamples (checked there). */
export type StoredStackSamples = z.output<typeof stackSamplesSchema>;
