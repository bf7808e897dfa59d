// Which /proc files a pass of the tree sampler reads, decided once at the start of the pass.
//
// Reading every file of every thread at 100 Hz would cost more than the workload tells us, so a
// pass reads the cheap, telling file (each thread's schedstat) always and the rest only when
// something may have changed:
// - slow passes (every slowEvery-th) look everywhere: new threads, children of any thread, renames;
// - refresh passes (every statEvery-th) re-read the stat lines of threads that ran since theirs was read;
// - a pass after a pid was taken (created: /proc/loadavg's newest pid moved) looks for new
//   processes and threads — nothing can be new without taking a pid;
// - a pass soon after something exited (exitedLately) re-reads the stat lines of processes whose
//   threads ran, since that is when a parent reaps a child and its cutime grows.

export interface PassPlan {
  /** Look for new threads and children on every thread, and for renames. */
  slow: boolean;
  /** Re-read the stat lines (ticks, core, state) of threads that ran since theirs was last read. */
  refresh: boolean;
  /** A pid was taken since the previous pass (or the newest pid cannot be read). */
  created: boolean;
  /** A pid was taken since the previous slow pass. */
  createdSinceSlow: boolean;
  /** A thread or process of the tree ended within the last statEvery passes. */
  exitedLately: boolean;
  /** No children files on this kernel: find new processes by scanning /proc for parent links. */
  scanByPpid: boolean;
}

export class PassPlanner {
  /** The newest pid on the machine at the previous pass and at the previous slow pass (-2: not yet read). */
  private lastPid = -2;
  private lastPidAtSlow = -2;

  constructor(
    private readonly slowEvery: number,
    private readonly statEvery: number,
  ) {}

  /**
   * The plan of pass number `pass` (1 for the first), given the newest pid now (-1 when unreadable),
   * the pass in which something of the tree last ended, and whether the kernel lacks children files.
   */
  plan(pass: number, pidNow: number, lastExitPass: number, childrenFilesMissing: boolean): PassPlan {
    const slow = (pass - 1) % this.slowEvery === 0;
    const refresh = slow || (pass - 1) % this.statEvery === 0;
    const created = pidNow < 0 || pidNow !== this.lastPid;
    const createdSinceSlow = pidNow < 0 || pidNow !== this.lastPidAtSlow;
    this.lastPid = pidNow;
    if (slow) this.lastPidAtSlow = pidNow;
    const exitedLately = pass - lastExitPass <= this.statEvery;
    return { slow, refresh, created, createdSinceSlow, exitedLately, scanByPpid: childrenFilesMissing && (created || slow) };
  }
}

/**
 * Whether a process's stat line (reaped children's CPU, thread count, RSS, name) is read this
 * pass. Reaping a child or starting a thread needs one of its threads to run, and takes a pid or
 * follows an exit; otherwise the stat line waits for the next refresh.
 */
export function readsProcessStat(plan: PassPlan, first: boolean, threadGone: boolean, threadMoved: boolean): boolean {
  return first || plan.refresh || threadGone || (threadMoved && (plan.created || plan.exitedLately));
}

/** Whether to list a process's threads: its stat line counts another number, or a slow pass follows a new pid. */
export function looksForThreads(plan: PassPlan, statThreads: number, trackedLiveThreads: number): boolean {
  return (plan.slow && plan.createdSinceSlow) || statThreads !== trackedLiveThreads;
}

/** A fork takes a pid and needs its thread to run, now or (just after the previous read) then. */
export function mainMayHaveForked(plan: PassPlan, mainMoved: boolean, mainMovedBefore: boolean): boolean {
  return (mainMoved || mainMovedBefore) && plan.created;
}

/** Whether any of a process's threads' children files are read this pass (see readsChildrenOf). */
export function looksForChildren(plan: PassPlan, first: boolean, mainForked: boolean): boolean {
  return first || mainForked || (plan.slow && plan.createdSinceSlow);
}

/** Whether one thread's children file is read: the main thread's whenever it may have forked, others' on slow passes after they ran. */
export function readsChildrenOf(plan: PassPlan, isMain: boolean, first: boolean, mainForked: boolean, ranSinceSlow: boolean): boolean {
  return isMain ? first || mainForked || ranSinceSlow : plan.slow && ranSinceSlow;
}
