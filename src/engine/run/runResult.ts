// A run's results from what it recorded: a pure function, so every figure and warning of a
// RunResult can be tested on made-up recordings, without processes or /proc.
import type { CoreFidelity, RunEndReason, RunParams, RunResult, RunSamples, ThreadInfo, WorkloadEvent, WindowVerdict } from '../../shared/types';
import { lagStats, peakConcurrency, reportedMetrics, round1, round3, taskPhaseOf, taskSpan } from '../../shared/metrics';
import type { Activity } from '../../shared/activity';
import { segmentPhases, serialFraction } from '../../shared/phases';
import { describePhase, failedVerdict, runVerdict } from '../../shared/verdict';
import { busyTicksBetween, usageBetween, type CoreReading } from '../sampler/coreSampler';
import { TICK_MS } from '../proc/kernelUnits';

/** One tracked thread at the end of the run. */
export interface RecordedThread {
  info: ThreadInfo;
  /** CPU it used, in ms. */
  cpuMs: number;
  /** Time it waited in the run queue, in ns; negative when unknown (no schedstat). */
  waitNs: number;
}

export interface RecordedRun {
  runId: string;
  scenarioId?: string;
  params: RunParams;
  rateHz: number;
  /** Whether the keeper launched the workload (it is then one of the tracked processes, not the workload's). */
  viaKeeper: boolean;
  /** Set when the run watched a program it did not launch. */
  attached?: { pid: number; name: string };
  // Times in ms since the run's clock started.
  /** When the workload process was spawned. */
  spawnedMs: number;
  /** When the run ended: the workload's exit as seen by us, or now. */
  endMs: number;
  /** The keeper's report, when it sent one. */
  keeper: {
    startedMs?: number;
    exitedMs?: number;
    code?: number | null;
    signal?: string | null;
    rusage?: { userMs: number; systemMs: number };
    leftovers?: number;
    warnings: readonly string[];
  };
  /** How the spawned process exited, as Node saw it; null if it had not. */
  exit: { code: number | null; signal: string | null } | null;
  /** Why the run was ended early; null when the workload exited on its own. */
  endReason: RunEndReason | null;
  threads: readonly RecordedThread[];
  /** Processes tracked, the keeper included. */
  trackedProcesses: number;
  /** The tree sampler's last figures: cumulative ticks of the whole tree. */
  treeUserTicks: number;
  treeSystemTicks: number;
  /** The highest whole-tree CPU any sample saw, in ms. */
  peakTreeCpuMs: number;
  peakRssBytes: number;
  treeWarnings: readonly string[];
  coresAtStart: CoreReading;
  coresAtEnd: CoreReading;
  coreCount: number;
  coreFidelity: CoreFidelity;
  /** CPU this profiler used during the run, in ms. */
  profilerMs: number;
  events: WorkloadEvent[];
  eventWarnings: readonly string[];
  samples: RunSamples;
  windows: WindowVerdict[];
  /** The run's activity in 100 ms bins (what the phases are cut from). */
  bins: readonly Activity[];
  engineErrors: readonly string[];
  /** /proc files that could not be opened for lack of descriptors during the run. */
  fdFailures: number;
  stdoutDroppedBytes: number;
  stderrDroppedBytes: number;
}

