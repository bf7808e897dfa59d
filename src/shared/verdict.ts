// The verdict of a run or a time window in plain words, with the numbers behind it.
import type { LagStats, Verdict, VerdictKind } from './types';

/** Above this many cores' worth of CPU on average, work ran in parallel. */
export const PARALLEL_MIN = 1.4;
/** Below this, the workload mostly waited. */
export const WAITING_MAX = 0.2;
/** A heartbeat this late means the event loop was blocked. */
export const BLOCKED_LAG_MS = 50;

export interface VerdictInput {
  parallelism: number;
  wallMs: number;
  coreCount: number;
  lag: LagStats | null;
  /** Threads that used a noticeable share of a core. */
  busyThreads: number;
  /** Peak tasks in flight, when the workload reported them. */
  peakConcurrency: number | null;
  /** Parallelism while the reported tasks ran (first start to last end), when there were tasks. */
  taskParallelism?: number;
  /** Share of one core the event loop's thread used over the run (see classify). */
  loopThreadBusy?: number;
  /** Cores' worth of CPU other programs used during the run (they compete for the same cores). */
  otherLoadCores?: number;
}

/** Other load above this many cores is worth telling: the workload could not have had every core. */
export const NOTABLE_OTHER_LOAD = 0.3;
/**
 * With other programs on the cores, parallel means using at least this share of the cores they
 * left free (PARALLEL_MIN is this share of 2 cores) and clearly more than one core's worth: a
 * single thread, or threads taking turns, cannot exceed one core.
 */
export const PARALLEL_SHARE_OF_FREE = 0.7;
export const MORE_THAN_ONE_CORE = 1.15;

const f2 = (x: number): string => x.toFixed(2);

/** The loop's own thread must have been this busy for late heartbeats to mean it blocked itself. */
export const LOOP_THREAD_BUSY = 0.5;

/**
 * @param loopThreadBusy share of one core the thread running the reporting event loop wanted (CPU
 *   used plus time queued for a core); late heartbeats with an idle loop thread mean the machine
 *   was busy elsewhere, not a blocked loop.
 */
export function classify(parallelism: number, lagMaxMs: number | null, loopThreadBusy?: number): VerdictKind {
  const loopBusy = loopThreadBusy === undefined || loopThreadBusy >= LOOP_THREAD_BUSY;
  if (lagMaxMs !== null && lagMaxMs >= BLOCKED_LAG_MS && parallelism < PARALLEL_MIN && loopBusy) return 'blocked';
  if (parallelism < WAITING_MAX) return 'waiting';
  if (parallelism >= PARALLEL_MIN) return 'parallel';
  return 'interleaved';
}

export function runVerdict(v: VerdictInput): Verdict {
  let verdict = baseVerdict(v);
  if (v.taskParallelism !== undefined) {
    verdict = { ...verdict, text: `${verdict.text} (Judged while its tasks ran; over the whole run, start-up included, ${f2(v.parallelism)} cores.)` };
  }
  const other = v.otherLoadCores ?? 0;
  if (other < NOTABLE_OTHER_LOAD) return verdict;
  return { ...verdict, text: `${verdict.text} Other programs used ${f2(other)} cores meanwhile, so the workload competed for the ${v.coreCount} cores.` };
}

function baseVerdict(whole: VerdictInput): Verdict {
  // Judge by the span where the tasks ran: interpreter start-up is not the workload's concurrency.
  const v = whole.taskParallelism !== undefined ? { ...whole, parallelism: whole.taskParallelism } : whole;
  let kind = classify(v.parallelism, v.lag ? v.lag.maxMs : null, v.loopThreadBusy);
  // Other programs took cores: judge against what they left free, not the whole machine.
  const other = v.otherLoadCores ?? 0;
  const free = Math.max(1, v.coreCount - other);
  const parallelOnFree = kind === 'interleaved' && other >= NOTABLE_OTHER_LOAD && v.parallelism >= MORE_THAN_ONE_CORE && v.parallelism >= PARALLEL_SHARE_OF_FREE * free;
  if (parallelOnFree) kind = 'parallel';
  const secs = (v.wallMs / 1000).toFixed(2);
  const tasks = v.peakConcurrency !== null ? `${v.peakConcurrency} task(s) in flight at peak` : `${v.busyThreads} busy thread(s)`;
  switch (kind) {
    case 'blocked':
      return {
        kind,
        text: `Event loop blocked: heartbeats fired up to ${v.lag!.maxMs.toFixed(0)} ms late (p99 ${v.lag!.p99Ms.toFixed(0)} ms) while the workload used ${f2(v.parallelism)} cores over ${secs} s — one thread computed and everything else waited its turn.`,
      };
    case 'waiting':
      return {
        kind,
        text:
          (v.peakConcurrency ?? 0) > 1
            ? `Mostly waiting (I/O concurrency): ${f2(v.parallelism)} cores busy on average over ${secs} s with ${tasks} — the tasks overlapped while waiting, not while computing.`
            : `Mostly waiting: ${f2(v.parallelism)} cores busy on average over ${secs} s — the workload spent its time waiting (sleep, I/O or timers), not computing.`,
      };
    case 'parallel':
      return {
        kind,
        text: parallelOnFree
          ? `Parallel: spread across ~${v.parallelism.toFixed(1)} of the ~${free.toFixed(1)} cores other programs left free (CPU/wall = ${f2(v.parallelism)}) with ${tasks} — more than one core's worth at once, so the work really ran at the same time.`
          : `Parallel: spread across ~${v.parallelism.toFixed(1)} of ${v.coreCount} cores (CPU/wall = ${f2(v.parallelism)}) with ${tasks} — the work really ran at the same time.`,
      };
    case 'interleaved':
      return {
        kind,
        text:
          v.busyThreads > 1
            ? `Interleaved on ~1 core (concurrency): CPU/wall = ${f2(v.parallelism)} over ${secs} s although ${v.busyThreads} threads were busy — they took turns rather than running at once.`
            : `Interleaved on ~1 core: CPU/wall = ${f2(v.parallelism)} over ${secs} s — one thread did the work; nothing ran in parallel.`,
      };
  }
}
