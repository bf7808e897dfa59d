// What the tree sampler keeps about each process and thread of a workload between passes, and
// how one of them is let go when it ends.
import type { ProcessInfo, ThreadInfo, ThreadState } from '../../shared/types';
import type { StatNumbers } from '../proc/parseTaskStat';
import type { SampledFile } from './sampleSource';

export interface TrackedThread {
  info: ThreadInfo;
  /** Column of this thread in the run's sample store. */
  index: number;
  stat: SampledFile | null;
  sched: SampledFile | null;
  children: SampledFile | null;
  alive: boolean;
  cpuMs: number;
  ticks: number;
  core: number;
  state: ThreadState;
  /**
   * Times the thread was switched onto a core (schedstat's third field): every switch in follows a
   * switch out, voluntary (blocking on a lock, the GIL, I/O) or not, so this counts its context switches.
   */
  switches: number;
  /** Set when the kernel name changed since the last sample (exec, or a thread naming itself). */
  renamed: boolean;
  /** schedstat's run and run-queue wait times at the last sample: unchanged means the thread slept. */
  runNs: number;
  waitNs: number;
  /** Ran since the last slow pass: only such a thread can have forked or switched context since. */
  ranSinceSlow: boolean;
  /**
   * Ran since its stat line (ticks) was last read. A refresh pass reads every such thread, not
   * only those that ran in the last interval: a thread that ran earlier and then slept kept old
   * ticks, its process's exited-threads figure (process ticks − live threads' ticks) took the
   * difference as CPU of exited threads, and the workload total jumped up, then back down.
   */
  ticksStale: boolean;
}

export interface TrackedProcess {
  info: ProcessInfo;
  stat: SampledFile | null;
  threads: Map<number, TrackedThread>;
  alive: boolean;
  /** The keeper (our launcher): its reaped children count, its own threads do not. */
  infrastructure: boolean;
  /** The latest figures of the process's stat line (reused: no allocation per sample). */
  nums: StatNumbers;
  sampled: boolean;
  /** CPU of threads that exited, from the last consistent stat snapshot, in ms. */
  exitedThreadsMs: number;
  /** CPU of threads seen exiting since that snapshot. */
  pendingExitedMs: number;
  /** The pass (sample number) whose total last included this process. */
  countedInPass: number;
  /** pid + starttime identify a process even if its pid is reused. */
  starttime: number;
  parent?: { name: string; cmdline: string };
  nonMainThreads: number;
  /** Children of the main thread; kept open only for the keeper, whose threads are not sampled. */
  mainChildren: SampledFile | null;
  /** The main thread ran in the previous sample (a fork just after that read shows up now). */
  mainMovedBefore: boolean;
}

export interface TreeSample {
  /** Cumulative CPU of the whole tree, alive and exited, in ms. */
  treeCpuMs: number;
  treeUserTicks: number;
  treeSystemTicks: number;
  rssBytes: number;
  liveProcesses: number;
  liveThreads: number;
}

export function closeThread(th: TrackedThread): void {
  th.stat?.close();
  th.sched?.close();
  th.children?.close();
  th.stat = th.sched = th.children = null;
}

/** The thread is gone: note when, and release its descriptors. */
export function endThread(th: TrackedThread, tMs: number): void {
  th.alive = false;
  th.info.exitedMs = tMs;
  closeThread(th);
}

/** The process is gone (reaped, or its pid names another process now): it and its threads end at tMs. */
export function endProcess(proc: TrackedProcess, tMs: number): void {
  proc.alive = false;
  proc.info.exitedMs = tMs;
  proc.stat?.close();
  proc.mainChildren?.close();
  for (const th of proc.threads.values()) {
    if (th.alive) {
      th.alive = false;
      th.info.exitedMs = tMs;
    }
    closeThread(th);
  }
}

export function liveThreadCount(proc: TrackedProcess): number {
  let n = 0;
  for (const th of proc.threads.values()) if (th.alive) n++;
  return n;
}