export function buildRunResult(r: RecordedRun): RunResult {
  const k = r.keeper;
  const startedMs = k.startedMs ?? r.spawnedMs;
  const exitedMs = k.exitedMs ?? r.endMs;
  const wallMs = Math.max(0.001, exitedMs - startedMs);

  // CPU: the keeper's getrusage of everything it reaped is exact; sampling is the fallback.
  const userMs = k.rusage ? k.rusage.userMs : r.treeUserTicks * TICK_MS;
  const systemMs = k.rusage ? k.rusage.systemMs : r.treeSystemTicks * TICK_MS;
  const totalMs = k.rusage ? userMs + systemMs : Math.max(r.peakTreeCpuMs, (r.treeUserTicks + r.treeSystemTicks) * TICK_MS);
  const parallelism = totalMs / wallMs;

  const usage = usageBetween(r.coresAtStart, r.coresAtEnd);
  const busy = busyTicksBetween(r.coresAtStart, r.coresAtEnd);
  const machineCpuMs = busy.busy * TICK_MS;
  const spanMs = Math.max(1, r.endMs);
  // What else kept the cores busy: the machine's busy time less the workload's and ours.
  const noiseMs = Math.max(0, machineCpuMs - totalMs - r.profilerMs);

  const events = r.events;
  const threads = r.threads.map((th) => ({ pid: th.info.pid, tid: th.info.tid, name: th.info.name, role: th.info.role, cpuMs: round1(th.cpuMs) }));
  const lag = lagStats(events);
  const span = taskSpan(events);
  const taskPhase = taskPhaseOf(events, r.samples, r.rateHz);
  const firstTask = events.find((e) => e.kind === 'task-start');
  const phaseList = segmentPhases(r.bins, { firstTaskMs: firstTask ? firstTask.t : null, lastTaskEndMs: span ? span.toMs : null });
  const phases = phaseList.map(describePhase);
  const peak = peakConcurrency(events);
  const exitCode = k.code !== undefined ? k.code : r.exit?.code ?? null;
  const exitSignal = k.signal !== undefined ? k.signal : r.exit?.signal ?? null;
  const exit = { code: exitCode, signal: exitSignal, reason: r.endReason ?? ('exited' as const) };
  const attach = r.attached ? { pid: r.attached.pid, name: r.attached.name, endedBy: ATTACH_ENDED_BY[exit.reason] } : undefined;
  const judged = runVerdict({ phases: phaseList, coreCount: r.coreCount, lag });

  return {
    runId: r.runId,
    scenario: r.scenarioId,
    params: r.params,
    wallMs: round1(wallMs),
    cpu: { userMs: round1(userMs), systemMs: round1(systemMs), totalMs: round1(totalMs) },
    parallelism: round3(parallelism),
    peakConcurrency: peak,
    taskPhase,
    cores: usage.map((u, id) => ({
      id,
      busyPct: round1((u.user + u.system) * 100),
      userPct: round1(u.user * 100),
      systemPct: round1(u.system * 100),
      iowaitPct: round1(u.iowait * 100),
    })),
    threads,
    processes: r.trackedProcesses - (r.viaKeeper ? 1 : 0),
    peakRssBytes: r.peakRssBytes,
    spawnLatencyMs: round1(startedMs),
    // At most all of the cores: /proc/stat counts in 10 ms ticks, so over a run of a few ticks
    // the machine's busy time can read above its span × cores (133 % was measured for a program
    // that failed at once), and the session format rightly refuses a share above 100 %.
    noisePct: round1(Math.min(100, (noiseMs / (spanMs * r.coreCount)) * 100)),
    profilerCpuPct: round1((r.profilerMs / spanMs) * 100),
    lag,
    metrics: reportedMetrics(events),
    // A program that failed did not do its work: no verdict pretends it did.
    verdict: failedVerdict(exit, wallMs, phases) ?? judged,
    windows: r.windows,
    phases,
    serialFraction: serialFraction(phaseList),
    exit,
    ...(attach ? { attach } : {}),
    fidelity: {
      ...(attach ? { unavailable: ATTACH_UNAVAILABLE } : {}),
      cores: r.coreFidelity,
      threads: process.platform === 'linux',
      note: r.coreFidelity === 'proc-stat' ? undefined : 'Per-core figures come from os.cpus() (no iowait, coarse timing); thread data needs Linux /proc.',
    },
    warnings: runWarnings(r),
  };
}

/** Everything the user should know about how the run was observed, in a fixed order. */
function runWarnings(r: RecordedRun): string[] {
  const warnings = [...r.engineErrors, ...r.keeper.warnings, ...r.eventWarnings, ...r.treeWarnings];
  if (r.fdFailures > 0) warnings.push(`The profiler ran out of file descriptors (${r.fdFailures} /proc file(s) could not be opened): some threads or processes were not tracked; their CPU still counts in their process's total. Raise the open-files limit (ulimit -n) to track them all.`);
  if (r.keeper.leftovers) warnings.push(`${r.keeper.leftovers} process(es) of the workload were still running when it ended; CoreScope ended them.`);
  if (r.stdoutDroppedBytes > 0) warnings.push(`stdout truncated: ${r.stdoutDroppedBytes} bytes beyond the capture cap were dropped.`);
  if (r.stderrDroppedBytes > 0) warnings.push(`stderr truncated: ${r.stderrDroppedBytes} bytes beyond the capture cap were dropped.`);
  if (r.attached) {
    warnings.push(`Attached to pid ${r.attached.pid} (${r.attached.name}), which CoreScope did not launch: ${ATTACH_UNAVAILABLE.join('; ')} — not available. It was never signalled.`);
  } else if (!r.viaKeeper) warnings.push('No Python interpreter for the keeper: the run was launched directly, so orphans that leave its process group may escape and exited children are counted from samples.');
  return warnings;
}

/** What only a launch can give, marked rather than silently missing on an attached run. */
const ATTACH_UNAVAILABLE = [
  'task events (the fd-3 channel a launched workload writes to)',
  "the program's stdout and stderr",
  'exact CPU of children reaped before CoreScope saw them (the keeper measures those of a launch)',
  'in-process stack samples',
];

/** How the watching of an attached program ended, from the run's end reason. */
const ATTACH_ENDED_BY = {
  exited: 'target-exited',
  cancelled: 'stopped',
  timeout: 'duration',
  'engine-error': 'engine-error',
  'profiler-exit': 'profiler-exit',
  'connection-lost': 'connection-lost',
} as const;
