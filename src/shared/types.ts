// The data model every layer shares: engine, CLI, preload, renderer. Pure types, no runtime code.

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
export type CoreFidelity = 'proc-stat' | 'os-cpus';

export type ThreadState = 'R' | 'S' | 'D' | 'Z' | 'T' | 't' | 'X' | 'I' | 'P' | 'W' | '?';

export type ThreadRole =
  | 'main'
  | 'libuv-pool'
  | 'v8-helper'
  | 'worker-thread'
  | 'cluster-worker'
  | 'cluster-primary'
  | 'mp-child'
  | 'python-thread'
  | 'child-process'
  | 'other';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  /** argv joined by spaces, as far as /proc/<pid>/cmdline tells. */
  cmdline: string;
  firstSeenMs: RunMs;
  /** When the process was last seen alive; undefined while it is. */
  exitedMs?: RunMs;
}

export interface ThreadInfo {
  pid: number;
  tid: number;
  name: string;
  role: ThreadRole;
  firstSeenMs: RunMs;
  exitedMs?: RunMs;
}

/** An event a workload reported on its event channel (fd 3, JSON lines), on the run's time axis. */
export type WorkloadEvent =
  | { t: RunMs; kind: 'task-start'; task: string; pid?: number; tid?: number }
  | { t: RunMs; kind: 'task-end'; task: string; pid?: number; tid?: number }
  | { t: RunMs; kind: 'lag'; lagMs: number; pid?: number; tid?: number }
  | { t: RunMs; kind: 'metric'; name: string; value: number; unit?: string; pid?: number };

export type VerdictKind = 'interleaved' | 'parallel' | 'waiting' | 'blocked';

export type WaitReason = 'gil-or-lock' | 'event-loop-blocked' | 'io-wait' | 'oversubscribed';

export interface Verdict {
  kind: VerdictKind;
  /** One sentence for people, with the numbers behind it. */
  text: string;
}

export interface WindowVerdict extends Verdict {
  fromMs: RunMs;
  toMs: RunMs;
  /** Cores' worth of CPU the workload used in this window. */
  parallelism: number;
  /** Threads of the workload that were runnable or waiting (not idle) in the window. */
  activeThreads: number;
  reason?: { kind: WaitReason; text: string };
}

export interface RunParams {
  /** A shell command line (run by /bin/sh -c), or argv when `argv` is given. */
  cmd?: string;
  argv?: string[];
  cwd?: string;
  env?: Record<string, string>;
  rateHz: number;
  timeoutS: number;
  scenario?: { id: string; params: Record<string, number | string | boolean> };
}

export type RunEndReason = 'exited' | 'cancelled' | 'timeout' | 'engine-error' | 'profiler-exit';

export interface CoreResult {
  id: number;
  busyPct: number;
  userPct: number;
  systemPct: number;
  iowaitPct: number;
}

export interface ThreadResult {
  pid: number;
  tid: number;
  name: string;
  role: ThreadRole;
  cpuMs: number;
}

export interface LagStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  count: number;
}

/** The per-run figures; `corescope run --json` prints exactly this object. */
export interface RunResult {
  runId: string;
  scenario?: string;
  params: RunParams;
  wallMs: number;
  cpu: { userMs: number; systemMs: number; totalMs: number };
  parallelism: number;
  /** Peak number of tasks in flight from the workload's events; null when it reported none. */
  peakConcurrency: number | null;
  /**
   * From the first task start to the last task end the workload reported: CPU/wall over that span
   * alone, without interpreter start-up and tear-down. Null when it reported no tasks.
   */
  taskPhase?: { fromMs: number; toMs: number; parallelism: number } | null;
  cores: CoreResult[];
  threads: ThreadResult[];
  processes: number;
  peakRssBytes: number;
  /** Time from spawn() to the workload's process being seen running. */
  spawnLatencyMs: number;
  /** CPU used by everything else on the machine during the run, % of all cores. */
  noisePct: number;
  /** CoreScope's own CPU during the run, % of one core. */
  profilerCpuPct: number;
  lag: LagStats | null;
  /** Figures the workload itself reported (requests/s, IPC bytes…), by name. */
  metrics: Record<string, number>;
  verdict: Verdict;
  windows: WindowVerdict[];
  exit: { code: number | null; signal: string | null; reason: RunEndReason };
  fidelity: { cores: CoreFidelity; threads: boolean; note?: string };
  warnings: string[];
}

/** Samples of one run in columnar form (what sessions store and exporters read). */
export interface RunSamples {
  rateHz: number;
  coreCount: number;
  /** Sample times, ms since run start. */
  t: number[];
  /** Per core, per sample: fraction busy in user / system / iowait (0..1). */
  coreUser: number[][];
  coreSystem: number[][];
  coreIowait: number[][];
  /** Workload CPU per sample interval, in cores' worth (0..coreCount). */
  workloadCores: number[];
  /** Per thread (same order as `threads`), CPU share of one core per sample interval (0..1); NaN when not alive. */
  threadCpu: number[][];
  /** Per thread, the core it last ran on per sample (-1 when not alive). */
  threadCore: number[][];
  threads: ThreadInfo[];
  processes: ProcessInfo[];
}

export interface RunRecord {
  result: RunResult;
  samples: RunSamples;
  events: WorkloadEvent[];
  stdout: string;
  stderr: string;
  /** True when stdout/stderr were cut at the capture cap. */
  outputTruncated: boolean;
}

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
}

export interface RuntimeInfo {
  kind: 'python' | 'node';
  path: string;
  version: string;
  implementation: string;
  /** Python only: whether the GIL is enabled (false only on free-threaded builds with it off). */
  gilEnabled?: boolean;
  freeThreadedBuild?: boolean;
}

export interface HardwareProfile {
  cpu: { brand: string; manufacturer: string; physicalCores: number; logicalCores: number; speedGHz: number; speedMaxGHz: number; cacheKiB: { l1d: number; l1i: number; l2: number; l3: number } };
  memoryBytes: number;
  os: { platform: string; distro: string; release: string; kernel: string; arch: string };
  hostname: string;
}

export interface SystemInfo {
  hardware: HardwareProfile;
  runtimes: RuntimeInfo[];
  corescopeVersion: string;
  nodeVersion: string;
}
